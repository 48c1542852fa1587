package dev.labwire.core.frame;

/** Argument checks shared by the framers. */
final class FramerArgs {
    /** The largest {@code maxFrameLength} any framer accepts: 1 GiB, far below array and int-overflow limits. */
    static final int MAX_LIMIT = 1 << 30;

    private FramerArgs() {
    }

    /** {@code value} when it lies in 1..{@link #MAX_LIMIT}, else an exception naming it. */
    static int positive(String name, int value) {
        if (value < 1 || value > MAX_LIMIT) {
            throw new IllegalArgumentException(name + " must be between 1 and " + MAX_LIMIT + ": " + value);
        }
        return value;
    }

    /** A copy of a non-empty terminator, else an exception. */
    static byte[] terminator(byte[] terminator) {
        if (terminator == null) {
            throw new IllegalArgumentException("terminator must not be null");
        }
        if (terminator.length == 0) {
            throw new IllegalArgumentException("terminator must not be empty");
        }
        if (terminator.length > 16) {
            throw new IllegalArgumentException("terminator must be at most 16 bytes: " + terminator.length);
        }
        return terminator.clone();
    }
}
