package dev.labwire.blocking.internal;

import dev.labwire.core.Connection;
import dev.labwire.core.LinkMachine;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import dev.labwire.serial.Endpoint;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one {@link Connection} over blocking links. Three kinds of thread touch it, always under
 * {@link #lock}: callers (send a request, then wait on its future outside the lock), one reader thread
 * per link (feeds received bytes), and one driver thread (fires the core's timer and opens links when
 * the core orders it). After every input the lock holder runs the core's drain loop
 * ({@link #drainLocked()}). User callbacks (state listeners, pushed-frame consumers) run on a separate
 * callback thread so that user code never runs under the lock. No {@code synchronized}: virtual
 * threads may call in freely.
 */
public final class BlockingDriver {
    private static final Logger LOG = LoggerFactory.getLogger(BlockingDriver.class);
    private static final long SLACK_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** What the client runs on each new link before user requests; null for none. */
    public interface Hook {
        void run(BlockingDriver driver, long generation) throws Exception;
    }

    private final Endpoint endpoint;
    private final ConnectionConfig config;
    private final String name;
    private final Hook hook;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();          // the driver thread waits here, alone
    private final Condition stateChanged = lock.newCondition();  // awaitReady callers wait here
    private final LinkMachine machine;
    private final Connection conn;      // null on a bus
    private final Bus bus;              // null on a single-device link
    private final Map<Long, CompletableFuture<Event>> calls = new HashMap<>();
    private final PushedFrames pushed;
    private final List<BiConsumer<State, Throwable>> stateListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService callbacks;
    private final Thread driverThread;
    private final TransmitGather gather = new TransmitGather(); // used under the lock only

    private Link link;
    private Thread reader;
    private long generation;
    private boolean openPending;
    private boolean closed;
    private State state = State.IDLE;
    private Throwable lastDownCause;
    // what the sleeping driver thread waits for, so that a drain wakes it only when it has something new to do
    // (a wake-up per call cost 2 thread switches a round trip: 0.46x -> 0.60x raw java.net, docs/BENCHMARKS.md)
    private boolean driverAsleep;
    private boolean driverAsleepForever; // no deadline armed
    private long driverDeadline;         // System.nanoTime() it sleeps until, if not forever

    public BlockingDriver(Endpoint endpoint, ConnectionConfig config, Hook hook, int pushedCapacity) {
        this.endpoint = endpoint;
        // the driver runs the hook itself exactly when it has one; externalHook(true) without a hook would stall in ON_CONNECT
        this.config = config.externalHook() == (hook != null) ? config : config.toBuilder().externalHook(hook != null).build();
        this.name = endpoint.toString();
        this.hook = hook;
        this.pushed = new PushedFrames(lock, pushedCapacity, this::callback);
        this.conn = new Connection(this.config);
        this.bus = null;
        this.machine = conn;
        this.callbacks = Executors.newSingleThreadExecutor(r -> Threads.daemon(r, "labwire-callbacks " + name));
        this.driverThread = Threads.daemon(this::runDriver, "labwire-driver " + name);
    }

    /** A driver for an addressed bus on {@code endpoint}: no on-connect hook, requests go through {@link #request(Address, Request, Bus.Priority)}. */
    public BlockingDriver(Endpoint endpoint, BusConfig busConfig, int pushedCapacity) {
        this.endpoint = endpoint;
        this.config = busConfig.connection();
        this.name = endpoint.toString();
        this.hook = null;
        this.pushed = new PushedFrames(lock, pushedCapacity, this::callback);
        this.conn = null;
        this.bus = new Bus(busConfig);
        this.machine = bus;
        this.callbacks = Executors.newSingleThreadExecutor(r -> Threads.daemon(r, "labwire-callbacks " + name));
        this.driverThread = Threads.daemon(this::runDriver, "labwire-driver " + name);
    }

    public void start() {
        lock.lock();
        try {
            machine.open(System.nanoTime());
            drainLocked();
        } finally {
            lock.unlock();
        }
        driverThread.start();
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
        return await(r, submit(r, now -> conn.send(r, now)));
    }

    /** Sends {@code r} to {@code address} on the bus and waits for its ending. */
    public Event.Reply request(Address address, Request r, Bus.Priority priority) {
        if (bus == null) {
            throw new IllegalStateException("not a bus driver");
        }
        return await(r, submit(r, now -> bus.send(address, r, priority, now)));
    }

    /** As {@link #request} but through the on-connect hook of link {@code gen}. */
    public Event.Reply requestHook(Request r, long gen) {
        return await(r, submit(r, now -> {
            if (gen != generation || state != State.ON_CONNECT) {
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
        for (Request r : rs) {
            config.checkPayload(r);
        }
        List<CompletableFuture<Event>> fs = new ArrayList<>(rs.size());
        lock.lock();
        try {
            checkOpenLocked();
            try {
                long now = System.nanoTime();
                for (Request r : rs) {
                    fs.add(trackLocked(conn.send(r, now)));
                }
            } finally {
                drainLocked(); // what was accepted before a refusal (queue full) goes out and ends on its own
            }
        } finally {
            lock.unlock();
        }
        List<Event.Reply> replies = new ArrayList<>(rs.size());
        RuntimeException first = null;
        for (int i = 0; i < fs.size(); i++) {
            try {
                replies.add(await(rs.get(i), fs.get(i)));
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

    private CompletableFuture<Event> submit(Request r, LongUnaryOperator send) {
        lock.lock();
        try {
            checkOpenLocked();
            CompletableFuture<Event> f = trackLocked(send.applyAsLong(System.nanoTime()));
            drainLocked();
            return f;
        } finally {
            lock.unlock();
        }
    }

    private void checkOpenLocked() {
        if (closed) {
            throw new LocalProtocolException("client " + name + " is closed");
        }
    }

    /** The future the ending event of the request with core id {@code id} completes. */
    private CompletableFuture<Event> trackLocked(long id) {
        CompletableFuture<Event> f = new CompletableFuture<>();
        calls.put(id, f);
        return f;
    }

    private Event.Reply await(Request r, CompletableFuture<Event> f) {
        Duration timeout = r.timeout() != null ? r.timeout() : config.defaultTimeout();
        Event e;
        try {
            e = f.get(Math.min(Long.MAX_VALUE - SLACK_NANOS, dev.labwire.core.internal.Durations.nanos(timeout)) + SLACK_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the reply to \"" + r.text() + "\"");
        } catch (TimeoutException te) {
            LOG.error("{}: no ending event for {} within its timeout plus slack; this is a labwire bug", name, r);
            throw new RequestTimeoutException(r, timeout, true);
        } catch (ExecutionException ee) {
            throw new IllegalStateException(ee.getCause());
        }
        if (e instanceof Event.Reply reply) {
            return reply;
        }
        lock.lock();
        try {
            throw dev.labwire.core.internal.Outcomes.failure(r, e, timeout, name, state, lastDownCause, closed);
        } finally {
            lock.unlock();
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

    /** Waits until the link is {@link State#READY}; throws {@link LinkDownException} with the last cause if not within {@code timeout}. */
    public void awaitReady(Duration timeout) {
        long end = dev.labwire.core.internal.Durations.deadline(System.nanoTime(), timeout);
        lock.lock();
        try {
            while (state != State.READY) {
                long left = end - System.nanoTime();
                if (closed) {
                    throw new LocalProtocolException("client " + name + " is closed");
                }
                if (left <= 0) {
                    throw new LinkDownException("link to " + name + " not ready within " + dev.labwire.core.internal.Durations.show(timeout) + ": " + state
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

    public AutoCloseable onPushed(Consumer<Frame> consumer) {
        return pushed.subscribe(consumer);
    }

    public void addStateListener(BiConsumer<State, Throwable> listener) {
        stateListeners.add(listener);
    }

    /** Closes: pending calls fail at once, threads end, the link is closed. Idempotent. */
    public void close() {
        Thread r;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            machine.close(System.nanoTime());
            drainLocked();
            dropLinkLocked(new IOException("client closed"), System.nanoTime());
            pushed.closeLocked();
            stateChanged.signalAll();
            wake.signalAll();
            r = reader;
        } finally {
            lock.unlock();
        }
        callbacks.shutdown();
        Threads.join(driverThread);
        Threads.join(r);
        try {
            callbacks.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ driver thread

    private void runDriver() {
        lock.lock();
        try {
            while (!closed) {
                if (openPending) {
                    openPending = false;
                    openLinkUnlocked();
                    continue;
                }
                long now = System.nanoTime();
                OptionalLong t = machine.pollTimeout();
                if (t.isPresent() && t.getAsLong() - now <= 0) {
                    machine.handleTimeout(now);
                    drainLocked();
                } else {
                    driverAsleep = true;
                    driverAsleepForever = t.isEmpty();
                    driverDeadline = t.orElse(0);
                    try {
                        if (t.isPresent()) {
                            wake.awaitNanos(t.getAsLong() - now);
                        } else {
                            wake.await();
                        }
                    } finally {
                        driverAsleep = false;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held; opens the link without it (connecting can take seconds). */
    private void openLinkUnlocked() {
        lock.unlock();
        Link l = null;
        Throwable err = null;
        try {
            l = Link.open(endpoint, config);
        } catch (IOException | RuntimeException e) {
            err = e;
        } finally {
            lock.lock();
        }
        long now = System.nanoTime();
        if (closed) {
            if (l != null) {
                l.close();
            }
            return;
        }
        if (l == null) {
            LOG.debug("{}: open failed: {}", name, err.toString());
            machine.linkFailed(err, now);
        } else {
            link = l;
            generation++;
            Link mine = l;
            reader = Threads.daemon(() -> readLoop(mine), "labwire-reader " + name);
            reader.start();
            machine.linkUp(now);
        }
        drainLocked();
    }

    private void readLoop(Link l) {
        byte[] buf = new byte[16 * 1024];
        try {
            while (true) {
                int n = l.read(buf);
                if (n == 0) {
                    if (isStale(l)) {
                        return;
                    }
                    continue;
                }
                lock.lock();
                try {
                    if (link != l) {
                        return;
                    }
                    long now = System.nanoTime();
                    if (n < 0) {
                        machine.receiveEof(now);
                        dropLinkLocked(new EOFException("end of stream: " + name + " closed the connection"), now);
                        drainLocked();
                        return;
                    }
                    machine.receive(ByteBuffer.wrap(buf, 0, n), now);
                    drainLocked();
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException | RuntimeException e) {
            lock.lock();
            try {
                if (link == l) {
                    dropLinkLocked(e, System.nanoTime());
                    drainLocked();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean isStale(Link l) {
        lock.lock();
        try {
            return link != l;
        } finally {
            lock.unlock();
        }
    }

    private void dropLinkLocked(Throwable cause, long now) {
        Link l = link;
        link = null;
        if (l != null) {
            l.close();
            machine.linkDown(cause, now);
        }
    }

    // ------------------------------------------------------------------ the drain loop

    /**
     * Connection's drain loop: transmit, then events, until both are empty; then wakes the driver thread if it
     * has something new to do: a link to open, a close, or a deadline earlier than the one it sleeps until.
     */
    private void drainLocked() {
        boolean again = true;
        while (again) {
            again = false;
            ByteBuffer out = gather.all(machine); // several requests at once (queryAll, pipelining): one write, not one each
            if (out != null) {
                Link l = link;
                if (l != null) {
                    try {
                        l.write(out);
                    } catch (IOException e) {
                        dropLinkLocked(e, System.nanoTime());
                    }
                }
            }
            for (Event e; (e = machine.nextEvent()) != Event.NeedData.INSTANCE; ) {
                again = true;
                dispatch(e);
            }
        }
        if (driverAsleep && (openPending || closed || earlierDeadline())) {
            wake.signal();
        }
    }

    private boolean earlierDeadline() {
        OptionalLong t = machine.pollTimeout();
        return t.isPresent() && (driverAsleepForever || t.getAsLong() - driverDeadline < 0);
    }

    private void dispatch(Event e) {
        if (e instanceof Event.Reply r) {
            complete(r.id(), e);
        } else if (e instanceof Event.Timeout t) {
            complete(t.id(), e);
        } else if (e instanceof Event.Failed f) {
            complete(f.id(), e);
        } else if (e instanceof Event.Pushed p) {
            pushed.addLocked(p.frame());
        } else if (e instanceof Event.StateChanged s) {
            state = s.state();
            if (s.state() == State.DOWN) {
                lastDownCause = s.cause();
            }
            stateChanged.signalAll();
            for (BiConsumer<State, Throwable> l : stateListeners) {
                callback(() -> l.accept(s.state(), s.cause()));
            }
            if (s.state() == State.ON_CONNECT && hook != null) {
                long gen = generation;
                Threads.daemon(() -> runHook(gen), "labwire-hook " + name).start();
            }
        } else if (e instanceof Event.OpenLink) {
            openPending = true;
        } else if (e instanceof Event.CloseLink c) {
            LOG.info("{}: closing the link: {}", name, c.reason());
            dropLinkLocked(new IOException("link closed by labwire: " + c.reason()), System.nanoTime());
        } else if (e instanceof Event.Discarded d) {
            LOG.debug("{}: discarded {} ({})", name, d.frame(), d.reason());
        } else if (e instanceof Event.ProtocolError pe) {
            LOG.warn("{}: {}", name, pe.error().getMessage());
        }
    }

    private void complete(long id, Event e) {
        CompletableFuture<Event> f = calls.remove(id);
        if (f != null) {
            f.complete(e);
        }
    }

    private void callback(Runnable r) {
        try {
            callbacks.execute(() -> safely(r));
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: callback after close dropped", name);
        }
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ex) {
            LOG.warn("{}: a listener threw", name, ex);
        }
    }

    private void runHook(long gen) {
        Throwable failure = null;
        try {
            hook.run(this, gen);
        } catch (Exception | LinkageError ex) {
            failure = ex;
        }
        lock.lock();
        try {
            if (gen != generation || state != State.ON_CONNECT) {
                return;
            }
            long now = System.nanoTime();
            if (failure == null) {
                conn.hookDone(now);
            } else {
                LOG.warn("{}: on-connect hook failed; the link will be reopened: {}", name, failure.toString());
                conn.hookFailed(failure, now);
            }
            drainLocked();
        } finally {
            lock.unlock();
        }
    }
}
