package dev.labwire.core;

/**
 * A {@link LinkMachine} for one instrument that takes {@link Request}s: the session machine of one protocol stack
 * (docs/CHANNELS.md). {@link Connection} is the one for raw SCPI links (TCP port 5025, serial); the VXI-11 and
 * HiSLIP machines take the same requests and give the same {@link Event}s, so both clients drive any of them, with the
 * same guarantees: every request ends exactly once (reply, timeout or failure), by its deadline, and no reply
 * reaches a request other than the one it answers.
 *
 * <p>A driver calls every method from one thread at a time (or under one lock), as for {@link LinkMachine}.
 */
public interface SessionMachine extends LinkMachine {

    /** The settings. */
    ConnectionConfig config();

    /**
     * Queues a request; it is written when the link is ready and a slot is free.
     *
     * @return the id that its ending event will carry
     * @throws LocalProtocolException   when the machine is closed, the link is down with {@code autoReconnect} off,
     *                                  or {@code maxQueued} requests already wait
     * @throws IllegalArgumentException when the machine cannot write the request as given (named in the message)
     */
    long send(Request request, long nowNanos);

    /**
     * Sends a request of an external on-connect hook ({@code externalHook(true)}), ahead of every user request;
     * allowed only in {@link State#ON_CONNECT} before {@link #hookDone}.
     *
     * @throws LocalProtocolException outside a running external hook
     */
    long sendHook(Request request, long nowNanos);

    /** The external hook succeeded: user requests may flow once its requests have ended. */
    void hookDone(long nowNanos);

    /** The external hook failed: the link is closed ({@link Event.CloseLink}) and reopened with backoff. */
    void hookFailed(Throwable cause, long nowNanos);
}
