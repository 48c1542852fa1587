package dev.labwire.core;

import dev.labwire.core.frame.Frame;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
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
 * <p>Not thread-safe: one driver thread (or event loop) owns it.
 */
public final class Connection implements SessionMachine {
    static final int CHUNK = 8192;
    private static final long NONE = Long.MAX_VALUE;

    private final ConnectionConfig config;
    private final JitterSource jitter;
    private final ArrayDeque<Exchange> pending = new ArrayDeque<>();
    private final ArrayDeque<Exchange> hookQueue = new ArrayDeque<>();
    /**
     * What {@link #nextEvent} hands out, in order: an {@link Event}, an {@link Exchange} that ended with its reply
     * ({@link #endWithReply}), or a pushed {@link Frame} ({@link #pushed}); the {@link Event.Reply} or
     * {@link Event.Pushed} of the last two is made only when a driver asks for the event object.
     */
    private final ArrayDeque<Object> events = new ArrayDeque<>();
    private final ReplyMatcher matcher;
    private final ArrayDeque<Exchange> inFlight;
    private final Transmitter transmitter;
    private final java.util.List<Request> onConnect; // config's, with operations as raw SCPI requests
    private final ServicePoll srq;                    // null unless serviceRequestPolling is set

    private State state = State.IDLE;
    private long nextId;
    private long lastNow;
    private boolean monotonic = true;
    private long lastDeadline = Long.MIN_VALUE;
    private Exchange probe;
    private boolean resyncing;
    private boolean closeRequested;
    private int hookOutstanding;
    private boolean externalHookOpen;
    private long reconnectAt = NONE;
    private int attempt;
    private int failures;

    static {
        dev.labwire.core.internal.CoreAccess.registerConnections(Connection::new, c -> c.matcher.dropUnowedPartialFrame());
    }

    /**
     * A connection in state {@link State#IDLE}; call {@link #open} to start.
     *
     * @throws UnsupportedOperationException when the on-connect hook holds an {@link Operation} a raw link lacks
     */
    public Connection(ConnectionConfig config) {
        this(config, dev.labwire.core.internal.ReplyFilter.NONE);
    }

    private Connection(ConnectionConfig config, dev.labwire.core.internal.ReplyFilter filter) {
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.jitter = config.newJitterSource();
        this.matcher = new ReplyMatcher(this, config, events, java.util.Objects.requireNonNull(filter, "filter"));
        this.inFlight = matcher.inFlight;
        this.transmitter = new Transmitter(this, matcher, config.writeTerminatorNoCopy());
        this.srq = config.serviceRequestPolling() == null ? null : new ServicePoll(config.serviceRequestPolling());
        this.onConnect = config.onConnect().stream().map(dev.labwire.core.internal.Operations::onRawLink).toList();
    }

    /** The settings. */
    public ConnectionConfig config() {
        return config;
    }

    /** The current state. */
    public State state() {
        return state;
    }

    // ------------------------------------------------------------------ inputs: requests

    /**
     * Queues a request; it is written when the link is ready and a slot is free.
     *
     * @return the id that its ending event will carry
     * @throws LocalProtocolException when the connection is closed, the link is down with
     *         {@code autoReconnect} off, or {@code maxQueued} requests are already waiting
     * @throws IllegalArgumentException when the payload contains the write terminator (it would be
     *         split into two commands on the wire)
     * @throws UnsupportedOperationException for an {@link Operation} a raw SCPI link does not have (see there);
     *         {@link Operation#READ_STATUS_BYTE} goes out as {@code *STB?} and {@link Operation#TRIGGER} as {@code *TRG}
     */
    public long send(Request request, long nowNanos) {
        java.util.Objects.requireNonNull(request, "request");
        request = dev.labwire.core.internal.Operations.onRawLink(request);
        lastNow = nowNanos;
        if (state == State.CLOSED) {
            throw new LocalProtocolException("connection is closed; cannot send " + request);
        }
        if (state == State.DOWN && !config.autoReconnect()) {
            throw new LocalProtocolException("link is down and autoReconnect is off; cannot send " + request);
        }
        if (pending.size() >= config.maxQueued()) {
            throw new LocalProtocolException("queue is full: " + config.maxQueued() + " requests wait (maxQueued); cannot send " + request);
        }
        config.checkPayload(request);
        if (pending.isEmpty() && inFlight.isEmpty()) {
            monotonic = true;
            lastDeadline = Long.MIN_VALUE;
        }
        Exchange e = new Exchange(++nextId, request, Exchange.Kind.USER, deadline(request, nowNanos));
        if (e.deadline < lastDeadline) {
            monotonic = false;
        }
        lastDeadline = e.deadline;
        pending.addLast(e);
        return e.id;
    }

    /**
     * Sends a request as part of an external on-connect hook ({@code externalHook(true)}): it goes
     * before every user request. Allowed only in {@link State#ON_CONNECT} before {@link #hookDone}.
     */
    public long sendHook(Request request, long nowNanos) {
        lastNow = nowNanos;
        request = dev.labwire.core.internal.Operations.onRawLink(request);
        if (state != State.ON_CONNECT || !externalHookOpen) {
            throw new LocalProtocolException("sendHook is only allowed while an external on-connect hook runs; state is " + state);
        }
        config.checkPayload(request);
        Exchange e = new Exchange(++nextId, request, Exchange.Kind.HOOK, deadline(request, nowNanos));
        hookQueue.addLast(e);
        hookOutstanding++;
        return e.id;
    }

    /** The external hook succeeded: user requests may flow once its requests have ended. */
    public void hookDone(long nowNanos) {
        lastNow = nowNanos;
        if (state != State.ON_CONNECT || !externalHookOpen) {
            throw new LocalProtocolException("hookDone without a running external hook; state is " + state);
        }
        externalHookOpen = false;
        maybeReady();
    }

    /** The external hook failed: the link is closed ({@link Event.CloseLink}) and reopened with backoff. */
    public void hookFailed(Throwable cause, long nowNanos) {
        lastNow = nowNanos;
        if (state != State.ON_CONNECT) {
            throw new LocalProtocolException("hookFailed outside the on-connect hook; state is " + state);
        }
        externalHookOpen = false;
        requestClose("on-connect hook failed: " + cause);
    }

    private long deadline(Request r, long now) {
        return dev.labwire.core.internal.Durations.deadline(now, r.timeout() != null ? r.timeout() : config.defaultTimeout());
    }

    /** {@inheritDoc} */
    @Override
    public boolean cancel(long id, long nowNanos) {
        lastNow = nowNanos;
        for (ArrayDeque<Exchange> q : java.util.List.of(pending, hookQueue)) {
            for (Iterator<Exchange> it = q.iterator(); it.hasNext(); ) {
                Exchange e = it.next();
                if (e.id == id) {
                    it.remove();
                    e.ended = true;
                    if (e.kind == Exchange.Kind.HOOK) {
                        hookOutstanding--;
                        requestClose("on-connect hook request " + e.request + " was cancelled");
                    }
                    return true;
                }
            }
        }
        for (Exchange e : matcher.onTheWire()) {
            if (e.id == id) {
                matcher.cancelWritten(e, nowNanos);
                return false;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ inputs: link lifecycle

    /** Starts the connection: orders the first {@link Event.OpenLink} at once. Only from {@link State#IDLE}. */
    public void open(long nowNanos) {
        lastNow = nowNanos;
        if (state != State.IDLE) {
            throw new LocalProtocolException("open is only allowed once, from IDLE; state is " + state);
        }
        orderOpen();
    }

    private void orderOpen() {
        attempt++;
        transition(State.CONNECTING, null);
        events.add(new Event.OpenLink(attempt));
    }

    /** The driver opened the link ordered by {@link Event.OpenLink}. Starts the on-connect hook. */
    public void linkUp(long nowNanos) {
        lastNow = nowNanos;
        if (state != State.CONNECTING) {
            throw new LocalProtocolException("linkUp without an OpenLink order; state is " + state);
        }
        matcher.reset();
        transmitter.reset();
        closeRequested = false;
        transition(State.ON_CONNECT, null);
        for (Request r : onConnect) {
            hookQueue.addLast(new Exchange(++nextId, r, Exchange.Kind.HOOK, deadline(r, nowNanos)));
            hookOutstanding++;
        }
        externalHookOpen = config.externalHook();
        maybeReady();
    }

    /** The link ordered by {@link Event.OpenLink} could not be opened; the next attempt comes after the backoff. */
    public void linkFailed(Throwable cause, long nowNanos) {
        lastNow = nowNanos;
        if (state != State.CONNECTING) {
            throw new LocalProtocolException("linkFailed without an OpenLink order; state is " + state);
        }
        failures++;
        goDown(cause, nowNanos);
    }

    /**
     * The link is gone (read error, end of stream, closed after {@link Event.CloseLink}). Requests in
     * flight fail with {@code cause} unless they may be resent; queued ones are kept or failed by
     * policy; a reconnect is scheduled. Ignored when the link is not up (so it may be called twice).
     */
    public void linkDown(Throwable cause, long nowNanos) {
        java.util.Objects.requireNonNull(cause, "cause");
        lastNow = nowNanos;
        if (state == State.CONNECTING) {
            linkFailed(cause, nowNanos);
            return;
        }
        if (state != State.ON_CONNECT && state != State.READY) {
            return;
        }
        failures = state == State.READY ? 1 : failures + 1;
        ArrayDeque<Exchange> resend = new ArrayDeque<>();
        for (Exchange e : matcher.onTheWire()) {
            if (e.kind == Exchange.Kind.USER && config.resends(e.request)) {
                e.rewind();
                resend.add(e);
            } else {
                events.add(new Event.Failed(e.id, e.request, cause));
            }
        }
        matcher.reset();
        transmitter.reset();
        for (Exchange e : hookQueue) {
            events.add(new Event.Failed(e.id, e.request, cause));
        }
        hookQueue.clear();
        hookOutstanding = 0;
        externalHookOpen = false;
        while (!resend.isEmpty()) {
            pending.addFirst(resend.pollLast());
            monotonic = false;
        }
        probe = null;
        resyncing = false;
        closeRequested = false;
        goDown(cause, nowNanos);
    }

    private void goDown(Throwable cause, long now) {
        transition(State.DOWN, cause);
        if (!config.autoReconnect() || config.queuedOnLinkDown() == ConnectionConfig.QueuedOnLinkDown.FAIL) {
            failAll(pending, cause);
        }
        if (config.autoReconnect()) {
            reconnectAt = dev.labwire.core.internal.Durations.deadline(now, Math.max(0, config.backoff().delayNanos(failures, jitter.nextUnit())));
        }
    }

    /**
     * Closes the connection for good: every request not ended fails with a {@link LocalProtocolException},
     * a {@link Event.CloseLink} is ordered if a link may be open, and the state becomes {@link State#CLOSED}.
     * Idempotent.
     */
    public void close(long nowNanos) {
        lastNow = nowNanos;
        if (state == State.CLOSED) {
            return;
        }
        LocalProtocolException closed = new LocalProtocolException("connection closed");
        failAll(hookQueue, closed);
        for (Exchange e : matcher.onTheWire()) {
            events.add(new Event.Failed(e.id, e.request, closed));
        }
        matcher.reset();
        transmitter.reset();
        failAll(pending, closed);
        probe = null;
        reconnectAt = NONE;
        if (state == State.CONNECTING || state == State.ON_CONNECT || state == State.READY) {
            events.add(new Event.CloseLink("connection closed"));
        }
        transition(State.CLOSED, null);
    }

    private void failAll(ArrayDeque<Exchange> q, Throwable cause) {
        for (Exchange e : q) {
            events.add(new Event.Failed(e.id, e.request, cause));
        }
        q.clear();
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
        while (data.hasRemaining()) {
            if (!reading()) {
                data.position(data.limit());
                return;
            }
            matcher.receive(data, CHUNK, nowNanos);
        }
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
        return (state == State.ON_CONNECT || state == State.READY) && !closeRequested;
    }

    /**
     * {@code e} ends with its reply, the frames it collected: as {@link #end} with an {@link Event.Reply}, but the
     * exchange itself waits in the event queue (it is ended, so its id, request and frames no longer change) and the
     * event object is made only if a driver asks for it ({@link #nextEvent()}, not {@link #nextEvent(EventSink)}).
     */
    void endWithReply(Exchange e) {
        e.ended = true;
        events.add(e);
        afterEnd(e, null);
    }

    /** A frame the device pushed: {@link Event.Pushed}, made only when a driver asks for the event object. */
    void pushed(Frame frame) {
        events.add(frame);
    }

    /** Emits the ending event of {@code e} and updates the hook when it was a hook request. */
    void end(Exchange e, Event ending) {
        e.ended = true;
        events.add(ending);
        afterEnd(e, ending);
    }

    /** The hook's part of an ending: {@code ending} null for a reply. */
    private void afterEnd(Exchange e, Event ending) {
        if (e.kind == Exchange.Kind.HOOK) {
            hookOutstanding--;
            if (ending == null || ending instanceof Event.Reply) {
                maybeReady();
            } else {
                requestClose("on-connect hook request " + e.request + " did not succeed: " + describe(ending));
            }
        }
    }

    private static String describe(Event ending) {
        if (ending instanceof Event.Failed f) {
            return f.cause().getMessage();
        }
        return "timed out";
    }

    /** The resync probe while one runs (written or not), else null. */
    Exchange probe() {
        return probe;
    }

    /** The resync probe's answer was seen: user requests may flow again. */
    void resynced() {
        probe = null;
        resyncing = false;
    }

    private void maybeReady() {
        if (state == State.ON_CONNECT && hookOutstanding == 0 && !externalHookOpen && !closeRequested) {
            failures = 0;
            attempt = 0;
            transition(State.READY, null);
        }
    }

    void requestClose(String reason) {
        if (!closeRequested) {
            closeRequested = true;
            events.add(new Event.CloseLink(reason));
        }
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
        if (probe != null && !probe.written) {
            return probe;
        }
        if (resyncing || matcher.suspect() || matcher.windowClosing() || inFlight.size() >= config.maxInFlight()) {
            return null;
        }
        if (config.echo() == ConnectionConfig.Echo.CHECK_AND_DROP && !inFlight.isEmpty()) {
            return null; // half duplex: one talker at a time, so an echo can never meet a reply on the wire
        }
        if (state == State.ON_CONNECT) {
            return hookQueue.pollFirst();
        }
        return pending.pollFirst();
    }

    /** The earliest moment {@link #handleTimeout} has work to do, or empty when no timer is needed. */
    public OptionalLong pollTimeout() {
        long t = pollTimeoutNanos();
        return t == NONE ? OptionalLong.empty() : OptionalLong.of(t);
    }

    /** {@link #pollTimeout()} without allocating: the earliest deadline, or {@link Long#MAX_VALUE} for none. */
    @Override
    public long pollTimeoutNanos() {
        long t = Math.min(reconnectAt, earliestDeadline());
        return srq == null ? t : Math.min(t, srq.due());
    }

    private long earliestDeadline() {
        if (state == State.CLOSED) {
            return NONE;
        }
        long t = NONE;
        if (!hookQueue.isEmpty()) {
            for (Exchange e : hookQueue) {
                t = Math.min(t, e.deadline);
            }
        }
        if (probe != null) {
            t = Math.min(t, probe.deadline);
        }
        if (monotonic) {
            Exchange p = pending.peekFirst();
            if (p != null) {
                t = Math.min(t, p.deadline);
            }
        } else {
            for (Exchange e : pending) {
                t = Math.min(t, e.deadline);
            }
        }
        return Math.min(t, matcher.earliestDeadline(monotonic));
    }

    /** Timers that are due at {@code nowNanos} fire: timeouts, the stale-reply grace, the reconnect. */
    public void handleTimeout(long nowNanos) {
        lastNow = nowNanos;
        if (state == State.CLOSED) {
            return;
        }
        if (reconnectAt != NONE && nowNanos >= reconnectAt && state == State.DOWN) {
            reconnectAt = NONE;
            orderOpen();
        }
        expireQueued(pending, nowNanos);
        expireQueued(hookQueue, nowNanos);
        matcher.expire(nowNanos);
        if (probe != null && !probe.written && probe.deadline <= nowNanos) {
            probe = null;
            requestClose("resync probe could not be sent in time");
        }
        if (srq != null && state == State.READY) {
            srq.maybePoll(this, nowNanos);
        }
    }

    private void expireQueued(ArrayDeque<Exchange> q, long now) {
        String why = null;
        for (Iterator<Exchange> it = q.iterator(); it.hasNext(); ) {
            Exchange e = it.next();
            if (e.deadline <= now) {
                it.remove();
                if (why == null) {
                    why = whyNotWritten();
                }
                end(e, new Event.Timeout(e.id, e.request, false, why));
            }
        }
    }

    /** Why queued requests are not written now: what holds the link, the policy, and what to change. */
    private String whyNotWritten() {
        StaleReplyPolicy policy = config.staleReplyPolicy();
        switch (state) {
            case CONNECTING:
                return "the link is still connecting (attempt " + attempt + ")";
            case DOWN:
                return "the link is down and waits to reconnect (backoff after " + failures + " failed attempts)";
            case ON_CONNECT:
                return "the on-connect hook was still running";
            case CLOSED:
                return "the connection is closed";
            default:
                break;
        }
        if (closeRequested) {
            return "the link was being renewed";
        }
        if (probe != null) {
            return "the link was resynchronising: probe " + probe.request.shownText() + " not answered yet (staleReplyPolicy " + policy + ")";
        }
        if (matcher.suspect()) {
            Exchange z = null;
            for (Exchange e : inFlight) {
                if (e.zombie) {
                    z = e;
                    break;
                }
            }
            String held = z == null ? "a timed-out request whose echo is still owed" : "timed-out " + z.request.shownText();
            return "the link was held by " + held + ": its late reply is awaited before anything else is written, and if it"
                    + " does not come the link is renewed (staleReplyPolicy " + policy + "). A device that never answers such"
                    + " a query costs the grace; to wait less, shorten the grace or use StaleReplyPolicy.scpiResync() or reconnect()";
        }
        Exchange head = null;
        for (Exchange e : inFlight) {
            if (!e.ended) {
                head = e;
                break;
            }
        }
        if (head != null) {
            return "it waited behind " + head.request.shownText() + " (in flight; maxInFlight " + config.maxInFlight()
                    + ") and " + pending.size() + " queued requests";
        }
        return "it waited behind " + pending.size() + " queued requests";
    }

    /** The written resync probe timed out (the matcher took it out of the reply line): the link is closed. */
    void probeLost(String why) {
        probe = null;
        requestClose(why);
    }

    /** {@code e} ended early after being written and is a zombie now: the stale-reply policy acts. */
    void onStale(Exchange e, String why) {
        StaleReplyPolicy policy = config.staleReplyPolicy();
        if (policy instanceof StaleReplyPolicy.Resync r && !resyncing && !closeRequested) {
            resyncing = true;
            probe = new Exchange(++nextId, r.probe(), Exchange.Kind.PROBE, deadline(r.probe(), lastNow));
        } else if (policy == StaleReplyPolicy.Reconnect.INSTANCE) {
            requestClose("request " + e + " " + why + " (stale-reply policy reconnect)");
        }
    }

    /** The next event, or {@link Event.NeedData#INSTANCE} when there is none. */
    @Override
    public Event nextEvent() {
        Event e = event(events.pollFirst());
        while (srq != null && e != null) { // the service-request polls' own endings never reach the driver
            Event shown = srq.filter(e);
            if (shown != null) {
                return shown;
            }
            e = event(events.pollFirst());
        }
        return e == null ? Event.NeedData.INSTANCE : e;
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
        if (srq != null) {
            Event e = nextEvent();
            if (e == Event.NeedData.INSTANCE) {
                return false;
            }
            sink.event(e);
            return true;
        }
        Object o = events.pollFirst();
        if (o == null) {
            return false;
        }
        if (o instanceof Exchange x) {
            Frame only = x.onlyFrame();
            if (only != null) {
                sink.reply(x.id, x.request, only);
            } else {
                sink.event(new Event.Reply(x.id, x.request, x.frames()));
            }
        } else if (o instanceof Frame f) {
            sink.pushed(f);
        } else {
            sink.event((Event) o);
        }
        return true;
    }

    /** The event an entry of the queue stands for; null for null. */
    private static Event event(Object o) {
        if (o instanceof Exchange x) {
            return new Event.Reply(x.id, x.request, x.frames());
        }
        if (o instanceof Frame f) {
            return new Event.Pushed(f);
        }
        return (Event) o;
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

    // ------------------------------------------------------------------ the one transition method

    private void transition(State to, Throwable cause) {
        boolean legal = switch (to) {
            case IDLE -> false;
            case CONNECTING -> state == State.IDLE || state == State.DOWN;
            case ON_CONNECT -> state == State.CONNECTING;
            case READY -> state == State.ON_CONNECT;
            case DOWN -> state == State.CONNECTING || state == State.ON_CONNECT || state == State.READY;
            case CLOSED -> state != State.CLOSED;
        };
        if (!legal) {
            throw new IllegalStateException("illegal transition " + state + " -> " + to);
        }
        state = to;
        if (srq != null) {
            if (to == State.READY) {
                srq.ready(lastNow);
            } else {
                srq.notReady();
            }
        }
        events.add(new Event.StateChanged(to, cause));
    }
}
