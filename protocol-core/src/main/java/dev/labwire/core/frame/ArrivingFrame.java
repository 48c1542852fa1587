package dev.labwire.core.frame;

/**
 * One frame of known length while its bytes arrive (a definite block, a length-field frame): they are moved out of
 * the buffer into the frame's own array as they come, so the buffer never gathers the whole frame and the bytes are
 * copied once from it. Not thread-safe: its framer owns it.
 */
final class ArrivingFrame {
    private final byte[] bytes;
    private int filled;

    ArrivingFrame(int length) {
        this.bytes = new byte[length];
    }

    /** Moves the frame's bytes that are readable out of {@code in}; the frame once it is whole, else null. */
    Frame fill(InputBuffer in) {
        int n = Math.min(in.readableBytes(), bytes.length - filled);
        in.copy(0, bytes, filled, n);
        in.skip(n);
        filled += n;
        return filled < bytes.length ? null : Frame.wrap(bytes);
    }

    /** The TRUNCATED error for a stream that ended before the frame was whole; {@code what} names the frame. */
    FramingError truncated(String what) {
        return FramingError.of(FramingException.Kind.TRUNCATED, "end of stream after " + filled + " of the " + bytes.length
                + " " + what);
    }
}
