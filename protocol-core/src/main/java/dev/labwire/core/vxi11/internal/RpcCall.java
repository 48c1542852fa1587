package dev.labwire.core.vxi11.internal;

import dev.labwire.core.RemoteProtocolException;

/**
 * An ONC RPC v2 CALL message (RFC 5531 section 9):
 *
 * <pre>
 * xid | 0 (CALL) | rpcvers = 2 | prog | vers | proc | cred (flavor, opaque body&lt;400&gt;) | verf (same) | arguments
 * </pre>
 *
 * {@link #encode()} always sends AUTH_NONE credentials and verifier (flavor 0, empty body), which every VXI-11 device
 * and portmapper accepts. {@link #decode} accepts any credential flavor and skips its body (AUTH_SYS from
 * libtirpc clients, for example), keeping only the flavor. {@code rpcVersion} is kept as sent so that a server can
 * answer a version other than 2 with RPC_MISMATCH (RFC 5531 section 9). Arrays are copied in and out.
 *
 * @param xid the transaction id the reply must carry
 * @param rpcVersion the RPC protocol version (2 for every call this side makes)
 * @param program program number, e.g. 0x0607AF (VXI-11 core) or 100000 (portmapper)
 * @param version program version
 * @param procedure procedure number
 * @param credentialFlavor the credential's auth flavor (0 AUTH_NONE, 1 AUTH_SYS, ...)
 * @param arguments the XDR-encoded arguments
 */
public record RpcCall(int xid, int rpcVersion, int program, int version, int procedure, int credentialFlavor,
        byte[] arguments) {

    /** The largest credential or verifier body RFC 5531 allows (section 8.2, {@code opaque body<400>}). */
    public static final int MAX_AUTH_BODY = 400;

    /** Copies {@code arguments}. */
    public RpcCall {
        arguments = arguments.clone();
    }

    /** A version-2 call with AUTH_NONE. */
    public static RpcCall of(int xid, int program, int version, int procedure, byte[] arguments) {
        return new RpcCall(xid, Rpc.RPC_VERSION, program, version, procedure, Rpc.AUTH_NONE, arguments);
    }

    @Override
    public byte[] arguments() {
        return arguments.clone();
    }

    /** A reader over the arguments. */
    public XdrReader argumentReader() {
        return new XdrReader(arguments);
    }

    /** The message bytes (not record-marked: see {@link RecordMarking#frame}; over UDP they are the datagram). */
    public byte[] encode() {
        XdrWriter w = new XdrWriter();
        w.putInt(xid).putInt(Rpc.CALL).putInt(rpcVersion).putInt(program).putInt(version).putInt(procedure);
        w.putInt(Rpc.AUTH_NONE).putInt(0);   // cred
        w.putInt(Rpc.AUTH_NONE).putInt(0);   // verf
        w.putFixedOpaque(arguments);
        return w.toByteArray();
    }

    /**
     * Decodes a CALL message; the arguments are the bytes after the verifier, not yet decoded.
     *
     * @throws RemoteProtocolException when the message is cut short, is a REPLY or another message type, or
     *     carries an auth body longer than 400 bytes
     */
    public static RpcCall decode(byte[] message) {
        XdrReader r = new XdrReader(message);
        int xid = r.getInt("xid");
        int type = r.getInt("msg_type");
        if (type != Rpc.CALL) {
            throw new RemoteProtocolException("expected an RPC CALL (msg_type 0), got msg_type " + type
                    + (type == Rpc.REPLY ? " (REPLY)" : "") + " in xid " + Rpc.hex(xid));
        }
        int rpcvers = r.getInt("rpcvers");
        int prog = r.getInt("prog");
        int vers = r.getInt("vers");
        int proc = r.getInt("proc");
        int flavor = r.getInt("cred flavor");
        r.skipOpaque(MAX_AUTH_BODY, "cred body");
        r.getInt("verf flavor");
        r.skipOpaque(MAX_AUTH_BODY, "verf body");
        return new RpcCall(xid, rpcvers, prog, vers, proc, flavor, r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RpcCall c && xid == c.xid && rpcVersion == c.rpcVersion && program == c.program
                && version == c.version && procedure == c.procedure && credentialFlavor == c.credentialFlavor
                && java.util.Arrays.equals(arguments, c.arguments);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(xid, program, version, procedure) * 31 + java.util.Arrays.hashCode(arguments);
    }

    @Override
    public String toString() {
        return "RpcCall[xid " + Rpc.hex(xid) + ", prog " + Rpc.hex(program) + " v" + version + ", proc " + procedure
                + ", " + arguments.length + " argument bytes]";
    }
}
