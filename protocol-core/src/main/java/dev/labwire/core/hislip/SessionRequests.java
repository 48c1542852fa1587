package dev.labwire.core.hislip;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.internal.Durations;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;

/**
 * The requests of a {@link HislipSession} and how each ends: the user's queue, the start's queue (restore, on-connect
 * and external hook requests, which go first), the one in flight, the request ids and deadlines; and the ending
 * bookkeeping: whose ending event is handed out (a user's or an external hook's), what an ending does to the start (a
 * restore or hook request that did not succeed closes the link; the last that did moves the session on), what a lost
 * link or a close does to each request (resend, fail, keep). It is separate because this state goes on across links
 * while the channels' state is made again for each one; the session decides when a link is up and what goes on the
 * wire.
 */
final class SessionRequests {

    private final HislipSession session;
    private final ArrayDeque<Event> events;
    private final ConnectionConfig config;
    private final ArrayDeque<PendingRequest> queue = new ArrayDeque<>();
    private final ArrayDeque<PendingRequest> hookQueue = new ArrayDeque<>();
    private PendingRequest inFlight;
    private long nextId;

    SessionRequests(HislipSession session, ArrayDeque<Event> events, ConnectionConfig config) {
        this.session = session;
        this.events = events;
        this.config = config;
    }

    /** The user's requests waiting, in order. */
    ArrayDeque<PendingRequest> queue() {
        return queue;
    }

    /** The start's requests waiting (restore, on-connect, external hook): they go before the user's. */
    ArrayDeque<PendingRequest> hookQueue() {
        return hookQueue;
    }

    /** The request on the wire, or null. */
    PendingRequest inFlight() {
        return inFlight;
    }

    void inFlight(PendingRequest p) {
        inFlight = p;
    }

    /** A request of {@code kind} with the next request id. */
    PendingRequest pending(Request request, long deadline, PendingRequest.Kind kind) {
        return new PendingRequest(++nextId, request, deadline, kind);
    }

    /**
     * The deadline of {@code r} sent at {@code nowNanos}: its timeout, or the config's default; held at
     * {@link Durations#NEVER} where it would overflow (a timeout of 292 years or more, e.g. {@code FOREVER}).
     */
    long deadline(Request r, long nowNanos) {
        return Durations.deadline(nowNanos, r.timeout() != null ? r.timeout() : config.defaultTimeout());
    }

    /** The next request that may start now in state {@code state}, or null (the caller knows the link is free). */
    PendingRequest next(State state, boolean starting) {
        if (starting || state == State.ON_CONNECT) {
            return hookQueue.peek();
        }
        if (state == State.READY) {
            return hookQueue.isEmpty() ? queue.peek() : hookQueue.peek();
        }
        return null;
    }

    /** Takes {@code p}, which {@link #next} returned, off its queue. */
    void take(PendingRequest p) {
        if (hookQueue.peek() == p) {
            hookQueue.poll();
        } else {
            queue.poll();
        }
    }

    /**
     * Request {@code p} ended with {@code e}. A user's or an external hook's event is handed out; an on-connect or
     * restore request's is not. A hook or restore request that did not succeed closes the link (the session starts
     * again after the backoff); the last one that did may move the session on.
     */
    void ended(PendingRequest p, Event e, long nowNanos) {
        if (p.kind == PendingRequest.Kind.USER || p.kind == PendingRequest.Kind.EXTERNAL_HOOK) {
            events.add(e);
        }
        if (p.kind == PendingRequest.Kind.USER) {
            return;
        }
        if (!(e instanceof Event.Reply)) {
            if (session.linkIsUp()) {
                String what = p.kind == PendingRequest.Kind.RESTORE
                        ? "restoring " + p.operation().shown() + " on the new HiSLIP session"
                        : "HiSLIP on-connect request " + p.request;
                Throwable cause = e instanceof Event.Failed f ? f.cause() : null;
                String why = e instanceof Event.Failed f ? f.cause().toString()
                        : e instanceof Event.Timeout t ? "timed out: " + t.detail() : e.toString();
                session.drop(what + " failed: " + why, new LinkDownException(what + " failed: " + why, cause),
                        nowNanos);
            }
            return;
        }
        if (p.kind == PendingRequest.Kind.RESTORE) {
            session.start().restored(nowNanos);
        } else {
            session.start().maybeReady();
        }
    }

    /**
     * The link is lost with {@code e}: the request on the wire goes first on the next link when it may be sent again
     * (by its own deadline), else fails; external hook requests fail; the start's requests run again on the next link.
     */
    void linkLost(LinkDownException e) {
        if (inFlight != null) {
            PendingRequest p = inFlight;
            inFlight = null;
            if (p.kind == PendingRequest.Kind.USER && config.resends(p.request)) {
                p.ticket = 0;
                queue.addFirst(p);     // sent again on the next link, by its own deadline
            } else if (p.kind == PendingRequest.Kind.USER || p.kind == PendingRequest.Kind.EXTERNAL_HOOK) {
                events.add(new Event.Failed(p.id, p.request, e));
            }
        }
        failExternalHooks(e);     // the on-connect requests and the restore run again on the next link
    }

    /** The session closes with {@code e}: every request a caller waits for fails. */
    void closed(LocalProtocolException e) {
        if (inFlight != null && inFlight.kind != PendingRequest.Kind.HOOK
                && inFlight.kind != PendingRequest.Kind.RESTORE) {
            events.add(new Event.Failed(inFlight.id, inFlight.request, e));
        }
        inFlight = null;
        failExternalHooks(e);
        failQueued(e);
    }

    private void failExternalHooks(Throwable e) {
        for (PendingRequest p : hookQueue) {
            if (p.kind == PendingRequest.Kind.EXTERNAL_HOOK) {
                events.add(new Event.Failed(p.id, p.request, e));
            }
        }
        hookQueue.clear();
    }

    /** Every user request waiting fails with {@code e}. */
    void failQueued(Throwable e) {
        for (PendingRequest p : queue) {
            events.add(new Event.Failed(p.id, p.request, e));
        }
        queue.clear();
    }

    /**
     * Takes request {@code id} off the queues, if it waits there; an external hook's request cancelled closes the link.
     * True when it was found there.
     */
    boolean cancelWaiting(long id, long nowNanos) {
        for (ArrayDeque<PendingRequest> q : List.of(queue, hookQueue)) {
            for (Iterator<PendingRequest> it = q.iterator(); it.hasNext(); ) {
                PendingRequest p = it.next();
                if (p.id == id) {
                    it.remove();
                    if (p.kind == PendingRequest.Kind.EXTERNAL_HOOK && session.linkIsUp()) {
                        session.drop("HiSLIP on-connect hook request " + p.request + " was cancelled",
                                new LinkDownException("on-connect hook request cancelled", null), nowNanos);
                    }
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a waiting (not yet written) request's deadline has passed. */
    boolean waitingExpired(long nowNanos) {
        for (ArrayDeque<PendingRequest> q : List.of(hookQueue, queue)) {
            for (PendingRequest p : q) {
                if (nowNanos - p.deadline >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Ends the waiting requests whose deadline passed ("never written"). False when one of the start's took the link
     * down with it (nothing more to do now).
     */
    boolean expireWaiting(long nowNanos) {
        for (ArrayDeque<PendingRequest> q : List.of(hookQueue, queue)) {
            for (Iterator<PendingRequest> it = q.iterator(); it.hasNext(); ) {
                PendingRequest p = it.next();
                if (nowNanos - p.deadline >= 0) {
                    it.remove();
                    ended(p, new Event.Timeout(p.id, p.request, false, "the HiSLIP session was " + session.state()
                            + (inFlight != null ? " with request " + inFlight.id + " in flight" : "")), nowNanos);
                    if (session.state() == State.DOWN && !session.linkIsUp() && p.kind != PendingRequest.Kind.USER) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** The earliest of {@code best} and every request's deadline. */
    long earliestDeadline(long best) {
        if (inFlight != null) {
            best = Math.min(best, inFlight.deadline);
        }
        for (PendingRequest p : queue) {
            best = Math.min(best, p.deadline);
        }
        for (PendingRequest p : hookQueue) {
            best = Math.min(best, p.deadline);
        }
        return best;
    }
}
