package dev.labwire.core.scpi;

/** Shows instrument text in error messages: quoted, control characters escaped, cut at a bound. */
final class Text {
    /** Most chars of instrument text quoted in a message. */
    static final int MAX_QUOTED = 80;

    private Text() {
    }

    /** {@code "text"} with {@code \r \n \t \\ \"} and other non-printables escaped, cut after {@value #MAX_QUOTED} chars with {@code ...}. */
    static String quoted(CharSequence text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_QUOTED) + 8).append('"');
        int end = Math.min(text.length(), MAX_QUOTED);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        sb.append(c);
                    } else {
                        sb.append(String.format("\\u%04X", (int) c));
                    }
                }
            }
        }
        sb.append('"');
        if (text.length() > MAX_QUOTED) {
            sb.append("... (").append(text.length()).append(" chars)");
        }
        return sb.toString();
    }
}
