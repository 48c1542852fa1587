package dev.labwire.core;

/**
 * Thrown by the clients (never by the core) when a request could not complete because the link was
 * lost or could not be opened in time. The message says which link and why; {@link #getCause()} is
 * the driver's error (connection refused, end of stream, port unplugged).
 */
public final class LinkDownException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LinkDownException(String message, Throwable cause) {
        super(message, cause);
    }
}
