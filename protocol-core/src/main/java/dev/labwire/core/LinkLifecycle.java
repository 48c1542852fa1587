package dev.labwire.core;

/**
 * The link lifecycle of a {@link Connection}: its {@link State}, the one method every transition goes through, the
 * reconnect schedule (backoff with jitter after failed attempts), and the {@link Event.CloseLink} order.
 *
 * <p>Theory of operation.
 * <pre>
 *  IDLE --open--> CONNECTING --linkUp--> ON_CONNECT --hook done--> READY
 *                  ^      |                   |                      |
 *                  |      | linkFailed        | linkDown             | linkDown
 *                  |      v                   v                      v
 *                  +---- DOWN <---------------+----------------------+
 *              backoff due (autoReconnect)
 *  every state but CLOSED --close--> CLOSED
 * </pre>
 * Each {@link Event.OpenLink} carries its attempt number; a failed attempt or a lost link counts a failure, and the
 * next attempt is ordered after {@link Backoff#delayNanos} of the failures so far. Becoming READY forgets the attempt
 * number. A link lost after {@value #STABLE_MILLIS} ms of READY, or closed on labwire's own order while READY (a
 * stale-reply renewal), counts as the first failure; one the peer dropped sooner counts one more, so that a device
 * that accepts and at once closes (it serves one client at a time, a busy terminal server port) is retried on the
 * backoff schedule and not every initial delay. While a {@link Event.CloseLink} is pending
 * ({@link #requestClose}) nothing is read or written ({@link #reading()}), and at most one is ordered per link.
 * Every transition emits {@link Event.StateChanged} and tells the service-request poller whether the link is ready.
 *
 * <p>Separate from the connection because it owns the link's state and timing only: what happens to requests when the
 * link comes and goes is the connection's. Not thread-safe.
 */
final class LinkLifecycle {
    private static final long NONE = Long.MAX_VALUE;
    /** How long a link must have been READY for its loss to start the failure count again. */
    static final long STABLE_MILLIS = 1000;

    private final ConnectionConfig config;
    private final JitterSource jitter;
    private final ConnectionEvents events;
    private final ServicePoll srq; // null unless serviceRequestPolling is set

    private State state = State.IDLE;
    private boolean closeRequested;
    private long reconnectAt = NONE;
    private int attempt;
    private int failures;
    private long readyAt;

    LinkLifecycle(ConnectionConfig config, JitterSource jitter, ConnectionEvents events, ServicePoll srq) {
        this.config = config;
        this.jitter = jitter;
        this.events = events;
        this.srq = srq;
    }

    State state() {
        return state;
    }

    /** The link is up and no {@link Event.CloseLink} is pending: bytes are read and written. */
    boolean reading() {
        return (state == State.ON_CONNECT || state == State.READY) && !closeRequested;
    }

    /** A {@link Event.CloseLink} was ordered for the current link. */
    boolean closeRequested() {
        return closeRequested;
    }

    /** Orders the next {@link Event.OpenLink}. */
    void orderOpen(long now) {
        attempt++;
        transition(State.CONNECTING, null, now);
        events.add(new Event.OpenLink(attempt));
    }

    /** The ordered link is up: the on-connect hook runs. */
    void up(long now) {
        closeRequested = false;
        transition(State.ON_CONNECT, null, now);
    }

    /**
     * As {@link #up}, but {@link Event.StateChanged} ON_CONNECT is held back until {@link #announceOnConnect}: drivers
     * start their own on-connect hook on that event, and must not while nothing may be written yet.
     */
    void upUnannounced(long now) {
        closeRequested = false;
        announce = false;
        transition(State.ON_CONNECT, null, now);
        announce = true;
    }

    /** The ON_CONNECT of {@link #upUnannounced}, told now. */
    void announceOnConnect() {
        if (state == State.ON_CONNECT) {
            events.add(new Event.StateChanged(State.ON_CONNECT, null));
        }
    }

    private boolean announce = true;

    /** The ordered link could not be opened: one more failure. */
    void openFailed() {
        failures++;
    }

    /**
     * The live link dropped: the first failure if it was READY for a while or closed on our order while READY, else one
     * more; its close order is done.
     */
    void lost(long now) {
        boolean healthy = state == State.READY
                && (closeRequested || now - readyAt >= STABLE_MILLIS * 1_000_000L);
        failures = healthy ? 1 : failures + 1;
        closeRequested = false;
    }

    /** DOWN; with {@code autoReconnect}, the next attempt is scheduled after the backoff of the failures so far. */
    void down(Throwable cause, long now) {
        transition(State.DOWN, cause, now);
        if (config.autoReconnect()) {
            reconnectAt = dev.labwire.core.internal.Durations.deadline(now, Math.max(0, config.backoff().delayNanos(failures, jitter.nextUnit())));
        }
    }

    /** READY once the hook is {@code hookDone} and no close is pending; the attempt number starts again. */
    void maybeReady(boolean hookDone, long now) {
        if (state == State.ON_CONNECT && hookDone && !closeRequested) {
            attempt = 0;
            readyAt = now;
            transition(State.READY, null, now);
        }
    }

    /** Orders {@link Event.CloseLink} for the current link, once. */
    void requestClose(String reason) {
        if (!closeRequested) {
            closeRequested = true;
            events.add(new Event.CloseLink(reason));
        }
    }

    /** CLOSED for good: no reconnect; a link that may be open is ordered closed. */
    void closed(long now) {
        reconnectAt = NONE;
        if (state == State.CONNECTING || state == State.ON_CONNECT || state == State.READY) {
            events.add(new Event.CloseLink("connection closed"));
        }
        transition(State.CLOSED, null, now);
    }

    /** When the next attempt is due, or {@link Long#MAX_VALUE} when none is scheduled. */
    long reconnectAt() {
        return reconnectAt;
    }

    /** Orders the scheduled attempt if it is due at {@code now}. */
    void maybeReconnect(long now) {
        if (reconnectAt != NONE && now >= reconnectAt && state == State.DOWN) {
            reconnectAt = NONE;
            orderOpen(now);
        }
    }

    /** Why nothing is written because of the link, or null when the link is ready and no close is pending. */
    String whyNotWriting() {
        switch (state) {
            case CONNECTING:
                return "the link is still connecting (attempt " + attempt + ")";
            case DOWN:
                return "the link is down and waits to reconnect (backoff after " + failures + " failed attempts)";
            case ON_CONNECT:
                return "the on-connect hook was still running";
            case CLOSED:
                return "the connection is closed";
            default:
                break;
        }
        if (closeRequested) {
            return "the link was being renewed";
        }
        return null;
    }

    // ------------------------------------------------------------------ the one transition method

    private void transition(State to, Throwable cause, long now) {
        boolean legal = switch (to) {
            case IDLE -> false;
            case CONNECTING -> state == State.IDLE || state == State.DOWN;
            case ON_CONNECT -> state == State.CONNECTING;
            case READY -> state == State.ON_CONNECT;
            case DOWN -> state == State.CONNECTING || state == State.ON_CONNECT || state == State.READY;
            case CLOSED -> state != State.CLOSED;
        };
        if (!legal) {
            throw new IllegalStateException("illegal transition " + state + " -> " + to);
        }
        state = to;
        if (srq != null) {
            if (to == State.READY) {
                srq.ready(now);
            } else {
                srq.notReady();
            }
        }
        if (announce) {
            events.add(new Event.StateChanged(to, cause));
        }
    }
}
