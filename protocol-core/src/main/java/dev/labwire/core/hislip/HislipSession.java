package dev.labwire.core.hislip;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Operation;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.SessionMachine;
import dev.labwire.core.State;
import dev.labwire.core.hislip.internal.MessageIds;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The HiSLIP 1.0 session machine (IVI-6.1; docs/CHANNELS.md): the link is the synchronous channel, channel 1 the
 * asynchronous one, both to the instrument's HiSLIP port (4880 unless the endpoint says otherwise). Sans-IO; a
 * driver runs it like any {@link SessionMachine}:
 *
 * <pre>
 *  open  -> OpenLink ; linkUp -> Initialize ; InitializeResponse -> OpenChannel(1, port)
 *  channelUp(1) -> AsyncInitialize(session id) ; AsyncInitializeResponse -> AsyncMaximumMessageSize
 *  AsyncMaximumMessageSizeResponse -> restore (lock, remote) -> ON_CONNECT: on-connect hook -> READY
 *  request  -> DataEnd(RMT-delivered, message id, payload + write terminator)   (Data parts first when it is
 *              larger than the server's maximum message size)
 *  reply    &lt;- Data ... DataEnd carrying that message id, cut per {@link Expect} (lines at \n, a block, n bytes)
 * </pre>
 *
 * <h2>Requests</h2>
 * One request is on the wire at a time (synchronized mode), in the order sent; the state stays
 * {@link State#CONNECTING} until the handshake and the restore are done. Stale replies are HiSLIP's to settle: a
 * request that times out is abandoned and its reply, whenever it comes, carries an old message id and is discarded
 * (or the server, in synchronized mode, interrupts it: Interrupted/AsyncInterrupted are honoured as IVI-6.1 3.1.2
 * says), so the next request goes out at once.
 *
 * <h2>Operations ({@link Request#operation})</h2>
 * <ul>
 *   <li>{@link Operation#READ_STATUS_BYTE}: AsyncStatusQuery (RMT-delivered, the last message id sent); the reply is one
 *       frame, the status byte of AsyncStatusResponse in decimal.</li>
 *   <li>{@link Operation#TRIGGER}: a Trigger message on the synchronous channel with the next message id; ends when
 *       written, as a write does.</li>
 *   <li>{@link Operation#LOCK}: AsyncLock request for the exclusive lock; its timeout parameter is the request's time
 *       left minus a margin for the round trip ({@link #lockWaitMillis}). Granted: a reply; not granted in time
 *       (AsyncLockResponse 0): {@link Event.Timeout}; error (3): {@link Event.Failed} with a
 *       {@link LocalProtocolException}. A lock granted after the request ended (timeout, cancel) is released at once,
 *       so the session never holds a lock its user does not know of.</li>
 *   <li>{@link Operation#UNLOCK}: AsyncLock release carrying the last message id sent (the server releases after
 *       acting on it).</li>
 *   <li>{@link Operation#REMOTE}: AsyncRemoteLocalControl 3 (enable remote, go to remote); {@link Operation#LOCAL}: 2
 *       (disable remote, go to local).</li>
 *   <li>{@link Operation#CLEAR}: the device clear transaction (IVI-6.1 6.12): AsyncDeviceClear,
 *       AsyncDeviceClearAcknowledge, DeviceClearComplete on the synchronous channel, DeviceClearAcknowledge; message
 *       ids start again. A clear does not wait behind a query on the wire: that query ends at once with
 *       {@link Event.Failed} (a {@link LocalProtocolException} naming the clear) and every Data/DataEnd until
 *       DeviceClearAcknowledge is dropped, so no stale reply reaches anybody; requests queued behind go out after
 *       the clear. It does wait for an asynchronous operation in flight (the server answers those in order). A clear
 *       that does not complete by its deadline ends with a timeout and the session is made again (the synchronous
 *       channel's state is unknown then).</li>
 * </ul>
 * Asynchronous requests the server answers with Error end with {@link Event.Failed}
 * ({@link RemoteProtocolException} naming the code). AsyncServiceRequest is {@link Event.ServiceRequest} with its
 * control code, the status byte.
 *
 * <h2>On-connect hook, link loss, reconnect</h2>
 * The config's on-connect requests run first on every link (their events stay inside; one that fails closes the link
 * and the session starts again after the backoff); with {@code externalHook(true)} the driver's hook runs too
 * ({@link #sendHook}, {@link #hookDone}, {@link #hookFailed}, as for {@link dev.labwire.core.Connection}). Before
 * either, on a new link after a lost one, the session restores what its user set: the exclusive lock, when this
 * client held it (AsyncLock request waiting up to {@code connectTimeout}), then remote state, when {@link Operation#REMOTE}
 * was the last remote/local operation. A restore that fails closes the link like a failing hook (so no user request
 * ever runs without the lock its user took); the next attempt comes after the backoff. A lost link fails the request
 * on the wire unless {@link Request.Resend} / {@code retryQueriesOnLinkDown} say to send it again (it keeps its
 * deadline); queued requests wait or fail as {@code queuedOnLinkDown} says. A FatalError from the server, a decoding
 * failure that is fatal, or a channel lost ends the session likewise. The handshake must finish within
 * {@code connectTimeout}.
 *
 * <p>Not done yet: overlapped mode (a server announcing it is used one request at a time, which is valid); shared
 * locks. Not thread-safe: drivers call it under one lock.
 */
public final class HislipSession implements SessionMachine {

    // Parts (package-private, each says what it owns): SessionStart (handshake, restore, on-connect hook, to READY),
    // SessionRequests (queues, the request in flight, how each ends), SyncChannel (the synchronous channel after
    // set-up: Data/DataEnd both ways), AsyncOperations (the Operations; lock and remote state), ChannelOutput (bytes
    // for both connections), RequestDispatch (which request goes on the wire next, and how the one on the wire ends
    // early). This class holds the link's state and routes the driver's inputs.

    static final int ASYNC = 1;
    /** The least and the most of a lock request's time kept back for the round trip. */
    static final long LOCK_MARGIN_MIN_NANOS = 20_000_000L;
    static final long LOCK_MARGIN_MAX_NANOS = 500_000_000L;
    /** Asynchronous requests abandoned and still unanswered beyond this many: the channel is given up. */
    static final int MAX_ASYNC_OWED = 16;

    private final ConnectionConfig config;
    private final Endpoint endpointInfo;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final SessionRequests requests;
    private final ChannelOutput out = new ChannelOutput();
    private final SyncChannel syncChannel;
    private final AsyncOperations operations;
    private final SessionStart start;
    private final RequestDispatch dispatch;
    private State state = State.IDLE;
    private MessageIds ids = new MessageIds();
    private int attempt;
    private long reconnectAt = Long.MAX_VALUE;
    private boolean linkIsUp;          // between linkUp and the link's end

    /** Where the session goes: the HiSLIP port and the sub-address ({@code "hislip0"}). */
    public record Endpoint(int port, String subAddress) {
        public Endpoint {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("HiSLIP port out of range 1..65535: " + port);
            }
            Objects.requireNonNull(subAddress, "subAddress");
        }
    }

    /**
     * A session with {@code config} (timeouts, queue bound, write terminator, on-connect requests and external hook,
     * reconnect and link-loss policies) to {@code endpoint}.
     */
    public HislipSession(ConnectionConfig config, Endpoint endpoint) {
        this.config = Objects.requireNonNull(config, "config");
        this.endpointInfo = Objects.requireNonNull(endpoint, "endpoint");
        this.requests = new SessionRequests(this, events, config);
        this.syncChannel = new SyncChannel(this, events, out, config);
        this.operations = new AsyncOperations(this, events, out, syncChannel);
        this.start = new SessionStart(this, events, config, endpoint);
        this.dispatch = new RequestDispatch(this, config);
    }

    @Override
    public ConnectionConfig config() {
        return config;
    }

    @Override
    public State state() {
        return state;
    }

    /**
     * The AsyncLock timeout parameter for a lock request with {@code leftNanos} of its deadline left: that time less
     * a margin for the round trip (a tenth of it, at least 20 ms and at most 500 ms), in whole milliseconds, never
     * negative. So the server answers "not granted" before the request's own deadline, and the caller learns the
     * truth instead of a bare timeout; a margin of a tenth keeps short waits useful, the cap keeps long ones whole.
     */
    public static int lockWaitMillis(long leftNanos) {
        long margin = Math.min(LOCK_MARGIN_MAX_NANOS, Math.max(LOCK_MARGIN_MIN_NANOS, leftNanos / 10));
        long ms = (leftNanos - margin) / 1_000_000L;
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, ms));
    }

    // ---- lifecycle ----

    @Override
    public void open(long nowNanos) {
        if (state != State.IDLE) {
            throw new LocalProtocolException("HiSLIP session: open in state " + state);
        }
        connect();
    }

    private void connect() {
        state(State.CONNECTING, null);
        reconnectAt = Long.MAX_VALUE;
        events.add(new Event.OpenLink(++attempt));
    }

    @Override
    public void linkUp(long nowNanos) {
        if (state != State.CONNECTING || linkIsUp) {
            throw new LocalProtocolException("HiSLIP session: linkUp in state " + state + " without an OpenLink order");
        }
        long ours = Math.max(HislipDecoder.DEFAULT_MAX_MESSAGE_SIZE, (long) config.maxFrameLength() + 16);
        ids = new MessageIds();
        operations.linkUp(ours);
        syncChannel.linkUp(ours);
        out.clear();
        start.linkUp(ours, nowNanos);
        linkIsUp = true;
        start.pump(nowNanos);
    }

    @Override
    public void linkFailed(Throwable cause, long nowNanos) {
        if (state != State.CONNECTING || linkIsUp) {
            throw new LocalProtocolException("HiSLIP session: linkFailed in state " + state);
        }
        down(cause, nowNanos, false);
    }

    @Override
    public void linkDown(Throwable cause, long nowNanos) {
        if (!linkIsUp) {
            if (state == State.CONNECTING) {
                linkFailed(cause, nowNanos);
            }
            return; // the machine dropped the link itself already (CloseLink) and the driver confirms it
        }
        down(cause, nowNanos, true);
    }

    /** Both channels are gone (or going): end or keep what was on the wire, then reconnect or stop. */
    private void down(Throwable cause, long nowNanos, boolean closeAsync) {
        if (closeAsync && start.openedAsync()) {
            events.add(new Event.CloseChannel(ASYNC, "HiSLIP session ended: " + cause));
        }
        linkIsUp = false;
        start.linkLost();
        operations.clearEnded();
        out.clear();
        LinkDownException e = cause instanceof LinkDownException l ? l
                : new LinkDownException("HiSLIP session lost: " + cause, cause);
        requests.linkLost(e);
        state(State.DOWN, cause);
        if (!config.autoReconnect() || config.queuedOnLinkDown() == ConnectionConfig.QueuedOnLinkDown.FAIL) {
            requests.failQueued(e);
        }
        if (config.autoReconnect()) {
            reconnectAt = nowNanos + config.backoff().delayNanos(Math.max(1, attempt), 0.5);
        }
    }

    /** Ends the link on the machine's own decision: the driver closes both connections. */
    void drop(String reason, Throwable cause, long nowNanos) {
        events.add(new Event.CloseLink(reason));
        down(cause, nowNanos, true);
    }

    /** A fatal protocol failure: tell the server when possible, close both connections, then as for a lost link. */
    void broken(RemoteProtocolException e, HislipMessage answer, long nowNanos) {
        events.add(new Event.ProtocolError(e));
        drop("HiSLIP: " + e.getMessage(), e, nowNanos);
        if (answer != null) {
            out.sync(answer, -1); // written before the driver closes the link
        }
    }

    @Override
    public void close(long nowNanos) {
        if (state == State.CLOSED) {
            return;
        }
        requests.closed(new LocalProtocolException("HiSLIP session closed"));
        if (start.openedAsync()) {
            events.add(new Event.CloseChannel(ASYNC, "closed"));
        }
        if (state == State.CONNECTING || linkIsUp) {
            events.add(new Event.CloseLink("closed"));
        }
        start.asyncClosed();
        linkIsUp = false;
        reconnectAt = Long.MAX_VALUE;
        state(State.CLOSED, null);
    }

    void state(State s, Throwable cause) {
        state = s;
        events.add(new Event.StateChanged(s, cause));
    }

    // ---- channels ----

    @Override
    public void channelUp(int channel, long nowNanos) {
        checkChannel(channel);
        if (linkIsUp && start.awaitingAsyncChannel()) {
            start.channelUp(nowNanos);
        }
    }

    @Override
    public void channelFailed(int channel, Throwable cause, long nowNanos) {
        checkChannel(channel);
        if (linkIsUp && start.openedAsync()) {
            start.asyncClosed();
            drop("HiSLIP asynchronous channel failed: " + cause, cause, nowNanos);
        }
    }

    @Override
    public void channelDown(int channel, Throwable cause, long nowNanos) {
        checkChannel(channel);
        if (linkIsUp && start.openedAsync()) {
            start.asyncClosed();
            drop("HiSLIP asynchronous channel lost: " + cause, cause, nowNanos);
        }
    }

    private static void checkChannel(int channel) {
        if (channel != ASYNC) {
            throw new LocalProtocolException("HiSLIP uses channel 1 only, not " + channel);
        }
    }

    @Override
    public void receive(int channel, ByteBuffer data, long nowNanos) {
        checkChannel(channel);
        if (!operations.hasDecoder() || !linkIsUp) {
            data.position(data.limit());
            return;
        }
        if (operations.receive(data, ids, nowNanos)) {
            pump(nowNanos);
        }
    }

    @Override
    public int pollTransmit(int channel, ByteBuffer dst) {
        checkChannel(channel);
        return out.pollAsync(dst);
    }

    // ---- the synchronous channel ----

    @Override
    public void receive(ByteBuffer data, long nowNanos) {
        if (!syncChannel.hasDecoder() || !linkIsUp) {
            data.position(data.limit());
            return;
        }
        if (syncChannel.receive(data, ids, nowNanos)) {
            pump(nowNanos);
        }
    }

    @Override
    public void receiveEof(long nowNanos) {
        if (syncChannel.hasDecoder() && linkIsUp && syncChannel.receiveEof(ids, nowNanos)) {
            pump(nowNanos);
        }
        if (linkIsUp) {
            drop("HiSLIP synchronous channel ended",
                    new RemoteProtocolException("the instrument closed the HiSLIP synchronous channel"), nowNanos);
        }
    }

    // ---- requests ----

    @Override
    public long send(Request request, long nowNanos) {
        checkSend(request, 1);
        long id = dispatch.accept(request, nowNanos);
        pump(nowNanos);
        return id;
    }

    /** {@inheritDoc} All are checked first, queued in order, and only then is anything started. */
    @Override
    public long sendAll(Request[] requests, long nowNanos) {
        for (Request r : requests) {
            checkSend(r, requests.length);
        }
        long first = requests.length == 0 ? -1 : dispatch.accept(requests[0], nowNanos);
        for (int i = 1; i < requests.length; i++) {
            dispatch.accept(requests[i], nowNanos);
        }
        pump(nowNanos);
        return first;
    }

    /** Refuses {@code request} unless it and {@code count - 1} more may be queued now. */
    private void checkSend(Request request, int count) {
        Objects.requireNonNull(request, "request");
        if (state == State.CLOSED || (state == State.DOWN && !config.autoReconnect())) {
            throw new LocalProtocolException("HiSLIP session is " + state + "; request " + request + " refused");
        }
        if (requests.queue().size() > config.maxQueued() - count) {
            throw new LocalProtocolException(count == 1
                    ? "HiSLIP session: " + config.maxQueued() + " requests already queued"
                    : "HiSLIP session: the queue has room for " + Math.max(0, config.maxQueued() - requests.queue().size())
                            + " of a batch of " + count + " requests (maxQueued); none of them is sent");
        }
        if (!(request.expect() instanceof Expect.Operate)) {
            config.checkPayload(request);
        }
    }

    @Override
    public long sendHook(Request request, long nowNanos) {
        Objects.requireNonNull(request, "request");
        if (state != State.ON_CONNECT || !start.externalHookOpen()) {
            throw new LocalProtocolException("sendHook is only allowed while an external on-connect hook runs; state is "
                    + state);
        }
        if (!(request.expect() instanceof Expect.Operate)) {
            config.checkPayload(request);
        }
        PendingRequest p = requests.pending(request, requests.deadline(request, nowNanos),
                PendingRequest.Kind.EXTERNAL_HOOK);
        requests.hookQueue().add(p);
        pump(nowNanos);
        return p.id;
    }

    @Override
    public void hookDone(long nowNanos) {
        if (state != State.ON_CONNECT || !start.externalHookOpen()) {
            throw new LocalProtocolException("hookDone without a running external hook; state is " + state);
        }
        start.externalHookClosed();
        start.maybeReady();
        pump(nowNanos);
    }

    @Override
    public void hookFailed(Throwable cause, long nowNanos) {
        if (state != State.ON_CONNECT) {
            throw new LocalProtocolException("hookFailed outside the on-connect hook; state is " + state);
        }
        start.externalHookClosed();
        drop("HiSLIP on-connect hook failed: " + cause, new LinkDownException("on-connect hook failed", cause),
                nowNanos);
    }

    private void pump(long nowNanos) {
        dispatch.pump(nowNanos);
    }

    @Override
    public boolean cancel(long id, long nowNanos) {
        if (requests.cancelWaiting(id, nowNanos)) {
            return true;
        }
        PendingRequest p = requests.inFlight();
        if (p != null && p.id == id) {
            dispatch.giveUp(p, new Event.Failed(id, p.request, new LocalProtocolException("request " + id
                    + " cancelled by the caller")), nowNanos);
            pump(nowNanos);
        }
        return false;
    }

    // ---- time ----

    @Override
    public void handleTimeout(long nowNanos) {
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.DOWN && reconnectAt != Long.MAX_VALUE && nowNanos - reconnectAt >= 0) {
            connect();
        }
        if (linkIsUp && start.handshaking() && !start.handleTimeout(nowNanos)) {
            return;
        }
        // Interrupted came and AsyncInterrupted never did: IVI-6.1 3.1.2 forbids sending until it comes, so without a
        // new session nothing would ever be sent again on this one
        // (renewed before the expired requests end, so that both clients see the link down when they fail them)
        if (linkIsUp && !ids.maySend() && requests.waitingExpired(nowNanos)) {
            renew("the server sent Interrupted and no AsyncInterrupted by a request's deadline; sending stays"
                    + " forbidden until it comes (IVI-6.1 3.1.2)", nowNanos);
        }
        if (!requests.expireWaiting(nowNanos)) {
            return;
        }
        long skipping = dispatch.expireInFlight(nowNanos);
        if (skipping != 0) {
            // the reply was lost in an oversized message; if its length lied, the skip never ends and every later
            // reply would be skipped with it: nothing on the stream can be trusted until a new session
            renew("a request timed out while the synchronous channel was skipping an oversized message ("
                    + Long.toUnsignedString(skipping) + " bytes to go)", nowNanos);
            return;
        }
        pump(nowNanos);
    }

    /** The session cannot make progress on this link: closed and made again (with backoff), as for a lost link. */
    private void renew(String why, long nowNanos) {
        broken(new RemoteProtocolException(why + "; the session is made again"), null, nowNanos);
    }

    @Override
    public OptionalLong pollTimeout() {
        if (state == State.CLOSED) {
            return OptionalLong.empty();
        }
        long best = Long.MAX_VALUE;
        if (state == State.DOWN) {
            best = reconnectAt;
        }
        if (linkIsUp && start.handshaking()) {
            OptionalLong h = start.pollTimeout();
            if (h.isPresent()) {
                best = Math.min(best, h.getAsLong());
            }
        }
        best = requests.earliestDeadline(best);
        return best == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(best);
    }

    // ---- output ----

    @Override
    public ByteBuffer pollTransmit() {
        return out.pollSync();
    }

    @Override
    public int pollTransmit(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        return out.pollSync(dst);
    }

    @Override
    public long transmittedFirstId() {
        return out.firstId();
    }

    @Override
    public long transmittedLastId() {
        return out.lastId();
    }

    @Override
    public long awaitedId() {
        PendingRequest p = requests.inFlight();
        return p != null && p.operation() == null ? p.id : -1;
    }

    @Override
    public Request awaitedRequest() {
        PendingRequest p = requests.inFlight();
        return p != null && p.operation() == null ? p.request : null;
    }

    @Override
    public Event nextEvent() {
        Event e = events.poll();
        return e == null ? Event.NeedData.INSTANCE : e;
    }

    // ---- for the parts of the session ----

    boolean linkIsUp() {
        return linkIsUp;
    }

    SessionRequests requests() {
        return requests;
    }

    SessionStart start() {
        return start;
    }

    ChannelOutput output() {
        return out;
    }

    SyncChannel syncChannel() {
        return syncChannel;
    }

    AsyncOperations operations() {
        return operations;
    }

    /** The message ids of the current link (made again on each). */
    MessageIds ids() {
        return ids;
    }

    /** The start on a new link is over: READY, and the backoff starts again. */
    void ready() {
        attempt = 0;   // the backoff grows while links fail in set-up or hook, and starts again once one works
        state(State.READY, null);
    }

    /** The session id the server gave, or -1 before the handshake's InitializeResponse. */
    public int sessionId() {
        return start.sessionId();
    }

    /** Replies discarded because their message id belonged to an abandoned request (or came while interrupted). */
    public long discardedReplies() {
        return ids.discarded();
    }

    /** True while this client holds the instrument's exclusive lock (or held it when the link dropped). */
    public boolean holdsLock() {
        return operations.lockHeld();
    }
}
