package dev.labwire.netty.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The calls of one {@link NettyDriver} that its core has taken, by the id the core gave each, until the core's
 * ending event for that id ({@link Event.Reply}, {@link Event.Timeout} or {@link Event.Failed}) completes the
 * caller's future: with the reply, or with the exception {@link Failures} makes of the event. Ids the driver did
 * not register (the config's own on-connect requests) end silently. Event loop only.
 */
final class Calls {
    private record Call(Request request, CompletableFuture<Event.Reply> future) {
    }

    private final Map<Long, Call> byId = new HashMap<>();
    private final Callbacks callbacks;
    private final ConnectionConfig config;
    private final String name;

    Calls(Callbacks callbacks, ConnectionConfig config, String name) {
        this.callbacks = callbacks;
        this.config = config;
        this.name = name;
    }

    /** Registers the caller's future {@code f} of request {@code r}, which the core took as {@code id}. */
    void add(long id, Request r, CompletableFuture<Event.Reply> f) {
        byId.put(id, new Call(r, f));
    }

    /**
     * Ends the call the core knows as {@code id} with its ending event {@code e}; nothing when no call has that id.
     *
     * @param state    the driver's state when the event came out
     * @param lastDown why the link last went down, or null
     * @param closing  true once the client is closing
     */
    void end(long id, Event e, State state, Throwable lastDown, boolean closing) {
        Call c = byId.remove(id);
        if (c == null) {
            return;
        }
        Throwable failure = Failures.of(c.request(), e, config, name, state, lastDown, closing);
        if (failure == null) {
            callbacks.deliver(() -> c.future().complete((Event.Reply) e));
        } else {
            callbacks.fail(c.future(), failure);
        }
    }
}
