package dev.labwire.core.hislip.internal;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.hislip.ErrorCode;
import dev.labwire.core.hislip.FatalErrorCode;
import dev.labwire.core.hislip.HislipMessage;
import dev.labwire.core.hislip.LockResult;
import dev.labwire.core.hislip.MessageType;
import java.util.ArrayDeque;
import java.util.OptionalLong;

/**
 * The client's asynchronous channel after set-up: requests (lock, lock info, status query, remote/local, device
 * clear) are answered in order by their response type, each within its deadline; AsyncServiceRequest and
 * AsyncInterrupted arrive unasked. Sans-IO: {@link #send} queues a request and returns its ticket,
 * {@link #onAsync} takes what the server sent, {@link #nextOutcome()} gives results in order.
 *
 * <pre>
 *  AsyncLock (request/release) -> AsyncLockResponse      (control code: {@link LockResult})
 *  AsyncLockInfo               -> AsyncLockInfoResponse  (exclusive granted bit, number of holders)
 *  AsyncStatusQuery            -> AsyncStatusResponse    (status byte)
 *  AsyncRemoteLocalControl     -> AsyncRemoteLocalResponse
 *  AsyncDeviceClear            -> AsyncDeviceClearAcknowledge (server feature preference)
 *  AsyncMaximumMessageSize     -> AsyncMaximumMessageSizeResponse
 * </pre>
 *
 * A lock request may legitimately take as long as its own timeout, so its deadline is the caller's (lock
 * timeout plus a margin). A response of the wrong type, or one nobody asked for, is a protocol error: the outcome
 * is a {@link Outcome.Broken} and the session should send FatalError and reinitialize. An Error from the server
 * ends the oldest request with {@link Outcome.Refused}.
 */
public final class AsyncExchanges {

    /** What happened; one per request, plus unasked events, in order of arrival. */
    public sealed interface Outcome {
        /** The request {@code ticket} got {@code response}. */
        record Answered(long ticket, HislipMessage request, HislipMessage response) implements Outcome {
        }

        /** The request {@code ticket} got no answer before its deadline. */
        record TimedOut(long ticket, HislipMessage request) implements Outcome {
        }

        /** The server answered request {@code ticket} with Error. */
        record Refused(long ticket, HislipMessage request, int errorCode, String text) implements Outcome {
        }

        /** AsyncServiceRequest: the device requests service; {@code statusByte} from its control code. */
        record ServiceRequest(int statusByte) implements Outcome {
        }

        /** AsyncInterrupted with the id of the message that interrupted a response. */
        record Interrupted(int messageId) implements Outcome {
        }

        /**
         * The response to a request that was {@link #abandon(long) abandoned} or timed out: no caller waits for it,
         * but it may matter (a lock granted after its requester gave up must be released).
         */
        record Late(HislipMessage request, HislipMessage response) implements Outcome {
        }

        /** The channel is unusable (FatalError received, or a message HiSLIP does not allow here). */
        record Broken(RemoteProtocolException reason, boolean peerSentFatal) implements Outcome {
        }
    }

    private record Pending(long ticket, HislipMessage request, MessageType expected, long deadline) {
    }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final ArrayDeque<HislipMessage> out = new ArrayDeque<>();
    private final ArrayDeque<Outcome> outcomes = new ArrayDeque<>();
    private long tickets;
    private boolean broken;

    /** The response type IVI-6.1 pairs with async request {@code t}; IllegalArgumentException if none. */
    public static MessageType responseTo(MessageType t) {
        switch (t) {
            case ASYNC_LOCK: return MessageType.ASYNC_LOCK_RESPONSE;
            case ASYNC_LOCK_INFO: return MessageType.ASYNC_LOCK_INFO_RESPONSE;
            case ASYNC_STATUS_QUERY: return MessageType.ASYNC_STATUS_RESPONSE;
            case ASYNC_REMOTE_LOCAL_CONTROL: return MessageType.ASYNC_REMOTE_LOCAL_RESPONSE;
            case ASYNC_DEVICE_CLEAR: return MessageType.ASYNC_DEVICE_CLEAR_ACKNOWLEDGE;
            case ASYNC_MAXIMUM_MESSAGE_SIZE: return MessageType.ASYNC_MAXIMUM_MESSAGE_SIZE_RESPONSE;
            case ASYNC_INITIALIZE: return MessageType.ASYNC_INITIALIZE_RESPONSE;
            default: throw new IllegalArgumentException(t.specName() + " is not an asynchronous request");
        }
    }

    /** Queues {@code request} to be answered by {@code deadlineNanos}; returns its ticket. */
    public long send(HislipMessage request, long deadlineNanos) {
        if (broken) {
            throw new IllegalStateException("HiSLIP asynchronous channel is broken; reinitialize the session");
        }
        MessageType expected = responseTo(request.type());
        long t = ++tickets;
        pending.add(new Pending(t, request, expected, deadlineNanos));
        out.add(request);
        return t;
    }

    /** A message from the server on the asynchronous channel. */
    public void onAsync(HislipMessage m) {
        if (broken) {
            return;
        }
        MessageType t = m.type();
        if (t == MessageType.ASYNC_SERVICE_REQUEST) {
            outcomes.add(new Outcome.ServiceRequest(m.controlCode()));
            return;
        }
        if (t == MessageType.ASYNC_INTERRUPTED) {
            outcomes.add(new Outcome.Interrupted(m.messageId()));
            return;
        }
        if (t == MessageType.FATAL_ERROR) {
            breakWith(new RemoteProtocolException("HiSLIP server sent FatalError " + m.controlCode() + " ("
                    + FatalErrorCode.describe(m.controlCode()) + "): " + m.text()), true);
            return;
        }
        Pending p = pending.poll();
        if (t == MessageType.ERROR) {
            if (p == null) {
                breakWith(new RemoteProtocolException("HiSLIP server sent Error " + m.controlCode() + " ("
                        + ErrorCode.describe(m.controlCode()) + ") with no asynchronous request outstanding: "
                        + m.text()), false);
            } else {
                outcomes.add(new Outcome.Refused(p.ticket, p.request, m.controlCode(), m.text()));
            }
            return;
        }
        if (p == null || p.expected != t) {
            breakWith(new RemoteProtocolException("HiSLIP asynchronous channel: " + m + " arrived while "
                    + (p == null ? "no request was outstanding" : p.expected.specName() + " was owed for "
                    + p.request.type().specName())), false);
            return;
        }
        outcomes.add(p.ticket < 0 ? new Outcome.Late(p.request, m) : new Outcome.Answered(p.ticket, p.request, m));
    }

    /**
     * The caller gave up on request {@code ticket} (its own deadline passed, or it was cancelled): its slot is kept,
     * since responses come in order, and its response, when it comes, is an {@link Outcome.Late}. Unknown or already
     * abandoned tickets change nothing.
     */
    public void abandon(long ticket) {
        ArrayDeque<Pending> kept = new ArrayDeque<>();
        for (Pending p : pending) {
            kept.add(p.ticket == ticket && ticket > 0 ? new Pending(-p.ticket, p.request, p.expected, Long.MAX_VALUE) : p);
        }
        pending.clear();
        pending.addAll(kept);
    }

    /**
     * Requests past their deadline time out, oldest first. The channel stays usable: the late response, when it
     * comes, is matched to the timed-out request's slot and given out as {@link Outcome.Late}.
     */
    public void handleTimeout(long nowNanos) {
        for (Pending p : pending) {
            if (p.ticket > 0 && nowNanos - p.deadline >= 0) {
                outcomes.add(new Outcome.TimedOut(p.ticket, p.request));
            }
        }
        // keep the slots (responses come in order) but mark them as already reported
        ArrayDeque<Pending> kept = new ArrayDeque<>();
        for (Pending p : pending) {
            kept.add(p.ticket > 0 && nowNanos - p.deadline >= 0
                    ? new Pending(-p.ticket, p.request, p.expected, Long.MAX_VALUE) : p);
        }
        pending.clear();
        pending.addAll(kept);
    }

    /** The earliest deadline of a request not yet timed out. */
    public OptionalLong pollTimeout() {
        OptionalLong best = OptionalLong.empty();
        for (Pending p : pending) {
            if (p.ticket > 0 && (best.isEmpty() || p.deadline - best.getAsLong() < 0)) {
                best = OptionalLong.of(p.deadline);
            }
        }
        return best;
    }

    /** The next request to write on the asynchronous channel, or null. */
    public HislipMessage pollTransmit() {
        return out.poll();
    }

    /**
     * The next outcome, or null. An answer to a request that already timed out or was abandoned comes out as
     * {@link Outcome.Late}; an Error answering one is not given out.
     */
    public Outcome nextOutcome() {
        while (true) {
            Outcome o = outcomes.poll();
            if (o == null) {
                return null;
            }
            if (o instanceof Outcome.Answered a && a.ticket() < 0) {
                continue;
            }
            if (o instanceof Outcome.Refused r && r.ticket() < 0) {
                continue;
            }
            return o;
        }
    }

    /** Requests sent and not answered yet. */
    public int outstanding() {
        return pending.size();
    }

    private void breakWith(RemoteProtocolException e, boolean peerFatal) {
        broken = true;
        pending.clear();
        out.clear();
        outcomes.add(new Outcome.Broken(e, peerFatal));
    }

    /** Reads an AsyncLockResponse (a {@link RemoteProtocolException} for an undefined code). */
    public static LockResult lockResult(HislipMessage response) {
        return LockResult.of(response.controlCode());
    }
}
