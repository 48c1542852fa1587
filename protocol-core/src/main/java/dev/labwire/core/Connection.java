package dev.labwire.core;

import dev.labwire.core.frame.Frame;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.OptionalLong;

/**
 * A request-reply connection to one instrument, as a Sans-IO state machine: bytes and time go in,
 * bytes and {@link Event}s come out. It does no I/O and reads no clock; time is the caller's
 * {@code System.nanoTime()} passed as {@code nowNanos}.
 *
 * <h2>The driver's loop</h2>
 * Inputs are {@code send}, {@code receive}, {@code receiveEof}, {@code handleTimeout}, {@code linkUp},
 * {@code linkFailed}, {@code linkDown} and {@code close}. After any input the driver drains, in this order:
 * <pre>{@code
 * ByteBuffer out;
 * while ((out = conn.pollTransmit()) != null) link.write(out);          // 1. bytes to write (or, into the
 *                                                                        //    driver's buffer: pollTransmit(buf))
 * timer.arm(conn.pollTimeout());                                         // 2. the single timer
 * for (Event e; (e = conn.nextEvent()) != Event.NeedData.INSTANCE; )     // 3. events
 *     dispatch(e);   // Reply / Timeout / Failed to callers, Pushed to streams,
 *                    // OpenLink -> connect, then linkUp(now) or linkFailed(cause, now)
 *                    // CloseLink -> close the link, then linkDown(cause, now)
 *                    // (or: while (conn.nextEvent(sink)) { } with an EventSink, which gets a one-frame reply
 *                    //  and a pushed frame without their event objects)
 * }</pre>
 * When the timer fires, call {@code handleTimeout(System.nanoTime())} and drain again. An early or
 * extra {@code handleTimeout} does nothing.
 *
 * <h2>Wire model</h2>
 * <pre>
 *  send(*IDN?) send(MEAS?)            pollTransmit()               receive()
 *  [pending: *IDN?, MEAS?] --slot--> "*IDN?\n" on the wire --> "ACME,PSU,1,2\n" --> Reply(#1)
 *                                    [in flight: *IDN?]            (oldest in flight first)
 * </pre>
 * At most {@code maxInFlight} requests are on the wire; replies are matched to them in order (with
 * {@code maxInFlight > 1}, handed out per window as {@link ConnectionConfig.Pipelining} says). Each request ends
 * exactly once: {@link Event.Reply}, {@link Event.Timeout} or {@link Event.Failed}. A request that ended after being
 * written while still owed its reply (or echo) keeps its place in the reply line as a "zombie": its late reply is
 * swallowed ({@link Event.Discarded}, {@code LATE_REPLY}) and never reaches a later request, requests written after
 * it fail with {@link AmbiguousReplyException}, and nothing new is written until the stream is in step again. How
 * that happens is the {@link StaleReplyPolicy}; who owns each incoming byte is decided in one place
 * ({@code ReplyMatcher}). {@link #cancel} withdraws a request not yet written.
 *
 * <h2>Lifecycle</h2>
 * {@link #open} orders the first {@link Event.OpenLink}. {@link #linkUp} starts the on-connect hook: its
 * requests go before any user request, which waits until the hook succeeded ({@link State#READY}).
 * A failing hook request orders {@link Event.CloseLink}. {@link #linkDown} fails requests in flight
 * (except those {@link Request.Resend} and {@link ConnectionConfig#retryQueriesOnLinkDown()} say to send again, by
 * their own deadline) and keeps or fails queued ones
 * ({@link ConnectionConfig.QueuedOnLinkDown}); then the next {@link Event.OpenLink} comes after the
 * {@link Backoff} delay, through {@link #pollTimeout()}.
 *
 * <h2>Memory</h2>
 * Received bytes are framed at once: a heap {@code ByteBuffer} is read in place while no unfinished frame is
 * held, other bytes are appended in chunks of at most {@value #CHUNK} bytes, so the input buffer holds at most the
 * current frame limit ({@code maxFrameLength}, or a block request's own limit) plus one chunk, whatever arrives.
 * The queue holds at most {@code maxQueued} requests.
 *
 * <p>Inside, the connection hands each part of its state to the class that owns it: the link's state and reconnect
 * schedule ({@code LinkLifecycle}), the on-connect hook ({@code OnConnectHook}), the requests waiting to be written
 * ({@code RequestQueue}), the bytes and replies on the wire ({@code Transmitter}, {@code ReplyMatcher}) and what comes
 * out ({@code ConnectionEvents}), what the {@link StaleReplyPolicy} does ({@code StaleReplies}); this class does what
 * spans them.
 *
 * <p>Not thread-safe: one driver thread (or event loop) owns it.
 */
public final class Connection implements SessionMachine {
    static final int CHUNK = 8192;
    private static final long NONE = Long.MAX_VALUE;

    private final ConnectionConfig config;
    private final RequestQueue pending = new RequestQueue();
    private final ConnectionEvents events;
    private final LinkLifecycle link;
    private final ReplyMatcher matcher;
    private final ArrayDeque<Exchange> inFlight;
    private final Transmitter transmitter;
    private final OnConnectHook hook;
    private final ServicePoll srq; // null unless serviceRequestPolling is set
    private final TimeoutNotes notes;
    private final LineTimers timers;
    private final LinkChanges changes;
    private boolean receivedOnlyPushed; // see receivedOnlyPushed()
    private final StaleReplies stale;

    private long nextId;
    private long lastNow;

    static {
        dev.labwire.core.internal.CoreAccess.registerConnections(Connection::new, c -> c.matcher.dropUnowedPartialFrame(),
                c -> c.stale.streamOutlivesLink(), c -> c.flow = new SoftwareFlow());
    }

    /**
     * A connection in state {@link State#IDLE}; call {@link #open} to start.
     *
     * @throws UnsupportedOperationException when the on-connect hook holds an {@link Operation} a raw link lacks
     * @throws IllegalArgumentException when the on-connect hook counts raw bytes on a connection that classifies pushes
     *         ({@link ConnectionConfig#checkRawByteCount})
     */
    public Connection(ConnectionConfig config) {
        this(config, dev.labwire.core.internal.ReplyFilter.NONE);
    }

    /** False for a bus's connection: the bus counts raw bytes of addressed replies itself (see {@link ConnectionConfig#checkRawByteCount}). */
    private final boolean rawCountsChecked;
    /** XON/XOFF taken out of the input and obeyed ({@code flow=xonxoff}); null on other links. */
    private SoftwareFlow flow;

    private Connection(ConnectionConfig config, dev.labwire.core.internal.ReplyFilter filter) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        JitterSource jitter = config.newJitterSource();
        this.srq = config.serviceRequestPolling() == null ? null : new ServicePoll(config.serviceRequestPolling());
        this.events = new ConnectionEvents(srq);
        this.link = new LinkLifecycle(config, jitter, events, srq);
        this.matcher = new ReplyMatcher(this, config, events, java.util.Objects.requireNonNull(filter, "filter"));
        this.rawCountsChecked = filter == dev.labwire.core.internal.ReplyFilter.NONE;
        if (rawCountsChecked) {
            config.onConnect().forEach(config::checkRawByteCount);
        }
        this.stale = matcher.stale;
        this.inFlight = matcher.inFlight;
        this.transmitter = new Transmitter(this, matcher, config.writeTerminatorNoCopy());
        this.hook = new OnConnectHook(config);
        this.notes = new TimeoutNotes(config, matcher, link, pending);
        this.timers = new LineTimers(matcher, notes);
        this.changes = new LinkChanges(this, config, link, matcher, transmitter, hook, pending, events);
    }

    /** The settings. */
    public ConnectionConfig config() {
        return config;
    }

    /** The current state. */
    public State state() {
        return link.state();
    }

    // ------------------------------------------------------------------ inputs: requests

    /**
     * Queues a request; it is written when the link is ready and a slot is free.
     *
     * @return the id that its ending event will carry
     * @throws LocalProtocolException when the connection is closed, the link is down with
     *         {@code autoReconnect} off, or {@code maxQueued} requests are already waiting
     * @throws IllegalArgumentException when the payload contains the write terminator (it would be
     *         split into two commands on the wire), or when it expects {@link Expect#bytes} and the classifier
     *         pushes frames ({@link ConnectionConfig#checkRawByteCount})
     * @throws UnsupportedOperationException for an {@link Operation} a raw SCPI link does not have (see there);
     *         {@link Operation#READ_STATUS_BYTE} goes out as {@code *STB?} and {@link Operation#TRIGGER} as {@code *TRG}
     */
    public long send(Request request, long nowNanos) {
        return queue(checked(request, 1, nowNanos), nowNanos);
    }

    /**
     * {@inheritDoc} Each is checked as {@link #send} checks it, all before any is queued.
     *
     * @throws UnsupportedOperationException as {@link #send}; none is queued
     */
    @Override
    public long sendAll(Request[] requests, long nowNanos) {
        Request[] onWire = new Request[requests.length];
        for (int i = 0; i < requests.length; i++) {
            onWire[i] = checked(requests[i], requests.length, nowNanos);
        }
        long first = nextId + 1;
        for (Request r : onWire) {
            queue(r, nowNanos);
        }
        return requests.length == 0 ? -1 : first;
    }

    /** {@code request} as it goes on a raw link, once checked that it and {@code count - 1} more may be queued now. */
    private Request checked(Request request, int count, long nowNanos) {
        java.util.Objects.requireNonNull(request, "request");
        request = dev.labwire.core.internal.Operations.onRawLink(request);
        lastNow = nowNanos;
        State state = link.state();
        if (state == State.CLOSED) {
            throw new LocalProtocolException("connection is closed; cannot send " + request);
        }
        if (state == State.DOWN && !config.autoReconnect()) {
            throw new LocalProtocolException("link is down and autoReconnect is off; cannot send " + request);
        }
        if (pending.size() > config.maxQueued() - count) {
            throw new LocalProtocolException(count == 1
                    ? "queue is full: " + config.maxQueued() + " requests wait (maxQueued); cannot send " + request
                    : "queue has room for " + Math.max(0, config.maxQueued() - pending.size()) + " of a batch of " + count
                            + " requests (maxQueued " + config.maxQueued() + "); none of them is sent");
        }
        checkContent(request);
        return request;
    }

    /** Refuses a payload holding the write terminator, and a raw byte count on a connection that classifies pushes. */
    private void checkContent(Request request) {
        config.checkPayload(request);
        if (rawCountsChecked) {
            config.checkRawByteCount(request);
        }
    }

    private long queue(Request request, long nowNanos) {
        if (pending.isEmpty() && inFlight.isEmpty()) {
            pending.restartOrder();
        }
        Exchange e = newExchange(request, Exchange.Kind.USER, nowNanos);
        pending.add(e);
        return e.id;
    }

    /**
     * Sends a request as part of an external on-connect hook ({@code externalHook(true)}): it goes
     * before every user request. Allowed only in {@link State#ON_CONNECT} before {@link #hookDone}.
     */
    public long sendHook(Request request, long nowNanos) {
        lastNow = nowNanos;
        request = dev.labwire.core.internal.Operations.onRawLink(request);
        if (link.state() != State.ON_CONNECT || !hook.externalOpen()) {
            throw new LocalProtocolException("sendHook is only allowed while an external on-connect hook runs; state is " + link.state());
        }
        checkContent(request);
        Exchange e = newExchange(request, Exchange.Kind.HOOK, nowNanos);
        hook.add(e);
        return e.id;
    }

    /** The external hook succeeded: user requests may flow once its requests have ended. */
    public void hookDone(long nowNanos) {
        lastNow = nowNanos;
        if (link.state() != State.ON_CONNECT || !hook.externalOpen()) {
            throw new LocalProtocolException("hookDone without a running external hook; state is " + link.state());
        }
        hook.closeExternal();
        changes.maybeReady();
    }

    /** The external hook failed: the link is closed ({@link Event.CloseLink}) and reopened with backoff. */
    public void hookFailed(Throwable cause, long nowNanos) {
        lastNow = nowNanos;
        if (link.state() != State.ON_CONNECT) {
            throw new LocalProtocolException("hookFailed outside the on-connect hook; state is " + link.state());
        }
        hook.closeExternal();
        requestClose("on-connect hook failed: " + cause);
    }

    /** A new exchange with the next id, due by {@code r}'s own timeout (else the default) from {@code now}. */
    Exchange newExchange(Request r, Exchange.Kind kind, long now) {
        return new Exchange(++nextId, r, kind, deadline(r, now),
                kind != Exchange.Kind.PROBE && config.acknowledges(r) ? config.writeAcknowledgement() : null);
    }

    private long deadline(Request r, long now) {
        return dev.labwire.core.internal.Durations.deadline(now, r.timeout() != null ? r.timeout() : config.defaultTimeout());
    }

    /** {@inheritDoc} */
    @Override
    public boolean cancel(long id, long nowNanos) {
        lastNow = nowNanos;
        Exchange queued = pending.withdraw(id);
        if (queued != null) {
            queued.ended = true;
            return true;
        }
        queued = hook.withdraw(id);
        if (queued != null) {
            queued.ended = true;
            requestClose("on-connect hook request " + queued.request + " was cancelled");
            return true;
        }
        for (Exchange e : matcher.onTheWire()) {
            if (e.id == id) {
                stale.cancelWritten(e, nowNanos);
                return false;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ inputs: link lifecycle

    /** Starts the connection: orders the first {@link Event.OpenLink} at once. Only from {@link State#IDLE}. */
    public void open(long nowNanos) {
        lastNow = nowNanos;
        if (link.state() != State.IDLE) {
            throw new LocalProtocolException("open is only allowed once, from IDLE; state is " + link.state());
        }
        link.orderOpen(nowNanos);
    }

    /** The driver opened the link ordered by {@link Event.OpenLink}. Starts the on-connect hook. */
    public void linkUp(long nowNanos) {
        lastNow = nowNanos;
        changes.linkUp(nowNanos);
        releaseFlow();
    }

    /** A link starts or ends: what the device said by XON/XOFF on the last one is not known to hold any more. */
    private void releaseFlow() {
        if (flow != null) {
            flow.reset();
        }
    }

    /** See {@link LinkChanges#quietEnded}. */
    void quietEnded(long nowNanos) {
        changes.quietEnded(nowNanos);
    }

    /** The link ordered by {@link Event.OpenLink} could not be opened; the next attempt comes after the backoff. */
    public void linkFailed(Throwable cause, long nowNanos) {
        lastNow = nowNanos;
        changes.linkFailed(cause, nowNanos);
    }

    /**
     * The link is gone (read error, end of stream, closed after {@link Event.CloseLink}). Requests in
     * flight fail with {@code cause} unless they may be resent; queued ones are kept or failed by
     * policy; a reconnect is scheduled. Ignored when the link is not up (so it may be called twice).
     */
    public void linkDown(Throwable cause, long nowNanos) {
        java.util.Objects.requireNonNull(cause, "cause");
        lastNow = nowNanos;
        changes.linkDown(cause, nowNanos);
        releaseFlow();
    }

    /**
     * Closes the connection for good: every request not ended fails with a {@link LocalProtocolException},
     * a {@link Event.CloseLink} is ordered if a link may be open, and the state becomes {@link State#CLOSED}.
     * Idempotent.
     */
    public void close(long nowNanos) {
        lastNow = nowNanos;
        changes.close(nowNanos);
        releaseFlow();
    }

    // ------------------------------------------------------------------ inputs: bytes

    /**
     * Bytes arrived from the link; all of {@code data} is consumed (its position moves to its limit). Ignored
     * (dropped) while the link is not up or a {@link Event.CloseLink} is pending.
     *
     * <p>A heap buffer ({@link ByteBuffer#hasArray()}) is read in place while it is framed, so every frame's bytes
     * are copied once, into the frame; a direct or read-only buffer is copied into the connection's buffer first.
     * Either way, when this returns nothing (no frame, event or buffer) refers to {@code data}'s bytes: the driver
     * may reuse its buffer at once. Its bytes must not change during the call.
     */
    public void receive(ByteBuffer data, long nowNanos) {
        lastNow = nowNanos;
        boolean idle = idleForPushed();
        long others = events.othersAdded();
        receivedOnlyPushed = false;
        if (flow != null) {
            data = flow.receive(data, nowNanos);
        }
        while (data.hasRemaining()) {
            if (!reading()) {
                data.position(data.limit());
                break;
            }
            matcher.receive(data, CHUNK, nowNanos);
        }
        receivedOnlyPushed = idle && events.othersAdded() == others && idleForPushed() && (flow == null || !flow.changed());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: while the data of a definite IEEE 488.2 block (or a frame of a length-field {@link Framing}) arrives, no
     * echo is owed and no byte is buffered, the free room of the array the frame is gathered in, up to the frame's
     * last byte (see {@link dev.labwire.core.frame.Framer#receiveWindow}); else null. Asking again hands out the same
     * room again and makes the earlier window void.
     */
    @Override
    public ByteBuffer pollReceiveWindow() {
        return reading() && flow == null ? matcher.receiveWindow() : null; // with XON/XOFF every byte is looked at
    }

    /** {@inheritDoc} */
    @Override
    public void receiveInWindow(int n, long nowNanos) {
        lastNow = nowNanos;
        boolean idle = idleForPushed();
        long others = events.othersAdded();
        receivedOnlyPushed = false;
        ByteBuffer data = matcher.receiveInWindow(n, nowNanos);
        if (data != null) {
            receive(data, nowNanos);
            return;
        }
        receivedOnlyPushed = idle && events.othersAdded() == others && idleForPushed();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: true when, before and after the latest {@link #receive}, the link was {@link State#READY}, nothing written
     * was awaited (no reply, echo or late reply owed, no resync probe, no pipelining window held), no partial frame was
     * held and service requests are not polled, and the receive added no event but pushed frames. A frame received then
     * cannot end, free or delay any request, so what may be written and every deadline are as they were.
     */
    @Override
    public boolean receivedOnlyPushed() {
        return receivedOnlyPushed;
    }

    /** The state in which a received frame can change nothing but the pushed frames ({@link #receivedOnlyPushed()}). */
    private boolean idleForPushed() {
        return srq == null && link.state() == State.READY && matcher.idle();
    }

    /**
     * The link reached end of stream. Frames still whole are delivered; an unfinished one becomes a
     * {@code TRUNCATED} failure of its request (or a {@link Event.ProtocolError}). Then call
     * {@link #linkDown}.
     */
    public void receiveEof(long nowNanos) {
        lastNow = nowNanos;
        matcher.receiveEof();
    }

    boolean reading() {
        return link.reading();
    }

    @Override
    public void readingPaused(boolean paused, long nowNanos) {
        notes.readingPaused(paused, nowNanos);
    }

    /**
     * {@code e} ends with its reply, the frames it collected: as {@link #end} with an {@link Event.Reply}, but the
     * exchange itself waits in the event queue (it is ended, so its id, request and frames no longer change) and the
     * event object is made only if a driver asks for it ({@link #nextEvent()}, not {@link #nextEvent(EventSink)}).
     */
    void endWithReply(Exchange e) {
        if (e.acknowledgement != null) {
            RemoteProtocolException refused = ConfigChecks.refusedAcknowledgement(e.request, e.frames().get(0), e.acknowledgement);
            if (refused != null) {
                end(e, new Event.Failed(e.id, e.request, refused));
                return;
            }
        }
        e.ended = true;
        events.addReply(e);
        changes.afterEnd(e, null);
    }

    /** A frame the device pushed: {@link Event.Pushed}, made only when a driver asks for the event object. */
    void pushed(Frame frame) {
        events.addPushed(frame);
    }

    /** Emits the ending event of {@code e} and updates the hook when it was a hook request. */
    void end(Exchange e, Event ending) {
        e.ended = true;
        events.add(ending);
        changes.afterEnd(e, ending);
    }

    /** A {@link Event.CloseLink} was ordered for the current link. */
    boolean closeRequested() {
        return link.closeRequested();
    }

    /** The latest {@code nowNanos} an input gave. */
    long lastNow() {
        return lastNow;
    }

    /** Orders {@link Event.CloseLink} for the current link, once: the link is renewed. */
    void requestClose(String reason) {
        link.requestClose(reason);
    }

    // ------------------------------------------------------------------ outputs

    /**
     * The next bytes to write, one request (payload and write terminator) per buffer, or null when there are none
     * now. Handing out a request's bytes marks it written; a request expecting nothing ends with its
     * {@link Event.Reply} at that moment. The rest of a request split by {@link #pollTransmit(ByteBuffer)} comes
     * first. Nothing while the link is not up or a {@link Event.CloseLink} is pending.
     */
    public ByteBuffer pollTransmit() {
        if (!reading()) {
            transmitter.idle();
            return null;
        }
        return transmitter.poll();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: as many whole requests as fit, in the order {@link #pollTransmit()} would hand them out, then the
     * first bytes of the next one if it does not fit; at most {@code maxInFlight} requests expecting a reply are
     * on the wire, as always. Nothing (0) while the link is not up or a {@link Event.CloseLink} is pending. The rest
     * of a split request is dropped when the link goes down or the connection closes.
     */
    @Override
    public int pollTransmit(ByteBuffer dst) {
        java.util.Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("pollTransmit needs a writable buffer; got a read-only " + dst);
        }
        if (!reading()) {
            transmitter.idle();
            return 0;
        }
        return transmitter.poll(dst);
    }

    @Override
    public long transmittedFirstId() {
        return transmitter.firstId;
    }

    @Override
    public long transmittedLastId() {
        return transmitter.lastId;
    }

    @Override
    public long awaitedId() {
        Exchange e = matcher.awaited();
        return e == null ? -1 : e.id;
    }

    @Override
    public Request awaitedRequest() {
        Exchange e = matcher.awaited();
        return e == null ? null : e.request;
    }

    /** The next request to write, or null when none may go now (resyncing, no free slot, nothing queued). */
    Exchange nextToWrite() {
        if (flow != null && flow.held()) {
            return null;
        }
        Exchange probe = stale.unwrittenProbe();
        if (probe != null) {
            return probe;
        }
        if (stale.resyncing() || stale.suspect() || matcher.windowClosing() || inFlight.size() >= config.maxInFlight()) {
            return null;
        }
        if (config.echo() == ConnectionConfig.Echo.CHECK_AND_DROP && !inFlight.isEmpty()) {
            return null; // half duplex: one talker at a time, so an echo can never meet a reply on the wire
        }
        if (link.state() == State.ON_CONNECT) {
            return hook.poll();
        }
        return pending.poll();
    }

    /** The earliest moment {@link #handleTimeout} has work to do, or empty when no timer is needed. */
    public OptionalLong pollTimeout() {
        long t = pollTimeoutNanos();
        return t == NONE ? OptionalLong.empty() : OptionalLong.of(t);
    }

    /** {@link #pollTimeout()} without allocating: the earliest deadline, or {@link Long#MAX_VALUE} for none. */
    @Override
    public long pollTimeoutNanos() {
        long t = Math.min(link.reconnectAt(), earliestDeadline());
        return srq == null ? t : Math.min(t, srq.due());
    }

    private long earliestDeadline() {
        if (link.state() == State.CLOSED) {
            return NONE;
        }
        long t = Math.min(hook.earliestDeadline(), Math.min(stale.probeDeadline(), stale.quietDeadline()));
        t = Math.min(t, pending.earliestDeadline());
        return Math.min(t, timers.earliestDeadline(pending.isMonotonic()));
    }

    /** Timers that are due at {@code nowNanos} fire: timeouts, the stale-reply grace, the reconnect. */
    public void handleTimeout(long nowNanos) {
        lastNow = nowNanos;
        if (link.state() == State.CLOSED) {
            return;
        }
        link.maybeReconnect(nowNanos);
        pending.expire(nowNanos, this);
        hook.expire(nowNanos, this);
        timers.expire(nowNanos);
        stale.expireUnwrittenProbe(nowNanos);
        if (srq != null && link.state() == State.READY) {
            srq.maybePoll(this, nowNanos);
        }
    }

    /** Why queued requests are not written now: what holds the link, the policy, and what to change. */
    String whyNotWritten() {
        String held = flow == null ? null : flow.whyHeld(lastNow);
        return held != null ? held : notes.whyNotWritten(changes.hookWaitsForQuiet());
    }

    /** A new resync probe, due by its own timeout from the latest input. */
    Exchange newProbe(Request probe) {
        return newExchange(probe, Exchange.Kind.PROBE, lastNow);
    }

    /** The next event, or {@link Event.NeedData#INSTANCE} when there is none. */
    @Override
    public Event nextEvent() {
        return events.next();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: a request that ended with a reply of exactly one frame comes as {@link EventSink#reply}, with no
     * {@link Event.Reply} made for it, and a pushed frame as {@link EventSink#pushed}, unless service requests are
     * polled ({@code serviceRequestPolling}: then every event comes as {@link EventSink#event}).
     */
    @Override
    public boolean nextEvent(EventSink sink) {
        java.util.Objects.requireNonNull(sink, "sink");
        return events.next(sink);
    }

    /** Requests waiting to be written. */
    public int queuedCount() {
        return pending.size();
    }

    /** Requests written and awaiting their reply, not counting timed-out ones whose late reply is owed. */
    public int inFlightCount() {
        return matcher.liveInLine().size();
    }

    /**
     * True while the wire is in use: a written request awaits its reply or its echo, or an ended one's
     * late reply is still owed. A {@link dev.labwire.core.bus.Bus} writes its next request only when false.
     */
    public boolean isWireBusy() {
        return !inFlight.isEmpty() || matcher.echo.pending();
    }

    /** Bytes buffered and not yet framed (for memory-bound checks). */
    public int bufferedBytes() {
        return matcher.bufferedBytes();
    }

    /** The input buffer's backing array size (for memory-bound checks). */
    public int bufferCapacity() {
        return matcher.bufferCapacity();
    }
}
