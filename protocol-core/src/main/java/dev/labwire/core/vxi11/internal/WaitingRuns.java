package dev.labwire.core.vxi11.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.internal.Durations;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;

/**
 * The runs of a {@link Vxi11Session} waiting for the link, in the three queues whose order decides which goes next:
 * the machine's own set-up calls (re-lock, create_intr_chan, device_enable_srq), the on-connect hook's requests (the
 * config's and the external hook's), the callers' requests; with the request ids and deadlines they are made with. It
 * owns those queues and what happens to a waiting run when its deadline passes, it is cancelled, the link is lost or
 * the session closes; it is separate because waiting is independent of the call on the wire, which the session and
 * its {@link CoreChannel} run.
 */
final class WaitingRuns {

    private final ArrayDeque<Event> events;
    private final ConnectionConfig config;
    private final ArrayDeque<RequestRun> queue = new ArrayDeque<>();
    private final ArrayDeque<RequestRun> hookQueue = new ArrayDeque<>();
    private final ArrayDeque<RequestRun> setupQueue = new ArrayDeque<>();   // relock, create_intr_chan, enable_srq
    private long nextId = 1;

    WaitingRuns(ArrayDeque<Event> events, ConnectionConfig config) {
        this.events = events;
        this.config = config;
    }

    /** The callers' requests. */
    ArrayDeque<RequestRun> queue() {
        return queue;
    }

    /** The on-connect hook's requests: before the callers'. */
    ArrayDeque<RequestRun> hookQueue() {
        return hookQueue;
    }

    /** The machine's own calls that go first on a new link: the re-lock, then the interrupt channel's set-up. */
    ArrayDeque<RequestRun> setupQueue() {
        return setupQueue;
    }

    /** A run of a caller's request, with the next request id. */
    RequestRun user(Request request, long now) {
        return new RequestRun(nextId++, request, deadline(request, now), false);
    }

    /** A run of an on-connect request (the config's or the external hook's), with the next request id. */
    RequestRun hook(Request request, long now) {
        return new RequestRun(nextId++, request, deadline(request, now), true);
    }

    /** A run of the machine's own (set-up, service request) of {@code kind}, with the next request id. */
    RequestRun internal(RequestRun.Kind kind, Request request, long deadline) {
        RequestRun r = new RequestRun(nextId++, request, deadline, false);
        r.internal = true;
        r.kind = kind;
        return r;
    }

    /** Its timeout (or the config's default) after {@code now}, held at {@link Durations#NEVER} (no overflow). */
    private long deadline(Request r, long now) {
        return Durations.deadline(now, r.timeout() == null ? config.defaultTimeout() : r.timeout());
    }

    /** The link is gone with {@code down}: the external hook's requests fail; hook and set-up start again later. */
    void linkLost(Throwable down) {
        for (RequestRun p : hookQueue) {
            if (!p.internal) {
                events.add(new Event.Failed(p.id, p.request, down));
            }
        }
        hookQueue.clear();
        setupQueue.clear();
    }

    /** The session closes with {@code closed}: every run a caller waits for fails. */
    void closed(Throwable closed) {
        linkLost(closed);
        failQueued(closed);
    }

    /** Every caller's request waiting fails with {@code cause}. */
    void failQueued(Throwable cause) {
        for (RequestRun p : queue) {
            events.add(new Event.Failed(p.id, p.request, cause));
        }
        queue.clear();
    }

    /** Takes request {@code id} off the callers' or the hook's queue; true when it waited there. */
    boolean cancel(long id) {
        for (ArrayDeque<RequestRun> q : List.of(queue, hookQueue)) {
            for (Iterator<RequestRun> it = q.iterator(); it.hasNext(); ) {
                if (it.next().id == id) {
                    it.remove();
                    return true;
                }
            }
        }
        return false;
    }

    /** The callers' and hook's requests whose deadline passed end (a caller's with a Timeout saying {@code why}). */
    void expire(long now, String why) {
        for (ArrayDeque<RequestRun> q : List.of(queue, hookQueue)) {
            for (Iterator<RequestRun> it = q.iterator(); it.hasNext(); ) {
                RequestRun p = it.next();
                if (p.deadline - now <= 0) {
                    it.remove();
                    if (!p.internal) {
                        events.add(new Event.Timeout(p.id, p.request, false, why));
                    }
                }
            }
        }
    }

    /** The first set-up run whose deadline passed, taken off its queue; null when none. */
    RequestRun takeExpiredSetup(long now) {
        for (Iterator<RequestRun> it = setupQueue.iterator(); it.hasNext(); ) {
            RequestRun p = it.next();
            if (p.deadline - now <= 0) {
                it.remove();
                return p;
            }
        }
        return null;
    }

    /** The earliest of {@code t} and every waiting run's deadline. */
    long earliestDeadline(long t) {
        for (RequestRun p : queue) {
            t = Math.min(t, p.deadline);
        }
        for (RequestRun p : hookQueue) {
            t = Math.min(t, p.deadline);
        }
        for (RequestRun p : setupQueue) {
            t = Math.min(t, p.deadline);
        }
        return t;
    }
}
