package dev.labwire.core.hislip;

import dev.labwire.core.internal.Durations;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Operation;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.hislip.internal.ClientHandshake;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;

/**
 * How a {@link HislipSession} starts on each new link, up to READY (the session's Javadoc: "On-connect hook, link
 * loss, reconnect"): the handshake (Initialize, channel 1, AsyncInitialize, AsyncMaximumMessageSize; IVI-6.1 6.1),
 * within {@code connectTimeout}; then the restore of what the user set (the exclusive lock, remote state); then the
 * config's on-connect requests and the driver's external hook. It owns the handshake of the link and where the start
 * stands (channel 1 ordered, restoring, external hook open); it is separate because that state matters only until
 * READY, while the session's requests and endings go on across links.
 */
final class SessionStart {

    private final HislipSession session;
    private final ArrayDeque<Event> events;
    private final ConnectionConfig config;
    private final HislipSession.Endpoint endpoint;
    private ClientHandshake handshake;
    private boolean restoring;         // handshake done, restore requests running
    private boolean externalHookOpen;
    private boolean openedAsync;       // channel 1 ordered on this link

    SessionStart(HislipSession session, ArrayDeque<Event> events, ConnectionConfig config,
            HislipSession.Endpoint endpoint) {
        this.session = session;
        this.events = events;
        this.config = config;
        this.endpoint = endpoint;
    }

    /** A new link: the handshake starts, offering {@code ours} as our maximum message size. */
    void linkUp(long ours, long nowNanos) {
        handshake = new ClientHandshake("LW", endpoint.subAddress(), ours, Durations.nanos(config.connectTimeout()));
        handshake.start(nowNanos);
        openedAsync = false;
        restoring = false;
        externalHookOpen = false;
    }

    /** The link is gone or going: nothing of the start survives it. */
    void linkLost() {
        openedAsync = false;
        restoring = false;
        externalHookOpen = false;
    }

    /** Whether the handshake is done (messages go to the session's channels then, not to the handshake). */
    boolean ready() {
        return handshake.state() == ClientHandshake.State.READY;
    }

    /** Whether the handshake of a link up is still running (it has a timer then). */
    boolean handshaking() {
        return handshake != null && handshake.state() != ClientHandshake.State.READY;
    }

    boolean awaitingAsyncChannel() {
        return handshake != null && handshake.state() == ClientHandshake.State.AWAIT_ASYNC_CHANNEL;
    }

    boolean openedAsync() {
        return openedAsync;
    }

    /** Channel 1 is no longer ordered (failed, lost, or closed by the session). */
    void asyncClosed() {
        openedAsync = false;
    }

    boolean restoring() {
        return restoring;
    }

    boolean externalHookOpen() {
        return externalHookOpen;
    }

    void externalHookClosed() {
        externalHookOpen = false;
    }

    /** The session id the server gave, or -1 before the handshake's InitializeResponse. */
    int sessionId() {
        return handshake == null ? -1 : handshake.sessionId();
    }

    void channelUp(long nowNanos) {
        handshake.asyncChannelUp(nowNanos);
        pump(nowNanos);
    }

    /** A message on the synchronous channel during the handshake; false when it failed. */
    boolean onSync(HislipMessage m, long nowNanos) {
        handshake.onSync(m);
        return pump(nowNanos);
    }

    /** A message on the asynchronous channel during the handshake; false when it failed. */
    boolean onAsync(HislipMessage m, long nowNanos) {
        handshake.onAsync(m);
        return pump(nowNanos);
    }

    /** The handshake's timer; false when it failed (the session is down then). */
    boolean handleTimeout(long nowNanos) {
        handshake.handleTimeout(nowNanos);
        if (handshake.state() == ClientHandshake.State.FAILED) {
            session.broken(handshake.failure(), null, nowNanos);
            return false;
        }
        return true;
    }

    OptionalLong pollTimeout() {
        return handshake.pollTimeout();
    }

    /** Moves the handshake's output on; false when it failed (the session is down then). */
    boolean pump(long nowNanos) {
        boolean needAsync = handshake.state() == ClientHandshake.State.AWAIT_ASYNC_CHANNEL;
        for (HislipMessage m = handshake.pollSync(); m != null; m = handshake.pollSync()) {
            session.output().sync(m, -1);
        }
        for (HislipMessage m = handshake.pollAsync(); m != null; m = handshake.pollAsync()) {
            session.output().async(m);
        }
        if (needAsync && !openedAsync) {
            openedAsync = true;
            events.add(new Event.OpenChannel(HislipSession.ASYNC, endpoint.port()));
        }
        if (handshake.state() == ClientHandshake.State.FAILED) {
            session.broken(handshake.failure(), null, nowNanos);
            return false;
        }
        if (handshake.state() == ClientHandshake.State.READY && session.state() == State.CONNECTING && !restoring) {
            session.syncChannel().serverMaxMessageSize(handshake.serverMaxMessageSize());
            restoring = true;
            restore(nowNanos);
        }
        return true;
    }

    /** Queues the restore of the lock and remote state; with nothing to restore, the on-connect hook starts. */
    private void restore(long nowNanos) {
        AsyncOperations operations = session.operations();
        ArrayDeque<PendingRequest> hookQueue = session.requests().hookQueue();
        long budget = Durations.nanos(config.connectTimeout());
        if (operations.lockHeld()) {
            for (Iterator<PendingRequest> it = session.requests().queue().iterator(); it.hasNext(); ) {
                PendingRequest p = it.next();
                if (p.operation() == Operation.UNLOCK) {   // released while down: the old session's lock is gone
                    it.remove();
                    operations.forgetLock();
                    events.add(new Event.Reply(p.id, p.request, List.of()));
                    break;
                }
            }
        }
        if (operations.lockHeld()) {
            hookQueue.add(session.requests().pending(Request.operation(Operation.LOCK).withTimeout(config.connectTimeout()),
                    Durations.deadline(nowNanos, budget), PendingRequest.Kind.RESTORE));
        }
        if (operations.remoteState() == Operation.REMOTE) {
            hookQueue.add(session.requests().pending(Request.operation(Operation.REMOTE).withTimeout(config.connectTimeout()),
                    Durations.deadline(nowNanos, budget), PendingRequest.Kind.RESTORE));
        }
        if (hookQueue.isEmpty()) {
            enterOnConnect(nowNanos);
        }
    }

    /** A restore request succeeded: when it was the last, the on-connect hook starts. */
    void restored(long nowNanos) {
        PendingRequest inFlight = session.requests().inFlight();
        if (restoring && session.requests().hookQueue().stream().noneMatch(x -> x.kind == PendingRequest.Kind.RESTORE)
                && (inFlight == null || inFlight.kind != PendingRequest.Kind.RESTORE)) {
            enterOnConnect(nowNanos);
        }
    }

    /** Set-up and restore done: the on-connect hook runs, then READY. */
    private void enterOnConnect(long nowNanos) {
        restoring = false;
        session.state(State.ON_CONNECT, null);
        for (Request r : config.onConnect()) {
            session.requests().hookQueue().add(session.requests().pending(r, session.requests().deadline(r, nowNanos), PendingRequest.Kind.HOOK));
        }
        externalHookOpen = config.externalHook();
        maybeReady();
    }

    /** READY once the hook is over: nothing of it queued or in flight, the external hook done. */
    void maybeReady() {
        PendingRequest inFlight = session.requests().inFlight();
        if (session.state() == State.ON_CONNECT && session.linkIsUp() && !externalHookOpen
                && session.requests().hookQueue().isEmpty()
                && (inFlight == null || inFlight.kind == PendingRequest.Kind.USER)) {
            session.ready();
        }
    }
}
