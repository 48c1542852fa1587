package dev.labwire.core.vxi11.internal;

import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.endpoint.Endpoint;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The connect phase's question to the portmapper (channel {@value Vxi11Session#PORTMAP_CHANNEL}, RFC 1833
 * PMAPPROC_GETPORT): which TCP port serves the VXI-11 core program 0x0607AF v1. It owns that connection (ordered at
 * each attempt, closed once answered), its call queue, its reply reassembly and the call's xid, and says why an
 * attempt fails there; it is separate because the connection lives only until the answer comes, before the link
 * exists, and shares no state with it. The session decides what a failure does (backoff, retry).
 */
final class PortLookup {

    private final ArrayDeque<Event> events;
    private final Endpoint.Vxi11 endpoint;
    private final CallWire wire = new CallWire(1024);
    private int xid;

    PortLookup(ArrayDeque<Event> events, Endpoint.Vxi11 endpoint) {
        this.events = events;
        this.endpoint = endpoint;
    }

    /** A new attempt: nothing queued, nothing half-received; the channel to the portmapper is ordered. */
    void open() {
        wire.reset();
        events.add(new Event.OpenChannel(Vxi11Session.PORTMAP_CHANNEL, endpoint.portmapperPort()));
    }

    /** The channel is up: GETPORT(core program, v1, TCP) goes out with {@code callXid}. */
    void ask(int callXid) {
        xid = callXid;
        wire.send(Portmap.getPortCall(xid, Vxi11.CORE_PROGRAM, Vxi11.VERSION, Portmap.IPPROTO_TCP));
    }

    /** Why the attempt fails when the channel could not be opened. */
    LinkDownException unreachable(Throwable cause) {
        return new LinkDownException("VXI-11 portmapper at " + endpoint.host() + ":" + endpoint.portmapperPort()
                + " cannot be reached: " + cause, cause);
    }

    /** Why the attempt fails when the portmapper closed the channel first. */
    static LinkDownException closedEarly(Throwable cause) {
        return new LinkDownException("the VXI-11 portmapper closed the connection before answering", cause);
    }

    /**
     * Reads the answer from {@code data}: the core channel's port, or -1 while the reply is not whole yet. Once it is,
     * the channel is closed ({@link Event.CloseChannel}).
     *
     * @throws LinkDownException (the attempt fails) when the reply breaks record marking or RPC, answers another xid,
     *     or says the core program is not registered
     */
    int receive(ByteBuffer data) {
        int port;
        try {
            byte[] rec = wire.records.receive(data);
            if (rec == null) {
                return -1;
            }
            port = Portmap.decodePort(RpcReply.decode(rec), xid);
        } catch (RemoteProtocolException e) {
            events.add(new Event.CloseChannel(Vxi11Session.PORTMAP_CHANNEL, "bad portmapper reply"));
            throw new LinkDownException("VXI-11 portmapper reply: " + e.getMessage(), e);
        }
        events.add(new Event.CloseChannel(Vxi11Session.PORTMAP_CHANNEL, "the core channel's port is known"));
        if (port == 0) {
            throw new LinkDownException("the portmapper at " + endpoint.host() + ":" + endpoint.portmapperPort()
                    + " has no VXI-11 core channel (program 0x0607af v1, TCP)", null);
        }
        return port;
    }

    int pollTransmit(ByteBuffer dst) {
        return wire.copy(dst);
    }
}
