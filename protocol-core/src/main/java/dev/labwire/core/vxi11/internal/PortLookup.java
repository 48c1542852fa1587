package dev.labwire.core.vxi11.internal;

import dev.labwire.core.RemoteProtocolException;
import java.nio.ByteBuffer;

/**
 * The connect phase's question to the portmapper (channel {@value Vxi11Session#PORTMAP_CHANNEL}, RFC 1833 PMAPPROC_GETPORT):
 * which TCP port serves the VXI-11 core program 0x0607AF v1. It owns that connection's call queue, its reply
 * reassembly and the call's xid; it is separate because the connection lives only until the answer comes, before the
 * link exists, and shares no state with it. The session decides what the answer means (events, retries).
 */
final class PortLookup {

    private final CallWire wire = new CallWire(1024);
    private int xid;

    /** A new attempt: nothing queued, nothing half-received. */
    void reset() {
        wire.reset();
    }

    /** The channel is up: GETPORT(core program, v1, TCP) goes out with {@code callXid}. */
    void ask(int callXid) {
        xid = callXid;
        wire.send(Portmap.getPortCall(xid, Vxi11.CORE_PROGRAM, Vxi11.VERSION, Portmap.IPPROTO_TCP));
    }

    /**
     * Reads the answer from {@code data}: the port (0: the program is not registered), or -1 while the reply is not
     * whole yet.
     *
     * @throws RemoteProtocolException when the reply breaks record marking or RPC, or answers another xid
     */
    int receive(ByteBuffer data) {
        byte[] rec = wire.records.receive(data);
        return rec == null ? -1 : Portmap.decodePort(RpcReply.decode(rec), xid);
    }

    int pollTransmit(ByteBuffer dst) {
        return wire.copy(dst);
    }
}
