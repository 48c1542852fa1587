package dev.labwire.core;

/**
 * Base of the two protocol error kinds. A {@link LocalProtocolException} means the caller asked for
 * something the protocol forbids in the current state; a {@link RemoteProtocolException} means the
 * instrument sent something the protocol cannot accept. Link loss and timeouts are not exceptions:
 * they arrive as events of the connection.
 */
public abstract class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected ProtocolException(String message) {
        super(message);
    }

    protected ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
