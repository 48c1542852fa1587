package dev.labwire.core;

/**
 * The instrument sent something the protocol cannot accept: a frame over {@code maxFrameLength},
 * a malformed block header, a non-ASCII byte in a text line, a reply cut short by end of stream.
 * The message names what was wrong, with the lengths involved. Where the protocol allows it the
 * connection has already recovered (discarded to the next frame boundary) and stays usable.
 */
public class RemoteProtocolException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    public RemoteProtocolException(String message) {
        super(message);
    }

    public RemoteProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
