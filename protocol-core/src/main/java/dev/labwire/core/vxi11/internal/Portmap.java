package dev.labwire.core.vxi11.internal;

import dev.labwire.core.RemoteProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * The portmapper, program 100000 version 2 (RFC 1833 section 3), on port 111 over TCP (record-marked) and UDP
 * (one RPC message per datagram, no record marking). A VXI-11 client asks it, with GETPORT, on which TCP port the
 * device core program 0x0607AF version 1 listens.
 *
 * <pre>
 * GETPORT arguments: struct mapping { unsigned prog; unsigned vers; unsigned prot; unsigned port; }  (port ignored)
 * GETPORT result:    unsigned port                                  (0: not registered)
 * DUMP result:       struct pmaplist { mapping map; pmaplist *next; } as: 1 mapping 1 mapping ... 0
 * </pre>
 */
public final class Portmap {

    /** The portmapper's program number. */
    public static final int PROGRAM = 100000;
    /** The version spoken here. */
    public static final int VERSION = 2;
    /** Its well-known port, TCP and UDP. */
    public static final int PORT = 111;
    /** PMAPPROC_NULL: does nothing, answers nothing (a ping). */
    public static final int PROC_NULL = 0;
    /** PMAPPROC_SET: registers a mapping. */
    public static final int PROC_SET = 1;
    /** PMAPPROC_UNSET: removes a mapping. */
    public static final int PROC_UNSET = 2;
    /** PMAPPROC_GETPORT: the port of a program. */
    public static final int PROC_GETPORT = 3;
    /** PMAPPROC_DUMP: every mapping. */
    public static final int PROC_DUMP = 4;
    /** PMAPPROC_CALLIT: indirect call (not served by our mock). */
    public static final int PROC_CALLIT = 5;
    /** IPPROTO_TCP, as a mapping's protocol. */
    public static final int IPPROTO_TCP = 6;
    /** IPPROTO_UDP, as a mapping's protocol. */
    public static final int IPPROTO_UDP = 17;

    /** The most mappings {@link #decodeDump} accepts. */
    public static final int MAX_DUMP = 1024;

    private Portmap() {
    }

    /**
     * A program mapping: {@code protocol} is {@link #IPPROTO_TCP} or {@link #IPPROTO_UDP}; numbers are unsigned on
     * the wire and kept as Java ints ({@code port} must be 0..65535).
     */
    public record Mapping(int program, int version, int protocol, int port) {
        /** Checks the port range. */
        public Mapping {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
        }

        void encode(XdrWriter w) {
            w.putInt(program).putInt(version).putInt(protocol).putInt(port);
        }

        static Mapping decode(XdrReader r) {
            int prog = r.getInt("mapping prog");
            int vers = r.getInt("mapping vers");
            int prot = r.getInt("mapping prot");
            return new Mapping(prog, vers, prot, (int) r.getUnsignedInt("mapping port", 65535));
        }
    }

    /** The GETPORT call asking for {@code program}/{@code version} over {@code protocol}. */
    public static RpcCall getPortCall(int xid, int program, int version, int protocol) {
        XdrWriter w = new XdrWriter();
        new Mapping(program, version, protocol, 0).encode(w);
        return RpcCall.of(xid, PROGRAM, VERSION, PROC_GETPORT, w.toByteArray());
    }

    /** Decodes GETPORT (or SET/UNSET) arguments. @throws RemoteProtocolException when malformed */
    public static Mapping decodeMapping(byte[] arguments) {
        XdrReader r = new XdrReader(arguments);
        Mapping m = Mapping.decode(r);
        r.expectEnd("portmapper mapping");
        return m;
    }

    /** GETPORT's result: the port as an unsigned int. */
    public static byte[] encodePort(int port) {
        return new XdrWriter().putUnsignedInt(port).toByteArray();
    }

    /**
     * The port in the reply to GETPORT call {@code xid}: 0 when the program is not registered.
     *
     * @throws RpcException when the reply is not a SUCCESS for that call
     * @throws RemoteProtocolException when the result is not one port 0..65535
     */
    public static int decodePort(RpcReply reply, int xid) {
        XdrReader r = reply.results(xid);
        int port = (int) r.getUnsignedInt("GETPORT port", 65535);
        r.expectEnd("GETPORT result");
        return port;
    }

    /** DUMP's result: the list as XDR optional-data ({@code 1 mapping} per entry, {@code 0} at the end). */
    public static byte[] encodeDump(List<Mapping> mappings) {
        XdrWriter w = new XdrWriter();
        for (Mapping m : mappings) {
            w.putBool(true);
            m.encode(w);
        }
        return w.putBool(false).toByteArray();
    }

    /** Decodes DUMP's result. @throws RemoteProtocolException when malformed or over {@value #MAX_DUMP} entries */
    public static List<Mapping> decodeDump(XdrReader r) {
        List<Mapping> out = new ArrayList<>();
        while (r.getBool("pmaplist more")) {
            if (out.size() == MAX_DUMP) {
                throw new RemoteProtocolException("portmapper DUMP lists more than " + MAX_DUMP + " mappings");
            }
            out.add(Mapping.decode(r));
        }
        r.expectEnd("portmapper DUMP result");
        return out;
    }
}
