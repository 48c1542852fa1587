package dev.labwire.core.vxi11.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Operation;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.SessionMachine;
import dev.labwire.core.State;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.internal.Durations;
import dev.labwire.core.vxi11.internal.Vxi11Calls.CreateLinkParms;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.OptionalLong;

/**
 * The VXI-11 session machine (docs/CHANNELS.md): {@link Request}s in, {@link Event}s out, over ONC RPC.
 *
 * <p>Theory of operation. {@code open} orders channel 1 to the portmapper ({@code Endpoint.Vxi11#portmapperPort},
 * 111) and asks GETPORT for the core program 0x0607AF v1 over TCP; the answer becomes {@link #linkPort()} and the
 * link is ordered ({@link Event.OpenLink}). On {@code linkUp} the machine calls create_link for the endpoint's device
 * name, learns lid, abortPort and maxRecvSize, runs the on-connect hook, and is READY. One RPC call is on the link at
 * a time (VXI-11 calls on a link are serial): a request is device_write calls (the payload plus the write
 * terminator, cut at maxRecvSize, END on the last) then, unless it expects nothing, device_read calls until the
 * reply's frames are whole ({@link ReplyFrames}); an {@link Operation} is its one call (device_readstb,
 * device_clear, device_trigger, device_lock, device_unlock, device_remote, device_local). io_timeout and
 * lock_timeout are the request's time left (waitlock set), so the device gives up when the caller does.
 *
 * <p>Stale replies. When a request's deadline passes with its call on the wire, it ends with
 * {@link Event.Timeout}, the machine calls device_abort(lid) on the abort channel (channel 2, opened on first use at
 * abortPort), and the call's reply, when it comes, is dropped by its xid; if it has not come {@value #OWED_GRACE_MS}
 * ms later, the link is closed and made again. Whenever a request that expected an answer ends without it (our
 * timeout, the device's I/O timeout, an error), a device_clear goes before the next request: the answer may still
 * sit in the device's output queue (the clear's own reply is dropped by xid too). A device that produces the answer
 * only after that clear could still hand it to the next read: VXI-11 has no message ids to tell them apart (HiSLIP
 * has). A reply whose xid answers no call is a {@link Event.ProtocolError}; bytes that break record marking or RPC
 * fail the request on the wire and end the link.
 *
 * <p>A new link. After create_link, before the on-connect hook and any user request: device_lock again when this
 * client held the lock (a LOCK succeeded, no UNLOCK since; the device let go of it with the old link), with the
 * lock_timeout that LOCK sent; not getting it fails the link like a failing hook (CloseLink, backoff, try again), so
 * no request ever runs unlocked on a client that believes it holds the lock. Then, with
 * {@link ConnectionConfig#serviceRequestChannel()}, the interrupt channel (channel 3) for service requests, as
 * {@code ServiceRequestChannel} tells; an instrument that cannot or will not call back only turns them off.
 *
 * <p>A lost link. The request on the wire fails with the link-loss cause unless
 * {@link ConnectionConfig#retryQueriesOnLinkDown()} or {@link Request.Resend} says to send it again: then it goes
 * first on the next link, from its first device_write, by its own deadline. Queued requests wait
 * ({@link ConnectionConfig.QueuedOnLinkDown#KEEP}) or fail at once ({@code FAIL}, or autoReconnect off), as for
 * {@code Connection}. The wire-trace ids ({@link #transmittedFirstId()}, {@link #awaitedId()}) name the request of
 * each call; the machine's own calls (create_link, device_clear, the set-up above, destroy_link) name none.
 *
 * <p>Parts: {@code PortLookup} (the portmapper), {@code CoreChannel} (the call on the link, owed replies and clears),
 * {@code AbortChannel}, {@code ServiceRequestChannel}, {@code LinkSetup} (what create_link gave, what a new link
 * restores), {@code WaitingRuns} (the queues); this class decides the phase and which run goes next.
 *
 * <p>Bounds: records from the device are at most {@value #MAX_READ} bytes plus the RPC header (the largest
 * requestSize asked); a reply gathers at most what its {@link Expect} allows. Not thread-safe: one driver thread
 * at a time, as {@link dev.labwire.core.LinkMachine} says.
 */
public final class Vxi11Session implements SessionMachine {

    // Parts (package-private): PortLookup (channel 1), CoreChannel (the link's calls and owed replies), LinkSetup
    // (create_link and what follows it), RunDispatch (the request running on the link, which runs next, how it ends),
    // RequestRun (one request's calls), WaitingRuns (queues and their deadlines), AbortChannel (channel 2),
    // ServiceRequestChannel (channel 3). This class holds the link's phase and state and routes the driver's inputs.

    /** Channel 1: the portmapper. */
    public static final int PORTMAP_CHANNEL = 1;
    /** Channel 2: the abort channel. */
    public static final int ABORT_CHANNEL = 2;
    /** Channel 3: the interrupt channel (the machine listens; the instrument connects). */
    public static final int INTR_CHANNEL = 3;
    /** The most replies to device_intr_srq calls waiting to be written before more are dropped (a peer not reading). */
    static final int MAX_INTR_REPLIES = 64;
    /** The most bytes asked for by one device_read. */
    static final int MAX_READ = 1 << 20;
    /** How long a timed-out call's reply is waited for after device_abort before the link is made again. */
    static final long OWED_GRACE_MS = 2000;
    private static final int CLIENT_ID = 0x4C57;   // "LW": implementation specific, VXI-11 B.6.1

    private enum Phase { IDLE, PORTMAP, LINK_ORDERED, CREATE_LINK, UP, DOWN, CLOSED }

    private final Endpoint.Vxi11 endpoint;
    private final ConnectionConfig config;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final WaitingRuns runs;
    private final CoreChannel link = new CoreChannel(events);
    private final PortLookup portmap;
    private final AbortChannel abort = new AbortChannel(events);
    private final ServiceRequestChannel srq;
    private final LinkSetup setup;
    private final RunDispatch dispatch;
    private State state = State.IDLE;
    private Phase phase = Phase.IDLE;
    private long retryAt = Long.MAX_VALUE;
    private long handshakeDeadline = Long.MAX_VALUE;   // GETPORT or create_link asked: no answer by then ends the attempt
    private int attempt;
    private int corePort;
    private boolean hookRunning;

    /** A machine for {@code endpoint}; the link's framing, timeouts, hook and reconnect come from {@code config}. */
    public Vxi11Session(Endpoint.Vxi11 endpoint, ConnectionConfig config) {
        this.endpoint = java.util.Objects.requireNonNull(endpoint, "endpoint");
        this.config = java.util.Objects.requireNonNull(config, "config");
        this.portmap = new PortLookup(events, endpoint);
        this.runs = new WaitingRuns(events, config);
        this.srq = new ServiceRequestChannel(this, runs, events, config, endpoint);
        this.setup = new LinkSetup(this, events, config, endpoint, srq, abort);
        this.dispatch = new RunDispatch(this, events, config, runs, link, setup, srq, abort);
    }

    @Override
    public ConnectionConfig config() {
        return config;
    }

    @Override
    public State state() {
        return state;
    }

    @Override
    public int linkPort() {
        return corePort;
    }

    /** The link id create_link gave, or -1 before. */
    public int linkId() {
        return setup.lid();
    }

    private void state(State s, Throwable cause) {
        if (state != s) {
            state = s;
            events.add(new Event.StateChanged(s, cause));
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void open(long nowNanos) {
        if (phase != Phase.IDLE) {
            throw new LocalProtocolException("open() in state " + state + ": already opened");
        }
        connect();
    }

    /** Starts an attempt: the portmapper first. */
    private void connect() {
        attempt++;
        retryAt = Long.MAX_VALUE;
        phase = Phase.PORTMAP;
        state(State.CONNECTING, null);
        portmap.open();
    }

    @Override
    public void channelUp(int channel, long nowNanos) {
        if (channel == PORTMAP_CHANNEL && phase == Phase.PORTMAP) {
            portmap.ask(link.nextXid());
            handshakeDeadline = Durations.deadline(nowNanos, config.connectTimeout());
        } else if (channel == ABORT_CHANNEL) {
            abort.channelUp();
        } else if (channel == INTR_CHANNEL) {
            srq.channelUp();
        }
    }

    @Override
    public void channelFailed(int channel, Throwable cause, long nowNanos) {
        if (channel == PORTMAP_CHANNEL && phase == Phase.PORTMAP) {
            attemptFailed(portmap.unreachable(cause), nowNanos);
        } else if (channel == ABORT_CHANNEL) {
            abort.channelGone();
        } else if (channel == INTR_CHANNEL) {
            srq.channelFailed(cause, nowNanos);
        }
    }

    @Override
    public void channelListening(int channel, byte[] address, int port, long nowNanos) {
        if (channel != INTR_CHANNEL) {
            throw new LocalProtocolException("VXI-11 session never listens on channel " + channel);
        }
        srq.listening(address, port, nowNanos);
    }

    /** Whether create_link succeeded on the current link and it is not lost. */
    boolean isUp() {
        return phase == Phase.UP;
    }

    @Override
    public void channelDown(int channel, Throwable cause, long nowNanos) {
        if (channel == PORTMAP_CHANNEL && phase == Phase.PORTMAP) {
            attemptFailed(PortLookup.closedEarly(cause), nowNanos);
        } else if (channel == ABORT_CHANNEL) {
            abort.channelGone();
        } else if (channel == INTR_CHANNEL) {
            srq.channelDown(cause);
        }
    }

    @Override
    public void receive(int channel, ByteBuffer data, long nowNanos) {
        if (channel == ABORT_CHANNEL) {
            abort.receive(data);
            return;
        }
        if (channel == INTR_CHANNEL) {
            srq.receive(data, nowNanos);
            return;
        }
        if (channel != PORTMAP_CHANNEL || phase != Phase.PORTMAP) {
            data.position(data.limit());
            return;
        }
        int port;
        try {
            port = portmap.receive(data);
        } catch (LinkDownException e) {
            attemptFailed(e, nowNanos);
            return;
        }
        if (port > 0) {
            corePort = port;
            phase = Phase.LINK_ORDERED;
            events.add(new Event.OpenLink(attempt));
        }
    }

    @Override
    public void linkUp(long nowNanos) {
        if (phase != Phase.LINK_ORDERED) {
            throw new LocalProtocolException("linkUp in state " + state + " without an OpenLink order");
        }
        phase = Phase.CREATE_LINK;
        handshakeDeadline = Durations.deadline(nowNanos, config.connectTimeout());
        link.linkUp();
        link.call(Vxi11.CREATE_LINK, new CreateLinkParms(CLIENT_ID, false, 0, endpoint.device()), null);
    }

    @Override
    public void linkFailed(Throwable cause, long nowNanos) {
        if (phase != Phase.LINK_ORDERED) {
            throw new LocalProtocolException("linkFailed in state " + state + " without an OpenLink order");
        }
        attemptFailed(cause, nowNanos);
    }

    @Override
    public void linkDown(Throwable cause, long nowNanos) {
        if (phase == Phase.CREATE_LINK || phase == Phase.UP) {
            attemptFailed(cause, nowNanos);
        }
        // else: the machine already dropped the link itself (CloseLink) and the driver confirms it
    }

    @Override
    public void receiveEof(long nowNanos) {
        if (phase == Phase.CREATE_LINK || phase == Phase.UP) {
            events.add(new Event.CloseLink("the device closed the VXI-11 core channel"));
            attemptFailed(new LinkDownException("the device closed the VXI-11 core channel", null), nowNanos);
        }
    }

    /** The link (or the way to it) is gone: fail what was on it, back off, try again if allowed. */
    void attemptFailed(Throwable cause, long nowNanos) {
        Throwable down = cause instanceof LinkDownException ? cause
                : new LinkDownException("VXI-11 link to " + endpoint + " lost: " + cause, cause);
        RequestRun resend = null;
        RequestRun active = dispatch.takeActive();
        if (active != null && active.kind == RequestRun.Kind.USER) {
            if (!active.hook && config.resends(active.request) && config.autoReconnect()) {
                resend = new RequestRun(active.id, active.request, active.deadline, false);   // from its first call again
            } else {
                events.add(new Event.Failed(active.id, active.request, down));
            }
        }
        runs.linkLost(down);
        srq.linkLost();
        if (resend != null) {
            runs.queue().addFirst(resend);
        }
        hookRunning = false;
        handshakeDeadline = Long.MAX_VALUE;
        link.linkLost();
        setup.linkLost();
        abort.linkLost();
        phase = Phase.DOWN;
        state(State.DOWN, down);
        if (!config.autoReconnect() || config.queuedOnLinkDown() == ConnectionConfig.QueuedOnLinkDown.FAIL) {
            runs.failQueued(down);
        }
        if (config.autoReconnect()) {
            retryAt = nowNanos + config.backoff().delayNanos(attempt, 0.5);
        }
    }

    @Override
    public void close(long nowNanos) {
        if (phase == Phase.CLOSED) {
            return;
        }
        LocalProtocolException closed = new LocalProtocolException("the VXI-11 session was closed");
        RequestRun active = dispatch.takeActive();
        if (active != null && !active.internal) {
            events.add(new Event.Failed(active.id, active.request, closed));
        }
        runs.closed(closed);
        int lid = setup.lid();
        if (phase == Phase.UP && lid >= 0) {
            link.call(Vxi11.DESTROY_LINK, w -> w.putInt(lid), null);   // written before the link closes (drain order)
        }
        srq.close();
        if (phase == Phase.PORTMAP) {
            events.add(new Event.CloseChannel(PORTMAP_CHANNEL, "closed"));
        }
        abort.close();
        if (phase == Phase.LINK_ORDERED || phase == Phase.CREATE_LINK || phase == Phase.UP) {
            events.add(new Event.CloseLink("closed"));
        }
        phase = Phase.CLOSED;
        retryAt = Long.MAX_VALUE;
        handshakeDeadline = Long.MAX_VALUE;
        link.close();
        state(State.CLOSED, null);
    }

    // ------------------------------------------------------------------ requests

    @Override
    public long send(Request request, long nowNanos) {
        checkSend(request, 1);
        RequestRun p = runs.user(request, nowNanos);
        runs.queue().add(p);
        pump(nowNanos);
        return p.id;
    }

    /** {@inheritDoc} All are checked first, queued in order, and only then is anything started. */
    @Override
    public long sendAll(Request[] requests, long nowNanos) {
        for (Request r : requests) {
            checkSend(r, requests.length);
        }
        long first = -1;
        for (int i = 0; i < requests.length; i++) {
            RequestRun p = runs.user(requests[i], nowNanos);
            runs.queue().add(p);
            first = i == 0 ? p.id : first;
        }
        pump(nowNanos);
        return first;
    }

    /** Refuses {@code request} unless it and {@code count - 1} more may be queued now. */
    private void checkSend(Request request, int count) {
        java.util.Objects.requireNonNull(request, "request");
        if (phase == Phase.CLOSED) {
            throw new LocalProtocolException("send on a closed VXI-11 session: " + request);
        }
        if (phase == Phase.DOWN && !config.autoReconnect()) {
            throw new LocalProtocolException("the VXI-11 link is down and autoReconnect is off: " + request);
        }
        if (runs.queue().size() > config.maxQueued() - count) {
            throw new LocalProtocolException(count == 1
                    ? config.maxQueued() + " requests already wait (maxQueued): " + request
                    : "the queue has room for " + Math.max(0, config.maxQueued() - runs.queue().size()) + " of a batch of "
                            + count + " requests (maxQueued " + config.maxQueued() + "); none of them is sent");
        }
        if (!(request.expect() instanceof Expect.Operate)) {
            config.checkPayload(request);
        }
    }

    @Override
    public long sendHook(Request request, long nowNanos) {
        if (!hookRunning || !config.externalHook()) {
            throw new LocalProtocolException("sendHook outside a running external on-connect hook (state " + state + ")");
        }
        RequestRun p = runs.hook(request, nowNanos);
        runs.hookQueue().add(p);
        pump(nowNanos);
        return p.id;
    }

    @Override
    public void hookDone(long nowNanos) {
        if (!hookRunning) {
            throw new LocalProtocolException("hookDone outside a running on-connect hook (state " + state + ")");
        }
        hookRunning = false;
        pump(nowNanos);
    }

    @Override
    public void hookFailed(Throwable cause, long nowNanos) {
        if (!hookRunning) {
            throw new LocalProtocolException("hookFailed outside a running on-connect hook (state " + state + ")");
        }
        events.add(new Event.CloseLink("on-connect hook failed: " + cause));
        attemptFailed(new LinkDownException("on-connect hook failed", cause), nowNanos);
    }

    @Override
    public boolean cancel(long id, long nowNanos) {
        if (runs.cancel(id)) {
            return true;
        }
        dispatch.cancel(id, nowNanos);
        return false;
    }

    /** Starts the next request when the link is free (see {@link RunDispatch}). */
    void pump(long now) {
        dispatch.pump(now);
    }

    /** Whether the driver's external on-connect hook is still running (user requests wait for it). */
    boolean hookRunning() {
        return hookRunning;
    }

    /** Nothing of the on-connect hook is left: READY, when it was not yet. */
    void hookOver() {
        if (state == State.ON_CONNECT) {
            state(State.READY, null);
        }
    }

    // ------------------------------------------------------------------ replies on the link

    @Override
    public void receive(ByteBuffer data, long nowNanos) {
        if (phase != Phase.CREATE_LINK && phase != Phase.UP) {
            data.position(data.limit());
            return;
        }
        try {
            for (byte[] rec; phase != Phase.DOWN && (rec = link.receive(data)) != null; ) {
                reply(RpcReply.decode(rec), nowNanos);
            }
        } catch (RemoteProtocolException e) {
            data.position(data.limit());
            RequestRun active = dispatch.takeActive();
            if (active != null) {
                events.add(new Event.Failed(active.id, active.request, e));
            } else {
                events.add(new Event.ProtocolError(e));
            }
            events.add(new Event.CloseLink("bad RPC from the device: " + e.getMessage()));
            attemptFailed(new LinkDownException("bad RPC from the device", e), nowNanos);
        }
    }

    private void reply(RpcReply reply, long now) {
        if (!link.accept(reply)) {
            return;
        }
        int proc = link.procedure();
        if (link.settleOwed()) {   // the reply of a request that already ended: dropped by its xid
            pump(now);
            return;
        }
        XdrReader r = reply.results(reply.xid());
        if (phase == Phase.CREATE_LINK) {
            if (!setup.created(r, proc, now)) {
                return;
            }
            phase = Phase.UP;
            handshakeDeadline = Long.MAX_VALUE;
            attempt = 0;
            state(State.ON_CONNECT, null);
            setup.linkCreated(runs, now);
            hookRunning = config.externalHook();
            pump(now);
            return;
        }
        dispatch.result(proc, r, now);
    }

    // ------------------------------------------------------------------ time

    @Override
    public void handleTimeout(long nowNanos) {
        if (retryAt - nowNanos <= 0 && phase == Phase.DOWN) {
            connect();
        }
        if (handshakeDeadline - nowNanos <= 0 && (phase == Phase.PORTMAP || phase == Phase.CREATE_LINK)) {
            handshakeTimedOut(nowNanos);
        }
        runs.expire(nowNanos, "the VXI-11 link was " + state + connecting() + (state == State.READY && link.owes()
                ? ", its one call still on the wire for a request that timed out (device_abort sent; that reply is"
                + " awaited up to " + OWED_GRACE_MS + " ms, then the link is made again)" : ""));
        RequestRun expired = runs.takeExpiredSetup(nowNanos);   // one: internalEnded may change the set-up queue
        if (expired != null && !setup.internalEnded(expired, new Event.Timeout(expired.id, expired.request, false,
                "never sent"), nowNanos)) {
            return;
        }
        if (!dispatch.handleTimeout(nowNanos)) {
            return;
        }
        if (link.owedExpired(nowNanos)) {
            events.add(new Event.CloseLink("no reply to a timed-out call " + OWED_GRACE_MS + " ms after device_abort"));
            attemptFailed(new LinkDownException("the device did not answer after device_abort", null), nowNanos);
        }
    }

    /**
     * GETPORT or create_link went unanswered for connectTimeout (a device still booting, a portmapper that accepts and
     * never answers): this attempt fails like a connect that timed out, and the next one follows the backoff. Without
     * this the session waited for ever, and only a caller's own wait ended.
     */
    private void handshakeTimedOut(long now) {
        String asked = phase == Phase.PORTMAP
                ? "GETPORT to the portmapper at " + endpoint.host() + ":" + endpoint.portmapperPort()
                : "create_link for " + endpoint.device() + " on the core channel (port " + corePort + ")";
        String why = "VXI-11 connect: no answer within " + config.connectTimeout().toMillis() + " ms (connectTimeout) to "
                + asked;
        events.add(phase == Phase.PORTMAP ? new Event.CloseChannel(PORTMAP_CHANNEL, why) : new Event.CloseLink(why));
        attemptFailed(new LinkDownException(why, null), now);
    }

    /** Where a connect stands, for the message of a request that timed out waiting for it ("" once up or down). */
    private String connecting() {
        return switch (phase) {
            case PORTMAP -> " (no answer yet from the portmapper at " + endpoint.host() + ":" + endpoint.portmapperPort()
                    + " to GETPORT for the VXI-11 core channel)";
            case LINK_ORDERED -> " (connecting to the core channel)";
            case CREATE_LINK -> " (no answer yet to create_link for " + endpoint.device() + ")";
            default -> "";
        };
    }

    @Override
    public OptionalLong pollTimeout() {
        long t = Math.min(Math.min(retryAt, handshakeDeadline), link.owedDeadline());
        t = dispatch.earliest(t);
        t = runs.earliestDeadline(t);
        return t == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(t);
    }

    // ------------------------------------------------------------------ output

    @Override
    public ByteBuffer pollTransmit() {
        return link.pollTransmit();
    }

    @Override
    public int pollTransmit(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        return link.pollTransmit(dst);
    }

    @Override
    public int pollTransmit(int channel, ByteBuffer dst) {
        if (channel == PORTMAP_CHANNEL) {
            return portmap.pollTransmit(dst);
        }
        if (channel == ABORT_CHANNEL) {
            return abort.pollTransmit(dst);
        }
        if (channel == INTR_CHANNEL) {
            return srq.pollTransmit(dst);
        }
        return 0;
    }

    // ------------------------------------------------------------------ wire trace

    @Override
    public long transmittedFirstId() {
        return link.transmittedFirstId();
    }

    @Override
    public long transmittedLastId() {
        return link.transmittedLastId();
    }

    @Override
    public long awaitedId() {
        return link.awaitedId();
    }

    @Override
    public Request awaitedRequest() {
        return link.awaitedRequest();
    }

    @Override
    public Event nextEvent() {
        Event e = events.poll();
        return e == null ? Event.NeedData.INSTANCE : e;
    }
}
