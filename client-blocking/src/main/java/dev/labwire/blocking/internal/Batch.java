package dev.labwire.blocking.internal;

import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;

/**
 * The requests one caller sent at once ({@code queryAll}), waited for as one call: one {@link Calls.Call} stands for
 * them all (the read role, the waits, the slack and interrupts see only it), and its future completes when the last of
 * them ended. The core still tracks every request as its own exchange and matches every reply to the request it
 * answers; {@link Calls} finds the batch by the range of its requests' ids (or, should they not be consecutive, by an
 * entry each in its table of calls), and each request's ending is kept here, in its place in the list.
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
    private final long[] ids;
    private final Request[] requests;
    /** Per request, in list order: null while it has not ended; a {@link Frame} (one-frame reply), an {@link Event}, or a RuntimeException. */
    private final Object[] endings;
    private int sent;    // requests accepted by the core (a full queue refuses the rest)
    private int pending; // of those, not ended
    private boolean consecutive = true; // the ids so far are consecutive: the batch is found by their range

    Batch(Request[] requests, java.time.Duration timeout, long deadline, long batchAtSubmit, boolean virtual) {
        this.requests = requests;
        this.ids = new long[requests.length];
        this.endings = new Object[requests.length];
        this.call = new Calls.Call(-1, requests.length == 0 ? null : requests[0], timeout, deadline, batchAtSubmit, virtual, this);
    }

    /**
     * With the lock held: the next request of the list was accepted by the core as {@code id}. True while the ids so
     * far are consecutive (the core numbers requests in the order they are sent, and the batch is sent under one
     * lock): the batch can then be found by its range of ids ({@link #pendingId}) instead of one table entry per
     * request.
     */
    boolean sentLocked(long id) {
        boolean consecutive = sent == 0 || id == ids[sent - 1] + 1 && this.consecutive;
        this.consecutive = consecutive;
        ids[sent++] = id;
        pending++;
        return consecutive;
    }

    /** With the lock held: whether its ids are all consecutive, so that it is found by their range, not in a table. */
    boolean rangedLocked() {
        return consecutive;
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
        return ids[i];
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

    /** Where {@code id} is in the list: its ids are usually consecutive (sent under one lock), else searched; -1 if not here. */
    private int index(long id) {
        if (sent == 0) {
            return -1;
        }
        long i = id - ids[0];
        if (i >= 0 && i < sent && ids[(int) i] == id) {
            return (int) i;
        }
        for (int j = 0; j < sent; j++) {
            if (ids[j] == id) {
                return j;
            }
        }
        return -1;
    }
}
