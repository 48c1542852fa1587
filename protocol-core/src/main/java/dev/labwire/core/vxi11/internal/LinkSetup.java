package dev.labwire.core.vxi11.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.Operation;
import dev.labwire.core.Request;
import dev.labwire.core.vxi11.Vxi11Error;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.vxi11.Vxi11Exception;
import dev.labwire.core.vxi11.internal.Vxi11Results.CreateLinkResp;
import java.util.ArrayDeque;

/**
 * What a {@link Vxi11Session} restores on each new link, after create_link and before any caller's request (the
 * session's "A new link"): device_lock again when this client held the lock, the interrupt channel's set-up (by its
 * {@link ServiceRequestChannel}), then the config's on-connect requests; and how the machine's own runs end. It owns
 * the lock this client believes it holds (set by the callers' LOCK, cleared by UNLOCK or by the device saying no lock
 * is held), which outlives links; it is separate because that memory and the restore it drives are about what the
 * caller set, not about the calls on the wire.
 */
final class LinkSetup {

    private final Vxi11Session session;
    private final ArrayDeque<Event> events;
    private final ConnectionConfig config;
    private final Endpoint.Vxi11 endpoint;
    private final ServiceRequestChannel srq;
    private final AbortChannel abort;
    private int lid = -1;
    private long maxRecvSize = 1024;
    private boolean lockHeld;        // a LOCK succeeded and no UNLOCK since: re-taken on a new link
    private long lockHeldMs;

    LinkSetup(Vxi11Session session, ArrayDeque<Event> events, ConnectionConfig config, Endpoint.Vxi11 endpoint,
            ServiceRequestChannel srq, AbortChannel abort) {
        this.session = session;
        this.events = events;
        this.config = config;
        this.endpoint = endpoint;
        this.srq = srq;
        this.abort = abort;
    }

    /** The link id create_link gave, or -1 while there is no link. */
    int lid() {
        return lid;
    }

    /** The most bytes one device_write may carry on this link (create_link's maxRecvSize, 1 .. 64 MiB). */
    long maxRecvSize() {
        return maxRecvSize;
    }

    /** The link is gone: so is its id. */
    void linkLost() {
        lid = -1;
    }

    /**
     * create_link's answer {@code r} to the call of procedure {@code proc}: the link's id, abort port and maxRecvSize. False when the device refused (the
     * attempt failed then: CloseLink, backoff, try again; the device may come up later).
     */
    boolean created(XdrReader r, int proc, long now) {
        CreateLinkResp c = CreateLinkResp.decode(r);
        if (c.error() != 0) {   // e.g. 3: no such device name; the device may come up later: back off, retry
            Vxi11Exception refused = new Vxi11Exception(Vxi11.procedureName(Vxi11.CORE_PROGRAM, proc), c.error());
            events.add(new Event.CloseLink("create_link refused"));
            session.attemptFailed(new LinkDownException("the device refused create_link for \"" + endpoint.device()
                    + "\": " + refused.getMessage(), refused), now);
            return false;
        }
        lid = c.lid();
        abort.port(c.abortPort());
        maxRecvSize = Math.max(1, Math.min(c.maxRecvSize(), 64L << 20));
        return true;
    }

    /** create_link succeeded: queues the re-lock and the service-request set-up, then the on-connect requests. */
    void linkCreated(WaitingRuns runs, long now) {
        if (lockHeld) {   // the device let go of our lock with the old link: take it again before anything else
            RequestRun relock = runs.internal(RequestRun.Kind.RELOCK, Request.operation(Operation.LOCK),
                    dev.labwire.core.internal.Durations.deadline(now, (lockHeldMs + Vxi11Session.OWED_GRACE_MS) * 1_000_000L));
            relock.lockMs = lockHeldMs;
            runs.setupQueue().add(relock);
        }
        srq.linkCreated();
        for (Request h : config.onConnect()) {
            RequestRun hp = runs.hook(h, now);
            hp.internal = true;
            hp.kind = RequestRun.Kind.HOOK;
            runs.hookQueue().add(hp);
        }
    }

    /** Keeps {@code lockHeld} as the device sees it, from the callers' LOCK and UNLOCK operations. */
    void track(RequestRun p, Event e) {
        if (p.kind != RequestRun.Kind.USER || !(p.request.expect() instanceof Expect.Operate o)) {
            // an on-connect hook that locks takes its lock again itself on every link
            return;
        }
        if (o.operation() == Operation.LOCK && e instanceof Event.Reply) {
            lockHeld = true;
            lockHeldMs = p.sentLockMs;
        } else if (o.operation() == Operation.UNLOCK && (e instanceof Event.Reply
                || e instanceof Event.Failed f && f.cause() instanceof Vxi11Exception x
                        && x.code() == Vxi11Error.NO_LOCK_HELD_BY_THIS_LINK.code())) {
            lockHeld = false;
        }
    }

    /**
     * A run of the machine's own ended with {@code e}. Returns false when that failed the link (nothing more to do).
     */
    boolean internalEnded(RequestRun p, Event e, long now) {
        boolean ok = e instanceof Event.Reply;
        switch (p.kind) {
            case RELOCK:
                if (!ok) {
                    events.add(new Event.CloseLink("could not re-take the lock this client held"));
                    session.attemptFailed(new LinkDownException("the lock this client held could not be re-taken on "
                            + "the new link (device_lock, " + lockHeldMs + " ms): " + outcome(e), null), now);
                    return false;
                }
                return true;
            case INTR:
                srq.setupEnded(p, e, now);
                return true;
            case SRQ_STB:
                srq.statusRead(e);
                return true;
            default:
                return true;
        }
    }

    /** How a run that did not succeed ended, for a message. */
    static String outcome(Event e) {
        if (e instanceof Event.Failed f) {
            return f.cause().getMessage();
        }
        if (e instanceof Event.Timeout t) {
            return "no answer in time (" + t.detail() + ")";
        }
        return e.toString();
    }
}
