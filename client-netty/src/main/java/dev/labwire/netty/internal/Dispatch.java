package dev.labwire.netty.internal;

import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.Overflow;
import dev.labwire.core.State;
import dev.labwire.core.internal.FirstConnect;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 3 of a {@link NettyDriver}'s drain loop: what each event of the core does. Replies, timeouts and failures end
 * their calls ({@link Calls}); pushed frames go to the streams ({@link PushHub}), which may pause reading; state
 * changes go to the listeners (each through its bounded {@link CallbackQueue}), the {@code ready()} waiters and the
 * hook; {@code OpenLink} is noted for the driver to act on after the drain, {@code CloseLink} drops the link. Also
 * keeps the state and the last link-down cause, which other threads read. Event loop only.
 */
final class Dispatch {
    private static final Logger LOG = LoggerFactory.getLogger(NettyDriver.class); // the driver's log lines, as before

    private final NettyDriver driver;
    private final String name;
    private final Calls calls;
    private final Links links;
    private final PushHub hub;
    private final ReadyWaiters readyWaiters;
    private final HookRunner hook; // null without one
    private final List<Listener> listeners = new ArrayList<>();
    private final List<SrqListener> srqListeners = new ArrayList<>();
    private final List<PortListener> portListeners = new ArrayList<>();
    private final Callbacks callbacks;
    private boolean openPending;
    private final FirstConnect first; // fails ready() waiters at once when the first connect failed for good

    // read from any thread
    private volatile State state = State.IDLE;
    private volatile Throwable lastDownCause;

    Dispatch(NettyDriver driver, Callbacks callbacks, Calls calls, Links links, PushHub hub, ReadyWaiters readyWaiters,
             HookRunner hook, List<BiConsumer<State, Throwable>> listeners) {
        this.driver = driver;
        this.name = callbacks.name();
        this.callbacks = callbacks;
        this.first = new FirstConnect(name);
        this.calls = calls;
        this.links = links;
        this.hub = hub;
        this.readyWaiters = readyWaiters;
        this.hook = hook;
        for (BiConsumer<State, Throwable> l : listeners) {
            this.listeners.add(new Listener(new CallbackQueue<>(callbacks, "state listener #" + (this.listeners.size() + 1),
                    DriverSetup.LISTENER_CAPACITY, Overflow.DROP_OLDEST, true), s -> () -> l.accept(s.state(), s.cause())));
        }
    }

    /** The state as of the last event handed out (any thread). */
    State state() {
        return state;
    }

    /** The failure a {@code ready()} waiter ends with at once ({@link FirstConnect}), or null (event loop only). */
    LinkDownException firstFailure() {
        return first.failure();
    }

    /** Why the link last went down, or null (any thread). */
    Throwable lastDownCause() {
        return lastDownCause;
    }

    /** True once after the core asked for a link: the driver opens one after the drain. */
    boolean takeOpenPending() {
        boolean p = openPending;
        openPending = false;
        return p;
    }

    /** A request ended with a reply of one frame ({@link dev.labwire.core.EventSink#reply}): as a {@link Event.Reply}. */
    void reply(long id, dev.labwire.core.Request request, dev.labwire.core.frame.Frame frame) {
        calls.endWithReply(id, request, frame);
    }

    /** A pushed frame ({@link dev.labwire.core.EventSink#pushed}, or {@link Event.Pushed}): to the streams. */
    void pushed(dev.labwire.core.frame.Frame frame) {
        hub.onFrame(frame);
        updateReading();
    }

    void dispatch(Event e) {
        boolean closing = driver.isClosing();
        if (e instanceof Event.Reply r) {
            calls.end(r.id(), e, state, lastDownCause, closing);
        } else if (e instanceof Event.Timeout t) {
            calls.end(t.id(), state == State.READY ? links.explain(t) : t, state, lastDownCause, closing);
        } else if (e instanceof Event.Failed f) {
            calls.end(f.id(), e, state, lastDownCause, closing);
        } else if (e instanceof Event.Pushed p) {
            pushed(p.frame());
        } else if (e instanceof Event.StateChanged s) {
            stateChanged(s);
        } else if (e instanceof Event.OpenLink) {
            openPending = true;
        } else if (e instanceof Event.CloseLink c) {
            if (closing) {
                LOG.debug("{}: closing the link: {}", name, c.reason());
            } else {
                LOG.info("{}: closing the link: {}", name, c.reason());
            }
            links.abandonOpening();
            Throwable hookFailure = hook == null ? null : hook.takeFailure();
            // after a failed hook, its failure is the cause callers see
            driver.dropLink(hookFailure != null ? hookFailure : new IOException("link closed by labwire: " + c.reason()));
        } else if (e instanceof Event.ServiceRequest sr) {
            for (SrqListener l : srqListeners) {
                l.queue.offer(sr.statusByte());
                l.queue.deliverAll(stb -> () -> l.listener.accept(stb));
            }
        } else if (e instanceof Event.Discarded d) {
            LOG.debug("{}: discarded {} ({})", name, d.frame(), d.reason());
        } else if (e instanceof Event.PortState ps) {
            LOG.debug("{}: RFC 2217 port state: line {}, modem {}", name, ps.lineState(), ps.modemState());
            for (PortListener l : portListeners) {
                l.queue.offer(ps);
                l.queue.deliverAll(v -> () -> l.listener.accept(v));
            }
        } else if (e instanceof Event.ProtocolError pe) {
            LOG.warn("{}: {}", name, pe.error().getMessage());
        }
    }

    private void stateChanged(Event.StateChanged s) {
        state = s.state();
        if (s.state() == State.DOWN) {
            lastDownCause = s.cause();
        }
        for (Listener l : listeners) {
            l.queue.offer(s);
            l.queue.deliverAll(l.signal);
        }
        first.stateChanged(s.state(), s.cause(), s.state() == State.DOWN ? ConnectFailures.definite(s.cause()) : null);
        if (s.state() == State.READY) {
            readyWaiters.ready();
        } else if (first.failure() != null) {
            readyWaiters.fail(first.failure());
        }
        if (hook != null && s.state() == State.ON_CONNECT) {
            hook.start();
        } else if (hook != null) {
            hook.stop();
        }
    }

    /** Pauses reading while a pushed-frame subscriber is behind, and reads again once all caught up. */
    void updateReading() {
        if (!links.readingPaused() && hub.wantsPause()) {
            LOG.debug("{}: pushed-frame subscribers are behind; pausing reads", name);
            links.pauseReading(true);
            driver.readingPaused(true);
        } else if (links.readingPaused() && hub.mayResume()) {
            LOG.debug("{}: pushed-frame subscribers caught up; reading again", name);
            links.pauseReading(false);
            driver.readingPaused(false);
        }
    }

    /**
     * Adds a service-request listener (event loop only): each {@link Event.ServiceRequest}'s status byte reaches it
     * through its own bounded queue (256, the oldest dropped). The returned action removes it (event loop only).
     */
    Runnable addServiceRequestListener(java.util.function.IntConsumer listener) {
        SrqListener l = new SrqListener(new CallbackQueue<>(callbacks, "service-request listener #" + (srqListeners.size() + 1),
                DriverSetup.LISTENER_CAPACITY, Overflow.DROP_OLDEST, true), listener);
        srqListeners.add(l);
        return () -> {
            srqListeners.remove(l);
            l.queue.stop();
        };
    }

    private record SrqListener(CallbackQueue<Integer> queue, java.util.function.IntConsumer listener) {
    }

    /**
     * Adds an RFC 2217 port-state listener (event loop only), with its own bounded queue (256, the oldest dropped). The
     * returned action removes it (event loop only).
     */
    Runnable addPortStateListener(java.util.function.Consumer<Event.PortState> listener) {
        PortListener l = new PortListener(new CallbackQueue<>(callbacks, "port-state listener #" + (portListeners.size() + 1),
                DriverSetup.LISTENER_CAPACITY, Overflow.DROP_OLDEST, true), listener);
        portListeners.add(l);
        return () -> {
            portListeners.remove(l);
            l.queue.stop();
        };
    }

    private record PortListener(CallbackQueue<Event.PortState> queue, java.util.function.Consumer<Event.PortState> listener) {
    }

    /** A state listener and its bounded queue (which calls it at once when callbacks run on the loop). */
    private record Listener(CallbackQueue<Event.StateChanged> queue, Function<Event.StateChanged, Runnable> signal) {
    }
}
