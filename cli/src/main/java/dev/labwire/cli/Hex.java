package dev.labwire.cli;

/** Hex dumps: {@code 00000000  41 43 4d 45 2c 50 53 55  2d 33 30 30 30 0d 0a     |ACME,PSU-3000..|}. */
final class Hex {
    private Hex() {}

    static String dump(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int off = 0; off < b.length; off += 16) {
            s.append(String.format("%08x  ", off));
            for (int i = 0; i < 16; i++) {
                if (off + i < b.length) {
                    s.append(String.format("%02x ", b[off + i] & 0xFF));
                } else {
                    s.append("   ");
                }
                if (i == 7) {
                    s.append(' ');
                }
            }
            s.append(" |");
            for (int i = 0; i < 16 && off + i < b.length; i++) {
                int c = b[off + i] & 0xFF;
                s.append(c >= 0x20 && c < 0x7F ? (char) c : '.');
            }
            s.append("|\n");
        }
        return s.toString();
    }
}
