package dev.labwire.core.frame;

/** Helpers for showing bytes in messages. */
final class Bytes {
    private Bytes() {
    }

    /** Printable form of {@code b[from, to)}: ASCII as is, {@code \r \n \t}, others as {@code \xNN}; cut at {@code max} chars. */
    static String printable(byte[] b, int from, int to, int max) {
        StringBuilder sb = new StringBuilder(Math.min(to - from, max) + 8);
        for (int i = from; i < to; i++) {
            if (sb.length() >= max) {
                sb.append("...");
                break;
            }
            appendByte(sb, b[i]);
        }
        return sb.toString();
    }

    static void appendByte(StringBuilder sb, byte value) {
        int c = value & 0xFF;
        switch (c) {
            case '\r' -> sb.append("\\r");
            case '\n' -> sb.append("\\n");
            case '\t' -> sb.append("\\t");
            case '\\' -> sb.append("\\\\");
            case '"' -> sb.append("\\\"");
            default -> {
                if (c >= 0x20 && c < 0x7F) {
                    sb.append((char) c);
                } else {
                    sb.append(String.format("\\x%02X", c));
                }
            }
        }
    }

    /** {@code 0x0A} style name of one byte. */
    static String hex(int value) {
        return String.format("0x%02X", value & 0xFF);
    }
}
