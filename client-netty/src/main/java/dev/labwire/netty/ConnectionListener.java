package dev.labwire.netty;

import dev.labwire.core.State;

/**
 * Told of every change of the link's {@link State}: CONNECTING, ON_CONNECT, READY, DOWN (with the cause)
 * and CLOSED. Called on the client's callback thread (the event loop unless
 * {@link NettyClient.Builder#callbackExecutor} says otherwise), one call at a time, in order. It must not
 * block: on the event loop it holds up every client sharing that loop. It may call the client. On a callback
 * executor each listener has a bounded queue: when it falls 256 changes behind, the oldest waiting change is
 * dropped, counted by {@code droppedCallbacks()} and logged at WARN at most every 10 s.
 */
@FunctionalInterface
public interface ConnectionListener {
    /** The state changed; {@code cause} is why the link went {@link State#DOWN}, else null. */
    void onStateChanged(State state, Throwable cause);
}
