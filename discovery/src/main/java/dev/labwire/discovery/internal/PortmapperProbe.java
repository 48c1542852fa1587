package dev.labwire.discovery.internal;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.vxi11.internal.Portmap;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.Vxi11;
import java.util.OptionalInt;

/**
 * The VXI-11 discovery probe, Sans-IO: one ONC RPC GETPORT call to the portmapper (program 100000 version 2,
 * RFC 1833) asking for the VXI-11 device core program (0x0607AF version 1, TCP), sent as one UDP datagram to port
 * 111 of a broadcast address, and the answers to it. This is what VXI-11 discovery tools (NI-MAX, {@code lxi
 * discover}) send (VXI-11 B.6 leaves discovery to the portmapper). The bytes come from the protocol core's RPC codec;
 * this class only decides which answers name a VXI-11 instrument.
 *
 * <pre>
 *   call:  xid | 0 CALL | 2 | 100000 | 2 | 3 GETPORT | AUTH_NONE | AUTH_NONE | 0x0607AF | 1 | 6 (TCP) | 0
 *   reply: xid | 1 REPLY | 0 MSG_ACCEPTED | AUTH_NONE | 0 SUCCESS | port     (port 0: no VXI-11 here)
 * </pre>
 */
public final class PortmapperProbe {

    private final int xid;

    /** A probe whose call carries {@code xid}; answers to other calls are ignored. */
    public PortmapperProbe(int xid) {
        this.xid = xid;
    }

    /** The datagram to broadcast (RPC over UDP: one message per datagram, no record marking). */
    public byte[] datagram() {
        return Portmap.getPortCall(xid, Vxi11.CORE_PROGRAM, Vxi11.VERSION, Portmap.IPPROTO_TCP).encode();
    }

    /**
     * The VXI-11 core port a responder announced, or empty when the datagram is not a successful answer to this
     * probe, is malformed, or says port 0 (a portmapper without a VXI-11 server: a PC running rpcbind). Never throws.
     */
    public OptionalInt receive(byte[] datagram) {
        try {
            int port = Portmap.decodePort(RpcReply.decode(datagram), xid);
            return port == 0 ? OptionalInt.empty() : OptionalInt.of(port);
        } catch (RemoteProtocolException | IllegalArgumentException e) { // RpcException is one too
            return OptionalInt.empty();
        }
    }
}
