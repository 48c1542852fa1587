package dev.labwire.core.internal;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;

/**
 * The fail-fast rule of the clients' wait for the first link ({@code awaitReady}, {@code ready}), the same in both
 * drivers. Until the link has been {@link State#READY} once, a connect attempt that failed for good (refused, no
 * such port, busy, permission denied: the driver decides which failures are definite, as this module may not look
 * at {@code java.net} or serial errors) makes every wait fail at once, instead of retrying until the wait's own
 * timeout. The failure stays until an attempt gets a link or fails for another reason, so a wait that starts while
 * the client retries (in the backoff, or during the next attempt) fails at once too. Once the link has been ready,
 * the rule is off for good: after a drop, waits ride out reconnects (an instrument rebooting refuses for a while).
 *
 * <pre>{@code
 * on every StateChanged s:  first.stateChanged(s.state(), s.cause(), s.state() == DOWN ? definite(s.cause()) : null);
 * in a wait:                LinkDownException e = first.failure();  if (e != null) fail the wait with e
 * }</pre>
 *
 * Not thread-safe: the driver guards it.
 */
public final class FirstConnect {
    private final String name;
    private boolean everReady;
    private LinkDownException failure;

    /** @param name the endpoint, as the messages show it */
    public FirstConnect(String name) {
        this.name = name;
    }

    /**
     * A state change of the link.
     *
     * @param definite for {@link State#DOWN}: a short phrase saying why the attempt failed for good
     *                 ({@code "connection refused"}), or null when it may pass on a retry; ignored otherwise
     */
    public void stateChanged(State state, Throwable cause, String definite) {
        if (state == State.READY) {
            everReady = true;
            failure = null;
        } else if (state == State.ON_CONNECT || state == State.CLOSED) {
            failure = null;
        } else if (state == State.DOWN) {
            failure = everReady || definite == null ? null
                    : new LinkDownException("link to " + name + " not ready: " + definite + " ("
                            + (cause == null ? "no detail" : cause.getMessage() == null ? cause.toString() : cause.getMessage())
                            + "); the first connect attempt failed for good", cause);
        }
    }

    /** The failure a wait for the first link ends with now, or null to keep waiting. */
    public LinkDownException failure() {
        return failure;
    }
}
