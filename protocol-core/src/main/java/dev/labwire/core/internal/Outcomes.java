package dev.labwire.core.internal;

import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.State;
import dev.labwire.core.frame.Printable;
import java.time.Duration;

/**
 * What a caller sees when a request ends without a reply, the same for both clients: the exception types and
 * messages, each naming the command. A {@link Event.Timeout} of a request never written while the link is not
 * ready is a {@link LinkDownException} (the link was down or connecting throughout), not a timeout.
 */
public final class Outcomes {
    private Outcomes() {
    }

    /** The most bytes of a command a message shows. */
    private static final int SHOWN = Printable.DEFAULT_MAX;

    /**
     * A command's text for a message, to put between quotes: escaped by {@link Printable}, at most {@value #SHOWN}
     * bytes, then how many bytes there were.
     */
    public static String shown(byte[] payload) {
        return Printable.of(payload, 0, payload.length, SHOWN);
    }

    /** {@link #shown(byte[])} of {@code r}'s payload. */
    public static String shown(Request r) {
        return shown(r.payload());
    }

    /**
     * The exception for how {@code r} ended, or null for a {@link Event.Reply}.
     *
     * @param timeout   the request's whole-exchange timeout (its own or the connection's default)
     * @param name      the client's name for messages (its endpoint)
     * @param state     the link's state when the event came out
     * @param lastDown  why the link last went down, or null
     * @param closing   true once the client is closing (the core's "connection closed" then says so)
     */
    public static RuntimeException failure(Request r, Event e, Duration timeout, String name, State state, Throwable lastDown,
            boolean closing) {
        if (e instanceof Event.Reply) {
            return null;
        }
        String text = shown(r);
        lastDown = withoutNestedLinkDowns(lastDown);
        if (e instanceof Event.Timeout t) {
            if (!t.written() && state != State.READY) {
                return new LinkDownException("link to " + name + " is " + state + (lastDown == null ? "" : " (" + lastDown + ")")
                        + " and did not come back within " + Durations.show(timeout) + " for \"" + text + "\""
                        + (t.detail() == null ? "" : ": " + t.detail()), lastDown);
            }
            return new RequestTimeoutException(r, timeout, t.written(), t.detail());
        }
        Throwable cause = ((Event.Failed) e).cause();
        if (cause instanceof RemoteProtocolException rp) {
            return new RemoteProtocolException("\"" + text + "\": " + rp.getMessage(), rp);
        }
        if (cause instanceof LocalProtocolException lp) {
            return new LocalProtocolException("\"" + text + "\": "
                    + (closing ? "client " + name + " was closed before the request ended" : lp.getMessage()));
        }
        cause = withoutNestedLinkDowns(cause);
        return new LinkDownException("link to " + name + " lost during \"" + text + "\": " + cause, cause);
    }

    /**
     * The first failure under a chain of {@link LinkDownException}s (the innermost one when none is under it). A hook
     * call that fails because the link is down becomes the next link's down cause, and a call failing then wraps that
     * again: without this, each failed reconnect added one exception and the whole message of the one before (21 deep
     * after 10 s of a hook failing at every link, the message growing quadratically).
     */
    static Throwable withoutNestedLinkDowns(Throwable t) {
        for (int guard = 0; guard < 1000 && t instanceof LinkDownException && t.getCause() != null; guard++) {
            t = t.getCause();
        }
        return t;
    }
}
