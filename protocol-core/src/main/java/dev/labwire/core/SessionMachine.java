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
     * Queues every request of {@code requests}, in order, or none: each is checked as {@link #send} checks it (the
     * machine's state, room for all of them in the queue, each payload) before any is queued, so a refusal leaves the
     * machine as it was and nothing of the batch is ever written. The requests get consecutive ids, the first one
     * returned; request {@code i} ends with an event carrying {@code first + i}. An empty array queues nothing and
     * returns -1.
     *
     * <p>This default sends them one at a time and, when one is refused, withdraws those accepted before it
     * ({@link #cancel}); a machine that hands a request to the wire inside {@code send} should override it, as all of
     * labwire's machines do.
     *
     * @return the id of the first request (the others follow it one by one), or -1 when {@code requests} is empty
     * @throws LocalProtocolException   as {@link #send}, also when the queue has room for fewer than all of them; none
     *                                  is queued
     * @throws IllegalArgumentException naming the first request the machine cannot write as given; none is queued
     * @throws NullPointerException     when {@code requests} or one of them is null; none is queued
     */
    default long sendAll(Request[] requests, long nowNanos) {
        long first = 0;
        for (int i = 0; i < requests.length; i++) {
            long id;
            try {
                id = send(java.util.Objects.requireNonNull(requests[i], "request " + i + " of the batch"), nowNanos);
            } catch (RuntimeException refused) {
                for (int j = 0; j < i; j++) {
                    cancel(first + j, nowNanos);
                }
                throw refused;
            }
            if (i == 0) {
                first = id;
            } else if (id != first + i) {
                for (int j = 0; j <= i; j++) {
                    cancel(j == i ? id : first + j, nowNanos);
                }
                throw new IllegalStateException("ids of a batch must be consecutive; " + getClass().getName()
                        + " gave " + id + " after " + (first + i - 1) + ": override sendAll");
            }
        }
        return requests.length == 0 ? -1 : first;
    }

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
