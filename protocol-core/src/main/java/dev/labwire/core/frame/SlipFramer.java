package dev.labwire.core.frame;

import java.util.Arrays;

/**
 * Cuts a byte stream into SLIP packets (RFC 1055, "A Nonstandard for Transmission of IP Datagrams over
 * Serial Lines") and decodes them. A packet ends at END ({@code 0xC0}); inside it, ESC ({@code 0xDB})
 * followed by ESC_END ({@code 0xDC}) stands for a data {@code 0xC0}, and ESC followed by ESC_ESC
 * ({@code 0xDD}) for a data {@code 0xDB}.
 *
 * <pre>
 * before  |C0|01 DB DC 02 DB DD|C0|C0|03|C0|
 * after   Frame 01 C0 02 DB,  (empty packet skipped),  Frame 03
 * </pre>
 *
 * <p>{@code maxFrameLength} bounds the decoded payload. Bytes before the first END form a packet, as in
 * RFC 1055; senders that start each packet with END (to flush line noise) make empty packets, which are
 * skipped silently.
 *
 * <p>Failures, each one {@link FramingError}, reported as soon as seen; the rest of the packet is then
 * discarded through its END and decoding continues with the next packet:
 * <ul>
 *   <li>{@code TOO_LONG}: more than {@code maxFrameLength} decoded bytes, with both numbers.</li>
 *   <li>{@code MALFORMED}: ESC followed by anything but ESC_END or ESC_ESC (END included).</li>
 *   <li>{@code TRUNCATED} from {@link #decodeAtEof}: the stream ended inside a packet.</li>
 * </ul>
 *
 * <p>Memory: escaping can double a packet on the wire, so this framer decodes as bytes arrive into its own
 * array (at most {@code maxFrameLength} bytes, grown as needed) and consumes them from the buffer at once:
 * when {@code decode} returns {@code NeedData} the buffer is empty. A partial packet therefore lives in the
 * framer; {@link #reset()} drops it.
 */
public final class SlipFramer implements Framer {
    /** Ends a packet. */
    public static final byte END = (byte) 0xC0;
    /** Starts an escape. */
    public static final byte ESC = (byte) 0xDB;
    /** After ESC: a data END byte. */
    public static final byte ESC_END = (byte) 0xDC;
    /** After ESC: a data ESC byte. */
    public static final byte ESC_ESC = (byte) 0xDD;

    private final int maxFrameLength;

    private byte[] packet = new byte[0];
    private int length;
    private boolean escaped;
    private boolean discarding;

    /** Packets of at most {@code maxFrameLength} decoded bytes. */
    public SlipFramer(int maxFrameLength) {
        this.maxFrameLength = FramerArgs.positive("maxFrameLength", maxFrameLength);
    }

    /** END, then {@code payload} with END and ESC escaped, then END. */
    public static byte[] encode(byte[] payload) {
        byte[] out = new byte[payload.length * 2 + 2];
        int w = 0;
        out[w++] = END;
        for (byte b : payload) {
            if (b == END) {
                out[w++] = ESC;
                out[w++] = ESC_END;
            } else if (b == ESC) {
                out[w++] = ESC;
                out[w++] = ESC_ESC;
            } else {
                out[w++] = b;
            }
        }
        out[w++] = END;
        return Arrays.copyOf(out, w);
    }

    @Override
    public int maxFrameLength() {
        return maxFrameLength;
    }

    @Override
    public boolean isDiscarding() {
        return discarding;
    }

    @Override
    public void reset() {
        length = 0;
        escaped = false;
        discarding = false;
    }

    @Override
    public FrameResult decode(InputBuffer in) {
        while (!in.isEmpty()) {
            if (discarding) {
                int end = in.indexOf(END, 0);
                if (end < 0) {
                    in.skipAll();
                    return FrameResult.NeedData.INSTANCE;
                }
                in.skip(end + 1);
                reset();
                continue;
            }
            if (escaped) {
                byte b = in.get(0);
                in.skip(1);
                FrameResult result = b == END ? endOfPacket(in) : add(b);
                if (result != null) {
                    return result;
                }
                continue;
            }
            if (length == 0) {
                FrameResult whole = wholePacket(in);
                if (whole != null) {
                    return whole;
                }
                if (in.isEmpty()) {
                    break;
                }
            }
            // a run of plain bytes up to the next END or ESC (eight bytes at a time), copied at once
            int at = in.indexOfEither(END, ESC, 0);
            int run = at < 0 ? in.readableBytes() : at;
            if (at > 0 && length == 0 && run <= maxFrameLength && in.get(at) == END) {
                return in.takeFrame(run, 1); // a whole packet without escapes: one copy, straight from the buffer
            }
            if (run > 0) {
                FramingError error = addRun(in, run);
                if (error != null) {
                    return error;
                }
            }
            if (at < 0) {
                return FrameResult.NeedData.INSTANCE;
            }
            byte b = in.get(0); // END or ESC
            in.skip(1);
            if (b == ESC) {
                escaped = true;
            } else {
                FrameResult result = endOfPacket(in);
                if (result != null) {
                    return result;
                }
            }
        }
        return FrameResult.NeedData.INSTANCE;
    }

    /**
     * A packet whose END is readable, decoded straight from the buffer into its frame's array (one copy, runs between
     * escapes copied whole): the frame; null after an empty packet (skipped) or when the packet needs the byte-wise
     * path below (no END yet, too long, a bad escape: that path reports the first error in stream order). Empty
     * packets before it (flush ENDs) are skipped.
     */
    private FrameResult wholePacket(InputBuffer in) {
        byte[] a;
        int from;
        int end;
        while (true) {
            a = in.array();
            from = in.readIndex();
            int to = from + in.readableBytes();
            end = from == to ? -1 : InputBuffer.firstOf(a, from, to, END);
            if (end < 0) {
                return null;
            }
            if (end > from) {
                break;
            }
            in.skip(1); // an empty packet (a flush END): skipped
        }
        int escapes = count(a, from, end, ESC);
        int decoded = end - from - escapes;
        if (decoded > maxFrameLength) {
            return null;
        }
        byte[] out;
        boolean viewing = in.isViewing();
        if (escapes == 0) {
            if (viewing) {
                return in.takeFrame(decoded, 1); // no copy: the packet as it lies in the buffer
            }
            out = Arrays.copyOfRange(a, from, end); // one copy, the array not zeroed first
        } else {
            out = viewing ? in.scratch(decoded, 0) : new byte[decoded];
            int w = 0;
            int i = from;
            while (true) {
                int esc = escapes == 0 ? -1 : InputBuffer.firstOf(a, i, end, ESC);
                int run = (esc < 0 ? end : esc) - i;
                System.arraycopy(a, i, out, w, run);
                w += run;
                if (esc < 0) {
                    break;
                }
                byte next = esc + 1 < end ? a[esc + 1] : END;
                if (next == ESC_END) {
                    out[w++] = END;
                } else if (next == ESC_ESC) {
                    out[w++] = ESC;
                } else {
                    return null; // a bad escape: the byte-wise path reports it where it is
                }
                i = esc + 2;
                escapes--;
            }
        }
        in.skip(end - from + 1);
        return viewing ? in.view(out, 0, decoded) : Frame.wrap(out);
    }

    /** Number of bytes equal to {@code x} in {@code b[from, to)}, eight at a time (exact: no borrow between bytes). */
    private static int count(byte[] b, int from, int to, byte x) {
        long px = (x & 0xFFL) * 0x0101010101010101L;
        int n = 0;
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            long v = (long) LONGS.get(b, i) ^ px;
            long t = (v & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL; // high bit set in every non-zero low-7 byte
            n += Long.bitCount(~(t | v | 0x7F7F7F7F7F7F7F7FL)); // high bit left only in zero bytes
        }
        for (; i < to; i++) {
            if (b[i] == x) {
                n++;
            }
        }
        return n;
    }

    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
            java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * Copies and consumes the {@code run} plain bytes at the head of {@code in} into the packet; past
     * {@code maxFrameLength}, consumes through the first byte too many and starts discarding.
     */
    private FramingError addRun(InputBuffer in, int run) {
        int room = maxFrameLength - length;
        int n = Math.min(run, room);
        if (length + n > packet.length) {
            packet = Arrays.copyOf(packet, (int) Math.min(maxFrameLength, Math.max(Math.max(64L, packet.length * 2L), length + n)));
        }
        in.copy(0, packet, length, n);
        length += n;
        if (run > room) {
            in.skip(n + 1);
            discarding = true;
            return FramingError.of(FramingException.Kind.TOO_LONG, "packet of at least " + (length + 1)
                    + " decoded bytes exceeds maxFrameLength " + maxFrameLength);
        }
        in.skip(n);
        return null;
    }

    @Override
    public FrameResult decodeAtEof(InputBuffer in) {
        FrameResult r = decode(in);
        if (r != FrameResult.NeedData.INSTANCE) {
            return r;
        }
        boolean unfinished = !discarding && (length > 0 || escaped);
        int held = length + (escaped ? 1 : 0);
        reset();
        return unfinished ? FramingError.of(FramingException.Kind.TRUNCATED,
                "end of stream after " + held + " bytes of an unfinished SLIP packet") : r;
    }

    /** The packet just ended, or null for nothing to report (an empty or discarded packet). */
    private FrameResult endOfPacket(InputBuffer in) {
        boolean wasEscaped = escaped;
        boolean wasDiscarding = discarding;
        int n = length;
        reset();
        if (wasDiscarding) {
            return null;
        }
        if (wasEscaped) {
            return FramingError.of(FramingException.Kind.MALFORMED, "ESC followed by END after " + n
                    + " decoded bytes; ESC must be followed by ESC_END 0xDC or ESC_ESC 0xDD");
        }
        if (n == 0) {
            return null;
        }
        return in.isViewing() ? in.view(packet, 0, n) : Frame.wrap(Arrays.copyOf(packet, n));
    }

    /** Decodes one byte that is not END into the packet; an error starts discarding. */
    private FramingError add(byte b) {
        if (escaped) {
            escaped = false;
            if (b == ESC_END) {
                b = END;
            } else if (b == ESC_ESC) {
                b = ESC;
            } else {
                discarding = true;
                return FramingError.of(FramingException.Kind.MALFORMED, "ESC followed by " + Printable.hex(b)
                        + " after " + length + " decoded bytes; ESC must be followed by ESC_END 0xDC or ESC_ESC 0xDD");
            }
        } else if (b == ESC) {
            escaped = true;
            return null;
        }
        if (length == maxFrameLength) {
            discarding = true;
            return FramingError.of(FramingException.Kind.TOO_LONG, "packet of at least " + (length + 1)
                    + " decoded bytes exceeds maxFrameLength " + maxFrameLength);
        }
        if (length == packet.length) {
            packet = Arrays.copyOf(packet, (int) Math.min(maxFrameLength, Math.max(64L, packet.length * 2L)));
        }
        packet[length++] = b;
        return null;
    }

    @Override
    public String toString() {
        return "SlipFramer[maxFrameLength=" + maxFrameLength + "]";
    }
}
