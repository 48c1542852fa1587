package dev.labwire.core.frame;

import dev.labwire.core.RemoteProtocolException;
import java.util.Objects;

/**
 * The instrument's bytes could not be cut into a frame. The {@link Kind} says which rule was broken;
 * the message says where and, for {@link Kind#TOO_LONG}, both the frame's length (or the length seen
 * so far) and the {@code maxFrameLength}.
 */
public final class FramingException extends RemoteProtocolException {
    private static final long serialVersionUID = 1L;

    /** Which framing rule the bytes broke. */
    public enum Kind {
        /** A frame longer than {@code maxFrameLength}; the framer discards it to the next boundary. */
        TOO_LONG,
        /** Bytes that cannot start or continue a frame: a bad block header, a bad COBS code, a bad SLIP escape. */
        MALFORMED,
        /** A byte not allowed in a text line (outside 7-bit ASCII when the framer is ASCII-only). */
        ENCODING,
        /** End of stream in the middle of a frame: a half-sent reply. */
        TRUNCATED
    }

    private final Kind kind;

    public FramingException(Kind kind, String message) {
        super(Objects.requireNonNull(kind, "kind") + ": " + message);
        this.kind = kind;
    }

    /** Which rule was broken. */
    public Kind kind() {
        return kind;
    }
}
