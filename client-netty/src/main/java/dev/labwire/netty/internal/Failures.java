package dev.labwire.netty.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.State;
import java.time.Duration;

/**
 * What a caller sees when a request ends without a reply: the same exception types and messages as the
 * blocking client, each naming the command. A {@link Event.Timeout} of a request that was never written
 * while the link is not ready is a {@link LinkDownException} (the link was down throughout), not a timeout.
 */
final class Failures {
    private Failures() {
    }

    /**
     * @param state     the connection's state when the event came out
     * @param lastDown  why the link last went down, or null
     * @param closing   true once the client is closing (the core's "connection closed" then says so)
     * @return the exception for {@code e}, or null for a {@link Event.Reply}
     */
    static Throwable of(Request r, Event e, ConnectionConfig config, String name, State state, Throwable lastDown, boolean closing) {
        if (e instanceof Event.Reply) {
            return null;
        }
        String text = r.text();
        if (e instanceof Event.Timeout t) {
            Duration timeout = r.timeout() != null ? r.timeout() : config.defaultTimeout();
            if (!t.written() && state != State.READY) {
                return new LinkDownException("link to " + name + " is " + state + (lastDown == null ? "" : " (" + lastDown + ")")
                        + " and did not come back within " + timeout.toMillis() + " ms for \"" + text + "\"", lastDown);
            }
            return new RequestTimeoutException(r, timeout, t.written());
        }
        Throwable cause = ((Event.Failed) e).cause();
        if (cause instanceof RemoteProtocolException rp) {
            return new RemoteProtocolException("\"" + text + "\": " + rp.getMessage(), rp);
        }
        if (cause instanceof LocalProtocolException lp) {
            return new LocalProtocolException("\"" + text + "\": "
                    + (closing ? "client " + name + " was closed before the request ended" : lp.getMessage()));
        }
        return new LinkDownException("link to " + name + " lost during \"" + text + "\": " + cause, cause);
    }
}
