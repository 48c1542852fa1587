package dev.labwire.core.vxi11.internal;

import dev.labwire.core.RemoteProtocolException;

/** An RPC reply that is not a SUCCESS for the call made (or answers another call); carries the reply. */
public final class RpcException extends RemoteProtocolException {
    private static final long serialVersionUID = 1L;

    private final transient RpcReply reply;

    RpcException(RpcReply reply, String message) {
        super(message);
        this.reply = reply;
    }

    /** The reply that caused it. */
    public RpcReply reply() {
        return reply;
    }
}
