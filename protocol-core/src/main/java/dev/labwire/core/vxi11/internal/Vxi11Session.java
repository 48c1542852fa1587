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
import dev.labwire.core.vxi11.Vxi11Exception;
import dev.labwire.core.vxi11.internal.Vxi11Calls.CreateLinkParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceEnableSrqParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceGenericParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceRemoteFunc;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceSrqParms;
import dev.labwire.core.vxi11.internal.Vxi11Results.CreateLinkResp;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
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
 * {@link ConnectionConfig#serviceRequestChannel()}, the interrupt channel: {@link Event.ListenChannel} (channel 3) on
 * the link's local address, create_intr_chan with that IPv4 address (an IPv4-mapped IPv6 address is unwrapped; a
 * true IPv6 link cannot be named in {@code hostAddr}) and port, program 0x0607B1 v1 over TCP, then
 * device_enable_srq(true, a handle naming this link). Each device_intr_srq that arrives there is answered (a void
 * SUCCESS reply: VXI-11 calls it one-way, and most instruments never read the reply, but an RPC library that waits
 * for one gets it), then device_readstb goes at the link's next free turn (ahead of queued requests; calls that come
 * while one read already waits share it, so at most one waits) and its status byte is an
 * {@link Event.ServiceRequest}. When the instrument refuses or cannot call back, or the set-up does not answer in
 * {@code connectTimeout} + {@value #OWED_GRACE_MS} ms, service requests are off for the rest of this machine's life,
 * one {@link Event.ProtocolError} says so, and the link goes on.
 *
 * <p>A lost link. The request on the wire fails with the link-loss cause unless
 * {@link ConnectionConfig#retryQueriesOnLinkDown()} or {@link Request.Resend} says to send it again: then it goes
 * first on the next link, from its first device_write, by its own deadline. Queued requests wait
 * ({@link ConnectionConfig.QueuedOnLinkDown#KEEP}) or fail at once ({@code FAIL}, or autoReconnect off), as for
 * {@code Connection}. The wire-trace ids ({@link #transmittedFirstId()}, {@link #awaitedId()}) name the request of
 * each call; the machine's own calls (create_link, device_clear, the set-up above, destroy_link) name none.
 *
 * <p>Bounds: records from the device are at most {@value #MAX_READ} bytes plus the RPC header (the largest
 * requestSize asked); a reply gathers at most what its {@link Expect} allows. Not thread-safe: one driver thread
 * at a time, as {@link dev.labwire.core.LinkMachine} says.
 */
public final class Vxi11Session implements SessionMachine {

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

    /** The interrupt channel of the current link. */
    private enum Intr { OFF, LISTENING, SETTING_UP, ON }

    private final Endpoint.Vxi11 endpoint;
    private final ConnectionConfig config;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final ArrayDeque<RequestRun> queue = new ArrayDeque<>();
    private final ArrayDeque<RequestRun> hookQueue = new ArrayDeque<>();
    private final ArrayDeque<RequestRun> setupQueue = new ArrayDeque<>();   // relock, create_intr_chan, enable_srq
    private final CallWire link = new CallWire(MAX_READ + 1024);
    private final CallWire portmap = new CallWire(1024);
    private final CallWire abort = new CallWire(1024);
    private final CallWire intr = new CallWire(1024);
    private State state = State.IDLE;
    private Phase phase = Phase.IDLE;
    private RequestRun active;
    private long nextId = 1;
    private int xid;
    private int callXid;             // the call on the link, 0: none
    private int callProc;
    private boolean owed;            // the call on the link belongs to a request that ended
    private boolean clearOwed;       // that request expected a reply: device_clear before the next request
    private long owedDeadline = Long.MAX_VALUE;
    private long retryAt = Long.MAX_VALUE;
    private int attempt;
    private int portmapXid;
    private int corePort;
    private int lid = -1;
    private int abortPort;
    private long maxRecvSize = 1024;
    private boolean abortOrdered;
    private boolean abortUp;
    private boolean hookRunning;
    private long callId = -1;        // the request whose call is on the link (-1: an internal call)
    private Request callRequest;
    private Intr intrState = Intr.OFF;
    private boolean intrOrdered;     // INTR_CHANNEL ordered and not gone
    private boolean intrUp;          // the instrument connected to it
    private boolean intrRefused;     // the instrument could not or would not: no later link tries again
    private byte[] srqHandle = new byte[0];
    private int linkGeneration;
    private boolean srqPending;      // device_intr_srq came: device_readstb at the next free turn
    private boolean lockHeld;        // a LOCK succeeded and no UNLOCK since: re-taken on a new link
    private long lockHeldMs;

    /** A machine for {@code endpoint}; the link's framing, timeouts, hook and reconnect come from {@code config}. */
    public Vxi11Session(Endpoint.Vxi11 endpoint, ConnectionConfig config) {
        this.endpoint = java.util.Objects.requireNonNull(endpoint, "endpoint");
        this.config = java.util.Objects.requireNonNull(config, "config");
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
        return lid;
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
        portmap.reset();
        events.add(new Event.OpenChannel(PORTMAP_CHANNEL, endpoint.portmapperPort()));
    }

    @Override
    public void channelUp(int channel, long nowNanos) {
        if (channel == PORTMAP_CHANNEL && phase == Phase.PORTMAP) {
            portmapXid = ++xid;
            portmap.send(Portmap.getPortCall(portmapXid, Vxi11.CORE_PROGRAM, Vxi11.VERSION, Portmap.IPPROTO_TCP));
        } else if (channel == ABORT_CHANNEL && abortOrdered) {
            abortUp = true;
        } else if (channel == INTR_CHANNEL && intrOrdered) {
            intrUp = true;
        }
    }

    @Override
    public void channelFailed(int channel, Throwable cause, long nowNanos) {
        if (channel == PORTMAP_CHANNEL && phase == Phase.PORTMAP) {
            attemptFailed(new LinkDownException("VXI-11 portmapper at " + endpoint.host() + ":"
                    + endpoint.portmapperPort() + " cannot be reached: " + cause, cause), nowNanos);
        } else if (channel == ABORT_CHANNEL) {
            abortOrdered = false;
            abortUp = false;
            abort.reset();
        } else if (channel == INTR_CHANNEL && intrOrdered) {
            intrOrdered = false;
            intrUp = false;
            intrGiveUp("no listening socket for the interrupt channel could be opened: " + cause, nowNanos);
        }
    }

    @Override
    public void channelListening(int channel, byte[] address, int port, long nowNanos) {
        if (channel != INTR_CHANNEL) {
            throw new LocalProtocolException("VXI-11 session never listens on channel " + channel);
        }
        if (!intrOrdered || intrState != Intr.LISTENING) {
            return;   // a link that is gone
        }
        long host;
        if (address.length == 4) {
            host = ipv4(address, 0);
        } else if (address.length == 16 && isV4Mapped(address)) {
            host = ipv4(address, 12);
        } else {
            intrGiveUp("the link is IPv6 and create_intr_chan's hostAddr holds an IPv4 address only", nowNanos);
            return;
        }
        intrState = Intr.SETTING_UP;
        RequestRun create = internal(RequestRun.Kind.INTR, Request.operation(Operation.READ_STATUS_BYTE),
                after(nowNanos, config.connectTimeout().toNanos() + OWED_GRACE_MS * 1_000_000L));
        create.fixed = new RequestRun.Call(Vxi11.CREATE_INTR_CHAN,
                new DeviceRemoteFunc(host, port, Vxi11.INTR_PROGRAM, Vxi11.VERSION, Vxi11.FAMILY_TCP));
        setupQueue.add(create);   // after a re-lock that may still wait
        pump(nowNanos);
    }

    private static long ipv4(byte[] a, int at) {
        return ((a[at] & 0xFFL) << 24) | ((a[at + 1] & 0xFFL) << 16) | ((a[at + 2] & 0xFFL) << 8) | (a[at + 3] & 0xFFL);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF;
    }

    private static long after(long now, long nanos) {
        return nanos >= Long.MAX_VALUE - 1 - Math.max(0, now) ? Long.MAX_VALUE - 1 : now + nanos;
    }

    private RequestRun internal(RequestRun.Kind kind, Request request, long deadline) {
        RequestRun r = new RequestRun(nextId++, request, deadline, false);
        r.internal = true;
        r.kind = kind;
        return r;
    }

    /**
     * The instrument will not call back (refused, timed out, IPv6, no local socket): service requests are off for this
     * machine; the link goes on. Said once, as a ProtocolError.
     */
    private void intrGiveUp(String why, long now) {
        if (intrOrdered) {
            events.add(new Event.CloseChannel(INTR_CHANNEL, "service requests are off"));
        }
        intrOrdered = false;
        intrUp = false;
        intr.reset();
        boolean wasSettingUp = intrState != Intr.OFF;
        intrState = Intr.OFF;
        for (Iterator<RequestRun> it = setupQueue.iterator(); it.hasNext(); ) {
            if (it.next().kind == RequestRun.Kind.INTR) {
                it.remove();
            }
        }
        if (!intrRefused) {
            intrRefused = true;
            events.add(new Event.ProtocolError(new RemoteProtocolException("VXI-11 service requests are off for "
                    + endpoint + ": " + why + "; the link works on without them (no further link tries again)")));
        }
        if (wasSettingUp) {
            pump(now);
        }
    }

    @Override
    public void channelDown(int channel, Throwable cause, long nowNanos) {
        if (channel == PORTMAP_CHANNEL && phase == Phase.PORTMAP) {
            attemptFailed(new LinkDownException("the VXI-11 portmapper closed the connection before answering", cause),
                    nowNanos);
        } else if (channel == ABORT_CHANNEL) {
            abortOrdered = false;
            abortUp = false;
            abort.reset();
        } else if (channel == INTR_CHANNEL && intrOrdered) {
            intrOrdered = false;
            intrUp = false;
            intr.reset();
            if (intrState == Intr.ON) {
                intrState = Intr.OFF;
                events.add(new Event.ProtocolError(new RemoteProtocolException("the instrument closed the VXI-11 "
                        + "interrupt channel: no service requests until the next link (" + cause + ")")));
            }
            // while setting up: create_intr_chan's or device_enable_srq's answer decides
        }
    }

    @Override
    public void receive(int channel, ByteBuffer data, long nowNanos) {
        if (channel == ABORT_CHANNEL) {
            drainAbortReplies(data);
            return;
        }
        if (channel == INTR_CHANNEL) {
            interruptCalls(data, nowNanos);
            return;
        }
        if (channel != PORTMAP_CHANNEL || phase != Phase.PORTMAP) {
            data.position(data.limit());
            return;
        }
        try {
            for (byte[] rec; (rec = portmap.records.receive(data)) != null; ) {
                int port = Portmap.decodePort(RpcReply.decode(rec), portmapXid);
                events.add(new Event.CloseChannel(PORTMAP_CHANNEL, "the core channel's port is known"));
                if (port == 0) {
                    attemptFailed(new LinkDownException("the portmapper at " + endpoint.host() + ":"
                            + endpoint.portmapperPort() + " has no VXI-11 core channel (program 0x0607af v1, TCP)",
                            null), nowNanos);
                    return;
                }
                corePort = port;
                phase = Phase.LINK_ORDERED;
                events.add(new Event.OpenLink(attempt));
                return;
            }
        } catch (RemoteProtocolException e) {
            events.add(new Event.CloseChannel(PORTMAP_CHANNEL, "bad portmapper reply"));
            attemptFailed(new LinkDownException("VXI-11 portmapper reply: " + e.getMessage(), e), nowNanos);
        }
    }

    private void drainAbortReplies(ByteBuffer data) {
        try {
            for (byte[] rec; (rec = abort.records.receive(data)) != null; ) {
                RpcReply.decode(rec);   // device_abort's Device_Error: nothing depends on it
            }
        } catch (RemoteProtocolException e) {
            events.add(new Event.ProtocolError(e));
            data.position(data.limit());
        }
    }

    /** Calls from the instrument on the interrupt channel: device_intr_srq (and the RPC NULL procedure). */
    private void interruptCalls(ByteBuffer data, long now) {
        if (!intrOrdered) {
            data.position(data.limit());
            return;
        }
        try {
            for (byte[] rec; (rec = intr.records.receive(data)) != null; ) {
                RpcCall c = RpcCall.decode(rec);
                RpcReply reply;
                if (c.rpcVersion() != Rpc.RPC_VERSION) {
                    reply = RpcReply.mismatch(c.xid(), RpcReply.Status.RPC_MISMATCH, Rpc.RPC_VERSION, Rpc.RPC_VERSION);
                } else if (c.program() != Vxi11.INTR_PROGRAM) {
                    reply = RpcReply.error(c.xid(), RpcReply.Status.PROG_UNAVAIL);
                } else if (c.version() != Vxi11.VERSION) {
                    reply = RpcReply.mismatch(c.xid(), RpcReply.Status.PROG_MISMATCH, Vxi11.VERSION, Vxi11.VERSION);
                } else if (c.procedure() == 0) {
                    reply = RpcReply.success(c.xid(), new byte[0]);
                } else if (c.procedure() != Vxi11.DEVICE_INTR_SRQ) {
                    reply = RpcReply.error(c.xid(), RpcReply.Status.PROC_UNAVAIL);
                } else {
                    reply = serviceRequest(c);
                }
                // device_intr_srq is a one-way RPC (VXI-11 B.5): most instruments never read this reply (their RPC
                // library drops it), some wait for it; so it is sent, but never more than MAX_INTR_REPLIES unwritten
                if (intr.pending() < MAX_INTR_REPLIES) {
                    intr.sendMessage(reply.encode(), -1);
                }
                pump(now);   // a read for this call now if the link is free; the calls after it share the next
            }
        } catch (RemoteProtocolException e) {
            data.position(data.limit());
            events.add(new Event.ProtocolError(new RemoteProtocolException("bad RPC on the VXI-11 interrupt channel: "
                    + e.getMessage() + "; it is closed, no service requests until the next link", e)));
            events.add(new Event.CloseChannel(INTR_CHANNEL, "bad RPC"));
            intrOrdered = false;
            intrUp = false;
            intr.reset();
            intrState = Intr.OFF;
        }
        pump(now);
    }

    private RpcReply serviceRequest(RpcCall c) {
        DeviceSrqParms p;
        try {
            p = DeviceSrqParms.decode(c.arguments());
        } catch (RemoteProtocolException e) {
            events.add(new Event.ProtocolError(new RemoteProtocolException("device_intr_srq arguments: "
                    + e.getMessage(), e)));
            return RpcReply.error(c.xid(), RpcReply.Status.GARBAGE_ARGS);
        }
        if (!Arrays.equals(p.handle(), srqHandle)) {
            events.add(new Event.ProtocolError(new RemoteProtocolException("device_intr_srq with handle "
                    + Arrays.toString(p.handle()) + ", not the one device_enable_srq gave for this link: ignored")));
        } else if (phase == Phase.UP) {
            srqPending = true;
        }
        return RpcReply.success(c.xid(), new byte[0]);
    }

    @Override
    public void linkUp(long nowNanos) {
        if (phase != Phase.LINK_ORDERED) {
            throw new LocalProtocolException("linkUp in state " + state + " without an OpenLink order");
        }
        phase = Phase.CREATE_LINK;
        link.reset();
        callXid = 0;
        owed = false;
        owedDeadline = Long.MAX_VALUE;
        call(Vxi11.CREATE_LINK, new CreateLinkParms(CLIENT_ID, false, 0, endpoint.device()), null);
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
    private void attemptFailed(Throwable cause, long nowNanos) {
        Throwable down = cause instanceof LinkDownException ? cause
                : new LinkDownException("VXI-11 link to " + endpoint + " lost: " + cause, cause);
        RequestRun resend = null;
        if (active != null && active.kind == RequestRun.Kind.USER) {
            if (!active.hook && config.resends(active.request) && config.autoReconnect()) {
                resend = new RequestRun(active.id, active.request, active.deadline, false);   // from its first call again
            } else {
                events.add(new Event.Failed(active.id, active.request, down));
            }
        }
        active = null;
        for (RequestRun p : hookQueue) {
            if (!p.internal) {
                events.add(new Event.Failed(p.id, p.request, down));
            }
        }
        hookQueue.clear();
        setupQueue.clear();
        srqPending = false;
        if (intrOrdered) {
            events.add(new Event.CloseChannel(INTR_CHANNEL, "the link is down"));
        }
        intrOrdered = false;
        intrUp = false;
        intr.reset();
        intrState = Intr.OFF;
        if (resend != null) {
            queue.addFirst(resend);
        }
        hookRunning = false;
        callXid = 0;
        owed = false;
        clearOwed = false;
        owedDeadline = Long.MAX_VALUE;
        lid = -1;
        if (abortOrdered) {
            events.add(new Event.CloseChannel(ABORT_CHANNEL, "the link is down"));
            abortOrdered = false;
            abortUp = false;
            abort.reset();
        }
        phase = Phase.DOWN;
        state(State.DOWN, down);
        if (!config.autoReconnect() || config.queuedOnLinkDown() == ConnectionConfig.QueuedOnLinkDown.FAIL) {
            failQueued(down);
        }
        if (config.autoReconnect()) {
            retryAt = nowNanos + config.backoff().delayNanos(attempt, 0.5);
        }
    }

    private void failQueued(Throwable cause) {
        for (RequestRun p : queue) {
            events.add(new Event.Failed(p.id, p.request, cause));
        }
        queue.clear();
    }

    @Override
    public void close(long nowNanos) {
        if (phase == Phase.CLOSED) {
            return;
        }
        LocalProtocolException closed = new LocalProtocolException("the VXI-11 session was closed");
        if (active != null && !active.internal) {
            events.add(new Event.Failed(active.id, active.request, closed));
        }
        active = null;
        for (RequestRun p : hookQueue) {
            if (!p.internal) {
                events.add(new Event.Failed(p.id, p.request, closed));
            }
        }
        hookQueue.clear();
        setupQueue.clear();
        srqPending = false;
        failQueued(closed);
        if (phase == Phase.UP && lid >= 0) {
            call(Vxi11.DESTROY_LINK, w -> w.putInt(lid), null);   // written before the link closes (drain order)
        }
        if (intrOrdered) {
            events.add(new Event.CloseChannel(INTR_CHANNEL, "closed"));
            intrOrdered = false;
            intrUp = false;
        }
        if (phase == Phase.PORTMAP) {
            events.add(new Event.CloseChannel(PORTMAP_CHANNEL, "closed"));
        }
        if (abortOrdered) {
            events.add(new Event.CloseChannel(ABORT_CHANNEL, "closed"));
        }
        if (phase == Phase.LINK_ORDERED || phase == Phase.CREATE_LINK || phase == Phase.UP) {
            events.add(new Event.CloseLink("closed"));
        }
        phase = Phase.CLOSED;
        retryAt = Long.MAX_VALUE;
        owedDeadline = Long.MAX_VALUE;
        state(State.CLOSED, null);
    }

    // ------------------------------------------------------------------ requests

    @Override
    public long send(Request request, long nowNanos) {
        java.util.Objects.requireNonNull(request, "request");
        if (phase == Phase.CLOSED) {
            throw new LocalProtocolException("send on a closed VXI-11 session: " + request);
        }
        if (phase == Phase.DOWN && !config.autoReconnect()) {
            throw new LocalProtocolException("the VXI-11 link is down and autoReconnect is off: " + request);
        }
        if (queue.size() >= config.maxQueued()) {
            throw new LocalProtocolException(config.maxQueued() + " requests already wait (maxQueued): " + request);
        }
        if (!(request.expect() instanceof Expect.Operate)) {
            config.checkPayload(request);
        }
        RequestRun p = new RequestRun(nextId++, request, deadline(request, nowNanos), false);
        queue.add(p);
        pump(nowNanos);
        return p.id;
    }

    @Override
    public long sendHook(Request request, long nowNanos) {
        if (!hookRunning || !config.externalHook()) {
            throw new LocalProtocolException("sendHook outside a running external on-connect hook (state " + state + ")");
        }
        RequestRun p = new RequestRun(nextId++, request, deadline(request, nowNanos), true);
        hookQueue.add(p);
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

    private long deadline(Request r, long now) {
        java.time.Duration t = r.timeout() == null ? config.defaultTimeout() : r.timeout();
        long n = t.toNanos();
        return n >= Long.MAX_VALUE - 1 - Math.max(0, now) ? Long.MAX_VALUE - 1 : now + n;
    }

    @Override
    public boolean cancel(long id, long nowNanos) {
        for (ArrayDeque<RequestRun> q : List.of(queue, hookQueue)) {
            for (Iterator<RequestRun> it = q.iterator(); it.hasNext(); ) {
                if (it.next().id == id) {
                    it.remove();
                    return true;
                }
            }
        }
        if (active != null && active.id == id) {
            events.add(new Event.Failed(id, active.request,
                    new LocalProtocolException("request " + id + " was cancelled while on the wire")));
            giveUpActive(nowNanos);
        }
        return false;
    }

    /** Starts the next request when the link is free. */
    private void pump(long now) {
        if (phase != Phase.UP || active != null || callXid != 0) {
            return;
        }
        if (clearOwed) {   // a query ended without its answer, which may still wait in the device: clear it out
            clearOwed = false;
            call(Vxi11.DEVICE_CLEAR, new DeviceGenericParms(lid, Vxi11.FLAG_WAITLOCK, OWED_GRACE_MS, OWED_GRACE_MS), null);
            owed = true;
            owedDeadline = now + OWED_GRACE_MS * 1_000_000L;
            return;
        }
        RequestRun next = setupQueue.poll();
        if (next == null && intrState == Intr.LISTENING) {
            return;   // the interrupt channel's address comes first (channelListening), then create_intr_chan
        }
        if (next == null && srqPending) {
            srqPending = false;
            next = internal(RequestRun.Kind.SRQ_STB, Request.operation(Operation.READ_STATUS_BYTE),
                    after(now, config.defaultTimeout().toNanos()));
        }
        if (next == null) {
            next = hookQueue.poll();
        }
        if (next == null && !hookRunning) {
            if (state == State.ON_CONNECT) {
                state(State.READY, null);
            }
            next = queue.poll();
        }
        if (next == null) {
            return;
        }
        active = next;
        apply(next.start(lid, maxRecvSize, config, now), now);
    }

    private void apply(RequestRun.Step step, long now) {
        if (step instanceof RequestRun.Call c) {
            call(c.procedure(), c.args(), active);
        } else {
            end(active, ((RequestRun.End) step).event(), now);
        }
    }

    /** Puts a call on the link for {@code owner} (null: the machine's own, e.g. create_link). */
    private void call(int procedure, XdrStruct args, RequestRun owner) {
        callXid = ++xid;
        callProc = procedure;
        boolean named = owner != null && !owner.internal;   // a caller's (or an external hook's) request
        callId = named ? owner.id : -1;
        callRequest = named ? owner.request : null;
        link.send(RpcCall.of(callXid, Vxi11.CORE_PROGRAM, Vxi11.VERSION, procedure, args.encode()), callId);
    }

    /** The active request ended early (timeout, cancel) with its call on the wire: abort it, owe its reply. */
    private void giveUpActive(long now) {
        clearOwed |= active.expectsAnswer();
        active = null;
        if (callXid != 0) {
            owed = true;
            owedDeadline = now + OWED_GRACE_MS * 1_000_000L;
            if (abortPort == 0) {
                return;   // the device gave no abort channel: wait for the reply (or the grace) only
            }
            if (!abortOrdered) {
                abortOrdered = true;
                events.add(new Event.OpenChannel(ABORT_CHANNEL, abortPort));
            }
            abort.send(RpcCall.of(++xid, Vxi11.ABORT_PROGRAM, Vxi11.VERSION, Vxi11.DEVICE_ABORT,
                    Vxi11Calls.encodeLink(lid)));
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
            for (byte[] rec; phase != Phase.DOWN && (rec = link.records.receive(data)) != null; ) {
                reply(RpcReply.decode(rec), nowNanos);
            }
        } catch (RemoteProtocolException e) {
            data.position(data.limit());
            if (active != null) {
                events.add(new Event.Failed(active.id, active.request, e));
                active = null;
            } else {
                events.add(new Event.ProtocolError(e));
            }
            events.add(new Event.CloseLink("bad RPC from the device: " + e.getMessage()));
            attemptFailed(new LinkDownException("bad RPC from the device", e), nowNanos);
        }
    }

    private void reply(RpcReply reply, long now) {
        if (callXid == 0 || reply.xid() != callXid) {
            events.add(new Event.ProtocolError(new RemoteProtocolException("RPC reply xid " + Rpc.hex(reply.xid())
                    + " answers no call on the VXI-11 link" + (callXid == 0 ? "" : " (awaiting " + Rpc.hex(callXid) + ")"))));
            return;
        }
        int proc = callProc;
        callXid = 0;
        if (owed) {   // the reply of a request that already ended: dropped by its xid
            owedDeadline = Long.MAX_VALUE;
            owed = false;
            pump(now);
            return;
        }
        XdrReader r = reply.results(reply.xid());
        String name = Vxi11.procedureName(Vxi11.CORE_PROGRAM, proc);
        if (phase == Phase.CREATE_LINK) {
            CreateLinkResp c = CreateLinkResp.decode(r);
            if (c.error() != 0) {   // e.g. 3: no such device name; the device may come up later: back off, retry
                Vxi11Exception refused = new Vxi11Exception(name, c.error());
                events.add(new Event.CloseLink("create_link refused"));
                attemptFailed(new LinkDownException("the device refused create_link for \"" + endpoint.device()
                        + "\": " + refused.getMessage(), refused), now);
                return;
            }
            lid = c.lid();
            abortPort = c.abortPort();
            maxRecvSize = Math.max(1, Math.min(c.maxRecvSize(), 64L << 20));
            phase = Phase.UP;
            attempt = 0;
            linkGeneration++;
            state(State.ON_CONNECT, null);
            if (lockHeld) {   // the device let go of our lock with the old link: take it again before anything else
                RequestRun relock = internal(RequestRun.Kind.RELOCK, Request.operation(Operation.LOCK),
                        after(now, (lockHeldMs + OWED_GRACE_MS) * 1_000_000L));
                relock.lockMs = lockHeldMs;
                setupQueue.add(relock);
            }
            if (config.serviceRequestChannel() && !intrRefused) {
                srqHandle = new byte[] {'L', 'W', 'S', 'Q', (byte) (linkGeneration >>> 24),
                    (byte) (linkGeneration >>> 16), (byte) (linkGeneration >>> 8), (byte) linkGeneration};
                intrState = Intr.LISTENING;
                intrOrdered = true;
                intr.reset();
                events.add(new Event.ListenChannel(INTR_CHANNEL));
            }
            for (Request h : config.onConnect()) {
                RequestRun hp = new RequestRun(nextId++, h, deadline(h, now), true);
                hp.internal = true;
                hp.kind = RequestRun.Kind.HOOK;
                hookQueue.add(hp);
            }
            hookRunning = config.externalHook();
            pump(now);
            return;
        }
        if (active == null) {   // destroy_link after close
            return;
        }
        apply(active.result(proc, r, now), now);
    }

    private void end(RequestRun p, Event e, long now) {
        active = null;
        if (!(e instanceof Event.Reply) && p.expectsAnswer()) {
            clearOwed = true;
        }
        if (p.kind != RequestRun.Kind.USER && p.kind != RequestRun.Kind.HOOK) {
            if (internalEnded(p, e, now)) {
                pump(now);
            }
            return;
        }
        trackLock(p, e);
        if (p.internal && !(e instanceof Event.Reply)) {
            events.add(new Event.CloseLink("on-connect request " + p.request + " did not succeed"));
            attemptFailed(new LinkDownException("on-connect request " + p.request + " did not succeed: " + e, null), now);
            return;
        }
        if (!p.internal) {
            events.add(e);
        }
        pump(now);
    }

    /** Keeps {@link #lockHeld} as the device sees it, from the callers' LOCK and UNLOCK operations. */
    private void trackLock(RequestRun p, Event e) {
        if (p.kind != RequestRun.Kind.USER || !(p.request.expect() instanceof Expect.Operate o)) {
            // an on-connect hook that locks takes its lock again itself on every link
            return;
        }
        if (o.operation() == Operation.LOCK && e instanceof Event.Reply) {
            lockHeld = true;
            lockHeldMs = p.sentLockMs;
        } else if (o.operation() == Operation.UNLOCK && (e instanceof Event.Reply
                || e instanceof Event.Failed f && f.cause() instanceof Vxi11Exception x
                        && x.code() == dev.labwire.core.vxi11.Vxi11Error.NO_LOCK_HELD_BY_THIS_LINK.code())) {
            lockHeld = false;
        }
    }

    /**
     * A run of the machine's own ended with {@code e}. Returns false when that failed the link (nothing more to do).
     */
    private boolean internalEnded(RequestRun p, Event e, long now) {
        boolean ok = e instanceof Event.Reply;
        switch (p.kind) {
            case RELOCK:
                if (!ok) {
                    events.add(new Event.CloseLink("could not re-take the lock this client held"));
                    attemptFailed(new LinkDownException("the lock this client held could not be re-taken on the new "
                            + "link (device_lock, " + lockHeldMs + " ms): " + outcome(e), null), now);
                    return false;
                }
                return true;
            case INTR:
                int proc = p.fixed.procedure();
                String name = Vxi11.procedureName(Vxi11.CORE_PROGRAM, proc);
                if (!ok) {
                    intrGiveUp(name + " did not succeed: " + outcome(e), now);
                } else if (proc == Vxi11.CREATE_INTR_CHAN) {
                    RequestRun enable = internal(RequestRun.Kind.INTR, Request.operation(Operation.READ_STATUS_BYTE),
                            after(now, config.defaultTimeout().toNanos()));
                    enable.fixed = new RequestRun.Call(Vxi11.DEVICE_ENABLE_SRQ,
                            new DeviceEnableSrqParms(lid, true, srqHandle));
                    setupQueue.addFirst(enable);
                } else {
                    intrState = Intr.ON;
                }
                return true;
            case SRQ_STB:
                if (ok) {
                    events.add(new Event.ServiceRequest(Integer.parseInt(((Event.Reply) e).text())));
                } else {
                    events.add(new Event.ProtocolError(new RemoteProtocolException("device_readstb after "
                            + "device_intr_srq did not succeed: " + outcome(e) + "; that service request is lost")));
                }
                return true;
            default:
                return true;
        }
    }

    private static String outcome(Event e) {
        if (e instanceof Event.Failed f) {
            return f.cause().getMessage();
        }
        if (e instanceof Event.Timeout t) {
            return "no answer in time (" + t.detail() + ")";
        }
        return e.toString();
    }

    // ------------------------------------------------------------------ time

    @Override
    public void handleTimeout(long nowNanos) {
        if (retryAt - nowNanos <= 0 && phase == Phase.DOWN) {
            connect();
        }
        for (ArrayDeque<RequestRun> q : List.of(queue, hookQueue)) {
            for (Iterator<RequestRun> it = q.iterator(); it.hasNext(); ) {
                RequestRun p = it.next();
                if (p.deadline - nowNanos <= 0) {
                    it.remove();
                    if (!p.internal) {
                        events.add(new Event.Timeout(p.id, p.request, false, "the VXI-11 link was " + state));
                    }
                }
            }
        }
        for (Iterator<RequestRun> it = setupQueue.iterator(); it.hasNext(); ) {
            RequestRun p = it.next();
            if (p.deadline - nowNanos <= 0) {
                it.remove();
                if (!internalEnded(p, new Event.Timeout(p.id, p.request, false, "never sent"), nowNanos)) {
                    return;
                }
                break;   // internalEnded may change setupQueue: the rest wait for the next timer
            }
        }
        if (active != null && active.deadline - nowNanos <= 0) {
            RequestRun p = active;
            giveUpActive(nowNanos);
            if (p.kind != RequestRun.Kind.USER && p.kind != RequestRun.Kind.HOOK) {
                if (!internalEnded(p, new Event.Timeout(p.id, p.request, true, "the device did not answer " + Vxi11
                        .procedureName(Vxi11.CORE_PROGRAM, callProc)), nowNanos)) {
                    return;
                }
            } else if (p.internal) {
                events.add(new Event.CloseLink("on-connect request " + p.request + " timed out"));
                attemptFailed(new LinkDownException("on-connect request " + p.request + " timed out", null), nowNanos);
                return;
            } else {
                events.add(new Event.Timeout(p.id, p.request, true, p.received() + " reply bytes came"));
            }
        }
        if (owed && owedDeadline - nowNanos <= 0) {
            events.add(new Event.CloseLink("no reply to a timed-out call " + OWED_GRACE_MS + " ms after device_abort"));
            attemptFailed(new LinkDownException("the device did not answer after device_abort", null), nowNanos);
        }
    }

    @Override
    public OptionalLong pollTimeout() {
        long t = Math.min(retryAt, owedDeadline);
        if (active != null) {
            t = Math.min(t, active.deadline);
        }
        for (RequestRun p : queue) {
            t = Math.min(t, p.deadline);
        }
        for (RequestRun p : hookQueue) {
            t = Math.min(t, p.deadline);
        }
        for (RequestRun p : setupQueue) {
            t = Math.min(t, p.deadline);
        }
        return t == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(t);
    }

    // ------------------------------------------------------------------ output

    @Override
    public ByteBuffer pollTransmit() {
        byte[] b = link.poll();
        return b == null ? null : ByteBuffer.wrap(b);
    }

    @Override
    public int pollTransmit(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        return link.copy(dst);
    }

    @Override
    public int pollTransmit(int channel, ByteBuffer dst) {
        if (channel == PORTMAP_CHANNEL) {
            return portmap.copy(dst);
        }
        if (channel == ABORT_CHANNEL && abortUp) {
            return abort.copy(dst);
        }
        if (channel == INTR_CHANNEL && intrUp) {
            return intr.copy(dst);
        }
        return 0;
    }

    // ------------------------------------------------------------------ wire trace

    @Override
    public long transmittedFirstId() {
        return link.firstId;
    }

    @Override
    public long transmittedLastId() {
        return link.lastId;
    }

    @Override
    public long awaitedId() {
        return callXid != 0 ? callId : -1;
    }

    @Override
    public Request awaitedRequest() {
        return callXid != 0 ? callRequest : null;
    }

    @Override
    public Event nextEvent() {
        Event e = events.poll();
        return e == null ? Event.NeedData.INSTANCE : e;
    }
}
