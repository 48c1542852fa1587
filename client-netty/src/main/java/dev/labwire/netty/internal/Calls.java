package dev.labwire.netty.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import io.netty.util.collection.LongObjectHashMap;

/**
 * The calls of one {@link NettyDriver} that its core has taken, by the id the core gave each (a primitive-keyed
 * map: no boxing), until the core's ending event for that id ({@link Event.Reply}, {@link Event.Timeout} or
 * {@link Event.Failed}) completes the caller's {@link Call}: with the reply, or with the exception
 * {@link Failures} makes of the event. Ids the driver did not register (the config's own on-connect requests) end
 * silently. Event loop only.
 */
final class Calls {
    private final LongObjectHashMap<Call<?>> byId = new LongObjectHashMap<>();
    private final Callbacks callbacks;
    private final ConnectionConfig config;
    private final String name;

    Calls(Callbacks callbacks, ConnectionConfig config, String name) {
        this.callbacks = callbacks;
        this.config = config;
        this.name = name;
    }

    /** Registers {@code call}, whose request the core took as {@code id}. */
    void add(long id, Call<?> call) {
        byId.put(id, call);
    }

    /** Forgets the call of {@code id}: the core withdrew its request and no event will come for it. */
    void remove(long id) {
        byId.remove(id);
    }

    /**
     * Ends the call the core knows as {@code id} with its ending event {@code e}; nothing when no call has that id.
     *
     * @param state    the driver's state when the event came out
     * @param lastDown why the link last went down, or null
     * @param closing  true once the client is closing
     */
    /**
     * Ends the call the core knows as {@code id} with a reply of one frame (what {@link Event.Reply} with
     * {@code List.of(frame)} says); nothing when no call has that id.
     */
    void endWithReply(long id, Request request, dev.labwire.core.frame.Frame frame) {
        Call<?> c = byId.remove(id);
        if (c != null) {
            callbacks.succeed(c, id, c.asked != null ? c.asked : request, frame);
        }
    }

    void end(long id, Event e, State state, Throwable lastDown, boolean closing) {
        Call<?> c = byId.remove(id);
        if (c == null) {
            return;
        }
        if (e instanceof Event.Reply r) {
            callbacks.succeed(c, c.asked != null ? new Event.Reply(r.id(), c.asked, r.frames()) : r);
            return;
        }
        // the event carries the caller's request (on a bus too: the request before addressing)
        Request request = c.asked != null ? c.asked : e instanceof Event.Timeout t ? t.request() : ((Event.Failed) e).request();
        callbacks.fail(c, dev.labwire.core.internal.Outcomes.failure(request, e,
                request.timeout() != null ? request.timeout() : config.defaultTimeout(), name, state, lastDown, closing));
    }
}
