package dev.labwire.core;

import dev.labwire.core.internal.Operations;
import java.time.Duration;

/**
 * Service requests emulated on a raw SCPI link ({@link ConnectionConfig#serviceRequestPolling()}): when a poll is due,
 * which events are the polls' own (they never reach the driver), and when a status byte is a new service request.
 * Part of {@link Connection}; not thread-safe.
 */
final class ServicePoll {
    private static final long NONE = Long.MAX_VALUE;
    private static final int MSS = 0x40;

    private final long periodNanos;
    private final Request poll;
    private long nextAt = NONE; // NONE while the link is not ready
    private long pollId = -1;   // the poll on its way, or -1
    private boolean mss;        // MSS as the last poll found it, on this link

    ServicePoll(Duration period) {
        this.periodNanos = dev.labwire.core.internal.Durations.nanos(period);
        // never retried after a link drop: the next poll comes a period after the new link is ready
        this.poll = Request.query("*STB?").withTimeout(period).withResend(Request.Resend.NEVER);
    }

    /** The link became ready at {@code now}: the first poll is a period later, and MSS counts as clear. */
    void ready(long now) {
        nextAt = dev.labwire.core.internal.Durations.deadline(now, periodNanos);
        mss = false;
    }

    /** The link is no longer ready: no poll until it is again. */
    void notReady() {
        nextAt = NONE;
    }

    /** When a poll is due, or {@code Long.MAX_VALUE}. */
    long due() {
        return pollId < 0 ? nextAt : NONE;
    }

    /** Sends the poll through {@code connection} if one is due at {@code now}. */
    void maybePoll(Connection connection, long now) {
        if (pollId >= 0 || nextAt == NONE || now - nextAt < 0) {
            return;
        }
        nextAt = dev.labwire.core.internal.Durations.deadline(now, periodNanos);
        try {
            pollId = connection.send(poll, now);
        } catch (LocalProtocolException e) {
            pollId = -1; // a full queue: no poll this period
        }
    }

    /**
     * {@code e} as the driver should see it: unchanged when it is not a poll's; for a poll's reply a
     * {@link Event.ServiceRequest} when MSS rose, a {@link Event.ProtocolError} when the reply was no status byte, else
     * null (swallowed, as a poll's timeout or failure is).
     */
    Event filter(Event e) {
        if (pollId < 0 || idOf(e) != pollId) {
            return e;
        }
        pollId = -1;
        if (!(e instanceof Event.Reply r)) {
            return null;
        }
        int stb;
        try {
            stb = Operations.statusByte(r);
        } catch (RemoteProtocolException x) {
            return new Event.ProtocolError(new RemoteProtocolException("service-request poll: " + x.getMessage()));
        }
        boolean now = (stb & MSS) != 0;
        boolean rose = now && !mss;
        mss = now;
        return rose ? new Event.ServiceRequest(stb) : null;
    }

    private static long idOf(Event e) {
        if (e instanceof Event.Reply r) {
            return r.id();
        }
        if (e instanceof Event.Timeout t) {
            return t.id();
        }
        if (e instanceof Event.Failed f) {
            return f.id();
        }
        return -2;
    }
}
