package dev.labwire.core.hislip;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Operation;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.hislip.internal.DeviceClearSequence;
import dev.labwire.core.hislip.internal.MessageIds;
import java.util.List;

/**
 * Part of a {@link HislipSession}: which request goes on the wire next, and how the one on the wire ends early (its
 * deadline, a cancel, a user's device clear). A request that needs the synchronous channel (a query, a write, TRIGGER)
 * goes only while the message ids allow sending (not between Interrupted and AsyncInterrupted, IVI-6.1 3.1.2); an
 * {@link Operation} starts on the asynchronous channel through {@link AsyncOperations}. A request given up on the
 * synchronous channel has its message id abandoned, so that its reply, whenever it comes, is discarded by that id.
 * The session holds the link's state; this holds no state of its own.
 */
final class RequestDispatch {

    private final HislipSession session;
    private final ConnectionConfig config;

    RequestDispatch(HislipSession session, ConnectionConfig config) {
        this.session = session;
        this.config = config;
    }

    /** Starts requests while nothing is in flight and one may go. */
    void pump(long nowNanos) {
        SessionRequests requests = session.requests();
        while (requests.inFlight() == null && session.linkIsUp()) {
            PendingRequest p = next();
            if (p == null) {
                return;
            }
            MessageIds ids = session.ids();
            Operation op = p.operation();
            boolean sync = op == null || op == Operation.TRIGGER;
            if (sync && !ids.maySend()) {
                return;
            }
            requests.take(p);
            if (op == null) {
                write(p, ids);
                if (p.request.expect() instanceof Expect.None) {
                    requests.ended(p, new Event.Reply(p.id, p.request, List.of()), nowNanos);
                } else {
                    requests.inFlight(p);
                }
                continue;
            }
            if (session.operations().start(p, op, ids, nowNanos)) {
                requests.inFlight(p);
            }
        }
    }

    /** The next request that may start now, or null. */
    private PendingRequest next() {
        if (!session.linkIsUp() || session.operations().clear() != null) {
            return null;
        }
        return session.requests().next(session.state(), session.start().restoring());
    }

    private void write(PendingRequest p, MessageIds ids) {
        for (HislipMessage m : session.syncChannel().split(p.request.payload(), config.writeTerminator(), ids)) {
            session.output().sync(m, p.id);
        }
    }

    /** Queues a user's request, checked by the session (a device clear first of all); its id. */
    long accept(Request request, long nowNanos) {
        SessionRequests requests = session.requests();
        PendingRequest p = requests.pending(request, requests.deadline(request, nowNanos), PendingRequest.Kind.USER);
        if (p.operation() == Operation.CLEAR) {
            clearNow(p, nowNanos);
        } else {
            requests.queue().add(p);
        }
        return p.id;
    }

    /**
     * A user's device clear goes before the queue. A query on the wire does not hold it up: it ends now, failed by
     * the clear (its reply, if any, is dropped with everything else until DeviceClearAcknowledge).
     */
    void clearNow(PendingRequest p, long nowNanos) {
        SessionRequests requests = session.requests();
        PendingRequest q = requests.inFlight();
        if (session.state() == State.READY && q != null && q.operation() == null && q.kind == PendingRequest.Kind.USER
                && session.operations().clear() == null) {
            requests.inFlight(null);
            session.ids().abandon();
            session.syncChannel().reset();
            requests.ended(q, new Event.Failed(q.id, q.request, new LocalProtocolException("HiSLIP device clear (request "
                    + p.id + ") ended this request on the wire: the instrument drops its input and output, and "
                    + "whatever reply it had sent is discarded")), nowNanos);
        }
        requests.queue().addFirst(p);
    }

    /** The request in flight ends early (timeout, cancel): its answer, when it comes, reaches nobody. */
    void giveUp(PendingRequest p, Event e, long nowNanos) {
        session.requests().inFlight(null);
        if (p.operation() == null) {
            session.ids().abandon();
            session.syncChannel().reset();
            session.requests().ended(p, e, nowNanos);
            return;
        }
        session.operations().giveUp(p, e, nowNanos);
    }

    /**
     * Ends the request in flight with a timeout saying what did not come, when its deadline has passed. Returns how
     * many bytes of an oversized message the synchronous channel was still skipping then (0 when none, or when
     * nothing expired): the caller makes a new session, as nothing on that stream can be trusted any more.
     */
    long expireInFlight(long nowNanos) {
        PendingRequest p = session.requests().inFlight();
        if (p == null || nowNanos - p.deadline < 0) {
            return 0;
        }
        AsyncOperations operations = session.operations();
        long skipping = p.operation() == null ? session.syncChannel().skipping() : 0;
        String detail = p.operation() == null ? "no DataEnd with message id 0x"
                + Integer.toHexString(session.ids().lastSentId()) + (skipping != 0
                        ? "; the synchronous channel was still skipping an oversized message, "
                        + Long.toUnsignedString(skipping) + " bytes to go: a new session is made"
                        : "; a late reply will be discarded by its id") + discardedDetail(session.ids())
                : operations.clear() != null
                        && operations.clear().state() == DeviceClearSequence.State.AWAIT_ACKNOWLEDGE
                ? "AsyncDeviceClearAcknowledge came, DeviceClearAcknowledge (synchronous channel) did not"
                : "no answer to " + p.operation().shown() + " on the HiSLIP asynchronous channel";
        giveUp(p, new Event.Timeout(p.id, p.request, true, detail), nowNanos);
        return skipping;
    }

    /** What came instead of the awaited DataEnd, for a timeout's detail: "" when nothing did. */
    private static String discardedDetail(MessageIds ids) {
        int n = ids.discardedEnds();
        if (n == 0) {
            return "";
        }
        return "; " + (n == 1 ? "a DataEnd" : n + " DataEnds") + " with another message id came and "
                + (n == 1 ? "was" : "were") + " discarded (the last: 0x" + Integer.toHexString(ids.lastDiscardedEnd())
                + ", from an earlier request or a server that numbers its replies wrong)";
    }
}
