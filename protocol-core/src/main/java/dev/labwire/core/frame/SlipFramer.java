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

    /**
     * {@link FrameReader}'s view loop for this class: every result {@link #decode} gives until it needs data, handed to
     * {@code reader} at once. A copy of the loop in each framer class binds {@code decode} statically, so a program
     * using several framer classes pays one virtual call per receive instead of one per frame.
     */
    void deliverAll(InputBuffer in, FrameReader reader, FrameSink sink) {
        for (FrameResult r; (r = decode(in)) != FrameResult.NeedData.INSTANCE; ) {
            reader.deliverCut(r, sink);
        }
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
     * A packet whose END is readable, cut or decoded straight from the buffer in one pass (END and ESC found eight
     * bytes at a time, the runs between them copied whole): a packet without escapes is cut as it lies (one copy into
     * its frame, or none for a view); one with escapes is decoded into the buffer's scratch array (then copied into
     * its frame, unless a view is wanted). Empty packets before it (flush ENDs) are skipped. Null when the packet
     * needs the byte-wise path below (no END yet, too long, a bad escape: that path reports the first error in stream
     * order), or when nothing is left.
     */
    private FrameResult wholePacket(InputBuffer in) {
        byte[] a = in.array();
        int from = in.readIndex();
        int to = from + in.readableBytes();
        int start = from;
        while (from < to && a[from] == END) {
            from++;
        }
        if (from > start) {
            in.skip(from - start); // empty packets (flush ENDs): skipped
            if (from == to) {
                return null;
            }
        }
        // Eight bytes at a time: each word is stored to the output as it is (the part after an END or ESC is
        // overwritten or ignored), and END or ESC is found in it as in InputBuffer.firstOf. One load and one store per
        // eight plain bytes, no separate copy; the output has eight bytes of slack for the last word.
        int cap = Math.min(to - from, maxFrameLength); // decoded bytes are fewer than wire bytes
        byte[] out = in.scratch(cap + Long.BYTES, 0);
        boolean escapes = false;
        int w = 0;
        int i = from;
        while (true) {
            if (w > cap) {
                return null; // too long: the byte-wise path says so
            }
            if (i > to - Long.BYTES) {
                if (i >= to) {
                    return null; // no END yet
                }
                byte b = a[i];
                if (b != END && b != ESC) {
                    out[w++] = b;
                    i++;
                    continue;
                }
            } else {
                long word = (long) LONGS.get(a, i);
                LONGS.set(out, w, word);
                long wx = word ^ (END_WORD);
                long wy = word ^ (ESC_WORD);
                long hit = ((wx - ONES) & ~wx | (wy - ONES) & ~wy) & HIGHS;
                if (hit == 0) {
                    i += Long.BYTES;
                    w += Long.BYTES;
                    continue;
                }
                int k = Long.numberOfTrailingZeros(hit) >>> 3;
                i += k;
                w += k;
                if (w > cap) {
                    return null;
                }
            }
            if (a[i] == END) {
                break;
            }
            byte next = i + 1 < to ? a[i + 1] : END;
            if (next != ESC_END && next != ESC_ESC || w == cap) {
                return null; // a bad escape, an ESC at the end of what is there, or too long
            }
            out[w++] = next == ESC_END ? END : ESC;
            i += 2;
            escapes = true;
        }
        if (!escapes) {
            return in.takeFrame(w, 1); // as it lies: a view without a copy, or one copy into its frame
        }
        in.skip(i - from + 1);
        return in.isViewing() ? in.view(out, 0, w) : Frame.wrap(Arrays.copyOf(out, w));
    }

    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
            java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long END_WORD = (END & 0xFFL) * ONES;
    private static final long ESC_WORD = (ESC & 0xFFL) * ONES;

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
