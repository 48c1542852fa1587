package dev.labwire.core;

import java.util.Arrays;
import java.nio.charset.StandardCharsets;

/**
 * What reply a {@link Request} expects. The connection cuts the reply with its configured framer
 * (lines for SCPI) unless the expectation says otherwise ({@link Block}, {@link Bytes}).
 *
 * <table>
 *   <caption>Expectations</caption>
 *   <tr><th>factory</th><th>reply</th><th>e.g.</th></tr>
 *   <tr><td>{@link #nothing()}</td><td>none; the request ends when its bytes are handed to the driver</td><td>{@code VOLT 5}</td></tr>
 *   <tr><td>{@link #line()} / {@link #frame()}</td><td>one frame</td><td>{@code *IDN?}</td></tr>
 *   <tr><td>{@link #lines(int)}</td><td>exactly N frames</td><td>a 3-line status dump</td></tr>
 *   <tr><td>{@link #linesUntil(String)}</td><td>frames up to a marker frame, marker excluded</td><td>{@code HELP} ended by {@code .}</td></tr>
 *   <tr><td>{@link #block()}</td><td>one IEEE 488.2 arbitrary block, payload only</td><td>{@code CURV?}</td></tr>
 *   <tr><td>{@link #bytes(int)}</td><td>exactly N raw bytes</td><td>a binary status record</td></tr>
 * </table>
 */
public sealed interface Expect {

    /** The largest {@link Block#maxLength()} and {@link Bytes#count()}: 1 GiB, the framers' own limit. */
    int MAX_LENGTH = 1 << 30;

    /** No reply: the request is done once written. */
    static Expect nothing() {
        return None.INSTANCE;
    }

    /** One frame of the connection's framing (one line for SCPI). */
    static Expect line() {
        return Frames.ONE;
    }

    /** Same as {@link #line()}, named for binary framings. */
    static Expect frame() {
        return Frames.ONE;
    }

    /** Exactly {@code count} frames. */
    static Expect lines(int count) {
        return count == 1 ? Frames.ONE : new Frames(count);
    }

    /** Frames until one equals {@code marker} (ISO-8859-1); the marker is not part of the reply. At most {@link UntilMarker#DEFAULT_MAX_FRAMES} frames. */
    static Expect linesUntil(String marker) {
        return new UntilMarker(marker.getBytes(StandardCharsets.ISO_8859_1), UntilMarker.DEFAULT_MAX_FRAMES);
    }

    /** One IEEE 488.2 arbitrary block (definite {@code #<n><len><data>} or indefinite {@code #0<data>}), at most the connection's {@code maxFrameLength}. */
    static Expect block() {
        return new Block(0);
    }

    /** One IEEE 488.2 arbitrary block of at most {@code maxLength} payload bytes (for waveforms bigger than text lines). */
    static Expect block(int maxLength) {
        return new Block(maxLength);
    }

    /**
     * Exactly {@code count} raw bytes, whatever they hold. Not on a raw link whose {@link FrameClassifier} pushes
     * frames: a count cannot tell a push from the reply, so sending it there throws {@link IllegalArgumentException}
     * (see {@link ConnectionConfig#checkRawByteCount}).
     */
    static Expect bytes(int count) {
        return new Bytes(count);
    }

    /**
     * The outcome of a session-protocol {@link Operation} (made by {@link Request#operation(Operation)}): the request
     * carries no bytes of its own; the session machine runs the operation the way its protocol does.
     *
     * @param operation the operation
     */
    record Operate(Operation operation) implements Expect {
        public Operate {
            java.util.Objects.requireNonNull(operation, "operation");
        }
    }

    /** No reply. */
    enum None implements Expect {
        /** The only value. */
        INSTANCE
    }

    /**
     * Exactly {@code count} frames.
     *
     * @param count at least 1
     */
    record Frames(int count) implements Expect {
        static final Frames ONE = new Frames(1);

        public Frames {
            if (count < 1 || count > MAX_LENGTH) {
                throw new IllegalArgumentException("count must be 1.." + MAX_LENGTH + " (1 GiB): " + count);
            }
        }
    }

    /**
     * Frames until one equals {@code marker}; the marker frame ends the reply and is not part of it.
     * More than {@code maxFrames} frames before the marker fail the request with a
     * {@link RemoteProtocolException} (memory stays bounded).
     *
     * @param marker    the closing frame's exact bytes (copied)
     * @param maxFrames at least 1
     */
    record UntilMarker(byte[] marker, int maxFrames) implements Expect {
        /** Default bound on frames before the marker: {@value}. */
        public static final int DEFAULT_MAX_FRAMES = 10_000;

        public UntilMarker {
            marker = marker.clone();
            if (maxFrames < 1) {
                throw new IllegalArgumentException("maxFrames must be at least 1: " + maxFrames);
            }
        }

        @Override
        public byte[] marker() {
            return marker.clone();
        }

        boolean isMarker(dev.labwire.core.frame.Frame f) {
            return f.contentEquals(marker);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UntilMarker u && u.maxFrames == maxFrames && Arrays.equals(u.marker, marker);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(marker) * 31 + maxFrames;
        }

        @Override
        public String toString() {
            return "UntilMarker[" + new String(marker, StandardCharsets.ISO_8859_1) + ", maxFrames=" + maxFrames + "]";
        }
    }

    /**
     * One IEEE 488.2 arbitrary block.
     *
     * @param maxLength the largest payload accepted, or 0 for the connection's {@code maxFrameLength}
     */
    record Block(int maxLength) implements Expect {
        public Block {
            if (maxLength < 0 || maxLength > MAX_LENGTH) {
                throw new IllegalArgumentException("maxLength must be 0 (connection default) or 1.." + MAX_LENGTH
                        + " (1 GiB): " + maxLength);
            }
        }
    }

    /**
     * Exactly {@code count} raw bytes.
     *
     * @param count at least 1
     */
    record Bytes(int count) implements Expect {
        public Bytes {
            if (count < 1 || count > MAX_LENGTH) {
                throw new IllegalArgumentException("count must be 1.." + MAX_LENGTH + " (1 GiB): " + count);
            }
        }
    }
}
