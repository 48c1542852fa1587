package dev.labwire.blocking;

import dev.labwire.core.State;

/**
 * Told of every change of the link's {@link State}: CONNECTING, ON_CONNECT, READY, DOWN (with the
 * cause) and CLOSED. Called on the client's callback thread, one call at a time, in order; it may call
 * the client, blocking calls and {@code close()} included. While it runs, changes wait in a bounded queue
 * (256; when full the oldest is dropped, counted by {@link BlockingClient#droppedCallbacks()} and logged
 * at WARN), and other callbacks wait: keep it short. What it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface ConnectionListener {
    /** The state changed; {@code cause} is why the link went {@link State#DOWN}, else null. */
    void onStateChanged(State state, Throwable cause);
}
