package dev.labwire.core;

/**
 * What the core needs to know of a command's bytes as an IEEE 488.2 program message (section 7): where its
 * quoted strings and definite-length arbitrary blocks ({@code #<n><len><data>}, 7.7.6) are, so that a block may
 * hold any byte, and whether one of its program message units is a query (a header ending in {@code ?}).
 * Bytes that do not parse as a block (a {@code #} not followed by a digit 1-9, n digits and len data bytes) are
 * taken as ordinary bytes, so a malformed block is still checked byte by byte.
 */
final class ProgramMessage {
    private ProgramMessage() {
    }

    /**
     * The index of the first {@code terminator} in {@code p} outside the data of definite-length blocks, or -1.
     * A terminator inside a quoted string still counts: the device's parser would see it.
     */
    static int terminatorOutsideBlocks(byte[] p, byte[] terminator) {
        if (terminator.length == 0 || absent(p, terminator[0])) {
            return -1; // the usual case, a command without the terminator's first byte: one tight scan (queryAll checks each)
        }
        byte quote = 0;
        for (int i = 0; i < p.length; i++) {
            byte b = p[i];
            if (matches(p, i, terminator)) {
                return i;
            }
            if (quote != 0) {
                if (b == quote) {
                    quote = 0;
                }
                continue;
            }
            if (b == '"' || b == '\'') {
                quote = b;
            } else if (b == '#') {
                int end = definiteBlockEnd(p, i);
                if (end > 0) {
                    i = end - 1;
                }
            }
        }
        return -1;
    }

    /**
     * The index just past the definite-length block whose {@code '#'} is at {@code hash}, or -1 when the bytes
     * there are not a whole definite block ({@code #0} indefinite blocks run to the terminator and are not
     * skipped).
     */
    static int definiteBlockEnd(byte[] p, int hash) {
        if (hash + 1 >= p.length) {
            return -1;
        }
        int digits = p[hash + 1] - '0';
        if (digits < 1 || digits > 9 || hash + 2 + digits > p.length) {
            return -1;
        }
        long length = 0;
        for (int k = hash + 2; k < hash + 2 + digits; k++) {
            int d = p[k] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            length = length * 10 + d;
        }
        long end = hash + 2L + digits + length;
        return end <= p.length ? (int) end : -1;
    }

    /**
     * The header of the first program message unit of {@code p} that is a query (its header ends with
     * {@code ?}: {@code *IDN?}, {@code MEAS:VOLT? (@1)}, {@code VOLT 5;*OPC?}), or null when none is. Units are
     * separated by {@code ;} outside strings and blocks; the header is the unit's first word.
     */
    static String queryHeader(byte[] p) {
        boolean inHeader = true;
        int headerStart = -1;
        byte quote = 0;
        for (int i = 0; i <= p.length; i++) {
            byte b = i < p.length ? p[i] : (byte) ';';
            if (quote != 0) {
                if (b == quote) {
                    quote = 0;
                }
                continue;
            }
            boolean blank = b == ' ' || b == '\t' || b == '\r' || b == '\n';
            if (inHeader) {
                if (headerStart < 0 && !blank && b != ';') {
                    headerStart = i;
                }
                if (headerStart >= 0 && (blank || b == ';')) {
                    if (p[i - 1] == '?') {
                        return new String(p, headerStart, i - headerStart, java.nio.charset.StandardCharsets.ISO_8859_1);
                    }
                    inHeader = false;
                }
            }
            if (b == ';') {
                inHeader = true;
                headerStart = -1;
            } else if (!inHeader && (b == '"' || b == '\'')) {
                quote = b;
            } else if (!inHeader && b == '#') {
                int end = definiteBlockEnd(p, i);
                if (end > 0) {
                    i = end - 1;
                }
            }
        }
        return null;
    }

    private static boolean absent(byte[] p, byte b) {
        for (byte x : p) {
            if (x == b) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(byte[] p, int at, byte[] t) {
        if (at + t.length > p.length) {
            return false;
        }
        for (int j = 0; j < t.length; j++) {
            if (p[at + j] != t[j]) {
                return false;
            }
        }
        return true;
    }
}
