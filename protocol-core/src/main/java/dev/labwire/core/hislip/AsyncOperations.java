package dev.labwire.core.hislip;

import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Operation;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.hislip.internal.AsyncExchanges;
import dev.labwire.core.hislip.internal.DeviceClearSequence;
import dev.labwire.core.hislip.internal.MessageIds;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The {@link Operation}s of a {@link HislipSession} (its Javadoc, "Operations", says what each sends and how it
 * ends): the status query, lock and unlock, remote and local, and the device clear transaction on the asynchronous
 * channel; the trigger on the synchronous one. It starts them, turns the asynchronous channel's outcomes into the
 * requests' endings, releases a lock granted too late, and gives the channel up when too many requests stay
 * unanswered. It owns the asynchronous exchanges of the link, the device clear under way, and what the user set that
 * outlives links (the lock held, the last remote/local); it is separate because that state is the asynchronous
 * channel's and the instrument's, while the session only decides which request runs.
 */
final class AsyncOperations {

    private final HislipSession session;
    private final ArrayDeque<Event> events;
    private final ChannelOutput out;
    private final SyncChannel sync;
    private HislipDecoder in;          // the link's, null before the first
    private AsyncExchanges async = new AsyncExchanges();
    private DeviceClearSequence clear;
    private boolean lockHeld;          // this client holds (or, while down, held) the exclusive lock
    private Operation remoteState;     // the last REMOTE/LOCAL that succeeded, null: none

    AsyncOperations(HislipSession session, ArrayDeque<Event> events, ChannelOutput out, SyncChannel sync) {
        this.session = session;
        this.events = events;
        this.out = out;
        this.sync = sync;
    }

    /** A new link: a new decoder taking messages up to {@code ours} bytes, no exchange under way. */
    void linkUp(long ours) {
        in = new HislipDecoder("async", ours);
        async = new AsyncExchanges();
        clear = null;
    }

    /** Whether a link was ever up (before, bytes have nowhere to go). */
    boolean hasDecoder() {
        return in != null;
    }

    /** Bytes from channel 1; true when the session should start requests now (false: it broke). */
    boolean receive(ByteBuffer data, MessageIds ids, long nowNanos) {
        HislipDecoder decoder = in;
        decoder.receive(data);
        for (Decoded d = decoder.next(); d != Decoded.NeedData.INSTANCE && session.linkIsUp() && decoder == in;
                d = decoder.next()) {
            if (d instanceof Decoded.Failure f) {
                if (f.fatal()) {
                    session.broken(f.exception(), null, nowNanos);
                    return false;
                }
                events.add(new Event.ProtocolError(f.exception()));
                continue;
            }
            HislipMessage m = ((Decoded.Message) d).message();
            if (!session.start().ready()) {
                if (!session.start().onAsync(m, nowNanos)) {
                    return false;
                }
                continue;
            }
            if (!onAsync(m, ids, nowNanos)) {
                return false;
            }
        }
        return true;
    }

    /** The device clear under way, or null. */
    DeviceClearSequence clear() {
        return clear;
    }

    /** The device clear ended (done, refused or lost). */
    void clearEnded() {
        clear = null;
    }

    boolean lockHeld() {
        return lockHeld;
    }

    /** The old session's lock is gone: an UNLOCK queued while down has nothing left to release. */
    void forgetLock() {
        lockHeld = false;
    }

    /** The last REMOTE or LOCAL that succeeded, or null. */
    Operation remoteState() {
        return remoteState;
    }

    /**
     * Sends operation {@code op} of request {@code p} with message ids from {@code ids}. False when it already ended
     * (a trigger ends when written); true when it is in flight, its ticket set.
     */
    boolean start(PendingRequest p, Operation op, MessageIds ids, long nowNanos) {
        switch (op) {
            case TRIGGER:
                out.sync(ids.trigger(), p.id);
                session.requests().ended(p, new Event.Reply(p.id, p.request, List.of()), nowNanos);
                return false;
            case READ_STATUS_BYTE:
                p.ticket = send(ids.statusQuery(), p.deadline);
                break;
            case LOCK:
                p.ticket = send(HislipMessage.asyncLockRequest(HislipSession.lockWaitMillis(p.deadline - nowNanos), ""),
                        p.deadline);
                break;
            case UNLOCK:
                p.ticket = send(HislipMessage.asyncLockRelease(ids.lastSentId()), p.deadline);
                break;
            case REMOTE:
                p.ticket = send(HislipMessage.asyncRemoteLocalControl(RemoteLocal.ENABLE_REMOTE_GO_TO_REMOTE,
                        ids.lastSentId()), p.deadline);
                break;
            case LOCAL:
                p.ticket = send(HislipMessage.asyncRemoteLocalControl(RemoteLocal.DISABLE_REMOTE_GO_TO_LOCAL,
                        ids.lastSentId()), p.deadline);
                break;
            case CLEAR:
                clear = new DeviceClearSequence(ids, false);
                sync.reset();
                p.ticket = send(clear.start(), p.deadline);
                break;
            default:
                throw new IllegalStateException("unknown operation " + op);
        }
        return true;
    }

    private long send(HislipMessage m, long deadline) {
        long t = async.send(m, deadline);
        for (HislipMessage x = async.pollTransmit(); x != null; x = async.pollTransmit()) {
            out.async(x);
        }
        return t;
    }

    /** A message on the asynchronous channel after set-up; false when the session broke. */
    private boolean onAsync(HislipMessage m, MessageIds ids, long nowNanos) {
        async.onAsync(m);
        for (AsyncExchanges.Outcome o = async.nextOutcome(); o != null; o = async.nextOutcome()) {
            PendingRequest inFlight = session.requests().inFlight();
            if (o instanceof AsyncExchanges.Outcome.ServiceRequest s) {
                events.add(new Event.ServiceRequest(s.statusByte() & 0xFF));
            } else if (o instanceof AsyncExchanges.Outcome.Interrupted) {
                ids.onAsyncInterrupted();
                sync.dropGathered();
            } else if (o instanceof AsyncExchanges.Outcome.Broken b) {
                session.broken(b.reason(), null, nowNanos);
                return false;
            } else if (o instanceof AsyncExchanges.Outcome.Answered a) {
                if (inFlight != null && inFlight.ticket == a.ticket()) {
                    answered(inFlight, a.response(), nowNanos);
                    if (!session.linkIsUp()) {
                        return false;
                    }
                }
            } else if (o instanceof AsyncExchanges.Outcome.Refused r) {
                if (inFlight != null && inFlight.ticket == r.ticket()) {
                    PendingRequest p = inFlight;
                    session.requests().inFlight(null);
                    if (p.operation() == Operation.CLEAR) {
                        clear = null;
                    }
                    RemoteProtocolException e = new RemoteProtocolException("HiSLIP server answered "
                            + r.request().type().specName() + " (" + p.operation().shown() + ") with Error "
                            + r.errorCode() + " (" + ErrorCode.describe(r.errorCode()) + "): " + r.text());
                    session.requests().ended(p, new Event.Failed(p.id, p.request, e), nowNanos);
                    if (!session.linkIsUp()) {
                        return false;
                    }
                }
            } else if (o instanceof AsyncExchanges.Outcome.Late l) {
                late(l.request(), l.response(), ids);
            }
        }
        return true;
    }

    /** A response nobody waits for any more: a lock granted after its request ended is released at once. */
    private void late(HislipMessage request, HislipMessage response, MessageIds ids) {
        if (request.type() == MessageType.ASYNC_LOCK && request.controlCode() == 1
                && response.controlCode() == LockResult.SUCCESS.code() && !lockHeld) {
            long t = send(HislipMessage.asyncLockRelease(ids.lastSentId()), Long.MAX_VALUE - 1);
            async.abandon(t);
        }
    }

    /** The asynchronous answer to operation {@code p} in flight. */
    private void answered(PendingRequest p, HislipMessage m, long nowNanos) {
        Operation op = p.operation();
        if (op == Operation.CLEAR) {
            try {
                out.sync(clear.onAsyncAcknowledge(m), p.id);
            } catch (RemoteProtocolException e) {
                session.broken(e, null, nowNanos);
            }
            return;          // the clear ends on DeviceClearAcknowledge
        }
        session.requests().inFlight(null);
        Event e;
        switch (op) {
            case READ_STATUS_BYTE:
                e = new Event.Reply(p.id, p.request, List.of(Frame.of(Integer.toString(m.controlCode() & 0xFF))));
                break;
            case LOCK: {
                LockResult r = lockResult(p, m, nowNanos);
                if (r == null) {
                    return;
                }
                if (r == LockResult.SUCCESS) {
                    lockHeld = true;
                    e = new Event.Reply(p.id, p.request, List.of());
                } else if (r == LockResult.FAILURE) {
                    e = new Event.Timeout(p.id, p.request, true, "the HiSLIP server did not grant the exclusive lock "
                            + "within the lock timeout asked for: another client holds a lock");
                } else {
                    e = new Event.Failed(p.id, p.request, new LocalProtocolException("the HiSLIP server refused the "
                            + "exclusive lock request (AsyncLockResponse " + r + "): this session may hold it already"));
                }
                break;
            }
            case UNLOCK: {
                LockResult r = lockResult(p, m, nowNanos);
                if (r == null) {
                    return;
                }
                lockHeld = false;
                e = r == LockResult.SUCCESS || r == LockResult.SUCCESS_SHARED
                        ? new Event.Reply(p.id, p.request, List.of())
                        : new Event.Failed(p.id, p.request, new LocalProtocolException("the HiSLIP server refused to "
                        + "release a lock (AsyncLockResponse " + r + "): this session holds none"));
                break;
            }
            case REMOTE:
            case LOCAL:
                remoteState = op;
                e = new Event.Reply(p.id, p.request, List.of());
                break;
            default:
                throw new IllegalStateException("no asynchronous answer is owed to " + op);
        }
        session.requests().ended(p, e, nowNanos);
    }

    /** The lock result, or null after failing {@code p} (and reporting) for an undefined control code. */
    private LockResult lockResult(PendingRequest p, HislipMessage m, long nowNanos) {
        try {
            return LockResult.of(m.controlCode());
        } catch (RemoteProtocolException x) {
            events.add(new Event.ProtocolError(x));
            session.requests().ended(p, new Event.Failed(p.id, p.request, x), nowNanos);
            return null;
        }
    }

    /**
     * Operation {@code p}, no longer in flight, ended early with {@code e} (timeout, cancel): its answer, when it
     * comes, reaches nobody. A clear that did not complete leaves the synchronous channel in an unknown state, and a
     * server that leaves too many requests unanswered has stopped: either way the session starts again.
     */
    void giveUp(PendingRequest p, Event e, long nowNanos) {
        async.abandon(p.ticket);
        session.requests().ended(p, e, nowNanos);
        if (!session.linkIsUp()) {
            return;
        }
        if (p.operation() == Operation.CLEAR) {   // the synchronous channel is in an unknown state: start again
            session.drop("HiSLIP device clear did not complete", new LinkDownException("HiSLIP device clear did not "
                    + "complete by its deadline", null), nowNanos);
        } else if (async.outstanding() > HislipSession.MAX_ASYNC_OWED) {
            session.drop("HiSLIP asynchronous channel: " + async.outstanding() + " requests unanswered",
                    new LinkDownException("the HiSLIP server stopped answering on the asynchronous channel", null),
                    nowNanos);
        }
    }
}
