package dev.labwire.core.modbus.internal;

import dev.labwire.core.frame.InputBuffer;

/**
 * How long a Modbus RTU frame is, from its first bytes (address, function code, byte count), for the function codes
 * labwire speaks (Modbus Application Protocol v1.1b3 section 6): the length rule of the RTU framer and the
 * "truncated" check of the RTU addressing share it.
 *
 * <pre>
 *  replies   FC 1 2 3 4 23 : addr fc bc data[bc] crc crc   = 5 + bc
 *            FC 5 6 15 16  : addr fc a a b b crc crc       = 8
 *            fc | 0x80     : addr fc code crc crc          = 5
 *  requests  FC 1..6       : addr fc a a b b crc crc       = 8
 *            FC 15 16      : addr fc a a q q bc data crc   = 9 + bc
 *            FC 23         : addr fc ra ra rq rq wa wa wq wq bc data crc = 13 + bc
 * </pre>
 */
public final class RtuLengths {
    /** More bytes are needed to know the length. */
    public static final int NEED = -1;
    /** No rule gives the length: an unknown function code, or a byte count past the largest RTU frame. */
    public static final int UNKNOWN = -2;
    /** The largest RTU frame (ADU), Serial Line v1.02 section 2.5.1: 256 bytes. */
    public static final int MAX_ADU = 256;

    private RtuLengths() {
    }

    /** The length of the reply frame starting at {@code in}'s offset 0, looking at its first {@code limit} bytes. */
    public static int reply(InputBuffer in, int limit) {
        return reply(limit, i -> in.getUnsigned(i));
    }

    /** The length of the request frame starting at {@code in}'s offset 0, looking at its first {@code limit} bytes. */
    public static int request(InputBuffer in, int limit) {
        return request(limit, i -> in.getUnsigned(i));
    }

    /** The length of the reply frame starting at {@code in}'s offset {@code from}, looking at {@code limit} bytes from there. */
    public static int reply(InputBuffer in, int from, int limit) {
        return reply(limit, i -> in.getUnsigned(from + i));
    }

    /** The length of the request frame starting at {@code in}'s offset {@code from}, looking at {@code limit} bytes from there. */
    public static int request(InputBuffer in, int from, int limit) {
        return request(limit, i -> in.getUnsigned(from + i));
    }

    /** As {@link #reply(InputBuffer, int)}, for a frame in an array. */
    public static int reply(byte[] f) {
        return reply(f.length, i -> f[i] & 0xFF);
    }

    /** As {@link #request(InputBuffer, int)}, for a frame in an array. */
    public static int request(byte[] f) {
        return request(f.length, i -> f[i] & 0xFF);
    }

    private interface Bytes {
        int at(int index);
    }

    private static int reply(int n, Bytes b) {
        if (n < 2) {
            return NEED;
        }
        int fc = b.at(1);
        if ((fc & 0x80) != 0) {
            return 5;
        }
        switch (fc) {
            case 1, 2, 3, 4, 23:
                return n < 3 ? NEED : bounded(5 + b.at(2));
            case 5, 6, 15, 16:
                return 8;
            default:
                return UNKNOWN;
        }
    }

    private static int request(int n, Bytes b) {
        if (n < 2) {
            return NEED;
        }
        switch (b.at(1)) {
            case 1, 2, 3, 4, 5, 6:
                return 8;
            case 15, 16:
                return n < 7 ? NEED : bounded(9 + b.at(6));
            case 23:
                return n < 11 ? NEED : bounded(13 + b.at(10));
            default:
                return UNKNOWN;
        }
    }

    private static int bounded(int length) {
        return length > MAX_ADU ? UNKNOWN : length;
    }
}
