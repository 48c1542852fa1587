package dev.labwire.core.frame;

/**
 * Cuts a byte stream into lines: a frame is the bytes before a terminator, without the terminator.
 * SCPI instruments end every response message with {@code \n} (IEEE 488.2 section 8.5, the response
 * message terminator {@code NL^END}; over TCP there is no END line, so {@code \n} alone counts).
 *
 * <pre>
 * LineFramer.lf(64):      before  |+1.00E+00\n\nOK\n|           after  "+1.00E+00", "", "OK"
 * LineFramer.crlf(64):    before  |OK\r\nV=3\r|\n|             after  "OK", "V=3"   (terminator split across reads)
 * LineFramer.anyEol(64):  before  |A\rB\r\nC\n|                after  "A", "B", "C"
 * LineFramer.anyEol(64):  before  |A\n\rB\n|\r|               after  "A", "B"   (LF CR, the CR in a later read)
 * </pre>
 *
 * <p>Terminators: {@link #lf} ({@code \n}), {@link #crlf} ({@code \r\n}), {@link #cr} ({@code \r}),
 * {@link #of} (any sequence of 1 to 16 bytes) and {@link #anyEol}, where a line ends at {@code \n},
 * {@code \r\n}, {@code \n\r} or a lone {@code \r}; after a {@code \r} a {@code \n} that follows is swallowed, and
 * after a lone {@code \n} a {@code \r} that follows, even when it arrives in a later {@link #decode} call. Lines are
 * emitted as soon as their terminator is there. Empty lines are frames too, but not the {@code \r} of a device that
 * ends its lines with LF CR (some RS232 devices and terminals do): at 9600 baud that {@code \r} comes a millisecond
 * after the line, when the next command may already be on the wire, and it would be that command's empty reply.
 *
 * <p>Failures, each one {@link FramingError} after which decoding continues with the next line:
 * <ul>
 *   <li>{@code TOO_LONG}: the line (terminator excluded) is longer than {@code maxFrameLength}. Reported as
 *       soon as {@code maxFrameLength + 1} line bytes are seen, with both numbers; the rest of the line is
 *       then consumed as it arrives, through its terminator ({@link #isDiscarding()} is true meanwhile).</li>
 *   <li>{@code ENCODING} (only for {@link #asciiOnly()} framers): the line holds a byte of 0x80 or above.
 *       The message names the first such byte in hex, its offset and the line's length; the whole line and
 *       its terminator are consumed.</li>
 *   <li>{@code TRUNCATED} from {@link #decodeAtEof}: the stream ended inside a line.</li>
 * </ul>
 *
 * <p>Memory: when {@code decode} returns {@code NeedData} the buffer holds at most
 * {@code maxFrameLength + terminatorLength - 1} readable bytes. Scan progress is kept as an absolute
 * buffer position, so a line fed byte by byte costs O(length).
 */
public final class LineFramer implements Framer {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final byte[] terminator; // {'\n'} for anyEol
    private final boolean anyEol;
    private final boolean asciiOnly;
    private final int maxFrameLength;

    private long lineStart = -1; // absolute position of the line the scan state belongs to
    private long scanFrom;       // absolute position of the first byte not yet ruled out as a terminator start
    private long firstNonAscii = -1;
    private boolean discarding;
    private boolean swallowLf;   // anyEol: the last line ended with \r at the end of the buffer
    private boolean swallowCr;   // anyEol: the last line ended with a lone \n at the end of the buffer (LF CR)

    private LineFramer(byte[] terminator, boolean anyEol, boolean asciiOnly, int maxFrameLength) {
        this.terminator = terminator;
        this.anyEol = anyEol;
        this.asciiOnly = asciiOnly;
        this.maxFrameLength = FramerArgs.positive("maxFrameLength", maxFrameLength);
    }

    /** Lines ended by {@code \n}, at most {@code maxFrameLength} bytes each. */
    public static LineFramer lf(int maxFrameLength) {
        return new LineFramer(new byte[] {LF}, false, false, maxFrameLength);
    }

    /** Lines ended by {@code \r\n}; a lone {@code \r} or {@code \n} is part of the line. */
    public static LineFramer crlf(int maxFrameLength) {
        return new LineFramer(new byte[] {CR, LF}, false, false, maxFrameLength);
    }

    /** Lines ended by {@code \r}. */
    public static LineFramer cr(int maxFrameLength) {
        return new LineFramer(new byte[] {CR}, false, false, maxFrameLength);
    }

    /** Lines ended by {@code \n}, {@code \r\n} or {@code \r}, for devices that are not sure. */
    public static LineFramer anyEol(int maxFrameLength) {
        return new LineFramer(new byte[] {LF}, true, false, maxFrameLength);
    }

    /** Lines ended by {@code terminator} (1 to 16 bytes, copied). */
    public static LineFramer of(byte[] terminator, int maxFrameLength) {
        return new LineFramer(FramerArgs.terminator(terminator), false, false, maxFrameLength);
    }

    /** A new framer with the same settings that refuses lines holding a byte of 0x80 or above ({@code ENCODING}). */
    public LineFramer asciiOnly() {
        return new LineFramer(terminator, anyEol, true, maxFrameLength);
    }

    /** A copy of the terminator; {@code \n} for {@link #anyEol}. */
    public byte[] terminator() {
        return terminator.clone();
    }

    /** True for a framer made by {@link #asciiOnly()}. */
    public boolean isAsciiOnly() {
        return asciiOnly;
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
        lineStart = -1;
        firstNonAscii = -1;
        discarding = false;
        swallowLf = false;
        swallowCr = false;
    }

    /**
     * Swallows the {@code \n} of a {@code \r\n} split after the {@code \r}, and the {@code \r} of a {@code \n\r} split
     * after the {@code \n} (any-EOL framers only).
     */
    @Override
    public boolean settle(InputBuffer in) {
        if (!swallowLf && !swallowCr) {
            return true;
        }
        if (in.isEmpty()) {
            return false;
        }
        byte second = swallowLf ? LF : CR;
        swallowLf = false;
        swallowCr = false;
        if (in.get(0) == second) {
            in.skip(1);
        }
        return true;
    }

    /**
     * {@link FrameReader}'s view loop for this class: every result {@link #decode} gives until it needs data, handed to
     * {@code reader} at once. A copy of the loop in each framer class binds {@code decode} statically, so a program
     * using several framer classes pays one virtual call per receive instead of one per frame.
     */
    void deliverAll(InputBuffer in, FrameReader reader, FrameSink sink) {
        boolean fast = !asciiOnly && terminator.length == 1;
        while (true) {
            if (fast) {
                viewLines(in, reader, sink);
            }
            FrameResult r = decode(in);
            if (r == FrameResult.NeedData.INSTANCE) {
                return;
            }
            reader.deliverCut(r, sink);
        }
    }

    /**
     * The common lines of a view loop, without {@link #decode}'s bookkeeping (one-byte terminator or any-EOL, not ASCII
     * only): while the next line starts fresh (no scan, discard or {@code \r} pending) and its terminator is in the
     * buffer within {@code maxFrameLength}, cut it as a view and hand it over. Stops, having consumed only whole lines,
     * at anything else (no terminator yet, a line too long, a {@code \r} that ends the buffer), which {@link #decode}
     * then handles.
     */
    private void viewLines(InputBuffer in, FrameReader reader, FrameSink sink) {
        while (in.isViewing() && !discarding && !swallowLf && !swallowCr && lineStart != in.position()) {
            byte[] a = in.array();
            int from = in.readIndex();
            int to = from + in.readableBytes();
            int at = anyEol ? InputBuffer.firstOf(a, from, to, LF, CR) : InputBuffer.firstOf(a, from, to, terminator[0]);
            if (at < 0 || at - from > maxFrameLength) {
                return;
            }
            int termLength = 1;
            if (anyEol && at + 1 == to) {
                return; // the \n of a \r\n (or the \r of a \n\r) may still come
            }
            if (anyEol) {
                termLength = a[at + 1] == (a[at] == CR ? LF : CR) ? 2 : 1;
            }
            in.skip(at - from + termLength);
            reader.deliverCut(in.view(a, from, at - from), sink);
        }
    }

    @Override
    public FrameResult decode(InputBuffer in) {
        if (!settle(in)) {
            return FrameResult.NeedData.INSTANCE;
        }
        while (true) {
            long pos = in.position();
            if (lineStart != pos) {
                lineStart = pos;
                scanFrom = pos;
                firstNonAscii = -1;
            }
            int end = in.readableBytes() - terminator.length + 1; // last possible terminator start + 1
            int at = scan(in, (int) (scanFrom - pos), end);
            if (at < 0) {
                scanFrom = pos + Math.max(end, 0);
                if (discarding) {
                    in.skip(Math.max(end, 0)); // keep a possible partial terminator
                    return FrameResult.NeedData.INSTANCE;
                }
                if (end > maxFrameLength) {
                    discarding = true;
                    in.skip(end);
                    return FramingError.of(FramingException.Kind.TOO_LONG,
                            "line of at least " + end + " bytes exceeds maxFrameLength " + maxFrameLength);
                }
                return FrameResult.NeedData.INSTANCE;
            }
            int termLength = terminatorLengthAt(in, at);
            if (discarding) {
                discarding = false;
                in.skip(at + termLength);
                continue;
            }
            return endOfLine(in, at, termLength, pos);
        }
    }

    private FrameResult endOfLine(InputBuffer in, int length, int termLength, long pos) {
        lineStart = -1;
        if (length > maxFrameLength) {
            in.skip(length + termLength);
            return FramingError.of(FramingException.Kind.TOO_LONG,
                    "line of " + length + " bytes exceeds maxFrameLength " + maxFrameLength);
        }
        if (firstNonAscii >= 0) {
            int offset = (int) (firstNonAscii - pos);
            int value = in.getUnsigned(offset);
            in.skip(length + termLength);
            return FramingError.of(FramingException.Kind.ENCODING, "byte " + Printable.hex(value) + " at offset "
                    + offset + " of a " + length + "-byte line is not 7-bit ASCII");
        }
        return in.takeFrame(length, termLength);
    }

    /** Offset of the first terminator start in {@code [from, end)}, or -1; notes the first non-ASCII byte. */
    private int scan(InputBuffer in, int from, int end) {
        if (!asciiOnly) {
            return fastScan(in, from, end);
        }
        byte first = terminator[0];
        for (int i = from; i < end; i++) {
            byte b = in.get(i);
            if (anyEol ? (b == LF || b == CR) : (b == first && (terminator.length == 1 || in.matches(i, terminator)))) {
                return i;
            }
            if (b < 0 && asciiOnly && firstNonAscii < 0 && !discarding) {
                firstNonAscii = in.position() + i;
            }
        }
        return -1;
    }

    /** {@link #scan} without the non-ASCII bookkeeping: a word-at-a-time search of the buffer for the first byte. */
    private int fastScan(InputBuffer in, int from, int end) {
        if (from >= end) {
            return -1;
        }
        if (anyEol) {
            int at = in.indexOfEither(LF, CR, from);
            return at < end ? at : -1; // end is readableBytes() here: -1 stays -1
        }
        byte first = terminator[0];
        for (int i = from; ; i++) {
            i = in.indexOf(first, i);
            if (i < 0 || i >= end) {
                return -1;
            }
            if (terminator.length == 1 || in.matches(i, terminator)) {
                return i;
            }
        }
    }

    private int terminatorLengthAt(InputBuffer in, int at) {
        if (!anyEol) {
            return terminator.length;
        }
        boolean cr = in.get(at) == CR;
        if (at + 1 == in.readableBytes()) {
            if (cr) {
                swallowLf = true; // the \n of a \r\n may still come
            } else {
                swallowCr = true; // the \r of a \n\r may still come
            }
            return 1;
        }
        return in.get(at + 1) == (cr ? LF : CR) ? 2 : 1;
    }

    @Override
    public String toString() {
        String name = anyEol ? "anyEol" : Printable.quoted(terminator, 0, terminator.length, 40);
        return "LineFramer[" + name + ", maxFrameLength=" + maxFrameLength + (asciiOnly ? ", asciiOnly" : "") + "]";
    }
}
