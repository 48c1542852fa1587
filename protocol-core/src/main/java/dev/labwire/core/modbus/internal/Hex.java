package dev.labwire.core.modbus.internal;

/** Modbus ASCII's hex digits and LRC (Serial Line v1.02 sections 2.5.2 and 6.2.1). */
public final class Hex {
    private static final byte[] DIGITS = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Hex() {
    }

    /** The LRC of {@code length} bytes from {@code offset}: the two's complement of their sum modulo 256. */
    public static int lrc(byte[] data, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += data[i] & 0xFF;
        }
        return -sum & 0xFF;
    }

    /** Two upper-case hex digits per byte of {@code src}, written to {@code dst} from {@code at}. */
    public static void encode(byte[] src, byte[] dst, int at) {
        for (int i = 0; i < src.length; i++) {
            dst[at + 2 * i] = DIGITS[(src[i] >> 4) & 0xF];
            dst[at + 2 * i + 1] = DIGITS[src[i] & 0xF];
        }
    }

    /** The value of a hex digit (either case), or -1. */
    public static int digit(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }
}
