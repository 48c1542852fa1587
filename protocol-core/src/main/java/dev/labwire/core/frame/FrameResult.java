package dev.labwire.core.frame;

/**
 * What one call of {@link Framer#decode} gives: a {@link Frame}, a {@link FramingError} (the framer has
 * begun to discard to the next boundary), or {@link NeedData#INSTANCE} (no whole frame yet).
 * Dispatch with {@code instanceof}:
 * <pre>{@code
 * FrameResult r = framer.decode(buffer);
 * if (r instanceof Frame f) { ... }
 * else if (r instanceof FramingError e) { log(e.exception().getMessage()); }
 * else { // NeedData: feed more bytes
 * }
 * }</pre>
 */
public sealed interface FrameResult permits Frame, FramingError, FrameResult.NeedData {

    /** No whole frame in the buffer yet; feed more bytes. */
    enum NeedData implements FrameResult {
        /** The only value. */
        INSTANCE
    }
}
