package dev.labwire.core.frame;

import java.util.Arrays;

/**
 * One frame of known length while its bytes arrive (a definite block, a length-field frame): they are moved out of
 * the buffer into the frame's array as they come, so the buffer never gathers the whole frame and the bytes are
 * copied once from it.
 *
 * <p>Memory: the array is never sized from the announced length alone (a peer may announce a frame and send nothing
 * more): it holds what has arrived plus at most {@value #STEP} bytes or {@value #AHEAD} times what arrived, whichever
 * is more, and never more than the frame's length (which its framer has checked against its {@code maxFrameLength}).
 * It grows by those steps as the bytes come, so a frame of up to about {@value #STEP} bytes is one array of exactly its
 * size, and a bigger one is re-copied about a third of its size in all while it grows (growing by four times: a 10 MiB
 * block is gathered in arrays of 1, 4 and 10 MiB; growing by two took 1, 2, 4, 8 and 10 MiB, 1.0-1.5 more bytes
 * allocated per block byte and 0.8-0.9x raw java.net instead of 0.9-1.1x, docs/BENCHMARKS.md).
 *
 * <p>While its buffer gives views ({@link InputBuffer#isViewing()}), the frame is assembled in the buffer's scratch
 * array instead of a fresh one and given as a view; a frame begun that way and ended without views is copied out.
 * Not thread-safe: its framer owns it.
 */
final class ArrivingFrame {
    /** The most room beyond what has arrived (when less than that has arrived), in bytes. */
    static final int STEP = 1 << 20;
    /** Otherwise, the most room beyond what has arrived, in times what has arrived. */
    static final int AHEAD = 3;

    private final int length;
    private final boolean inScratch;
    private byte[] bytes;
    private int filled;

    /** A frame of {@code length} bytes, whose first bytes are readable in {@code in}. */
    ArrivingFrame(int length, InputBuffer in) {
        this.length = length;
        this.inScratch = in.isViewing();
        int cap = room(Math.min(length, in.readableBytes()));
        this.bytes = inScratch ? in.scratch(cap, 0) : new byte[cap];
    }

    /** The array size for {@code need} bytes arrived: {@code need} plus max({@link #STEP}, {@link #AHEAD} x need), at most the length. */
    private int room(long need) {
        return (int) Math.min(length, need + Math.max(STEP, AHEAD * need));
    }

    /** Moves the frame's bytes that are readable out of {@code in}; the frame once it is whole, else null. */
    Frame fill(InputBuffer in) {
        int n = Math.min(in.readableBytes(), length - filled);
        if (filled + n > bytes.length) {
            int cap = room(filled + n);
            bytes = inScratch ? in.scratch(cap, filled) : Arrays.copyOf(bytes, cap);
        }
        in.copy(0, bytes, filled, n);
        in.skip(n);
        filled += n;
        if (filled < length) {
            return null;
        }
        if (in.isViewing()) {
            return in.view(bytes, 0, length);
        }
        return Frame.wrap(inScratch ? Arrays.copyOf(bytes, length) : bytes); // not scratch: exactly length bytes
    }

    /** Size of the array the bytes are gathered in. */
    int capacity() {
        return bytes.length;
    }

    /** The TRUNCATED error for a stream that ended before the frame was whole; {@code what} names the frame. */
    FramingError truncated(String what) {
        return FramingError.of(FramingException.Kind.TRUNCATED, "end of stream after " + filled + " of the " + length
                + " " + what);
    }
}
