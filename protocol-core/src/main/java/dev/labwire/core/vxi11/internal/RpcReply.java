package dev.labwire.core.vxi11.internal;

import dev.labwire.core.RemoteProtocolException;
import java.util.Arrays;

/**
 * An ONC RPC v2 REPLY message (RFC 5531 section 9), accepted or denied:
 *
 * <pre>
 * xid | 1 (REPLY) | 0 MSG_ACCEPTED | verf (flavor, body&lt;400&gt;) | accept_stat | SUCCESS: results
 *                                                                 | PROG_MISMATCH: low, high
 *                 | 1 MSG_DENIED   | 0 RPC_MISMATCH: low, high
 *                                  | 1 AUTH_ERROR: auth_stat
 * </pre>
 *
 * One record for every outcome: {@code low}/{@code high} are the supported versions for PROG_MISMATCH and
 * RPC_MISMATCH, {@code authStat} the reason for AUTH_ERROR, {@code results} the XDR results for SUCCESS (empty
 * otherwise). {@link #results(int)} turns every outcome but SUCCESS into a {@link RpcException} with a clear text.
 * The verifier sent is AUTH_NONE; the one received is skipped, whatever its flavor.
 *
 * @param xid the transaction id of the call answered
 * @param status the outcome
 * @param low lowest supported version (mismatch outcomes), else 0
 * @param high highest supported version (mismatch outcomes), else 0
 * @param authStat the auth_stat of AUTH_ERROR, else 0
 * @param results the XDR results of SUCCESS, else empty
 */
public record RpcReply(int xid, Status status, int low, int high, int authStat, byte[] results) {

    /** Every outcome of a call, accepted (accept_stat 0..5) or denied (reject_stat 0..1). */
    public enum Status {
        /** Accepted, the procedure ran: results follow. */
        SUCCESS(true, 0),
        /** Accepted, but the program is not served here. */
        PROG_UNAVAIL(true, 1),
        /** Accepted, but not this version of the program; low..high are served. */
        PROG_MISMATCH(true, 2),
        /** Accepted, but the program has no such procedure. */
        PROC_UNAVAIL(true, 3),
        /** Accepted, but the arguments could not be decoded. */
        GARBAGE_ARGS(true, 4),
        /** Accepted, but the server failed (e.g. out of memory). */
        SYSTEM_ERR(true, 5),
        /** Denied: the RPC version is not 2; low..high are supported. */
        RPC_MISMATCH(false, 0),
        /** Denied: the credentials were refused ({@code authStat} says why). */
        AUTH_ERROR(false, 1);

        final boolean accepted;
        final int code;

        Status(boolean accepted, int code) {
            this.accepted = accepted;
            this.code = code;
        }
    }

    /** Checks the outcome's fields; copies {@code results}. */
    public RpcReply {
        if (status == null) {
            throw new IllegalArgumentException("status must not be null");
        }
        results = results.clone();
        if (status != Status.SUCCESS && results.length > 0) {
            throw new IllegalArgumentException(status + " carries no results, got " + results.length + " bytes");
        }
    }

    /** SUCCESS with {@code results}. */
    public static RpcReply success(int xid, byte[] results) {
        return new RpcReply(xid, Status.SUCCESS, 0, 0, 0, results);
    }

    /** An outcome other than SUCCESS without version range or auth_stat (PROG_UNAVAIL, PROC_UNAVAIL, ...). */
    public static RpcReply error(int xid, Status status) {
        return new RpcReply(xid, status, 0, 0, 0, new byte[0]);
    }

    /** PROG_MISMATCH or RPC_MISMATCH with the supported range. */
    public static RpcReply mismatch(int xid, Status status, int low, int high) {
        if (status != Status.PROG_MISMATCH && status != Status.RPC_MISMATCH) {
            throw new IllegalArgumentException("a version range goes with PROG_MISMATCH or RPC_MISMATCH, not " + status);
        }
        return new RpcReply(xid, status, low, high, 0, new byte[0]);
    }

    /** AUTH_ERROR with an auth_stat. */
    public static RpcReply authError(int xid, int authStat) {
        return new RpcReply(xid, Status.AUTH_ERROR, 0, 0, authStat, new byte[0]);
    }

    @Override
    public byte[] results() {
        return results.clone();
    }

    /**
     * A reader over the results of the reply to call {@code expectedXid}.
     *
     * @throws RpcException when the xid differs or the outcome is not SUCCESS; the message names it
     */
    public XdrReader results(int expectedXid) {
        if (xid != expectedXid) {
            throw new RpcException(this, "RPC reply xid " + Rpc.hex(xid) + " answers no pending call (expected "
                    + Rpc.hex(expectedXid) + ")");
        }
        if (status != Status.SUCCESS) {
            throw new RpcException(this, describe());
        }
        return new XdrReader(results);
    }

    /** The outcome in words, e.g. {@code RPC call xid 0x1 refused: PROG_MISMATCH (server has versions 2..2)}. */
    public String describe() {
        String what;
        switch (status) {
            case SUCCESS: return "RPC call xid " + Rpc.hex(xid) + " succeeded";
            case PROG_UNAVAIL: what = "PROG_UNAVAIL (program not served)"; break;
            case PROG_MISMATCH: what = "PROG_MISMATCH (server has versions " + low + ".." + high + ")"; break;
            case PROC_UNAVAIL: what = "PROC_UNAVAIL (no such procedure)"; break;
            case GARBAGE_ARGS: what = "GARBAGE_ARGS (server could not decode the arguments)"; break;
            case SYSTEM_ERR: what = "SYSTEM_ERR (server failed)"; break;
            case RPC_MISMATCH: what = "MSG_DENIED RPC_MISMATCH (server speaks RPC " + low + ".." + high + ")"; break;
            default: what = "MSG_DENIED AUTH_ERROR " + Rpc.authStatName(authStat); break;
        }
        return "RPC call xid " + Rpc.hex(xid) + " refused: " + what;
    }

    /** The message bytes (not record-marked). */
    public byte[] encode() {
        XdrWriter w = new XdrWriter().putInt(xid).putInt(Rpc.REPLY);
        if (status.accepted) {
            w.putInt(Rpc.MSG_ACCEPTED).putInt(Rpc.AUTH_NONE).putInt(0).putInt(status.code);
            if (status == Status.PROG_MISMATCH) {
                w.putInt(low).putInt(high);
            }
            w.putFixedOpaque(results);
        } else {
            w.putInt(Rpc.MSG_DENIED).putInt(status.code);
            if (status == Status.RPC_MISMATCH) {
                w.putInt(low).putInt(high);
            } else {
                w.putInt(authStat);
            }
        }
        return w.toByteArray();
    }

    /**
     * Decodes a REPLY message.
     *
     * @throws RemoteProtocolException when it is cut short, is a CALL or another message type, has an unknown
     *     reply_stat, accept_stat or reject_stat, an auth body over 400 bytes, or (not SUCCESS) trailing bytes
     */
    public static RpcReply decode(byte[] message) {
        XdrReader r = new XdrReader(message);
        int xid = r.getInt("xid");
        int type = r.getInt("msg_type");
        if (type != Rpc.REPLY) {
            throw new RemoteProtocolException("expected an RPC REPLY (msg_type 1), got msg_type " + type
                    + (type == Rpc.CALL ? " (CALL)" : "") + " in xid " + Rpc.hex(xid));
        }
        int replyStat = r.getInt("reply_stat");
        RpcReply out;
        if (replyStat == Rpc.MSG_ACCEPTED) {
            r.getInt("verf flavor");
            r.skipOpaque(RpcCall.MAX_AUTH_BODY, "verf body");
            int stat = r.getInt("accept_stat");
            Status s = find(true, stat, "accept_stat");
            if (s == Status.SUCCESS) {
                return success(xid, r.rest());
            }
            out = s == Status.PROG_MISMATCH
                    ? mismatch(xid, s, r.getInt("mismatch low"), r.getInt("mismatch high")) : error(xid, s);
        } else if (replyStat == Rpc.MSG_DENIED) {
            Status s = find(false, r.getInt("reject_stat"), "reject_stat");
            out = s == Status.RPC_MISMATCH
                    ? mismatch(xid, s, r.getInt("mismatch low"), r.getInt("mismatch high"))
                    : authError(xid, r.getInt("auth_stat"));
        } else {
            throw new RemoteProtocolException("RPC reply xid " + Rpc.hex(xid) + " has reply_stat " + replyStat
                    + ", neither MSG_ACCEPTED (0) nor MSG_DENIED (1)");
        }
        r.expectEnd("RPC reply xid " + Rpc.hex(xid) + " (" + out.status + ")");
        return out;
    }

    private static Status find(boolean accepted, int code, String what) {
        for (Status s : Status.values()) {
            if (s.accepted == accepted && s.code == code) {
                return s;
            }
        }
        throw new RemoteProtocolException("RPC reply has unknown " + what + " " + code);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RpcReply p && xid == p.xid && status == p.status && low == p.low && high == p.high
                && authStat == p.authStat && Arrays.equals(results, p.results);
    }

    @Override
    public int hashCode() {
        return (xid * 31 + status.hashCode()) * 31 + Arrays.hashCode(results);
    }

    @Override
    public String toString() {
        return "RpcReply[xid " + Rpc.hex(xid) + ", " + status + (status == Status.SUCCESS
                ? ", " + results.length + " result bytes]" : ", " + low + ".." + high + ", auth " + authStat + "]");
    }
}
