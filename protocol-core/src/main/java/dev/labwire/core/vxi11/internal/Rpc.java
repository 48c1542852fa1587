package dev.labwire.core.vxi11.internal;

/**
 * ONC RPC v2 constants (RFC 5531 sections 8 and 9) and small helpers. Message types, reply and accept status
 * values and the auth flavors are the RFC's numbers.
 */
public final class Rpc {

    /** RPC protocol version this code speaks. */
    public static final int RPC_VERSION = 2;
    /** msg_type CALL. */
    public static final int CALL = 0;
    /** msg_type REPLY. */
    public static final int REPLY = 1;
    /** reply_stat MSG_ACCEPTED. */
    public static final int MSG_ACCEPTED = 0;
    /** reply_stat MSG_DENIED. */
    public static final int MSG_DENIED = 1;
    /** auth_flavor AUTH_NONE. */
    public static final int AUTH_NONE = 0;
    /** auth_flavor AUTH_SYS. */
    public static final int AUTH_SYS = 1;

    private static final String[] AUTH_STAT = {"AUTH_OK", "AUTH_BADCRED", "AUTH_REJECTEDCRED", "AUTH_BADVERF",
        "AUTH_REJECTEDVERF", "AUTH_TOOWEAK", "AUTH_INVALIDRESP", "AUTH_FAILED", "AUTH_KERB_GENERIC",
        "AUTH_TIMEEXPIRE", "AUTH_TKT_FILE", "AUTH_DECODE", "AUTH_NET_ADDR", "RPCSEC_GSS_CREDPROBLEM",
        "RPCSEC_GSS_CTXPROBLEM"};

    private Rpc() {
    }

    /** {@code 0x0607af}. */
    public static String hex(int v) {
        return "0x" + Integer.toHexString(v);
    }

    /** The RFC 5531 name of an auth_stat value, e.g. {@code AUTH_BADCRED}, or its number when unknown. */
    public static String authStatName(int stat) {
        return stat >= 0 && stat < AUTH_STAT.length ? AUTH_STAT[stat] : "auth_stat " + stat;
    }
}
