package dev.labwire.core;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Requests of a {@link Connection} waiting to be written, in the order they go: the user queue, and the on-connect
 * hook's own ({@link OnConnectHook}).
 *
 * <p>Theory of operation. The queue remembers whether its deadlines were added in order ({@link #isMonotonic()}):
 * while they were, the first request has the earliest deadline and the timer needs no scan. Putting requests back at
 * the front (a resend after the link dropped) or a request with a shorter timeout breaks the order until
 * {@link #restartOrder()} (nothing queued, nothing in flight). A request that waited past its deadline ends with an
 * unwritten {@link Event.Timeout} saying why it was not written.
 *
 * <p>Separate from the connection because it owns what waits and its deadline order; what may be written when
 * ({@link Connection#nextToWrite()}) is the connection's. Not thread-safe.
 */
final class RequestQueue {
    private final ArrayDeque<Exchange> queue = new ArrayDeque<>();
    private boolean monotonic = true;
    private long lastDeadline = Long.MIN_VALUE;

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Deadlines are in queue order: nothing is queued and nothing is on the wire, so no order can be broken. */
    void restartOrder() {
        monotonic = true;
        lastDeadline = Long.MIN_VALUE;
    }

    /** True while the deadlines of the queue (and of what was written from it since {@link #restartOrder()}) are in order. */
    boolean isMonotonic() {
        return monotonic;
    }

    void add(Exchange e) {
        if (e.deadline < lastDeadline) {
            monotonic = false;
        }
        lastDeadline = e.deadline;
        queue.addLast(e);
    }

    /** Puts the requests of {@code resend} back at the front, in their order; the deadline order is lost. */
    void putBackFirst(ArrayDeque<Exchange> resend) {
        while (!resend.isEmpty()) {
            queue.addFirst(resend.pollLast());
            monotonic = false;
        }
    }

    /** The next request to write, taken out; null when none waits. */
    Exchange poll() {
        return queue.pollFirst();
    }

    /** Takes out the request {@code id} and returns it; null when it is not queued. */
    Exchange withdraw(long id) {
        for (Iterator<Exchange> it = queue.iterator(); it.hasNext(); ) {
            Exchange e = it.next();
            if (e.id == id) {
                it.remove();
                return e;
            }
        }
        return null;
    }

    /** The earliest deadline of the queue, or {@link Exchange#NO_DEADLINE} when it is empty. */
    long earliestDeadline() {
        long t = Exchange.NO_DEADLINE;
        if (monotonic) {
            Exchange p = queue.peekFirst();
            if (p != null) {
                t = Math.min(t, p.deadline);
            }
        } else {
            for (Exchange e : queue) {
                t = Math.min(t, e.deadline);
            }
        }
        return t;
    }

    /**
     * Every request whose deadline passed at {@code now} ends (through {@code owner}) with an unwritten
     * {@link Event.Timeout}, in queue order; why it was not written is asked once, after the first is taken out.
     */
    void expire(long now, Connection owner) {
        String why = null;
        for (Iterator<Exchange> it = queue.iterator(); it.hasNext(); ) {
            Exchange e = it.next();
            if (e.deadline <= now) {
                it.remove();
                if (why == null) {
                    why = owner.whyNotWritten();
                }
                owner.end(e, new Event.Timeout(e.id, e.request, false, why));
            }
        }
    }

    /** Every queued request fails with {@code cause}, in queue order; the queue is empty after. */
    void failAll(ConnectionEvents events, Throwable cause) {
        for (Exchange e : queue) {
            events.add(new Event.Failed(e.id, e.request, cause));
        }
        queue.clear();
    }
}
