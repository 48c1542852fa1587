package dev.labwire.core;

import java.util.ArrayDeque;

/**
 * What a {@link Connection} does when its link changes. On {@code linkUp} the parts forget the old link and the
 * on-connect hook starts: at once, or, while the line must first be quiet (a renewed serial link, or
 * {@code quietAfterConnect}), when {@link StaleReplies} says the quiet ended; the connection is {@link State#READY} once
 * the hook is done. On a failed or lost link, requests on the wire are sent again or fail, and queued ones are kept or
 * fail by policy; on {@code close} every request fails.
 *
 * <p>Separate from the connection, which keeps the public inputs and outputs (and checks their arguments), because
 * these steps run across all of its parts in an order that matters: each step here is only the order, the state it
 * changes belongs to those parts ({@link LinkLifecycle}, {@link OnConnectHook}, {@link ReplyMatcher},
 * {@link Transmitter}, {@link RequestQueue}, {@link StaleReplies}). Not thread-safe.
 */
final class LinkChanges {
    private final Connection owner;
    private final ConnectionConfig config;
    private final LinkLifecycle link;
    private final ReplyMatcher matcher;
    private final StaleReplies stale;
    private final Transmitter transmitter;
    private final OnConnectHook hook;
    private final RequestQueue pending;
    private final ConnectionEvents events;
    private boolean hookWaitsForQuiet; // see quietEnded

    LinkChanges(Connection owner, ConnectionConfig config, LinkLifecycle link, ReplyMatcher matcher, Transmitter transmitter,
                OnConnectHook hook, RequestQueue pending, ConnectionEvents events) {
        this.owner = owner;
        this.config = config;
        this.link = link;
        this.matcher = matcher;
        this.stale = matcher.stale;
        this.transmitter = transmitter;
        this.hook = hook;
        this.pending = pending;
        this.events = events;
    }

    /** A new link must be quiet before the on-connect hook starts ({@link #quietEnded}). */
    boolean hookWaitsForQuiet() {
        return hookWaitsForQuiet;
    }

    /** {@link Connection#linkUp}. */
    void linkUp(long nowNanos) {
        if (link.state() != State.CONNECTING) {
            throw new LocalProtocolException("linkUp without an OpenLink order; state is " + link.state());
        }
        matcher.reset();
        transmitter.reset();
        stale.linkUp(nowNanos);
        hookWaitsForQuiet = stale.suspect();
        if (!hookWaitsForQuiet) {
            link.up(nowNanos);
            startHook(nowNanos, true);
        } else {
            // a driver starts its own hook on the ON_CONNECT event: told when the quiet ends (quietEnded), so that the
            // timeouts of what the hook sends do not run out while nothing may be written (a hook query with a
            // timeout under the quiet time would fail on every link, for ever). A driver that sends at once may:
            // what it sends waits for the quiet.
            link.upUnannounced(nowNanos);
            hook.openExternal();
        }
    }

    /**
     * The on-connect hook starts: its requests (their timeouts counted from now), the external hook unless it was
     * opened at linkUp, then READY.
     */
    private void startHook(long nowNanos, boolean openExternal) {
        for (Request r : hook.requests()) {
            hook.add(owner.newExchange(r, Exchange.Kind.HOOK, nowNanos));
        }
        if (openExternal) {
            hook.openExternal();
        }
        maybeReady();
    }

    /**
     * The line of a renewed serial link (or of any new link, with {@code quietAfterConnect}) has been quiet long enough:
     * the on-connect hook, held until now so that its timeouts do not run out while nothing may be written, starts, and
     * ON_CONNECT is told (a driver's own hook starts on it).
     */
    void quietEnded(long nowNanos) {
        if (hookWaitsForQuiet && link.state() == State.ON_CONNECT) {
            hookWaitsForQuiet = false;
            link.announceOnConnect();
            startHook(nowNanos, false);
        }
    }

    /** READY once the hook is done and the line was quiet, as of the latest input. */
    void maybeReady() {
        link.maybeReady(hook.done() && !hookWaitsForQuiet, owner.lastNow());
    }

    /** The hook's part of an ending: {@code ending} null for a reply. */
    void afterEnd(Exchange e, Event ending) {
        if (e.kind == Exchange.Kind.HOOK) {
            String failed = hook.ended(e, ending);
            if (failed == null) {
                maybeReady();
            } else {
                owner.requestClose(failed);
            }
        }
    }

    /** {@link Connection#linkFailed}. */
    void linkFailed(Throwable cause, long nowNanos) {
        if (link.state() != State.CONNECTING) {
            throw new LocalProtocolException("linkFailed without an OpenLink order; state is " + link.state());
        }
        link.openFailed();
        goDown(cause, nowNanos);
    }

    /** {@link Connection#linkDown}. */
    void linkDown(Throwable cause, long nowNanos) {
        if (link.state() == State.CONNECTING) {
            linkFailed(cause, nowNanos);
            return;
        }
        if (link.state() != State.ON_CONNECT && link.state() != State.READY) {
            return;
        }
        link.lost(nowNanos);
        hookWaitsForQuiet = false;
        stale.linkLost(); // before the line is forgotten: was it out of step?
        ArrayDeque<Exchange> resend = new ArrayDeque<>();
        for (Exchange e : matcher.onTheWire()) {
            if (e.kind == Exchange.Kind.USER && config.resends(e.request)) {
                e.rewind();
                resend.add(e);
            } else {
                events.add(new Event.Failed(e.id, e.request, cause));
            }
        }
        matcher.reset();
        transmitter.reset();
        hook.failQueued(events, cause);
        hook.reset();
        pending.putBackFirst(resend);
        stale.reset();
        goDown(cause, nowNanos);
    }

    private void goDown(Throwable cause, long now) {
        link.down(cause, now);
        if (!config.autoReconnect() || config.queuedOnLinkDown() == ConnectionConfig.QueuedOnLinkDown.FAIL) {
            pending.failAll(events, cause);
        }
    }

    /** {@link Connection#close}. */
    void close(long nowNanos) {
        if (link.state() == State.CLOSED) {
            return;
        }
        LocalProtocolException closed = new LocalProtocolException("connection closed");
        hook.failQueued(events, closed);
        for (Exchange e : matcher.onTheWire()) {
            events.add(new Event.Failed(e.id, e.request, closed));
        }
        matcher.reset();
        transmitter.reset();
        pending.failAll(events, closed);
        stale.dropProbe();
        link.closed(nowNanos);
    }
}
