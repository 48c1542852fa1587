package dev.labwire.core.modbus.internal;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.InputBuffer;

/**
 * Cuts Modbus TCP frames (Modbus Messaging on TCP/IP v1.0b section 3.1.3) out of a TCP stream by their MBAP header,
 * and finds the next frame again when a header lies.
 *
 * <pre>
 *  header  tid:2  protocol:2 (0)  length:2 (2..254: unit id + PDU)  |  unit  pdu ...
 *
 *  a reply whose length says one byte too few leaves that byte before the next reply:
 *    4D | 00 0B 00 00 00 09 07 03 06 ...     "4D 00 0B 00 00 00" has protocol 0x0B00, length 0: no header
 *    \_ delivered alone ___/ \_ the next header: a frame as usual _/
 * </pre>
 *
 * <p>A header is one whose protocol id is 0 and whose length is 2..254; its frame is {@code 6 + length} bytes and is
 * delivered once whole. Bytes that do not start such a header are not followed as one (a plain length-field framer
 * would wait for a length of garbage, up to 64 KiB, and lose every reply in it): they are delivered as a frame of their
 * own up to the next place a header starts, or may start once more bytes come, for the reader to refuse (the Modbus TCP
 * addressing discards one that does not carry the awaited transaction id, and fails the awaited request with one that
 * does). While finding the next header again, a place counts as one only when its PDU agrees with its length field
 * (function code and byte count, for FC 1..6, 15, 16, 23 and exception responses): zeros in register data look like a
 * protocol id. Memory: at most one frame (260 bytes) and one read are held. Not thread-safe.
 */
public final class MbapFramer implements Framer {
    /** The header's bytes up to and with the length field. */
    public static final int HEAD = 6;
    /** The largest length field: unit id and a PDU of 253 bytes. */
    public static final int MAX_LENGTH = 254;
    /** The largest frame. */
    public static final int MAX_FRAME = HEAD + MAX_LENGTH;

    /** True when the MBAP header at {@code offset} of {@code f} (6 bytes there) is a Modbus one. */
    static boolean isHeader(byte[] f, int offset) {
        int length = (f[offset + 4] & 0xFF) << 8 | (f[offset + 5] & 0xFF);
        return f[offset + 2] == 0 && f[offset + 3] == 0 && length >= 2 && length <= MAX_LENGTH;
    }

    /** True when {@code f} is one whole Modbus TCP frame as this framer cuts them (its header's length fits it). */
    public static boolean isFrame(byte[] f) {
        return f.length > HEAD && isHeader(f, 0) && ((f[4] & 0xFF) << 8 | (f[5] & 0xFF)) == f.length - HEAD;
    }

    private static final int NO = 0;
    private static final int YES = 1;
    private static final int NEED = 2;

    /** Junk was skipped: the next header is taken only once its PDU agrees with its length ({@link #check}). */
    private boolean resync;

    /**
     * Whether a header starts at {@code p}: protocol id 0 and length 2..254, and (when {@code strict}) a PDU whose own
     * length (by its function code and byte count, for the functions labwire speaks and exception responses) is the
     * one the length field gives; {@link #NEED} when the bytes to tell have not all come.
     */
    private static int check(InputBuffer in, int p, int avail, boolean strict) {
        if (p + HEAD > avail) {
            return NEED;
        }
        int length = in.getUnsigned(p + 4) << 8 | in.getUnsigned(p + 5);
        if (in.get(p + 2) != 0 || in.get(p + 3) != 0 || length < 2 || length > MAX_LENGTH) {
            return NO;
        }
        if (!strict) {
            return YES;
        }
        if (p + 8 > avail) {
            return NEED;
        }
        int fc = in.getUnsigned(p + 7);
        int pdu;
        if ((fc & 0x80) != 0) {
            pdu = 2;
        } else if (fc == 5 || fc == 6 || fc == 15 || fc == 16) {
            pdu = 5;
        } else if (fc == 1 || fc == 2 || fc == 3 || fc == 4 || fc == 23) {
            if (p + 9 > avail) {
                return NEED;
            }
            pdu = 2 + in.getUnsigned(p + 8);
        } else {
            return YES; // a function whose length has no rule here: the length field alone
        }
        return length == 1 + pdu ? YES : NO;
    }

    @Override
    public FrameResult decode(InputBuffer in) {
        int avail = in.readableBytes();
        int at0 = check(in, 0, avail, resync);
        if (at0 == NEED) {
            return FrameResult.NeedData.INSTANCE;
        }
        if (at0 == YES) {
            int length = HEAD + (in.getUnsigned(4) << 8 | in.getUnsigned(5));
            if (avail < length) {
                return FrameResult.NeedData.INSTANCE;
            }
            resync = false;
            return Frame.of(in.take(length));
        }
        int p = 1;
        while (check(in, p, avail, true) == NO) {
            p++;
        }
        resync = true;
        return Frame.of(in.take(p)); // up to where a header is, or may be once more bytes come
    }

    @Override
    public boolean isDiscarding() {
        return false;
    }

    @Override
    public void reset() {
        resync = false;
    }

    @Override
    public int maxFrameLength() {
        return MAX_FRAME;
    }

    @Override
    public String toString() {
        return "MbapFramer[protocol 0, length 2.." + MAX_LENGTH + "]";
    }
}
