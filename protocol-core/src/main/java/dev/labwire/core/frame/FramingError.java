package dev.labwire.core.frame;

import java.util.Objects;

/**
 * The bytes could not form a frame. The framer has already consumed the offending bytes or is
 * discarding them up to the next frame boundary, so the next {@link Framer#decode} call continues
 * with the stream. {@link FramingException#getMessage()} names what was wrong, with both lengths
 * where a length limit was hit.
 *
 * @param exception what was wrong; never null
 */
public record FramingError(FramingException exception) implements FrameResult {
    public FramingError {
        Objects.requireNonNull(exception, "exception");
    }

    /** Shorthand for {@code new FramingError(new FramingException(kind, message))}. */
    public static FramingError of(FramingException.Kind kind, String message) {
        return new FramingError(new FramingException(kind, message));
    }
}
