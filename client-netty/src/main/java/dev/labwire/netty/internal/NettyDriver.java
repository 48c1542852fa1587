package dev.labwire.netty.internal;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LinkMachine;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.serial.Endpoint;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link LinkMachine} on one Netty {@link EventLoop}: a {@link Connection} (one instrument) or a
 * {@link Bus} (addressed devices sharing the link); the loop is the same, only submitting differs
 * ({@link #request(Request)} or {@link #request(Address, Request, Bus.Priority)}). Everything that touches the core runs on
 * that loop: calls from other threads hop onto it with {@code execute}, links report back onto it, the
 * core's single timer is one scheduled task on it. So the core stays single-threaded without a lock, and
 * a thousand drivers can share one loop thread.
 *
 * <p>After every input the loop runs the core's drain loop ({@link #drain()}): write what
 * {@code pollTransmit()} gives, dispatch every event, repeat while events came, then re-arm the timer
 * from {@code pollTimeout()}. Writes are flushed once per batch of loop tasks. User code (futures,
 * listeners, subscribers, the hook) runs on the loop, or on the user's executor in order ({@link Callbacks});
 * a call into the client from there is taken up by the drain in progress, never run re-entrantly.
 *
 * <p>Bounds: bytes are taken from the core only while the link is below its write high-water mark ({@link Link});
 * a cancelled call withdraws its request ({@link LinkMachine#cancel}); the on-connect hook ends within its
 * deadline ({@link HookRunner}); {@link #close()} completes within {@link #CLOSE_BOUND} whatever the link does.
 */
public final class NettyDriver {
    private static final Logger LOG = LoggerFactory.getLogger(NettyDriver.class);
    /** The longest {@link #close()} waits for the link to release its channel, port and threads. */
    public static final Duration CLOSE_BOUND = Duration.ofSeconds(2);
    /** The on-connect hook's default deadline. */
    public static final Duration DEFAULT_HOOK_TIMEOUT = Duration.ofSeconds(10);

    /** What the client runs on each new link before user requests. */
    public interface Hook {
        /** Starts the hook for link {@code generation}; its requests go through {@link #requestHook}. */
        CompletionStage<Void> run(NettyDriver driver, long generation) throws Exception;
    }

    private final String name;
    private final ConnectionConfig config;
    private final HookRunner hook;
    private final EventLoop loop;
    private final Callbacks callbacks;
    private final List<Listener> listeners = new ArrayList<>();
    private final Runnable onTerminated;
    private final LinkMachine machine;
    private final Connection conn;      // null on a bus
    private final Bus bus;              // null on a single-instrument link
    private final PushHub hub;
    private final Calls calls;
    private final Links links;
    private final ReadyWaiters readyWaiters;
    private final CompletableFuture<Void> closeFuture;

    // confined to the event loop
    private long generation;
    private boolean openPending;
    private boolean draining;
    private boolean drainAgain;
    private boolean closing;
    private boolean finished;
    private ScheduledFuture<?> timer;
    private long timerDeadline;
    private Throwable hookFailure; // why the hook failed, until its CloseLink drops the link with it

    // read from any thread
    private volatile State state = State.IDLE;
    private volatile Throwable lastDownCause;
    private volatile boolean closed;

    /**
     * A driver for one instrument; {@code hook} (null for none) runs on each new link before user requests and must
     * end within {@code hookTimeout}.
     */
    public NettyDriver(Endpoint endpoint, ConnectionConfig config, Hook hook, Duration hookTimeout, DriverSetup setup) {
        // the client owns externalHook: on exactly when it has a hook to run (a config saying true without one
        // would hold every request in ON_CONNECT forever)
        this(endpoint, config.externalHook() == (hook != null) ? config : config.toBuilder().externalHook(hook != null).build(),
                hook, hookTimeout, null, setup);
    }

    /** A driver for an addressed bus: no on-connect hook; requests go through {@link #request(Address, Request, Bus.Priority)}. */
    public NettyDriver(Endpoint endpoint, BusConfig busConfig, DriverSetup setup) {
        this(endpoint, busConfig.connection(), null, null, new Bus(busConfig), setup);
    }

    private NettyDriver(Endpoint endpoint, ConnectionConfig config, Hook hook, Duration hookTimeout, Bus bus, DriverSetup setup) {
        this.name = endpoint.toString();
        this.config = config;
        this.loop = setup.loop();
        this.links = new Links(this, loop, endpoint, config, name, setup.writeHighWater());
        this.callbacks = new Callbacks(loop, setup.callbackExecutor(), name);
        this.hook = hook == null ? null : new HookRunner(hook, this, loop, callbacks, hookTimeout);
        for (BiConsumer<State, Throwable> l : setup.listeners()) {
            listeners.add(new Listener(l, new CallbackQueue<>(callbacks, "state listener #" + (listeners.size() + 1),
                    DriverSetup.LISTENER_CAPACITY, dev.labwire.core.Overflow.DROP_OLDEST, true)));
        }
        this.onTerminated = setup.onTerminated();
        this.bus = bus;
        this.conn = bus == null ? new Connection(config) : null;
        this.machine = bus == null ? conn : bus;
        this.calls = new Calls(callbacks, config, name);
        this.closeFuture = new Guarded<>(callbacks);
        this.readyWaiters = new ReadyWaiters(loop, callbacks);
        this.hub = new PushHub(callbacks, setup.pushedHighWater(), setup.pushedCapacity(), setup.pushedOverflow(), this::updateReading);
    }

    /** Orders the first link; throws {@link IllegalStateException} when the event loop is shut down. */
    public void start() {
        try {
            loop.execute(() -> {
                machine.open(System.nanoTime());
                drain();
            });
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the event loop for " + name + " is shut down", e);
        }
    }

    /** The endpoint, canonical. */
    public String name() {
        return name;
    }

    /** The loop every touch of the core runs on. */
    public EventLoop eventLoop() {
        return loop;
    }

    /** The pushed-frame streams. */
    public PushHub hub() {
        return hub;
    }

    /** Items the client's bounded callback queues dropped (pushed-frame subscribers, listeners); any thread. */
    public long droppedCallbacks() {
        return callbacks.dropped();
    }

    /** The state as of the last event handed out (any thread). */
    public State state() {
        return state;
    }

    // ------------------------------------------------------------------ callers (any thread)

    /**
     * Sends {@code r}; the future completes with {@code convert} applied to the reply ({@link Call#REPLY}: the reply
     * itself), or fails with the client's exceptions (see {@link Call} for how).
     */
    public <T> CompletableFuture<T> request(Request r, Function<Event.Reply, ? extends T> convert) {
        if (conn == null) {
            throw new IllegalStateException("a bus driver takes requests with an address");
        }
        config.checkPayload(r); // on the caller's thread: a bad command throws at the call
        return submit(r, null, convert);
    }

    /** Sends {@code r} to the device at {@code address} on the bus; as {@link #request(Request, Function)} otherwise. */
    public <T> CompletableFuture<T> request(Address address, Request r, Bus.Priority priority, Function<Event.Reply, ? extends T> convert) {
        if (bus == null) {
            throw new IllegalStateException("not a bus driver");
        }
        bus.check(address, r);
        return submit(r, now -> bus.send(address, r, priority, now), convert);
    }

    /** As {@link #request(Request, Function)} but through the on-connect hook of link {@code gen}. */
    public <T> CompletableFuture<T> requestHook(Request r, long gen, Function<Event.Reply, ? extends T> convert) {
        config.checkPayload(r);
        return submit(r, now -> {
            if (gen != generation || state != State.ON_CONNECT) {
                throw new LinkDownException("the link of this on-connect hook to " + name + " is gone", lastDownCause);
            }
            return conn.sendHook(r, now);
        }, convert);
    }

    /**
     * Hands {@code r} to the core on the loop (at once when called there, else hopping onto it) with {@code send}
     * (called with the time; returns the id), or, when {@code send} is null, with {@code conn.send}. With callbacks on
     * the user's executor the conversion is a {@code thenApply} stage (see {@link Call}).
     */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> submit(Request r, LongUnaryOperator send, Function<Event.Reply, ? extends T> convert) {
        if (convert != Call.REPLY && callbacks.userExecutor() != null) {
            return Call.relay(callbacks, (Call<Event.Reply>) submit(r, send, Call.REPLY), convert);
        }
        Call<T> call = Call.of(callbacks, convert, this::cancelled);
        if (closed) {
            call.fail(closedError(r));
        } else if (loop.inEventLoop()) {
            submitOnLoop(call, r, send);
        } else {
            callbacks.onLoop(() -> submitOnLoop(call, r, send), call);
        }
        return call;
    }

    private void submitOnLoop(Call<?> call, Request r, LongUnaryOperator send) {
        if (call.isDone()) {
            return; // cancelled before it reached the loop: never sent
        }
        if (closing) {
            callbacks.fail(call, closedError(r));
            return;
        }
        long id;
        try {
            long now = System.nanoTime();
            id = send == null ? conn.send(r, now) : send.applyAsLong(now);
        } catch (RuntimeException e) {
            callbacks.fail(call, e);
            return;
        }
        call.id = id;
        calls.add(id, call);
        drain();
    }

    /** {@code call} was cancelled (any thread): its request is withdrawn on the loop, unwritten or not. */
    private void cancelled(Call<?> call) {
        callbacks.onLoop(() -> {
            if (call.id == 0 || closing) {
                return; // not taken by the core yet (submitOnLoop will see it is done), or every call ends anyway
            }
            if (machine.cancel(call.id, System.nanoTime())) {
                calls.remove(call.id); // withdrawn unwritten: no event will come
            } // else written: the core ends it with Failed (a no-op on a cancelled future), its reply goes stale
            drain();
        });
    }

    private LocalProtocolException closedError(Request r) {
        return new LocalProtocolException("client " + name + " is closed; cannot send \"" + r.text() + "\"");
    }

    /** Completes when the link is ready; fails with {@link LinkDownException} and the last cause after {@code timeout}. */
    public CompletableFuture<Void> ready(Duration timeout) {
        CompletableFuture<Void> f = new Guarded<>(callbacks);
        callbacks.onLoop(() -> {
            if (state == State.READY) {
                callbacks.deliver(() -> f.complete(null));
            } else if (closing) {
                callbacks.fail(f, new LocalProtocolException("client " + name + " is closed"));
            } else {
                readyWaiters.add(f, timeout, () -> {
                    Throwable cause = lastDownCause;
                    return new LinkDownException("link to " + name + " not ready within " + dev.labwire.core.internal.Durations.show(timeout) + ": " + state
                            + (cause == null ? "" : " (" + cause + ")"), cause);
                });
            }
        }, f);
        return f;
    }

    /**
     * Closes: pending calls fail at once, streams complete, the link closes; completes when all is released, or after
     * {@link #CLOSE_BOUND} when the link takes longer (a DNS lookup that hangs, a serial write stuck in the kernel):
     * then the link's resources are freed in the background as soon as it lets go.
     */
    public CompletableFuture<Void> close() {
        closed = true;
        try {
            loop.execute(this::closeOnLoop);
        } catch (RejectedExecutionException e) {
            closeFuture.complete(null); // the loop and with it every channel is gone already
        }
        return closeFuture;
    }

    private void closeOnLoop() {
        if (closing) {
            return;
        }
        closing = true;
        machine.close(System.nanoTime());
        drain();
        links.abandonOpening();
        cancelTimer();
        if (hook != null) {
            hook.stop();
        }
        hub.complete();
        readyWaiters.fail(new LocalProtocolException("client " + name + " is closed"));
        CompletableFuture<Void> released = links.released();
        ScheduledFuture<?> bound = loop.schedule(() -> {
            LOG.debug("{}: the link did not release everything within {}; close() completes, the rest ends in the background",
                    name, dev.labwire.core.internal.Durations.show(CLOSE_BOUND));
            finishClose();
        }, dev.labwire.core.internal.Durations.nanos(CLOSE_BOUND), TimeUnit.NANOSECONDS);
        released.whenComplete((v, e) -> {
            bound.cancel(false);
            try {
                loop.execute(this::finishClose);
            } catch (RejectedExecutionException rejected) {
                closeFuture.complete(null); // the loop and with it every channel is gone already
            }
        });
    }

    private void finishClose() {
        if (finished) {
            return;
        }
        finished = true;
        onTerminated.run(); // first: when close() completes, a default group's shutdown has begun
        callbacks.deliver(() -> closeFuture.complete(null));
    }

    // ------------------------------------------------------------------ for tests and backpressure checks (any thread)

    private <T> CompletableFuture<T> snapshot(java.util.function.Supplier<T> onLoop) {
        CompletableFuture<T> f = new CompletableFuture<>();
        callbacks.onLoop(() -> f.complete(onLoop.get()), f);
        return f;
    }

    /** Whether reading is paused for backpressure. */
    public CompletableFuture<Boolean> readingPaused() {
        return snapshot(links::readingPaused);
    }

    /** Whether the open link reads now (the channel's auto-read, the serial reader); false without a link. */
    public CompletableFuture<Boolean> linkReading() {
        return snapshot(links::reading);
    }

    /** Whether the open link takes bytes now (below its write high-water mark); false without a link. */
    public CompletableFuture<Boolean> writable() {
        return snapshot(links::writable);
    }

    /** Outbound bytes the open link holds that are not on the wire yet; 0 without a link. */
    public CompletableFuture<Long> unsentBytes() {
        return snapshot(links::unsentBytes);
    }

    /** The most pushed frames one subscriber ever had waiting. */
    public CompletableFuture<Integer> maxPushedBuffered() {
        return snapshot(hub::maxBufferedSeen);
    }

    // ------------------------------------------------------------------ links report here (on the loop)

    void linkOpened(Link l) {
        if (!links.isOpening(l)) {
            links.retire(l);
            return;
        }
        links.opened(l);
        generation++;
        hookFailure = null;
        machine.linkUp(System.nanoTime());
        drain();
    }

    void linkOpenFailed(Link l, Throwable cause) {
        if (!links.isOpening(l) || closing) {
            return;
        }
        links.abandonOpening();
        LOG.debug("{}: open failed: {}", name, cause.toString());
        machine.linkFailed(cause, System.nanoTime());
        drain();
    }

    void linkWritable(Link l) {
        if (links.isOpen(l)) {
            drain();
        }
    }

    void linkReceived(Link l, ByteBuffer data) {
        if (!links.isOpen(l)) {
            return;
        }
        try {
            machine.receive(data, System.nanoTime());
        } catch (RuntimeException e) {
            LOG.warn("{}: the connection refused received bytes; dropping the link", name, e);
            dropLink(e);
        }
        drain();
    }

    void linkLost(Link l, Throwable cause, boolean endOfStream) {
        if (links.isOpening(l)) {
            linkOpenFailed(l, cause);
            return;
        }
        if (!links.isOpen(l)) {
            return;
        }
        if (endOfStream) {
            machine.receiveEof(System.nanoTime());
        }
        dropLink(cause);
        drain();
    }

    private void dropLink(Throwable cause) {
        if (links.dropOpen()) {
            machine.linkDown(cause, System.nanoTime());
        }
    }

    // ------------------------------------------------------------------ the drain loop

    /** The core's drain loop: transmit, then every event, again while events came; then the timer. */
    private void drain() {
        if (draining) {
            drainAgain = true; // a call made from a callback: the loop below picks it up
            return;
        }
        draining = true;
        try {
            do {
                drainAgain = false;
                links.transmit(machine);
                for (Event e; (e = machine.nextEvent()) != Event.NeedData.INSTANCE; ) {
                    drainAgain = true;
                    dispatch(e);
                }
            } while (drainAgain);
            armTimer();
        } finally {
            draining = false;
        }
        if (openPending) {
            openPending = false; // first: a link may report a failed open at once, which drains again
            if (!closing) {
                links.startOpening();
            }
        }
    }

    private void armTimer() {
        long deadline = machine.pollTimeoutNanos();
        if (deadline == Long.MAX_VALUE) {
            cancelTimer();
            return;
        }
        if (timer != null && timerDeadline <= deadline) {
            return; // fires no later than needed; an early handleTimeout does nothing and re-arms
        }
        cancelTimer();
        timerDeadline = deadline;
        timer = loop.schedule(this::onTimer, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void onTimer() {
        timer = null;
        if (!closing) {
            machine.handleTimeout(System.nanoTime());
            drain();
        }
    }

    private void dispatch(Event e) {
        if (e instanceof Event.Reply r) {
            calls.end(r.id(), e, state, lastDownCause, closing);
        } else if (e instanceof Event.Timeout t) {
            calls.end(t.id(), state == State.READY ? links.explain(t) : t, state, lastDownCause, closing);
        } else if (e instanceof Event.Failed f) {
            calls.end(f.id(), e, state, lastDownCause, closing);
        } else if (e instanceof Event.Pushed p) {
            hub.onFrame(p.frame());
            updateReading();
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
            Throwable cause = hookFailure != null ? hookFailure : new IOException("link closed by labwire: " + c.reason());
            hookFailure = null;
            dropLink(cause); // after a failed hook, its failure is the cause callers see
        } else if (e instanceof Event.Discarded d) {
            LOG.debug("{}: discarded {} ({})", name, d.frame(), d.reason());
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
        if (s.state() == State.READY) {
            readyWaiters.ready();
        }
        if (hook != null && s.state() == State.ON_CONNECT) {
            hook.start(generation);
        } else if (hook != null) {
            hook.stop();
        }
    }

    /** How the hook of link {@code gen} ended ({@link HookRunner}): null for success. */
    void hookEnded(long gen, Throwable failure) {
        if (gen != generation || state != State.ON_CONNECT || closing) {
            return;
        }
        long now = System.nanoTime();
        try {
            if (failure == null) {
                conn.hookDone(now);
            } else {
                Throwable cause = unwrap(failure);
                LOG.warn("{}: on-connect hook failed; the link will be reopened: {}", name, cause.toString());
                hookFailure = cause;
                conn.hookFailed(cause, now);
            }
        } catch (LocalProtocolException e) {
            LOG.debug("{}: hook ended after its link changed: {}", name, e.getMessage());
        }
        drain();
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private void updateReading() {
        if (!links.readingPaused() && hub.wantsPause()) {
            LOG.debug("{}: pushed-frame subscribers are behind; pausing reads", name);
            links.pauseReading(true);
        } else if (links.readingPaused() && hub.mayResume()) {
            LOG.debug("{}: pushed-frame subscribers caught up; reading again", name);
            links.pauseReading(false);
        }
    }

    /** A state listener and its bounded queue (which calls it at once when callbacks run on the loop). */
    private record Listener(BiConsumer<State, Throwable> listener, CallbackQueue<Event.StateChanged> queue,
                            java.util.function.Function<Event.StateChanged, Runnable> signal) {
        Listener(BiConsumer<State, Throwable> listener, CallbackQueue<Event.StateChanged> queue) {
            this(listener, queue, s -> () -> listener.accept(s.state(), s.cause()));
        }
    }
}
