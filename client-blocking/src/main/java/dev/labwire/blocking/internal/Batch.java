package dev.labwire.blocking.internal;

import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;

/**
 * The requests one caller sent at once ({@code queryAll}), waited for as one call: one {@link Calls.Call} stands for
 * them all (the read role, the waits, the slack and interrupts see only it), and its future completes when the last of
 * them ended. The core still tracks every request as its own exchange and matches every reply to the request it
 * answers; it accepts the batch whole or not at all ({@code SessionMachine.sendAll}) and gives its requests
 * consecutive ids, so {@link Calls} finds the batch by that range, and each request's ending is kept here, in its
 * place in the list.
 *
 * <p>Why: a {@code Call} and its future per request, and an {@link Event.Reply} per reply, were half of the caller's
 * own work per request (docs/BENCHMARKS.md, "{@code queryAll}: one call for the whole batch"). A one-frame reply is
 * kept as its {@link Frame}, handed over by the core without an event object ({@code LinkMachine.nextEvent(EventSink)}).
 *
 * <p>Guarded by the driver's lock, except {@link #ending}, read by the caller after the batch's future completed
 * (which happens after every write here, under the lock, and is seen through the future).
 */
final class Batch {
    final Calls.Call call;
    private final Request[] requests;
    /** Per request, in list order: null while it has not ended; a {@link Frame} (one-frame reply), an {@link Event}, or a RuntimeException. */
    private final Object[] endings;
    private long first;  // the id of the first request, once the core accepted them all
    private int sent;    // 0 until the core accepted the batch, then all of its requests
    private int pending; // of those, not ended

    Batch(Request[] requests, java.time.Duration timeout, long deadline, long batchAtSubmit, boolean virtual) {
        this.requests = requests;
        this.endings = new Object[requests.length];
        this.call = new Calls.Call(-1, requests.length == 0 ? null : requests[0], timeout, deadline, batchAtSubmit, virtual, this);
    }

    /** With the lock held: the core accepted every request, the first as {@code first}, the others after it in order. */
    void sentAllLocked(long first) {
        this.first = first;
        this.sent = requests.length;
        this.pending = requests.length;
    }

    /** With the lock held: whether {@code id} is a request of this batch that has not ended yet. */
    boolean pendingId(long id) {
        int i = index(id);
        return i >= 0 && endings[i] == null;
    }

    /** With the lock held: whether every request accepted so far has ended. */
    boolean endedLocked() {
        return pending == 0;
    }

    int sent() {
        return sent;
    }

    Request request(int i) {
        return requests[i];
    }

    long id(int i) {
        return first + i;
    }

    /** With the lock held: whether request {@code i} has not ended yet. */
    boolean pendingLocked(int i) {
        return endings[i] == null;
    }

    /** With the lock held: request {@code id} ended with {@code ending}; true when it was the last one pending. */
    boolean endLocked(long id, Object ending) {
        int i = index(id);
        if (i < 0 || endings[i] != null) {
            return false;
        }
        endings[i] = ending;
        return --pending == 0;
    }

    /** The ending of request {@code i}: after the batch's future completed, or under the lock. */
    Object ending(int i) {
        return endings[i];
    }

    /** Where {@code id} is in the list; -1 if not here. */
    private int index(long id) {
        long i = id - first;
        return i >= 0 && i < sent ? (int) i : -1;
    }
}
