package dev.labwire.core.frame;

/**
 * Cuts IEEE 488.2 arbitrary block response data (IEEE 488.2-1992 section 8.7.9, definite length, and
 * section 8.7.10, indefinite length) out of a byte stream: the reply of {@code :CURV?}, {@code :DISP:DATA?},
 * {@code MMEM:DATA?}. A frame is the payload only, without header or terminator; payloads are binary and
 * may hold any byte, {@code \n} and {@code #} included.
 *
 * <pre>
 * definite:    |#|3|100|&lt;100 bytes&gt;|\n|        '#', one digit n (1-9), n digits of length, the data
 *               after: Frame of the 100 data bytes; the trailing \n as {@link TrailingTerminator} says
 * definite:    |#15HELLO|                        after: "HELLO"
 * indefinite:  |#0|&lt;data&gt;|\n|                   '#', '0', data running to the terminator
 *               after: Frame of the data bytes (the first terminator ends it; the \n is consumed)
 * </pre>
 *
 * <p>What may follow a definite block is set by {@link TrailingTerminator}: {@code NONE} (the block ends
 * at its data), {@code OPTIONAL} (a terminator that follows is consumed; instruments differ),
 * {@code REQUIRED} (the frame is given only once the terminator is there), or {@code ANY_EOL} (CR LF, LF or
 * CR is consumed, whatever the terminator). {@link #scpi(int)} is {@code \n} and {@code ANY_EOL}. With {@code OPTIONAL}, a block whose data ends at the end of the buffer is
 * given at once and the framer remembers that a terminator may still come; {@link #settleTrailing} (called
 * first by {@link #decode}, and by a connection before it switches to another framer) consumes it.
 *
 * <p>Failures, each one {@link FramingError}, after which decoding continues:
 * <ul>
 *   <li>{@code MALFORMED}, first byte not {@code #}: names the byte; bytes are discarded up to (not
 *       including) the next {@code #} or through the next terminator, whichever comes first.</li>
 *   <li>{@code MALFORMED}, bad digit count or a non-digit in the length: discarded through the next
 *       terminator.</li>
 *   <li>{@code MALFORMED}, {@code REQUIRED} terminator missing: the block is dropped, then as for a bad
 *       first byte.</li>
 *   <li>{@code TOO_LONG}, definite length above {@code maxFrameLength}: reported once the header is read,
 *       with both numbers; exactly the announced data bytes are discarded as they arrive (and a terminator
 *       after them, unless {@code NONE}).</li>
 *   <li>{@code TOO_LONG}, indefinite block with more than {@code maxFrameLength} data bytes: discarded
 *       through the next terminator.</li>
 *   <li>{@code TRUNCATED} from {@link #decodeAtEof}: the stream ended inside a block.</li>
 * </ul>
 *
 * <p>Memory: when {@code decode} returns {@code NeedData} the buffer holds at most
 * {@code 11 + maxFrameLength + terminatorLength} readable bytes (the longest header is {@code #9} and nine digits).
 * A definite block whose data has not all come when its header is read (with any {@link TrailingTerminator} but
 * {@code REQUIRED}) is taken out of the buffer as it arrives, into the array of its frame-to-be: the buffer then holds
 * no more than one read, and the data is copied once from the buffer instead of being gathered there and copied whole
 * at the end; a driver may even read it straight into that array ({@link #receiveWindow}), copying nothing. That array
 * is not sized from the announced length alone: with {@code arrived} the data bytes received so far, the arrays held
 * for the block total at most {@code arrived + max(1 MiB, 3 x arrived)} bytes and never more than
 * {@code length + ceil(length / 3)} (the length itself at most {@code maxFrameLength}). A block of up to about 1 MiB
 * gets its own array at once; a longer one is gathered in chunks up to a third of it, which are then copied once
 * into its own array (see {@code ArrivingFrame}). {@link #reset()} drops them.
 */
public final class BlockFramer implements Framer {

    /** What follows the data of a definite-length block. */
    public enum TrailingTerminator {
        /** Nothing: the block ends with its last data byte. */
        NONE,
        /** The terminator may follow; when it does it is consumed. */
        OPTIONAL,
        /** The terminator must follow; the frame is given only once it is there, anything else is MALFORMED. */
        REQUIRED,
        /**
         * An end of line may follow and is consumed when it does: {@code \r\n}, {@code \n} or a lone {@code \r},
         * whatever the framer's terminator. IEEE 488.2 (8.7.9) ends a response message with NL^END after the
         * block; instruments send NL, CR LF, or nothing. The end of line is settled by the first byte that is
         * not part of it, however late it comes: a connection's next reply starts with that byte. So an empty
         * line right after a block that had no trailer of its own is taken as that block's trailer.
         */
        ANY_EOL
    }

    private enum Discard { NONE, TO_HASH_OR_TERMINATOR, TO_TERMINATOR, DATA }

    private final byte[] terminator;
    private final int maxFrameLength;
    private final TrailingTerminator trailing;

    private Discard discard = Discard.NONE;
    private long discardLeft;        // Discard.DATA: data bytes still to drop
    private boolean trailingPending; // a terminator may still follow the last definite block
    private boolean afterCr;         // ANY_EOL: the \r of the trailer was consumed, a \n may follow
    private boolean trailerMissing;  // the last definite block's terminator was settled by a byte that is not one
    private long scanStart = -1;     // absolute position of the frame (or discard run) the scan belongs to
    private long scanFrom;           // absolute position of the first byte not yet searched
    /** {@link ArrivingFrame#STEP}; this package's tests set less, to gather small frames in chunks. */
    int arrivingStep = ArrivingFrame.STEP;
    private ArrivingFrame body;      // a definite block's data while it arrives (null when none is open)

    /**
     * A framer for blocks ended (indefinite) or followed (definite, as {@code trailing} says) by
     * {@code terminator} (1 to 16 bytes, copied), with at most {@code maxFrameLength} payload bytes.
     */
    public BlockFramer(byte[] terminator, int maxFrameLength, TrailingTerminator trailing) {
        this.terminator = FramerArgs.terminator(terminator);
        this.maxFrameLength = FramerArgs.positive("maxFrameLength", maxFrameLength);
        if (trailing == null) {
            throw new IllegalArgumentException("trailing must not be null");
        }
        this.trailing = trailing;
    }

    /** SCPI replies: terminator {@code \n} (indefinite blocks), {@link TrailingTerminator#ANY_EOL} after definite ones. */
    public static BlockFramer scpi(int maxFrameLength) {
        return new BlockFramer(new byte[] {'\n'}, maxFrameLength, TrailingTerminator.ANY_EOL);
    }

    /** A copy of the terminator. */
    public byte[] terminator() {
        return terminator.clone();
    }

    /** What follows a definite block. */
    public TrailingTerminator trailing() {
        return trailing;
    }

    @Override
    public int maxFrameLength() {
        return maxFrameLength;
    }

    @Override
    public boolean isDiscarding() {
        return discard != Discard.NONE;
    }

    @Override
    public void reset() {
        discard = Discard.NONE;
        discardLeft = 0;
        trailingPending = false;
        afterCr = false;
        trailerMissing = false;
        scanStart = -1;
        body = null;
    }

    /** True while the end of line or terminator that may follow the last definite block is not settled yet. */
    public boolean isTrailerOwed() {
        return trailingPending;
    }

    /**
     * True when the terminator that may follow the last definite block was settled as absent: the first byte after
     * the block's data began no terminator (its own {@code \r} counts as one under
     * {@link TrailingTerminator#ANY_EOL}). False while it is still owed, once it came, and after {@link #reset()}.
     */
    public boolean isTrailerMissing() {
        return trailerMissing;
    }

    /** Same as {@link #settleTrailing}. */
    @Override
    public boolean settle(InputBuffer in) {
        return settleTrailing(in);
    }

    /**
     * Consumes the terminator that may follow the last definite block. Returns true when that is settled:
     * the terminator was there and is consumed, or no terminator was pending, or the next bytes differ
     * from it (nothing is consumed and nothing is pending any more). Returns false only while the readable
     * bytes are a proper prefix of the terminator (empty included): feed more bytes and call again.
     */
    public boolean settleTrailing(InputBuffer in) {
        if (!trailingPending) {
            return true;
        }
        if (trailing == TrailingTerminator.ANY_EOL) {
            return settleEol(in);
        }
        int n = Math.min(in.readableBytes(), terminator.length);
        for (int i = 0; i < n; i++) {
            if (in.get(i) != terminator[i]) {
                trailingPending = false;
                trailerMissing = i == 0;
                return true;
            }
        }
        if (n < terminator.length) {
            return false;
        }
        in.skip(n);
        trailingPending = false;
        return true;
    }

    private boolean settleEol(InputBuffer in) {
        while (in.readableBytes() > 0) {
            int b = in.getUnsigned(0);
            if (b == '\r' && !afterCr) {
                in.skip(1);
                afterCr = true;
                continue;
            }
            if (b == '\n') {
                in.skip(1);
            } else {
                trailerMissing = !afterCr;
            }
            trailingPending = false;
            afterCr = false;
            return true;
        }
        return false;
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
        if (body != null) {
            return fillBody(in);
        }
        while (true) {
            if (!settleTrailing(in)) {
                return FrameResult.NeedData.INSTANCE;
            }
            if (discard == Discard.NONE) {
                return decodeBlock(in);
            }
            if (!discardSome(in)) {
                return FrameResult.NeedData.INSTANCE;
            }
        }
    }

    /** A partial terminator left after the last block at end of stream is dropped silently. */
    @Override
    public FrameResult decodeAtEof(InputBuffer in) {
        FrameResult r = decode(in);
        if (r == FrameResult.NeedData.INSTANCE && body != null) {
            FramingError truncated = body.truncated("data bytes of a definite block");
            reset();
            in.skipAll();
            return truncated;
        }
        if (r == FrameResult.NeedData.INSTANCE && trailingPending) {
            trailingPending = false;
            afterCr = false;
            in.skipAll();
        }
        return r == FrameResult.NeedData.INSTANCE ? Framer.super.decodeAtEof(in) : r;
    }

    private FrameResult decodeBlock(InputBuffer in) {
        int r = in.readableBytes();
        if (r == 0) {
            return FrameResult.NeedData.INSTANCE;
        }
        int first = in.getUnsigned(0);
        if (first != '#') {
            startDiscard(in, Discard.TO_HASH_OR_TERMINATOR);
            return malformed("block must start with '#' but starts with " + Printable.hex(first));
        }
        if (r < 2) {
            return FrameResult.NeedData.INSTANCE;
        }
        int digits = in.getUnsigned(1) - '0';
        if (digits == 0) {
            return decodeIndefinite(in);
        }
        if (digits < 1 || digits > 9) {
            in.skip(1);
            startDiscard(in, Discard.TO_TERMINATOR);
            return malformed("block header digit count must be 0-9 but is " + Printable.hex(digits + '0'));
        }
        int header = 2 + digits;
        long length = 0;
        for (int i = 2; i < header; i++) {
            if (i >= r) {
                return FrameResult.NeedData.INSTANCE;
            }
            int d = in.getUnsigned(i) - '0';
            if (d < 0 || d > 9) {
                in.skip(i);
                startDiscard(in, Discard.TO_TERMINATOR);
                return malformed("block length digit " + (i - 1) + " of " + digits + " is " + Printable.hex(d + '0')
                        + ", not a digit");
            }
            length = length * 10 + d;
        }
        if (length > maxFrameLength) {
            in.skip(header);
            discard = Discard.DATA;
            discardLeft = length;
            discardSome(in);
            return FramingError.of(FramingException.Kind.TOO_LONG, "definite block of " + length
                    + " bytes exceeds maxFrameLength " + maxFrameLength);
        }
        return definiteData(in, header, (int) length);
    }

    private FrameResult definiteData(InputBuffer in, int header, int length) {
        int r = in.readableBytes();
        int end = header + length;
        if (r < end && trailing != TrailingTerminator.REQUIRED) {
            // the data is still coming: it goes straight into the frame's array as it arrives, so the block is
            // copied once more only from the last read (not gathered in the buffer and copied whole at the end)
            in.skip(header);
            body = new ArrivingFrame(length, in, arrivingStep);
            return fillBody(in);
        }
        if (r < end) {
            return FrameResult.NeedData.INSTANCE;
        }
        if (trailing == TrailingTerminator.REQUIRED) {
            int n = Math.min(r - end, terminator.length);
            for (int i = 0; i < n; i++) {
                if (in.get(end + i) != terminator[i]) {
                    int bad = in.getUnsigned(end + i);
                    in.skip(end);
                    startDiscard(in, Discard.TO_HASH_OR_TERMINATOR);
                    return malformed("definite block of " + length + " bytes is followed by " + Printable.hex(bad)
                            + " where the terminator " + Printable.quoted(terminator, 0, terminator.length, 40)
                            + " is required");
                }
            }
            if (n < terminator.length) {
                return FrameResult.NeedData.INSTANCE;
            }
            in.skip(header);
            return in.takeFrame(length, terminator.length);
        }
        in.skip(header);
        return ended(in, in.takeFrame(length, 0));
    }

    /** While a frame's bytes arrive and {@code in} is empty: the free room of its array, up to its end. */
    @Override
    public java.nio.ByteBuffer receiveWindow(InputBuffer in) {
        return body != null && in.isEmpty() ? body.window(in) : null;
    }

    @Override
    public boolean receivedInWindow(java.nio.ByteBuffer window, int n) {
        return body != null && body.windowFilled(window, n);
    }

    /** Moves the data bytes that are there into {@link #body}; the frame once it is whole. */
    private FrameResult fillBody(InputBuffer in) {
        Frame frame = body.fill(in);
        if (frame == null) {
            return FrameResult.NeedData.INSTANCE;
        }
        body = null;
        return ended(in, frame);
    }

    /** Bytes held in the arrays the frame being received is gathered in (0 when none is open), for memory checks. */
    int arrivingCapacity() {
        return body == null ? 0 : body.capacity();
    }

    /** Bytes of the frame being received that arrived so far (0 when none is open), for memory checks. */
    int arrivingFilled() {
        return body == null ? 0 : body.filled();
    }

    /** Length of the frame being received (0 when none is open), for memory checks. */
    int arrivingLength() {
        return body == null ? 0 : body.length();
    }

    /** A definite block's frame, its data consumed: what may follow it is owed now, and settled if it is there. */
    private Frame ended(InputBuffer in, Frame frame) {
        trailingPending = trailing == TrailingTerminator.OPTIONAL || trailing == TrailingTerminator.ANY_EOL;
        afterCr = false;
        trailerMissing = false;
        settleTrailing(in);
        return frame;
    }

    private FrameResult decodeIndefinite(InputBuffer in) {
        long pos = in.position();
        if (scanStart != pos) {
            scanStart = pos;
            scanFrom = pos + 2;
        }
        int end = in.readableBytes() - terminator.length + 1;
        int at = in.indexOf(terminator, (int) (scanFrom - pos));
        if (at < 0) {
            scanFrom = Math.max(scanFrom, pos + end);
            if (end - 2 > maxFrameLength) {
                in.skip(end); // searched already: no terminator starts there
                startDiscard(in, Discard.TO_TERMINATOR);
                return FramingError.of(FramingException.Kind.TOO_LONG, "indefinite block of at least "
                        + (end - 2) + " bytes exceeds maxFrameLength " + maxFrameLength);
            }
            return FrameResult.NeedData.INSTANCE;
        }
        scanStart = -1;
        int length = at - 2;
        if (length > maxFrameLength) {
            in.skip(at + terminator.length);
            return FramingError.of(FramingException.Kind.TOO_LONG, "indefinite block of " + length
                    + " bytes exceeds maxFrameLength " + maxFrameLength);
        }
        in.skip(2);
        return in.takeFrame(length, terminator.length);
    }

    private void startDiscard(InputBuffer in, Discard kind) {
        discard = kind;
        scanStart = -1;
        discardSome(in);
    }

    /** Consumes discarded bytes that are there; true when the discard is over. */
    private boolean discardSome(InputBuffer in) {
        if (discard == Discard.DATA) {
            int n = (int) Math.min(discardLeft, in.readableBytes());
            in.skip(n);
            discardLeft -= n;
            if (discardLeft > 0) {
                return false;
            }
            discard = Discard.NONE;
            trailingPending = trailing != TrailingTerminator.NONE;
            afterCr = false;
            return true;
        }
        long pos = in.position();
        if (scanStart != pos) {
            scanStart = pos;
            scanFrom = pos;
        }
        int end = in.readableBytes() - terminator.length + 1;
        boolean toHash = discard == Discard.TO_HASH_OR_TERMINATOR;
        for (int i = (int) (scanFrom - pos); i < in.readableBytes(); i++) {
            if (i < end && in.matches(i, terminator)) {
                in.skip(i + terminator.length);
                discard = Discard.NONE;
                scanStart = -1;
                return true;
            }
            if (toHash && in.get(i) == '#') {
                in.skip(i);
                discard = Discard.NONE;
                scanStart = -1;
                return true;
            }
        }
        in.skip(Math.max(end, 0)); // keep a possible partial terminator
        return false;
    }

    private static FramingError malformed(String message) {
        return FramingError.of(FramingException.Kind.MALFORMED, message);
    }

    @Override
    public String toString() {
        return "BlockFramer[" + Printable.quoted(terminator, 0, terminator.length, 40) + ", maxFrameLength="
                + maxFrameLength + ", trailing=" + trailing + "]";
    }
}
