package dev.labwire.blocking.internal;

import dev.labwire.core.Event;
import dev.labwire.core.State;
import dev.labwire.core.internal.Sessions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver thread and the drain loop: the one place where the machine's outputs go out. After any input (bytes
 * received, a request sent, a timer fired, a link made or lost), with the driver's lock held:
 * <pre>
 *   1. if no batch is being written: gather every pending output chunk (pollTransmit until empty) and hand it to
 *      the writer thread (or, for a caller that just sent a request on TCP, to that caller: {@link #drainClaimingLocked})
 *   2. hand out every event (nextEvent(sink) until none): end calls, queue callbacks, obey OpenLink/CloseLink
 *   3. repeat while events came; then wake the driver thread if its timer must now fire earlier
 * </pre>
 * The driver thread sleeps until the earliest of four deadlines: the core's ({@code pollTimeoutNanos}), a held
 * write's (see {@link Calls}), the on-connect hook's and the stuck-writer check's. It never does I/O, so timers keep
 * running while a connect hangs or a write is stuck.
 *
 * <p><b>Stuck writer.</b> A call whose bytes had not all gone out by its deadline (the batch holding them is still
 * being written) just times out: on a loaded machine or a slow serial relay a 100 ms call's bytes can simply be late.
 * It arms the stuck-writer check: the link is renewed only when the write in progress has made no progress (the link
 * took none of its bytes) for {@link #STUCK_MIN_NANOS} (1 s), or for the timeout of the longest call that armed it
 * if that is longer. A peer that stops reading is thus renewed at most that long after the last byte it took; one
 * that reads slowly never is. The check is disarmed when the write ends or the link goes.
 */
final class Pump implements LinkIo.Sink, Channels.Host {
    private static final Logger LOG = LoggerFactory.getLogger(Pump.class);
    private static final long NONE = Long.MAX_VALUE;
    /** The shortest time without write progress after which a stuck writer's link is renewed: 1 s. */
    static final long STUCK_MIN_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

    private final BlockingDriver d;
    private final Connector connector;
    private final Condition wake;
    private final Thread thread;
    private final List<Callbacks.Channel<Event.StateChanged>> listeners = new CopyOnWriteArrayList<>();
    private final List<Callbacks.Channel<Integer>> srqListeners = new CopyOnWriteArrayList<>();
    private final List<Callbacks.Channel<Event.PortState>> portListeners = new CopyOnWriteArrayList<>();
    private final Channels channels;
    private LinkIo io;
    private Thread lastClose; // the last link's close, which the next connect waits for
    private long gathered; // batches handed to a writer so far
    private long written;  // the last batch known out (or given up with its link)
    // what the sleeping driver thread waits for, so that a drain wakes it only when it has something new to do
    // (a wake-up per call cost 2 thread switches a round trip: 0.46x -> 0.60x raw java.net, docs/BENCHMARKS.md)
    private boolean asleep;
    private long asleepUntil;
    private long stuckAfter; // 0: disarmed; else how long the write in progress may make no progress (stuck writer)

    /**
     * Where the drain loop hands the machine's events: a one-frame reply comes without its {@link Event.Reply} object
     * (a request of a batch keeps just the frame, {@link Batch}), a pushed frame without its {@link Event.Pushed}.
     */
    private final dev.labwire.core.EventSink events = new dev.labwire.core.EventSink() {
        @Override
        public void reply(long id, dev.labwire.core.Request request, dev.labwire.core.frame.Frame frame) {
            d.calls.replyLocked(id, request, frame, gathered, written);
        }

        @Override
        public void pushed(dev.labwire.core.frame.Frame frame) {
            d.pushed.addLocked(frame);
        }

        @Override
        public void event(Event e) {
            dispatch(e);
        }
    };

    Pump(BlockingDriver d, Connector connector) {
        this.d = d;
        this.connector = connector;
        this.wake = d.lock.newCondition();
        this.thread = Threads.daemon(this::run, "labwire-driver " + d.name);
        this.channels = new Channels(this, d.name, Sessions.host(connector.endpoint()));
    }

    void start() {
        thread.start();
    }

    long gatheredLocked() {
        return gathered;
    }

    /** The current link's I/O, or null while the link is down. */
    LinkIo ioLocked() {
        return io;
    }

    void addStateListener(Callbacks.Channel<Event.StateChanged> channel) {
        listeners.add(channel);
    }

    /** Adds an RFC 2217 port-state listener's channel; the returned handle removes and closes it. */
    AutoCloseable addPortStateListener(Callbacks.Channel<Event.PortState> channel) {
        portListeners.add(channel);
        return () -> {
            portListeners.remove(channel);
            channel.close();
        };
    }

    /** Adds a service-request listener's channel; the returned handle removes and closes it. */
    AutoCloseable addServiceRequestListener(Callbacks.Channel<Integer> channel) {
        srqListeners.add(channel);
        return () -> {
            srqListeners.remove(channel);
            channel.close();
        };
    }

    /**
     * A batch the calling thread writes itself, after releasing the lock, until its deadline: {@link #write(long)}
     * (the writer thread finishes what is left then).
     */
    record Claim(LinkIo io, ByteBuffer batch, long seq) {
        void write(long deadlineNanos) {
            io.writeAsCaller(batch, seq, deadlineNanos);
        }
    }

    /**
     * The drain loop for a caller that just sent a request: a batch gathered now is not handed to the writer thread
     * but returned, for the caller to write outside the lock ({@link Claim#write()}); null when there is none.
     */
    Claim drainClaimingLocked() {
        Claim claim = null;
        if (io != null && io.idleLocked() && io.callerMayWrite()) {
            ByteBuffer out = io.gather(d);
            if (out != null) {
                io.claimLocked();
                claim = new Claim(io, out, ++gathered);
            }
        }
        drainLocked();
        return claim;
    }

    /**
     * Write corking, for a caller that just sent a request while other woken callers are about to send theirs (see
     * {@link BlockingDriver}): when the link is idle and the caller may write, the caller claims the write without
     * gathering, so that nobody else writes meanwhile (requests sent meanwhile stay in the core, as behind a write in
     * progress); returns the claimed link, or null when the caller should take the usual path
     * ({@link #drainClaimingLocked}). The caller must call {@link #uncorkLocked} soon, whatever happens.
     */
    LinkIo corkLocked() {
        if (io != null && io.idleLocked() && io.callerMayWrite()) {
            io.claimLocked();
            drainLocked(); // events only: the link is not idle now
            return io;
        }
        return null;
    }

    /**
     * Ends the cork on {@code corked}: gathers everything sent meanwhile into one batch for the caller to write, as
     * {@link #drainClaimingLocked} does; null when there is nothing to write or the link went meanwhile.
     */
    Claim uncorkLocked(LinkIo corked) {
        corked.unclaimLocked();
        if (corked != io) {
            drainLocked();
            return null;
        }
        return drainClaimingLocked();
    }

    /** The drain loop (see the class comment). */
    public void drainLocked() {
        boolean again = true;
        while (again) {
            again = false;
            if (io != null && io.idleLocked()) {
                ByteBuffer out = io.gather(d); // several requests at once (queryAll, pipelining): one write
                if (out != null) {
                    io.writeLocked(out, ++gathered);
                }
            }
            while (d.machine.nextEvent(events)) {
                again = true;
            }
            channels.transmitLocked();
        }
        timersChangedLocked();
    }

    /** With the lock held: wakes the sleeping driver thread if one of its deadlines is now earlier (or the client closed). */
    void timersChangedLocked() {
        if (asleep && (d.closed || earlier(nextTimerLocked(), asleepUntil) != asleepUntil)) {
            wake.signal();
        }
    }

    /** The client closes: the link and a connect in progress are closed; returns the threads to wait for. */
    List<Thread> closeLocked(long now) {
        List<Thread> threads = new ArrayList<>(List.of(thread));
        LinkIo last = io;
        dropLinkLocked(new IOException("client " + d.name + " closed"), now);
        if (last != null) {
            threads.add(last.closeLocked()); // already closing: its closer thread
            threads.add(last.reader());
            threads.add(last.writer());
        }
        // the link may have been dropped before (by the core's CloseLink, drained in close()): its closer still runs,
        // and the port or socket is free only when it ended (a serial port reopened at once was refused as busy)
        threads.add(lastClose);
        threads.add(connector.abort());
        threads.addAll(channels.closeLocked());
        wake.signalAll();
        return threads;
    }

    private void run() {
        d.lock.lock();
        try {
            while (!d.closed) {
                long now = System.nanoTime();
                long t = nextTimerLocked();
                if (t != NONE && now - t >= 0) {
                    fireTimersLocked(now);
                    drainLocked();
                    continue;
                }
                asleep = true;
                asleepUntil = t;
                try {
                    if (t == NONE) {
                        wake.awaitUninterruptibly();
                    } else {
                        wake.awaitNanos(t - now);
                    }
                } finally {
                    asleep = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            d.lock.unlock();
        }
    }

    private long nextTimerLocked() {
        long t = earlier(earlier(d.machine.pollTimeoutNanos(), d.calls.nextDeadlineLocked()), stuckCheckLocked());
        t = earlier(t, d.calls.slackDueLocked());
        return d.hooks == null ? t : earlier(t, d.hooks.deadlineLocked());
    }

    /** When the armed stuck-writer check is due (the write's last progress plus the allowed time), else NONE. */
    private long stuckCheckLocked() {
        if (stuckAfter == 0 || io == null) {
            return NONE;
        }
        long since = io.progressAtLocked();
        return since == NONE ? NONE : since + stuckAfter;
    }

    /** A call of {@code timeout} found its bytes not all out at its deadline: arms the stuck-writer check. */
    private void armStuckLocked(java.time.Duration timeout) {
        stuckAfter = Math.max(stuckAfter, Math.max(STUCK_MIN_NANOS, dev.labwire.core.internal.Durations.nanos(timeout)));
    }

    /** What a call is told when its bytes had not all gone out by its deadline. */
    private String lateBytesDetail(java.time.Duration timeout) {
        long after = Math.max(stuckAfter, Math.max(STUCK_MIN_NANOS, dev.labwire.core.internal.Durations.nanos(timeout)));
        String why = d.heldOutput != null ? d.heldOutput : "earlier bytes are still being written: " + d.name
                + " takes them slowly, or is not reading: a full TCP window or serial buffer";
        return "its bytes had not all gone out by its deadline (" + why + "); they may still reach it,"
                + " and the link is renewed if no byte goes out for " + after / 1_000_000 + " ms";
    }

    private static long earlier(long a, long b) {
        if (a == NONE) {
            return b;
        }
        return b == NONE || a - b <= 0 ? a : b;
    }

    private void fireTimersLocked(long now) {
        long core = d.machine.pollTimeoutNanos();
        if (core != NONE && now - core >= 0) {
            d.machine.handleTimeout(now);
        }
        d.calls.checkSlackLocked(now);
        java.time.Duration late = d.calls.expireLocked(now, this::lateBytesDetail);
        if (late != null) {
            armStuckLocked(late);
        }
        long stuckDue = stuckCheckLocked();
        if (stuckAfter != 0 && stuckDue == NONE) {
            stuckAfter = 0; // the write ended (or the link went) before the check was due
        } else if (stuckDue != NONE && now - stuckDue >= 0) {
            dropStuckLinkLocked(new IOException("a write to " + d.name + " made no progress for " + stuckAfter / 1_000_000
                    + " ms (no byte taken) after a caller's deadline passed: the instrument stopped reading"), now);
        }
        if (d.hooks != null) {
            d.hooks.expireLocked(now);
        }
    }

    private void dispatch(Event e) {
        if (e instanceof Event.Reply r) {
            d.calls.endLocked(r.id(), e, gathered, written);
        } else if (e instanceof Event.Timeout t) {
            timedOut(t);
        } else if (e instanceof Event.Failed f) {
            d.calls.endLocked(f.id(), e, gathered, written);
        } else if (e instanceof Event.Pushed p) {
            d.pushed.addLocked(p.frame());
        } else if (e instanceof Event.StateChanged s) {
            d.state = s.state();
            if (s.state() == State.DOWN) {
                d.lastDownCause = s.cause();
            }
            d.first.stateChanged(s.state(), s.cause(), s.state() == State.DOWN ? ConnectFailures.definite(s.cause()) : null);
            d.stateChanged.signalAll();
            for (Callbacks.Channel<Event.StateChanged> l : listeners) {
                l.offer(s);
            }
            if (s.state() == State.ON_CONNECT && d.hooks != null) {
                d.hooks.startLocked(System.nanoTime());
            }
        } else if (e instanceof Event.OpenLink) {
            connector.start(lastClose, Sessions.linkEndpoint(connector.endpoint(), d.machine.linkPort()), this::opened);
        } else if (e instanceof Event.CloseLink c) {
            Throwable hookFailure = d.hooks == null ? null : d.hooks.takeFailureLocked();
            // the user's close() is routine; a link renewed by labwire (stale reply, stuck writer, hook) is news
            if (d.closed) {
                LOG.debug("{}: closing the link: {}", d.name, c.reason());
            } else {
                LOG.info("{}: closing the link: {}", d.name, c.reason());
            }
            dropLinkLocked(hookFailure != null ? hookFailure : new IOException("link closed by labwire: " + c.reason()),
                    System.nanoTime());
        } else if (e instanceof Event.ServiceRequest sr) {
            for (Callbacks.Channel<Integer> l : srqListeners) {
                l.offer(sr.statusByte());
            }
        } else if (channels.orderLocked(e)) {
            return;
        } else if (e instanceof Event.Discarded x) {
            LOG.debug("{}: discarded {} ({})", d.name, x.frame(), x.reason());
        } else if (e instanceof Event.PortState ps) {
            LOG.debug("{}: RFC 2217 port state: line {}, modem {}", d.name, ps.lineState(), ps.modemState());
            for (Callbacks.Channel<Event.PortState> l : portListeners) {
                l.offer(ps);
            }
        } else if (e instanceof Event.ProtocolError pe) {
            LOG.warn("{}: {}", d.name, pe.error().getMessage());
        }
    }

    /**
     * A written request timed out while the batch holding its bytes is still being written: it times out saying so,
     * and arms the stuck-writer check (class comment); the link is not renewed for it alone.
     */
    private void timedOut(Event.Timeout t) {
        Calls.Call c = d.calls.getLocked(t.id());
        if (c != null && t.written() && io != null && !io.idleLocked() && written <= c.batchAtSubmit()) {
            d.calls.endLocked(t.id(), new Event.Timeout(t.id(), t.request(), true, lateBytesDetail(c.timeout())),
                    gathered, written);
            armStuckLocked(c.timeout());
            return;
        }
        d.calls.endLocked(t.id(), t, gathered, written);
    }

    /** Connect attempt {@code attempt} ended (on the connector's thread). */
    private void opened(long attempt, Link link, Throwable failure) {
        if (!openedLocked(attempt, link, failure) && link != null) {
            link.close(); // the client closed meanwhile; outside the lock (a serial close may wait)
        }
    }

    /** False when the client closed meanwhile and {@code link} must be closed. */
    private boolean openedLocked(long attempt, Link link, Throwable failure) {
        d.lock.lock();
        try {
            if (d.closed) {
                return false;
            }
            long now = System.nanoTime();
            if (link == null) {
                LOG.debug("{}: open attempt {} failed: {}", d.name, attempt, String.valueOf(failure));
                d.machine.linkFailed(failure, now);
            } else {
                io = new LinkIo(link, d.name, d.lock, this, d.role);
                written = gathered;
                if (d.hooks != null) {
                    d.hooks.newLinkLocked();
                }
                io.start();
                d.trace.linkUp(now);
                d.machine.linkUp(now);
            }
            drainLocked();
            d.role.offerLocked(); // callers queued while the link was down read the new one
            return true;
        } finally {
            d.lock.unlock();
        }
    }

    private void dropStuckLinkLocked(IOException cause, long now) {
        LOG.warn("{}: {}; renewing the link", d.name, cause.getMessage());
        dropLinkLocked(cause, now);
    }

    private void dropLinkLocked(Throwable cause, long now) {
        LinkIo l = io;
        io = null;
        stuckAfter = 0;
        if (l != null) {
            lastClose = l.closeLocked();
            written = gathered;
            d.calls.failHeldLocked(cause);
            if (d.hooks != null) {
                d.hooks.linkGoneLocked();
            }
            d.machine.linkDown(cause, now);
        }
    }

    // ------------------------------------------------------------------ Channels.Host

    @Override
    public dev.labwire.core.LinkMachine machine() {
        return d.machine;
    }

    @Override
    public dev.labwire.core.ConnectionConfig config() {
        return d.config;
    }

    @Override
    public java.util.concurrent.locks.ReentrantLock lock() {
        return d.lock;
    }

    @Override
    public java.net.InetAddress remoteLocked() {
        return io == null ? null : io.link().remoteAddress();
    }

    @Override
    public java.net.InetAddress localLocked() {
        return io == null ? null : io.link().localAddress();
    }

    // ------------------------------------------------------------------ LinkIo.Sink

    @Override
    public void receivedLocked(LinkIo from, ByteBuffer data) {
        if (from == io) {
            long now = System.nanoTime();
            if (d.wire.isTraceEnabled()) {
                d.wire.trace(d.trace.received(d.machine, data, now));
            }
            d.machine.receive(data, now);
            afterReceiveLocked(from);
        }
    }

    @Override
    public void receivedInWindowLocked(LinkIo from, ByteBuffer window, int n) {
        if (from == io) {
            long now = System.nanoTime();
            if (d.wire.isTraceEnabled()) { // the n bytes just read, before the window's position
                d.wire.trace(d.trace.received(d.machine,
                        ByteBuffer.wrap(window.array(), window.arrayOffset() + window.position() - n, n), now));
            }
            d.machine.receiveInWindow(n, now);
            afterReceiveLocked(from);
        }
    }

    @Override
    public ByteBuffer windowLocked(LinkIo from) {
        return from == io ? d.machine.pollReceiveWindow() : null;
    }

    private void afterReceiveLocked(LinkIo from) {
        // requests queued behind these replies are written by the thread that read them (LinkIo.takeClaimLocked)
        Claim claim = drainClaimingLocked();
        if (claim != null) {
            from.claimForDeliveryLocked(claim);
        }
    }

    @Override
    public void brokeLocked(LinkIo from, Throwable cause) {
        if (from == io) {
            long now = System.nanoTime();
            if (cause instanceof java.io.EOFException) {
                d.machine.receiveEof(now);
            }
            dropLinkLocked(cause, now);
            drainLocked();
        }
    }

    @Override
    public Claim wroteByCallerLocked(LinkIo from, long seq) {
        if (from != io) {
            return null;
        }
        written = seq;
        stuckAfter = 0;
        d.calls.wroteLocked(seq);
        return drainClaimingLocked();
    }

    @Override
    public void wroteLocked(LinkIo from, long seq) {
        if (from == io) {
            written = seq;
            stuckAfter = 0; // the write ended: whatever armed the check saw a slow write, not a stuck one
            d.calls.wroteLocked(seq);
            drainLocked();
        }
    }
}
