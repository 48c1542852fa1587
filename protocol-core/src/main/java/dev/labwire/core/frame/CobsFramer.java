package dev.labwire.core.frame;

import java.util.Arrays;

/**
 * Cuts a byte stream into COBS packets (Consistent Overhead Byte Stuffing, Cheshire and Baker, IEEE/ACM
 * Transactions on Networking 7(2), 1999), each ended by a {@code 0x00} delimiter, and decodes them. COBS
 * removes every zero from the payload: each block starts with a code byte {@code n} (1 to 0xFF) followed by
 * {@code n - 1} data bytes; a code below 0xFF stands for a zero after its block, except at the packet's end.
 *
 * <pre>
 * before  |03 11 22 02 33 00|01 01 00|00|02 44 00|
 * after   Frame 11 22 00 33,  Frame 00,  (empty packet skipped),  Frame 44
 * </pre>
 *
 * <p>Limits: {@code maxFrameLength} bounds the decoded payload. The encoded packet may be a little longer
 * (one code byte per 254 bytes), so packets are refused once their encoded length passes
 * {@link #maxEncodedLength()} = {@code maxFrameLength + maxFrameLength / 254 + 1}.
 *
 * <p>Failures, each one {@link FramingError}, after which decoding continues with the next packet:
 * <ul>
 *   <li>{@code TOO_LONG}: the encoded packet is longer than {@link #maxEncodedLength()} (reported as soon as
 *       that is known; the rest is discarded through the next {@code 0x00}), or the decoded payload is longer
 *       than {@code maxFrameLength}. The message says which length and gives both numbers.</li>
 *   <li>{@code MALFORMED}: a code byte points past the end of its packet; the packet is dropped.</li>
 *   <li>{@code TRUNCATED} from {@link #decodeAtEof}: the stream ended inside a packet.</li>
 * </ul>
 * Two delimiters in a row (an empty packet) are skipped silently: senders use a leading zero to flush.
 *
 * <p>Memory: when {@code decode} returns {@code NeedData} the buffer holds at most {@link #maxEncodedLength()}
 * readable bytes.
 */
public final class CobsFramer implements Framer {
    private final int maxFrameLength;
    private final int maxEncodedLength;

    private boolean discarding;
    private long scanStart = -1; // absolute position of the packet the scan belongs to
    private long scanFrom;       // absolute position of the first byte not yet searched for 0x00

    /** Packets of at most {@code maxFrameLength} decoded bytes. */
    public CobsFramer(int maxFrameLength) {
        this.maxFrameLength = FramerArgs.positive("maxFrameLength", maxFrameLength);
        this.maxEncodedLength = maxFrameLength + maxFrameLength / 254 + 1;
    }

    /** The COBS encoding of {@code payload}, followed by the {@code 0x00} delimiter. */
    public static byte[] encode(byte[] payload) {
        byte[] out = new byte[payload.length + payload.length / 254 + 2];
        int codeAt = 0;
        int w = 1;
        int code = 1;
        for (int i = 0; i < payload.length; i++) {
            byte b = payload[i];
            if (b != 0) {
                out[w++] = b;
                code++;
            }
            if (b == 0 || code == 0xFF) {
                out[codeAt] = (byte) code;
                code = 1;
                codeAt = w;
                if (b == 0 || i + 1 < payload.length) {
                    w++; // room for the next code; a full block at the very end needs none
                }
            }
        }
        out[codeAt] = (byte) code;
        out[w] = 0;
        return Arrays.copyOf(out, w + 1);
    }

    /** The longest encoded packet accepted, delimiter excluded. */
    public int maxEncodedLength() {
        return maxEncodedLength;
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
        discarding = false;
        scanStart = -1;
    }

    /**
     * {@link FrameReader}'s view loop for this class: every result {@link #decode} gives until it needs data, handed to
     * {@code reader} at once. A copy of the loop in each framer class binds {@code decode} statically, so a program
     * using several framer classes pays one virtual call per receive instead of one per frame.
     */
    void deliverAll(InputBuffer in, FrameReader reader, FrameSink sink) {
        while (true) {
            // a packet not yet searched straight to viewPacket; the rest (and what it declines) through decode
            FrameResult r = !discarding && in.isViewing() && scanStart != in.position() ? viewPacket(in) : null;
            if (r == null && (r = decode(in, false)) == FrameResult.NeedData.INSTANCE) {
                return;
            }
            reader.deliverCut(r, sink);
        }
    }

    @Override
    public FrameResult decode(InputBuffer in) {
        return decode(in, true);
    }

    /** {@link #decode(InputBuffer)}; {@code tryView} false when {@link #viewPacket} has just declined the next packet. */
    private FrameResult decode(InputBuffer in, boolean tryView) {
        while (true) {
            long pos = in.position();
            if (scanStart != pos) {
                scanStart = pos;
                scanFrom = pos;
            }
            if (tryView && scanFrom == pos && !discarding && in.isViewing()) {
                FrameResult view = viewPacket(in);
                if (view != null) {
                    return view;
                }
            }
            tryView = true; // the packets after an empty one
            int r = in.readableBytes();
            int at = in.indexOf((byte) 0, (int) (scanFrom - pos));
            if (at < 0) {
                scanFrom = pos + r;
                if (discarding) {
                    in.skip(r);
                    return FrameResult.NeedData.INSTANCE;
                }
                if (r > maxEncodedLength) {
                    discarding = true;
                    in.skip(r);
                    return tooLong("encoded packet of at least " + r + " bytes");
                }
                return FrameResult.NeedData.INSTANCE;
            }
            scanStart = -1;
            if (discarding || at == 0) {
                discarding = false;
                in.skip(at + 1);
                continue;
            }
            if (at > maxEncodedLength) {
                in.skip(at + 1);
                return tooLong("encoded packet of " + at + " bytes");
            }
            return decodePacket(in, at);
        }
    }

    /**
     * The common case while viewing, in one pass: a packet that starts at the read index with a code byte, ends in the
     * readable bytes and has no 0xFF code, decoded into the buffer's scratch array. Eight bytes at a time, each word is
     * stored to the output as it is scanned for the delimiter (as in {@link InputBuffer#firstOf(byte[], int, int, byte)}),
     * so the copy costs one store per eight bytes; then the code chain is walked on the input and each code's place in
     * the output (the zero it stands for) is cleared. Null, having consumed nothing, when the packet needs the general
     * path: no delimiter within what the scratch array holds (or none yet), an empty packet, a 0xFF code, a code that
     * points past the end, a packet too long. Those bytes are then searched once more by that path, at most once: it
     * records how far it searched.
     */
    private FrameResult viewPacket(InputBuffer in) {
        byte[] a = in.array();
        int from = in.readIndex();
        int to = from + in.readableBytes();
        byte[] out = in.scratch();
        if (from >= to || a[from] == 0) {
            return null;
        }
        // a[from + 1 + k] goes to out[k]; a word is stored only where it fits in both arrays
        int limit = Math.min(to, from + 1 + out.length);
        int end = -1;
        int i = from + 1;
        for (; i <= limit - Long.BYTES; i += Long.BYTES) {
            long word = (long) InputBuffer.LONGS.get(a, i);
            InputBuffer.LONGS.set(out, i - from - 1, word);
            long hit = (word - InputBuffer.ONES) & ~word & InputBuffer.HIGHS;
            if (hit != 0) {
                end = i + (Long.numberOfTrailingZeros(hit) >>> 3);
                break;
            }
        }
        if (end < 0) {
            for (; i < limit; i++) {
                byte b = a[i];
                out[i - from - 1] = b;
                if (b == 0) {
                    end = i;
                    break;
                }
            }
            if (end < 0) {
                return null;
            }
        }
        int length = end - from;
        if (length - 1 > maxFrameLength) {
            return null;
        }
        int code = a[from] & 0xFF;
        int k = code;
        while (k < length && code != 0xFF) {
            code = a[from + k] & 0xFF;
            out[k - 1] = 0; // the zero the previous code stands for
            k += code;
        }
        if (k != length) {
            return null; // a 0xFF block, or a code past the end
        }
        in.skip(length + 1);
        return in.view(out, 0, length - 1);
    }

    private FrameResult decodePacket(InputBuffer in, int length) {
        byte[] a = in.array();
        int base = in.readIndex(); // the packet is a[base, base + length), all readable
        if (length - 1 <= maxFrameLength) {
            // without a 0xFF code every code but the first stands for a zero where it is: the payload is the packet
            // after its first code with those codes zeroed, one copy (Arrays.copyOfRange: the array is not zeroed first)
            byte[] out;
            if (in.isViewing()) {
                // room for viewPacket's last word, and to grow: it handles the next packets up to twice this long
                out = in.scratch(length - 1, 0, Math.min(2 * length + Long.BYTES, maxFrameLength + 16));
                System.arraycopy(a, base + 1, out, 0, length - 1);
            } else {
                out = Arrays.copyOfRange(a, base + 1, base + length);
            }
            int code = a[base] & 0xFF;
            int i = code;
            while (i < length && code != 0xFF) {
                code = out[i - 1] & 0xFF;
                out[i - 1] = 0;
                i += code;
            }
            if (i == length) {
                in.skip(length + 1);
                return in.isViewing() ? in.view(out, 0, length - 1) : Frame.wrap(out);
            }
            // a 0xFF block or a code past the end: the general decoding below (and its error)
        }
        long decoded = 0;
        for (int i = 0; i < length; ) {
            int code = a[base + i] & 0xFF;
            if (i + code > length) {
                in.skip(length + 1);
                return FramingError.of(FramingException.Kind.MALFORMED, "COBS code " + Printable.hex(code) + " at offset "
                        + i + " points past the end of the " + length + "-byte packet");
            }
            i += code;
            decoded += code - 1 + (code != 0xFF && i < length ? 1 : 0);
        }
        if (decoded > maxFrameLength) {
            in.skip(length + 1);
            return FramingError.of(FramingException.Kind.TOO_LONG, "decoded packet of " + decoded
                    + " bytes exceeds maxFrameLength " + maxFrameLength);
        }
        boolean viewing = in.isViewing();
        byte[] out = viewing ? in.scratch((int) decoded, 0) : new byte[(int) decoded];
        int w = 0;
        for (int i = 0; i < length; ) {
            int code = a[base + i] & 0xFF;
            System.arraycopy(a, base + i + 1, out, w, code - 1);
            w += code - 1;
            i += code;
            if (code != 0xFF && i < length) {
                out[w++] = 0; // the zero the code stands for
            }
        }
        in.skip(length + 1);
        return viewing ? in.view(out, 0, w) : Frame.wrap(out);
    }

    private FramingError tooLong(String what) {
        return FramingError.of(FramingException.Kind.TOO_LONG, what + " exceeds maxEncodedLength " + maxEncodedLength
                + " (maxFrameLength " + maxFrameLength + ")");
    }

    @Override
    public String toString() {
        return "CobsFramer[maxFrameLength=" + maxFrameLength + "]";
    }
}
