package dev.labwire.core.frame;

import java.nio.ByteBuffer;

/**
 * The one way labwire shows bytes to people: in exception messages, {@code toString()}s and the wire trace. The
 * format, byte by byte:
 * <pre>
 *   0x20..0x7E except \ and "     as is          MEAS?       -&gt; MEAS?
 *   \r  \n  \t  \  "               escaped        CR LF       -&gt; \r\n
 *   every other byte               \xNN           0x00 0xFF   -&gt; \x00\xFF   (two upper-case hex digits)
 * </pre>
 * At most {@code max} bytes are shown; when there were more, {@code ... (N bytes)} follows, N being the whole
 * count. So the 505 bytes of a block {@code #3500} whose data starts 0, 1, 2, shown with {@code max} 8, read
 * {@code #3500\x00\x01\x02... (505 bytes)}. The quoted forms put the shown bytes between {@code "} and the cut note
 * after the closing quote: {@code "#3500\x00\x01\x02"... (505 bytes)}.
 * The output is unambiguous: every {@code \} it holds starts an escape, and a quoted form never holds a bare
 * {@code "}, so the bytes can be read back from it.
 *
 * <p>Text (a {@link CharSequence}) is shown by the same rules, a char standing for the byte of its value; a char
 * above 0xFF, which no byte on an ISO-8859-1 wire can be, is shown as {@code \}{@code uNNNN}, and the cut note
 * counts chars: {@code ... (N chars)}.
 *
 * <p>No method changes the bytes or a buffer's position.
 */
public final class Printable {
    /** The bound of {@link #of(byte[])}: 200 bytes shown. */
    public static final int DEFAULT_MAX = 200;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Printable() {
    }

    /** {@code b} shown, at most {@value #DEFAULT_MAX} bytes of it (see the class comment for the format). */
    public static String of(byte[] b) {
        return of(b, 0, b.length, DEFAULT_MAX);
    }

    /**
     * {@code b[from, to)} shown, at most {@code max} bytes of it, then {@code ... (N bytes)} when there were more.
     *
     * @throws IndexOutOfBoundsException when {@code from, to} is not a range of {@code b}
     * @throws IllegalArgumentException  when {@code max} is negative
     */
    public static String of(byte[] b, int from, int to, int max) {
        return of(range(b, from, to), max);
    }

    /** The bytes between {@code buf}'s position and limit shown, at most {@code max} of them; the position stays. */
    public static String of(ByteBuffer buf, int max) {
        return append(new StringBuilder(capacity(buf.remaining(), max)), buf, max, false).toString();
    }

    /** {@code "b[from, to)"}: {@link #of(byte[], int, int, int)} between quotes, the cut note after them. */
    public static String quoted(byte[] b, int from, int to, int max) {
        return quoted(range(b, from, to), max);
    }

    /** {@link #of(ByteBuffer, int)} between quotes, the cut note after them. */
    public static String quoted(ByteBuffer buf, int max) {
        return append(new StringBuilder(capacity(buf.remaining(), max)), buf, max, true).toString();
    }

    /** {@code "text"}: text shown by the byte rules (chars above 0xFF as a {@code u} escape), cut after {@code max} chars. */
    public static String quoted(CharSequence text, int max) {
        checkMax(max);
        int n = text.length();
        int shown = Math.min(n, max);
        StringBuilder sb = new StringBuilder(capacity(n, max)).append('"');
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            if (c > 0xFF) {
                sb.append("\\u").append(HEX[c >>> 12]).append(HEX[(c >>> 8) & 0xF]).append(HEX[(c >>> 4) & 0xF])
                        .append(HEX[c & 0xF]);
            } else {
                append(sb, (byte) c);
            }
        }
        sb.append('"');
        return shown < n ? sb.append("... (").append(n).append(" chars)").toString() : sb.toString();
    }

    /**
     * Appends the bytes between {@code buf}'s position and limit shown, as {@link #of(ByteBuffer, int)} or, when
     * {@code quoted}, {@link #quoted(ByteBuffer, int)} does; the position stays. Returns {@code sb}.
     */
    public static StringBuilder append(StringBuilder sb, ByteBuffer buf, int max, boolean quoted) {
        checkMax(max);
        int from = buf.position();
        int n = buf.remaining();
        int shown = Math.min(n, max);
        if (quoted) {
            sb.append('"');
        }
        for (int i = from; i < from + shown; i++) {
            append(sb, buf.get(i));
        }
        if (quoted) {
            sb.append('"');
        }
        return shown < n ? sb.append("... (").append(n).append(" bytes)") : sb;
    }

    /** Appends one byte shown: as is, {@code \r \n \t \\ \"}, or {@code \xNN}; returns {@code sb}. */
    public static StringBuilder append(StringBuilder sb, byte value) {
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
                    sb.append("\\x").append(HEX[c >>> 4]).append(HEX[c & 0xF]);
                }
            }
        }
        return sb;
    }

    /** One byte's value as {@code 0x0A}: two upper-case hex digits. */
    public static String hex(int value) {
        int c = value & 0xFF;
        return new String(new char[] {'0', 'x', HEX[c >>> 4], HEX[c & 0xF]});
    }

    private static ByteBuffer range(byte[] b, int from, int to) {
        java.util.Objects.checkFromToIndex(from, to, b.length);
        return ByteBuffer.wrap(b, from, to - from);
    }

    private static void checkMax(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative: " + max);
        }
    }

    private static int capacity(int n, int max) {
        return Math.min(n, Math.max(max, 0)) + 24;
    }
}
