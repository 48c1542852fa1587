package dev.labwire.netty.internal;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.EventSink;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LinkMachine;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.SessionMachine;
import dev.labwire.core.internal.Sessions;
import dev.labwire.core.State;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.internal.WireTrace;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * <p>After every input (bytes received, EOF, a request sent or withdrawn, the timer fired, a link made or lost) the
 * loop runs the core's drain loop ({@link #drain()}):
 * <pre>
 *   1. write every pending output chunk    links.transmit(machine): pollTransmit() up to the write high-water mark
 *   2. hand out every event                nextEvent(sink) until none, each to {@link Dispatch}; again from 1 after an
 *                                          event object (not a reply or pushed frame) or a call made from user code
 *   3. re-arm the single timer             pollTimeout(): the earliest deadline, or none
 * </pre>
 * Received bytes that only queued pushed frames ({@link LinkMachine#receivedOnlyPushed()}) skip 1 and 3 on the first
 * pass: nothing new can be written and no deadline moved.
 * Writes are flushed once per batch of loop tasks. The driver's futures complete on the loop; user code (their
 * dependents, listeners, subscribers, the hook) runs on the loop, or on the user's executor in order ({@link Callbacks},
 * {@link Guarded}), listeners and subscribers through bounded queues
 * ({@link CallbackQueue}); a call into the client from there is taken up by the drain in progress, never run
 * re-entrantly. Its parts: {@link Requests} (calls in, cancels), {@link Dispatch} (events out), {@link Links},
 * {@link HookRunner}, {@link Shutdown}.
 *
 * <p>Bounds: bytes are taken from the core only while the link is below its write high-water mark ({@link Link});
 * a cancelled call withdraws its request ({@link LinkMachine#cancel}); the on-connect hook ends within its
 * deadline ({@link HookRunner}); {@link #close()} completes within {@link #CLOSE_BOUND} whatever the link does; a slow
 * consumer of pushed frames or state changes costs at most its queue ({@link CallbackQueue}).
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
    private final EventLoop loop;
    private final Callbacks callbacks;
    private final LinkMachine machine;
    private final SessionMachine conn;  // null on a bus
    private final Bus bus;              // null on a single-instrument link
    private final HookRunner hook;      // null without one
    private final PushHub hub;
    private final Links links;
    private final NettyChannels channels;
    private final Requests requests;
    private final Dispatch dispatch;
    private final ReadyWaiters readyWaiters;
    private final Shutdown shutdown;
    /**
     * The wire trace: at TRACE, logger {@code dev.labwire.wire.<endpoint>} ({@link WireTrace#loggerName}) gets a line
     * for every chunk a link writes ({@link #traceSent}) and reads ({@link #linkReceived}); otherwise a chunk costs one
     * {@code isTraceEnabled()}. Used on the event loop only.
     */
    final Logger wire;
    private final WireTrace trace = new WireTrace();
    private final Runnable onTimerTask = this::onTimer;
    /** How a plain request reaches the core: one object for every call. */
    private final Requests.Send plainSend = this::sendPlain;
    /**
     * Step 2 of the drain: where each event goes; a one-frame reply or a pushed frame comes without its event object.
     * Only an event object asks for another pass of the drain (it may change the link: a link lost or closed, a channel
     * ordered); a reply or a pushed frame only runs user code, which reaches the core through calls that drain
     * themselves (a call made during this drain sets {@link #drainAgain}).
     */
    private final EventSink events = new EventSink() {
        @Override
        public void reply(long id, Request request, Frame frame) {
            dispatch.reply(id, request, frame);
        }

        @Override
        public void pushed(Frame frame) {
            dispatch.pushed(frame);
        }

        @Override
        public void event(Event e) {
            drainAgain = true;
            if (!channels.order(e, links)) {
                dispatch.dispatch(e);
            }
        }
    };

    // confined to the event loop
    private boolean draining;
    private boolean drainAgain;
    private ScheduledFuture<?> timer;
    private long timerDeadline;

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

    /** A driver for an addressed bus: no on-connect hook; requests go through {@link #request(Address, Request, Bus.Priority, Function)}. */
    public NettyDriver(Endpoint endpoint, BusConfig busConfig, DriverSetup setup) {
        this(Sessions.busEndpoint(endpoint), busConfig.connection(), null, null, new Bus(busConfig), setup);
    }

    private NettyDriver(Endpoint endpoint, ConnectionConfig config, Hook hook, Duration hookTimeout, Bus bus, DriverSetup setup) {
        this.name = endpoint.toString();
        this.wire = LoggerFactory.getLogger(WireTrace.loggerName(name));
        this.config = config;
        this.loop = setup.loop();
        this.links = new Links(this, loop, endpoint, config, name, setup.writeHighWater());
        this.callbacks = new Callbacks(loop, setup.callbackExecutor(), name);
        this.hook = hook == null ? null : new HookRunner(hook, this, loop, callbacks, hookTimeout);
        this.bus = bus;
        this.conn = bus == null ? Sessions.create(endpoint, config) : null;
        this.machine = bus == null ? conn : Sessions.busMachine(endpoint, bus);
        Calls calls = new Calls(callbacks, config, name);
        this.channels = new NettyChannels(this, machine, loop, config, name, Sessions.host(endpoint));
        this.requests = new Requests(this, machine, loop, callbacks, calls, config.defaultTimeout());
        this.readyWaiters = new ReadyWaiters(loop, callbacks);
        this.hub = new PushHub(callbacks, setup.pushedHighWater(), setup.pushedCapacity(), setup.pushedOverflow(), this::updateReading);
        this.dispatch = new Dispatch(this, callbacks, calls, links, hub, readyWaiters, this.hook, setup.listeners());
        this.shutdown = new Shutdown(this, machine, loop, links, callbacks, hub, readyWaiters, this.hook, setup.onTerminated());
    }

    /**
     * Calls {@code listener} (on the callback executor, or the loop) with the status byte of every service request
     * ({@link Event.ServiceRequest}); close the handle to stop.
     */
    public AutoCloseable onServiceRequest(java.util.function.IntConsumer listener) {
        java.util.concurrent.CompletableFuture<Runnable> remove = new java.util.concurrent.CompletableFuture<>();
        runOnLoop(() -> remove.complete(dispatch.addServiceRequestListener(listener)));
        return () -> remove.thenAccept(r -> runOnLoop(r));
    }

    /** Calls {@code listener} (on the callback executor, or the loop) with every RFC 2217 port state notification. */
    public AutoCloseable onPortState(java.util.function.Consumer<Event.PortState> listener) {
        java.util.concurrent.CompletableFuture<Runnable> remove = new java.util.concurrent.CompletableFuture<>();
        runOnLoop(() -> remove.complete(dispatch.addPortStateListener(listener)));
        return () -> remove.thenAccept(r -> runOnLoop(r));
    }

    private void runOnLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            try {
                loop.execute(r);
            } catch (RejectedExecutionException e) {
                // the loop is gone, and every listener with it
            }
        }
    }

    /** The extra TCP connections of the session machine; closed with the client. */
    NettyChannels channels() {
        return channels;
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
        return dispatch.state();
    }

    boolean isClosed() {
        return shutdown.isClosed();
    }

    boolean isClosing() {
        return shutdown.isClosing();
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
        if (conn instanceof Connection) {
            config.checkRawByteCount(r);
        }
        return requests.submit(r, plainSend, convert);
    }

    private long sendPlain(Request r, long nowNanos) {
        return conn.send(r, nowNanos);
    }

    /** Sends {@code r} to the device at {@code address} on the bus; as {@link #request(Request, Function)} otherwise. */
    public <T> CompletableFuture<T> request(Address address, Request r, Bus.Priority priority, Function<Event.Reply, ? extends T> convert) {
        if (bus == null) {
            throw new IllegalStateException("not a bus driver");
        }
        bus.check(address, r);
        return requests.submit(r, (req, now) -> bus.send(address, req, priority, now), convert);
    }

    /** As {@link #request(Request, Function)} but through the on-connect hook of link {@code gen}, while its run counts. */
    public <T> CompletableFuture<T> requestHook(Request r, long gen, Function<Event.Reply, ? extends T> convert) {
        config.checkPayload(r);
        if (conn instanceof Connection) {
            config.checkRawByteCount(r);
        }
        return requests.submit(r, (req, now) -> {
            if (hook == null || !hook.isCurrent(gen) || dispatch.state() != State.ON_CONNECT) {
                throw new LinkDownException("the link of this on-connect hook to " + name + " is gone", dispatch.lastDownCause());
            }
            return conn.sendHook(req, now);
        }, convert);
    }

    /**
     * Completes when the link is ready; fails with {@link LinkDownException} and the last cause after {@code timeout},
     * or at once when the link was never ready and the last connect attempt failed for good.
     */
    public CompletableFuture<Void> ready(Duration timeout) {
        return ready(timeout, null);
    }

    /** As {@link #ready(Duration)}, completing with {@code value} (on the loop, as every future of the driver). */
    public <T> CompletableFuture<T> ready(Duration timeout, T value) {
        return readyWaiters.await(timeout, value, dispatch::state, dispatch::lastDownCause, this::isClosing,
                dispatch::firstFailure);
    }

    /**
     * Closes: pending calls fail at once, streams complete, the link closes; completes when all is released, or after
     * {@link #CLOSE_BOUND} when the link takes longer (a DNS lookup that hangs, a serial write stuck in the kernel):
     * then the link's resources are freed in the background as soon as it lets go ({@link Shutdown}).
     */
    public CompletableFuture<Void> close() {
        return shutdown.close();
    }

    /** Link and stream state on the loop, for tests and backpressure checks (any thread). */
    public Diagnostics diagnostics() {
        return new Diagnostics(callbacks, links, hub);
    }

    // ------------------------------------------------------------------ links report here (on the loop)

    void linkOpened(Link l) {
        if (!links.isOpening(l)) {
            links.retire(l);
            return;
        }
        links.opened(l);
        if (hook != null) {
            hook.newLink();
        }
        long now = System.nanoTime();
        trace.linkUp(now);
        machine.linkUp(now);
        drain();
    }

    void linkOpenFailed(Link l, Throwable cause) {
        if (!links.isOpening(l) || isClosing()) {
            return;
        }
        links.abandonOpening();
        LOG.debug("{}: open failed: {}", name, cause.toString());
        machine.linkFailed(cause, System.nanoTime());
        drain();
    }

    /** A link took {@code chunk} (position to limit, which stay) from {@code m}'s latest pollTransmit: its trace line. Call when {@link #wire} is at TRACE. */
    void traceSent(LinkMachine m, ByteBuffer chunk) {
        wire.trace(trace.sent(m, chunk, System.nanoTime()));
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
            long now = System.nanoTime();
            if (wire.isTraceEnabled()) {
                wire.trace(trace.received(machine, data, now));
            }
            machine.receive(data, now);
        } catch (RuntimeException e) {
            LOG.warn("{}: the connection refused received bytes; dropping the link", name, e);
            dropLink(e);
            drain();
            return;
        }
        drain(machine.receivedOnlyPushed());
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

    /** The open link, if any, is gone: the core hears why. */
    void dropLink(Throwable cause) {
        if (links.dropOpen()) {
            machine.linkDown(cause, System.nanoTime());
        }
    }

    /** How the on-connect hook of the current link ended ({@link HookRunner}): null for success. */
    void hookEnded(Throwable failure) {
        if (dispatch.state() != State.ON_CONNECT || isClosing()) {
            return;
        }
        long now = System.nanoTime();
        try {
            if (failure == null) {
                conn.hookDone(now);
            } else {
                LOG.warn("{}: on-connect hook failed; the link will be reopened: {}", name, failure.toString());
                conn.hookFailed(failure, now);
            }
        } catch (LocalProtocolException e) {
            LOG.debug("{}: hook ended after its link changed: {}", name, e.getMessage());
        }
        drain();
    }

    // ------------------------------------------------------------------ the drain loop

    /** The core's drain loop: transmit, then every event, again while an event object came or a call asked; then the timer. */
    void drain() {
        drain(false);
    }

    /**
     * As {@link #drain()}; {@code onlyPushed} when the input was received bytes that only queued pushed frames
     * ({@link LinkMachine#receivedOnlyPushed()}): then nothing new can be written and no deadline moved since the last
     * drain, so the first pass only hands out the events, and the timer is left as it is unless a later pass ran (a call
     * made from a subscriber). Skipping them spares a streaming device's every frame a walk through the core's write
     * and timer state: with a hundred devices on one loop that state is out of the CPU's caches at each frame.
     */
    private void drain(boolean onlyPushed) {
        if (draining) {
            drainAgain = true; // a call made from a callback: the loop below picks it up
            return;
        }
        draining = true;
        try {
            boolean eventsOnly = onlyPushed;
            boolean full = false;
            do {
                drainAgain = false;
                if (!eventsOnly) {
                    links.transmit(machine);
                    full = true;
                }
                while (machine.nextEvent(events)) {
                    continue; // events.event() asks for another pass; replies and pushed frames need none
                }
                if (!eventsOnly) {
                    channels.transmit();
                }
                eventsOnly = false; // a further pass was asked for: something changed, do it all
            } while (drainAgain);
            if (full) {
                armTimer();
            }
        } finally {
            draining = false;
        }
        if (dispatch.takeOpenPending() && !isClosing()) { // after the drain: a link may report a failed open at once
            links.startOpening(machine);
        }
    }

    private void armTimer() {
        long deadline = machine.pollTimeoutNanos();
        if (timer != null && timerDeadline <= deadline) {
            // fires no later than needed; an early handleTimeout does nothing and re-arms. Also when no deadline is
            // left (a call answered): a sequential caller's next call would arm it again, so keeping it spares a
            // schedule and a cancel per call, for one idle wake-up per timeout period at most
            return;
        }
        if (deadline == Long.MAX_VALUE) {
            return; // no timer, none needed
        }
        cancelTimer();
        timerDeadline = deadline;
        timer = loop.schedule(onTimerTask, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void onTimer() {
        timer = null;
        if (!isClosing()) {
            machine.handleTimeout(System.nanoTime());
            drain();
        }
    }

    private void updateReading() {
        dispatch.updateReading();
    }

    /** Reading the link stopped or resumed for backpressure: the core says so in the timeouts meanwhile. */
    void readingPaused(boolean paused) {
        machine.readingPaused(paused, System.nanoTime());
    }
}
