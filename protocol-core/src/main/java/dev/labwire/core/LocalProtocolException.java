package dev.labwire.core;

/**
 * The caller asked for something the protocol forbids in the current state: a request on a closed
 * connection, more queued requests than {@code maxQueued}, a hook call outside the hook phase. The
 * message names the state and what was asked. The connection is unchanged by the refused call.
 */
public final class LocalProtocolException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    public LocalProtocolException(String message) {
        super(message);
    }
}
