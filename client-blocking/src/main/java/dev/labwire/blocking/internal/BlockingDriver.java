package dev.labwire.blocking.internal;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LinkMachine;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.SessionMachine;
import dev.labwire.core.State;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.internal.Durations;
import dev.labwire.core.internal.FirstConnect;
import dev.labwire.core.internal.Sessions;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.internal.WireTrace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link LinkMachine} ({@link Connection}, or a {@link Bus}) over blocking links. Every touch of the
 * machine is made under {@link #lock}, followed by the drain loop ({@link Pump}). Threads, none of which does I/O
 * under the lock:
 * <ul>
 *   <li>callers: submit a request, write the bytes gathered then themselves (outside the lock), then wait on
 *       their {@link Calls.Call}; on TCP a platform-thread caller waiting for a reply reads the socket itself while
 *       nobody else does ({@link ReadRole}: it holds the link's read role, and feeds what it reads to the machine
 *       exactly as the reader thread does, under the lock);</li>
 *   <li>the driver thread ({@link Pump}): fires the core's timer, the driver's write deadlines and the hook's;</li>
 *   <li>per connect attempt, a {@link Connector} thread, so timers run while a connect hangs;</li>
 *   <li>per link, a reader and a writer ({@link LinkIo}) for bytes no caller writes or reads, so a peer that stops
 *       reading blocks only a writer (the link is renewed when that write makes no progress for 1 s after a
 *       caller's deadline passed: {@link Pump}, stuck writer). On a serial link the reader always reads; on TCP it
 *       reads input that comes while no caller has held the read role for 2 ms ({@link ReadRole#IDLE_NANOS}: pushed
 *       frames, end of stream) or while a virtual thread waits for a reply;</li>
 *   <li>per link with an on-connect hook, a hook thread ({@link HookRunner});</li>
 *   <li>one callback thread ({@link Callbacks}) for listeners and pushed-frame consumers, through bounded queues.</li>
 * </ul>
 * No {@code synchronized}: virtual threads may call in freely. {@link #close()} returns within {@link #CLOSE_TIMEOUT}.
 */
public final class BlockingDriver {
    /** The longest {@link #close()} waits for the client's threads, whatever the link and user code do. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    /** What the client runs on each new link before user requests; null for none. */
    public interface Hook {
        void run(BlockingDriver driver, long generation) throws Exception;
    }

    final String name;
    /** Why the port may hold its output (serial flow control), for calls whose bytes had not all gone out; or null. */
    final String heldOutput;
    final ConnectionConfig config;
    final ReentrantLock lock = new ReentrantLock();
    final Condition stateChanged = lock.newCondition();
    final LinkMachine machine;
    final SessionMachine conn;  // null on a bus
    final Calls calls;
    final Callbacks callbacks;
    final PushedFrames pushed;
    final HookRunner hooks;     // null without a hook
    final Pump pump;
    final ReadRole role;        // who reads a TCP link: callers waiting for replies, or the reader thread
    /**
     * The wire trace: at TRACE, logger {@code dev.labwire.wire.<endpoint>} ({@link WireTrace#loggerName}) gets a line
     * for every chunk written ({@link TransmitGather}) and read ({@link Pump}); otherwise a chunk costs one
     * {@code isTraceEnabled()}. The trace is used under {@link #lock}.
     */
    final Logger wire;
    final WireTrace trace = new WireTrace();
    State state = State.IDLE;   // guarded by lock, as is every mutable field of the driver's parts
    Throwable lastDownCause;
    final FirstConnect first;   // fails awaitReady at once when the first connect failed for good
    boolean closed;
    private final Bus bus;      // null on a single-device link

    public BlockingDriver(Endpoint endpoint, ConnectionConfig config, Hook hook, DriverOptions options) {
        // the driver runs the hook itself exactly when it has one; externalHook(true) without a hook would stall in ON_CONNECT
        this(endpoint, config.externalHook() == (hook != null) ? config : config.toBuilder().externalHook(hook != null).build(),
                null, hook, options);
    }

    /** A driver for an addressed bus on {@code endpoint}: no on-connect hook, requests go through {@link #request(Address, Request, Bus.Priority)}. */
    public BlockingDriver(Endpoint endpoint, BusConfig busConfig, DriverOptions options) {
        this(Sessions.busEndpoint(endpoint), busConfig.connection(), new Bus(busConfig), null, options);
    }

    private BlockingDriver(Endpoint endpoint, ConnectionConfig config, Bus bus, Hook hook, DriverOptions options) {
        // serial-transport is optional: a serial endpoint without it fails here, clearly
        dev.labwire.core.internal.SerialGate.check(endpoint, BlockingDriver.class);
        this.name = endpoint.toString();
        this.heldOutput = dev.labwire.core.internal.HeldOutput.why(endpoint);
        this.wire = LoggerFactory.getLogger(WireTrace.loggerName(name));
        this.config = config;
        this.first = new FirstConnect(name);
        this.bus = bus;
        this.conn = bus == null ? Sessions.create(endpoint, config) : null;
        this.machine = bus == null ? conn : Sessions.busMachine(endpoint, bus);
        this.calls = new Calls(this);
        this.role = new ReadRole(this, !(endpoint instanceof Endpoint.Serial));
        this.callbacks = new Callbacks(name);
        this.pushed = new PushedFrames(lock, options.pushedCapacity(), options.pushedOverflow(), callbacks);
        this.hooks = hook == null ? null : new HookRunner(this, hook, options.hookTimeout());
        this.pump = new Pump(this, new Connector(endpoint, config, name));
    }

    public void start() {
        lock.lock();
        try {
            machine.open(System.nanoTime());
            pump.drainLocked();
        } finally {
            lock.unlock();
        }
        pump.start();
    }

    public String name() {
        return name;
    }

    public ConnectionConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ callers

    /** Sends {@code r} and waits for its ending; a reply is returned, anything else thrown. */
    public Event.Reply request(Request r) {
        if (conn == null) {
            throw new IllegalStateException("a bus driver takes requests with an address");
        }
        refuseInHook();
        return calls.await(submit(r, now -> conn.send(r, now)));
    }

    /** Sends {@code r} to {@code address} on the bus and waits for its ending. */
    public Event.Reply request(Address address, Request r, Bus.Priority priority) {
        if (bus == null) {
            throw new IllegalStateException("not a bus driver");
        }
        return calls.await(submit(r, now -> bus.send(address, r, priority, now)));
    }

    /** As {@link #request} but through the on-connect hook of link {@code gen}. */
    public Event.Reply requestHook(Request r, long gen) {
        return calls.await(submit(r, now -> {
            if (!hooks.isCurrentLocked(gen) || state != State.ON_CONNECT) {
                throw new LinkDownException("the link of this on-connect hook to " + name + " is gone", lastDownCause);
            }
            return conn.sendHook(r, now);
        }));
    }

    /**
     * Sends every request of {@code rs} at once (up to {@code maxInFlight} on the wire, the rest queued in order)
     * and waits for all of them to end; returns the replies in order, or throws the failure of the first request
     * (in list order) that failed, once all have ended. Bad commands are refused before anything is sent.
     */
    public List<Event.Reply> requestAll(List<Request> rs) {
        if (conn == null) {
            throw new IllegalStateException("a bus driver takes requests with an address");
        }
        Request[] all = rs.toArray(new Request[0]);
        refuseInHook();
        List<Calls.Call> cs = new ArrayList<>(all.length);
        Pump.Claim claim;
        lock.lock();
        try {
            checkOpenLocked();
            long now = System.nanoTime();
            long first = conn.sendAll(all, now); // whole or not at all: a refusal leaves nothing queued
            for (int i = 0; i < all.length; i++) {
                cs.add(calls.trackLocked(all[i], first + i, now));
            }
            claim = pump.drainClaimingLocked();
        } finally {
            lock.unlock();
        }
        if (claim != null) {
            claim.write(cs.isEmpty() ? System.nanoTime() : earliestDeadline(cs));
        }
        List<Event.Reply> replies = new ArrayList<>(rs.size());
        RuntimeException first = null;
        for (Calls.Call c : cs) {
            try {
                replies.add(calls.await(c));
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return replies;
    }

    /**
     * {@link #requestAll} for one-line queries, waited for as one call ({@link Batch}): the same sending, deadlines and
     * failures, with one call object for the whole list instead of one per request, and each reply kept as its frame.
     * The core accepts the list whole or refuses it whole ({@code sendAll}: a bad request, or a queue without room
     * for all of them): then nothing is sent. The texts come back in order.
     */
    public List<String> queryAll(Request[] rs) {
        if (conn == null) {
            throw new IllegalStateException("a bus driver takes requests with an address");
        }
        refuseInHook();
        Batch b;
        Pump.Claim claim;
        lock.lock();
        try {
            checkOpenLocked();
            long now = System.nanoTime();
            b = calls.batchLocked(rs, now);
            calls.sentAllLocked(b, conn.sendAll(rs, now)); // refused: nothing was queued, nothing is tracked
            claim = pump.drainClaimingLocked();
        } finally {
            lock.unlock();
        }
        if (claim != null) {
            claim.write(b.call.deadline());
        }
        return b.sent() == 0 ? List.of() : calls.awaitTexts(b);
    }

    /**
     * Sends through {@code send}; the caller writes the bytes it gathered itself, outside the lock. When other callers
     * were just woken by the ending of their calls and have not returned yet ({@link Calls#returning()}), the write is
     * corked first: the caller claims the idle link, gives way ({@link Thread#yield()}) until they have returned
     * (and, on a busy client, sent their next requests) or {@link #CORK_NANOS} passed, then writes everything in one
     * batch. Many threads sharing one client thus send one write per round of replies instead of one per request.
     */
    private Calls.Call submit(Request r, LongUnaryOperator send) {
        Calls.Call c;
        Pump.Claim claim = null;
        LinkIo corked = null;
        lock.lock();
        try {
            checkOpenLocked();
            long now = System.nanoTime();
            c = calls.trackLocked(r, send.applyAsLong(now), now);
            if (calls.returning() > 0) {
                corked = pump.corkLocked();
            }
            if (corked == null) {
                claim = pump.drainClaimingLocked();
            }
        } finally {
            lock.unlock();
        }
        if (corked != null) {
            claim = uncork(corked, c);
        }
        if (claim != null) {
            claim.write(c.deadline());
        }
        return c;
    }

    /**
     * The longest a request's bytes wait for other woken callers to send theirs (write corking, {@link #submit}):
     * 100 µs, against a round trip of 15-50 µs over loopback and far more to an instrument.
     */
    static final long CORK_NANOS = java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(100);

    /** How often a corking virtual thread yields at most (see {@link #uncork}). */
    static final int VIRTUAL_YIELDS = 2;

    /**
     * Gives way while woken callers have not returned, up to {@link #CORK_NANOS} and the deadline, then gathers. A
     * virtual thread gives way at most {@link #VIRTUAL_YIELDS} times: each yield lets every runnable virtual thread
     * run first, and one that is not runnable then will not be by yielding again on the same carrier.
     */
    private Pump.Claim uncork(LinkIo corked, Calls.Call c) {
        long start = System.nanoTime();
        long end = c.deadline() - start < CORK_NANOS ? c.deadline() : start + CORK_NANOS;
        int yields = c.virtual() ? VIRTUAL_YIELDS : Integer.MAX_VALUE;
        Pump.Claim claim;
        try {
            while (calls.returning() > 0 && yields-- > 0 && end - System.nanoTime() > 0
                    && !Thread.currentThread().isInterrupted()) {
                Thread.yield();
            }
        } finally { // the link is given back whatever happens; a throwable from the wait goes on to the caller
            lock.lock();
            try {
                claim = pump.uncorkLocked(corked);
            } finally {
                lock.unlock();
            }
        }
        return claim;
    }

    private static long earliestDeadline(List<Calls.Call> cs) {
        long d = cs.get(0).deadline();
        for (Calls.Call c : cs) {
            if (c.deadline() - d < 0) {
                d = c.deadline();
            }
        }
        return d;
    }

    /** A user call from the hook's own thread would wait for the hook to end, which waits for the call. */
    private void refuseInHook() {
        if (hooks != null && hooks.isHookThread()) {
            throw new IllegalStateException("a call on client " + name + " from inside its own on-connect hook would wait for"
                    + " the hook to end (user calls wait until the hook succeeded): use the HookSession the hook was given");
        }
    }

    private void checkOpenLocked() {
        if (closed) {
            throw new LocalProtocolException("client " + name + " is closed");
        }
    }

    public State state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the link is {@link State#READY}; throws {@link LinkDownException} with the last cause if not within
     * {@code timeout}, or at once when the link was never ready and the last connect attempt failed for good
     * ({@link FirstConnect}).
     */
    public void awaitReady(Duration timeout) {
        long end = Durations.deadline(System.nanoTime(), timeout);
        lock.lock();
        try {
            while (state != State.READY) {
                long left = end - System.nanoTime();
                checkOpenLocked();
                LinkDownException failed = first.failure();
                if (failed != null) {
                    throw new LinkDownException(failed.getMessage(), failed.getCause());
                }
                if (left <= 0) {
                    throw new LinkDownException("link to " + name + " not ready within " + Durations.show(timeout) + ": " + state
                            + (lastDownCause == null ? "" : " (" + lastDownCause + ")"), lastDownCause);
                }
                stateChanged.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for " + name);
        } finally {
            lock.unlock();
        }
    }

    public Frame pollPushed(Duration timeout) {
        return pushed.poll(timeout, name);
    }

    public long droppedPushed() {
        return pushed.dropped();
    }

    /** Items dropped from the callback queues (pushed-frame consumers, listeners) because their consumer was slow. */
    public long droppedCallbacks() {
        return callbacks.dropped();
    }

    public AutoCloseable onPushed(Consumer<Frame> consumer) {
        return pushed.subscribe(consumer);
    }

    /** Tells {@code listener} the status byte of every service request, through a bounded queue (256, the oldest dropped). */
    public AutoCloseable onServiceRequest(java.util.function.IntConsumer listener) {
        return pump.addServiceRequestListener(callbacks.channel("service-request listener", 256,
                dev.labwire.core.Overflow.DROP_OLDEST, (Integer stb) -> listener.accept(stb)));
    }

    /** Tells {@code listener} every RFC 2217 port state notification, through a bounded queue (256, the oldest dropped). */
    public AutoCloseable onPortState(Consumer<Event.PortState> listener) {
        return pump.addPortStateListener(callbacks.channel("port-state listener", 256,
                dev.labwire.core.Overflow.DROP_OLDEST, (Event.PortState ps) -> listener.accept(ps)));
    }

    /** Tells {@code listener} of every state change, through a bounded queue (256, the oldest dropped). */
    public void addStateListener(BiConsumer<State, Throwable> listener) {
        pump.addStateListener(callbacks.channel("state listener", 256, dev.labwire.core.Overflow.DROP_OLDEST,
                (Event.StateChanged s) -> listener.accept(s.state(), s.cause())));
    }

    /**
     * Closes: pending calls fail at once, the link and a connect in progress are closed, the hook is interrupted.
     * Returns once the client's threads ended, or after {@link #CLOSE_TIMEOUT} at most (a hook still running user
     * code is interrupted at once, a callback 1.7 s in; either ends when that code returns). Idempotent; callable from any thread, callbacks included.
     */
    public void close() {
        long end = Durations.deadline(System.nanoTime(), CLOSE_TIMEOUT);
        List<Thread> threads;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            long now = System.nanoTime();
            machine.close(now);
            pump.drainLocked();
            threads = pump.closeLocked(now);
            pushed.closeLocked();
            if (hooks != null) {
                threads.add(hooks.closeLocked());
            }
            stateChanged.signalAll();
        } finally {
            lock.unlock();
        }
        Thread callbackThread = callbacks.close();
        threads.add(callbackThread);
        // the last part of the budget is for a callback thread still in user code: interrupted, then waited for
        Threads.joinAll(end - ABANDON_CALLBACKS_NANOS, threads.toArray(new Thread[0]));
        if (callbackThread.isAlive() && callbackThread != Thread.currentThread()) {
            LOG.warn("{}: a pushed-frame consumer or listener still runs {} after close(); it is interrupted and"
                    + " nothing more is delivered", name, Durations.show(CLOSE_TIMEOUT.minusNanos(ABANDON_CALLBACKS_NANOS)));
            callbacks.abandon();
        }
        Threads.joinAll(end, threads.toArray(new Thread[0]));
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BlockingDriver.class);

    /** The part of {@link #CLOSE_TIMEOUT} left for a callback thread interrupted by close. */
    private static final long ABANDON_CALLBACKS_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(300);
}
