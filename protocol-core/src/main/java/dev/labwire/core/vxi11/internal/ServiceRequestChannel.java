package dev.labwire.core.vxi11.internal;

import dev.labwire.core.internal.Durations;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Operation;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceEnableSrqParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceRemoteFunc;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceSrqParms;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * The service-request side of a {@link Vxi11Session} (VXI-11 B.5). With
 * {@link ConnectionConfig#serviceRequestChannel()}, after create_link and a re-lock: {@link Event.ListenChannel}
 * (channel {@value Vxi11Session#INTR_CHANNEL}) on the link's local address, create_intr_chan with that IPv4 address
 * (an IPv4-mapped IPv6 address is unwrapped; a true IPv6 link cannot be named in {@code hostAddr}) and port, program
 * 0x0607B1 v1 over TCP, then device_enable_srq(true, a handle naming this link). Each device_intr_srq that arrives
 * there is answered (a void SUCCESS reply: VXI-11 calls it one-way, and most instruments never read the reply, but an
 * RPC library that waits for one gets it), then device_readstb goes at the link's next free turn (ahead of queued
 * requests; calls that come while one read already waits share it, so at most one waits) and its status byte is an
 * {@link Event.ServiceRequest}. When the instrument refuses or cannot call back, or the set-up does not answer in
 * {@code connectTimeout} + {@value Vxi11Session#OWED_GRACE_MS} ms, service requests are off for the rest of the
 * machine's life, one {@link Event.ProtocolError} says so, and the link goes on.
 *
 * <p>It owns the interrupt channel's state (set-up step, ordered/up, the handle, the read owed, the refusal that
 * outlives links) and that connection's RPC traffic; it is separate because that state runs beside the link's calls
 * and never decides a caller's request. Its calls on the link go through the session's set-up queue (after a
 * re-lock), so the session keeps the one-call-at-a-time order.
 */
final class ServiceRequestChannel {

    /** The interrupt channel of the current link. */
    private enum Step { OFF, LISTENING, SETTING_UP, ON }

    private final Vxi11Session session;
    private final WaitingRuns runs;
    private final ArrayDeque<Event> events;
    private final ConnectionConfig config;
    private final Endpoint.Vxi11 endpoint;
    private final CallWire wire = new CallWire(1024);
    private Step step = Step.OFF;
    private boolean ordered;         // INTR_CHANNEL ordered and not gone
    private boolean up;              // the instrument connected to it
    private boolean refused;         // the instrument could not or would not: no later link tries again
    private byte[] handle = new byte[0];
    private int linkGeneration;
    private boolean readOwed;        // device_intr_srq came: device_readstb at the next free turn

    ServiceRequestChannel(Vxi11Session session, WaitingRuns runs, ArrayDeque<Event> events, ConnectionConfig config,
            Endpoint.Vxi11 endpoint) {
        this.session = session;
        this.runs = runs;
        this.events = events;
        this.config = config;
        this.endpoint = endpoint;
    }

    /** create_link succeeded: a new link, a new handle; listening starts when the config asks and nobody refused. */
    void linkCreated() {
        linkGeneration++;
        if (config.serviceRequestChannel() && !refused) {
            handle = new byte[] {'L', 'W', 'S', 'Q', (byte) (linkGeneration >>> 24),
                (byte) (linkGeneration >>> 16), (byte) (linkGeneration >>> 8), (byte) linkGeneration};
            step = Step.LISTENING;
            ordered = true;
            wire.reset();
            events.add(new Event.ListenChannel(Vxi11Session.INTR_CHANNEL));
        }
    }

    /** True while the listening address is awaited: create_intr_chan, which needs it, goes before anything else. */
    boolean awaitingAddress() {
        return step == Step.LISTENING;
    }

    /** Whether a device_readstb is owed for a device_intr_srq; taking it clears it (later calls share the next). */
    boolean takeReadOwed() {
        if (readOwed) {
            readOwed = false;
            return true;
        }
        return false;
    }

    void channelUp() {
        if (ordered) {
            up = true;
        }
    }

    void channelFailed(Throwable cause, long now) {
        if (ordered) {
            ordered = false;
            up = false;
            giveUp("no listening socket for the interrupt channel could be opened: " + cause, now);
        }
    }

    void channelDown(Throwable cause) {
        if (ordered) {
            ordered = false;
            up = false;
            wire.reset();
            if (step == Step.ON) {
                step = Step.OFF;
                events.add(new Event.ProtocolError(new RemoteProtocolException("the instrument closed the VXI-11 "
                        + "interrupt channel: no service requests until the next link (" + cause + ")")));
            }
            // while setting up: create_intr_chan's or device_enable_srq's answer decides
        }
    }

    /** The driver listens at {@code address}:{@code port}: create_intr_chan goes into the set-up queue. */
    void listening(byte[] address, int port, long now) {
        if (!ordered || step != Step.LISTENING) {
            return;   // a link that is gone
        }
        long host;
        if (address.length == 4) {
            host = ipv4(address, 0);
        } else if (address.length == 16 && isV4Mapped(address)) {
            host = ipv4(address, 12);
        } else {
            giveUp("the link is IPv6 and create_intr_chan's hostAddr holds an IPv4 address only", now);
            return;
        }
        step = Step.SETTING_UP;
        RequestRun create = runs.internal(RequestRun.Kind.INTR, Request.operation(Operation.READ_STATUS_BYTE),
                Durations.deadline(Durations.deadline(now, config.connectTimeout()), Vxi11Session.OWED_GRACE_MS * 1_000_000L));
        create.fixed = new RequestRun.Call(Vxi11.CREATE_INTR_CHAN,
                new DeviceRemoteFunc(host, port, Vxi11.INTR_PROGRAM, Vxi11.VERSION, Vxi11.FAMILY_TCP));
        runs.setupQueue().add(create);   // after a re-lock that may still wait
        session.pump(now);
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

    /**
     * The instrument will not call back (refused, timed out, IPv6, no local socket): service requests are off for this
     * machine; the link goes on. Said once, as a ProtocolError.
     */
    void giveUp(String why, long now) {
        if (ordered) {
            events.add(new Event.CloseChannel(Vxi11Session.INTR_CHANNEL, "service requests are off"));
        }
        ordered = false;
        up = false;
        wire.reset();
        boolean wasSettingUp = step != Step.OFF;
        step = Step.OFF;
        for (Iterator<RequestRun> it = runs.setupQueue().iterator(); it.hasNext(); ) {
            if (it.next().kind == RequestRun.Kind.INTR) {
                it.remove();
            }
        }
        if (!refused) {
            refused = true;
            events.add(new Event.ProtocolError(new RemoteProtocolException("VXI-11 service requests are off for "
                    + endpoint + ": " + why + "; the link works on without them (no further link tries again)")));
        }
        if (wasSettingUp) {
            session.pump(now);
        }
    }

    /**
     * A set-up call (create_intr_chan or device_enable_srq) ended with {@code e}: the next step, or service requests
     * off when it did not succeed.
     */
    void setupEnded(RequestRun p, Event e, long now) {
        int proc = p.fixed.procedure();
        String name = Vxi11.procedureName(Vxi11.CORE_PROGRAM, proc);
        if (!(e instanceof Event.Reply)) {
            giveUp(name + " did not succeed: " + LinkSetup.outcome(e), now);
        } else if (proc == Vxi11.CREATE_INTR_CHAN) {
            RequestRun enable = runs.internal(RequestRun.Kind.INTR, Request.operation(Operation.READ_STATUS_BYTE),
                    Durations.deadline(now, config.defaultTimeout()));
            enable.fixed = new RequestRun.Call(Vxi11.DEVICE_ENABLE_SRQ,
                    new DeviceEnableSrqParms(session.linkId(), true, handle));
            runs.setupQueue().addFirst(enable);
        } else {
            step = Step.ON;
        }
    }

    /** The device_readstb for a service request ended with {@code e}: the ServiceRequest event, or why it is lost. */
    void statusRead(Event e) {
        if (e instanceof Event.Reply r) {
            events.add(new Event.ServiceRequest(Integer.parseInt(r.text())));
        } else {
            events.add(new Event.ProtocolError(new RemoteProtocolException("device_readstb after "
                    + "device_intr_srq did not succeed: " + LinkSetup.outcome(e) + "; that service request is lost")));
        }
    }

    /** Calls from the instrument on the interrupt channel: device_intr_srq (and the RPC NULL procedure). */
    void receive(ByteBuffer data, long now) {
        if (!ordered) {
            data.position(data.limit());
            return;
        }
        try {
            for (byte[] rec; (rec = wire.records.receive(data)) != null; ) {
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
                if (wire.pending() < Vxi11Session.MAX_INTR_REPLIES) {
                    wire.sendMessage(reply.encode(), -1);
                }
                session.pump(now);   // a read for this call now if the link is free; the calls after it share the next
            }
        } catch (RemoteProtocolException e) {
            data.position(data.limit());
            events.add(new Event.ProtocolError(new RemoteProtocolException("bad RPC on the VXI-11 interrupt channel: "
                    + e.getMessage() + "; it is closed, no service requests until the next link", e)));
            events.add(new Event.CloseChannel(Vxi11Session.INTR_CHANNEL, "bad RPC"));
            ordered = false;
            up = false;
            wire.reset();
            step = Step.OFF;
        }
        session.pump(now);
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
        if (!Arrays.equals(p.handle(), handle)) {
            events.add(new Event.ProtocolError(new RemoteProtocolException("device_intr_srq with handle "
                    + Arrays.toString(p.handle()) + ", not the one device_enable_srq gave for this link: ignored")));
        } else if (session.isUp()) {
            readOwed = true;
        }
        return RpcReply.success(c.xid(), new byte[0]);
    }

    /** The link is down: the interrupt channel goes with it (the refusal, if any, stays). */
    void linkLost() {
        readOwed = false;
        if (ordered) {
            events.add(new Event.CloseChannel(Vxi11Session.INTR_CHANNEL, "the link is down"));
        }
        ordered = false;
        up = false;
        wire.reset();
        step = Step.OFF;
    }

    /** The session closes. */
    void close() {
        readOwed = false;
        if (ordered) {
            events.add(new Event.CloseChannel(Vxi11Session.INTR_CHANNEL, "closed"));
            ordered = false;
            up = false;
        }
    }

    /** Replies to the instrument's calls, once it connected. */
    int pollTransmit(ByteBuffer dst) {
        return up ? wire.copy(dst) : 0;
    }
}
