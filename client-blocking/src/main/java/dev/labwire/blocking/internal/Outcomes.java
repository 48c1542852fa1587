package dev.labwire.blocking.internal;

import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.State;
import java.time.Duration;

/** Turns the core's ending event of a request into the caller's reply or the exception the client documents. */
final class Outcomes {
    private Outcomes() {
    }

    /**
     * The reply in {@code e}, or the exception for how the request ended.
     *
     * @param state         the link's state now (a timeout of a request never written while the link is not
     *                      ready is reported as link loss, with {@code lastDownCause})
     * @throws RequestTimeoutException no whole reply within {@code timeout}
     * @throws LinkDownException       the link dropped during the request, or was down throughout
     * @throws RemoteProtocolException the reply broke the protocol (the message starts with the command)
     * @throws LocalProtocolException  the client was closed, or its queue was full
     */
    static Event.Reply reply(Event e, Request r, Duration timeout, String name, State state, Throwable lastDownCause) {
        if (e instanceof Event.Reply reply) {
            return reply;
        }
        if (e instanceof Event.Timeout t) {
            if (!t.written() && state != State.READY) {
                throw new LinkDownException("link to " + name + " is " + state + (lastDownCause == null ? "" : " (" + lastDownCause + ")")
                        + " and did not come back within " + timeout.toMillis() + " ms for \"" + r.text() + "\"", lastDownCause);
            }
            throw new RequestTimeoutException(r, timeout, t.written());
        }
        Throwable cause = ((Event.Failed) e).cause();
        if (cause instanceof RemoteProtocolException rp) {
            throw new RemoteProtocolException("\"" + r.text() + "\": " + rp.getMessage(), rp);
        }
        if (cause instanceof LocalProtocolException lp) {
            throw new LocalProtocolException("\"" + r.text() + "\": " + lp.getMessage());
        }
        throw new LinkDownException("link to " + name + " lost during \"" + r.text() + "\": " + cause, cause);
    }
}
