package dev.labwire.blocking;

import dev.labwire.core.State;

/**
 * Told of every change of the link's {@link State}: CONNECTING, ON_CONNECT, READY, DOWN (with the
 * cause) and CLOSED. Called on the client's callback thread, one call at a time, in order; it must
 * not block for long (it delays other callbacks), and it may call the client.
 */
@FunctionalInterface
public interface ConnectionListener {
    /** The state changed; {@code cause} is why the link went {@link State#DOWN}, else null. */
    void onStateChanged(State state, Throwable cause);
}
