package dev.labwire.mock;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.vxi11.internal.Portmap;
import dev.labwire.core.vxi11.internal.Portmap.Mapping;
import dev.labwire.core.vxi11.internal.Rpc;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.RpcReply.Status;
import java.util.List;
import java.util.function.Supplier;

/**
 * The VXI-11 mock's own portmapper (RFC 1833, program 100000 version 2), answering over TCP and UDP: NULL, GETPORT
 * (the mock's core channel for program 0x0607AF version 1 over TCP; 0 for anything else, as RFC 1833 says for an
 * unregistered program) and DUMP (the core channel and the portmapper itself). SET, UNSET and CALLIT are refused
 * with PROC_UNAVAIL (a mock registers nothing from outside); other versions get PROG_MISMATCH 2..2, other programs
 * PROG_UNAVAIL, RPC versions other than 2 RPC_MISMATCH, undecodable arguments GARBAGE_ARGS. Real rpcbind also
 * speaks versions 3 and 4; clients such as libtirpc's fall back to version 2 on PROG_MISMATCH.
 */
final class PortmapService implements RpcServer.Handler {

    private final Supplier<List<Mapping>> mappings;

    /** @param mappings what is registered now (the core channel, and the portmapper itself) */
    PortmapService(Supplier<List<Mapping>> mappings) {
        this.mappings = mappings;
    }

    /** RPC_MISMATCH, PROG_UNAVAIL or PROG_MISMATCH for a call not to {@code program}/{@code version}; else null. */
    static RpcReply misdirected(RpcCall call, int program, int version) {
        if (call.rpcVersion() != Rpc.RPC_VERSION) {
            return RpcReply.mismatch(call.xid(), Status.RPC_MISMATCH, Rpc.RPC_VERSION, Rpc.RPC_VERSION);
        }
        if (call.program() != program) {
            return RpcReply.error(call.xid(), Status.PROG_UNAVAIL);
        }
        if (call.version() != version) {
            return RpcReply.mismatch(call.xid(), Status.PROG_MISMATCH, version, version);
        }
        return null;
    }

    @Override
    public RpcReply handle(RpcCall call, RpcServer.Connection from) {
        RpcReply refused = misdirected(call, Portmap.PROGRAM, Portmap.VERSION);
        if (refused != null) {
            return refused;
        }
        try {
            switch (call.procedure()) {
                case Portmap.PROC_NULL:
                    return RpcReply.success(call.xid(), new byte[0]);
                case Portmap.PROC_GETPORT: {
                    Mapping want = Portmap.decodeMapping(call.arguments());
                    int port = 0;
                    for (Mapping m : mappings.get()) {
                        if (m.program() == want.program() && m.version() == want.version()
                                && m.protocol() == want.protocol()) {
                            port = m.port();
                        }
                    }
                    return RpcReply.success(call.xid(), Portmap.encodePort(port));
                }
                case Portmap.PROC_DUMP:
                    return RpcReply.success(call.xid(), Portmap.encodeDump(mappings.get()));
                default:
                    return RpcReply.error(call.xid(), Status.PROC_UNAVAIL);
            }
        } catch (RemoteProtocolException e) {
            return RpcReply.error(call.xid(), Status.GARBAGE_ARGS);
        }
    }
}
