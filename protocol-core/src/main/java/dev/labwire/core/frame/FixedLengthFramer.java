package dev.labwire.core.frame;

/**
 * Cuts a byte stream into frames of exactly {@code length} bytes: status records that a USB-serial board
 * streams, replies of a known size.
 *
 * <pre>
 * new FixedLengthFramer(4):   before  |A B C D|E F G H|I J|     after  "ABCD", "EFGH"   ("IJ" waits)
 * </pre>
 *
 * <p>There is no boundary to resynchronise on, so a lost byte shifts every later frame; use it only on
 * links that do not drop bytes, or put a checksum in the record. The only failure is {@code TRUNCATED} from
 * {@link #decodeAtEof} when the stream ends inside a frame. {@link #maxFrameLength()} is {@code length}.
 * Memory: when {@code decode} returns {@code NeedData} the buffer holds fewer than {@code length} bytes.
 */
public final class FixedLengthFramer implements Framer {
    private final int length;

    /** Frames of {@code length} bytes, 1 to 2^30. */
    public FixedLengthFramer(int length) {
        this.length = FramerArgs.positive("length", length);
    }

    /** Bytes in every frame. */
    public int length() {
        return length;
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
        return in.readableBytes() < length ? FrameResult.NeedData.INSTANCE : in.takeFrame(length, 0);
    }

    @Override
    public boolean isDiscarding() {
        return false;
    }

    @Override
    public void reset() {
        // no state
    }

    @Override
    public int maxFrameLength() {
        return length;
    }

    @Override
    public String toString() {
        return "FixedLengthFramer[length=" + length + "]";
    }
}
