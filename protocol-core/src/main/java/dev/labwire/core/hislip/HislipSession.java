package dev.labwire.core.hislip;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.SessionMachine;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.hislip.internal.AsyncExchanges;
import dev.labwire.core.hislip.internal.ClientHandshake;
import dev.labwire.core.hislip.internal.MessageIds;
import dev.labwire.core.hislip.internal.ReplyCutter;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
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
 *  AsyncMaximumMessageSizeResponse -> on-connect hook -> READY
 *  request  -> DataEnd(RMT-delivered, message id, payload + write terminator)   (Data parts first when it is
 *              larger than the server's maximum message size)
 *  reply    &lt;- Data ... DataEnd carrying that message id, cut per {@link Expect} (lines at \n, a block, n bytes)
 * </pre>
 *
 * <p>One request is on the wire at a time (synchronized mode). Stale replies are HiSLIP's to settle: a request that
 * times out is abandoned and its reply, whenever it comes, carries an old message id and is discarded (or the
 * server, in synchronized mode, interrupts it: Interrupted/AsyncInterrupted are honoured as IVI-6.1 3.1.2 says), so
 * the next request goes out at once. AsyncServiceRequest is handed out as {@link Event.Pushed} with the frame
 * {@code "SRQ <status byte>"}. A FatalError from the server, a decoding failure that is fatal, or a channel lost ends
 * the session: both connections close and, with {@code autoReconnect}, the session starts again after the backoff.
 * The handshake must finish within {@code connectTimeout}.
 *
 * <p>Not done yet: device clear, locks, status queries and remote/local as calls (the core pieces exist in
 * {@code hislip.internal}); overlapped mode (a server announcing it is used one request at a time, which is valid);
 * an external on-connect hook ({@code externalHook(true)} is refused). Not thread-safe: drivers call it under one
 * lock.
 */
public final class HislipSession implements SessionMachine {

    private static final int ASYNC = 1;

    private record Pending(long id, Request request, long deadline) {
    }

    private final ConnectionConfig config;
    private final Endpoint endpointInfo;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> syncOut = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> asyncOut = new ArrayDeque<>();
    private final java.io.ByteArrayOutputStream gathered = new java.io.ByteArrayOutputStream();
    private State state = State.IDLE;
    private HislipDecoder syncIn;
    private HislipDecoder asyncIn;
    private ClientHandshake handshake;
    private MessageIds ids = new MessageIds();
    private AsyncExchanges async = new AsyncExchanges();
    private Pending inFlight;
    private boolean gatherOverflow;
    private long serverMax = HislipDecoder.DEFAULT_MAX_MESSAGE_SIZE;
    private long nextId;
    private int attempt;
    private long reconnectAt = Long.MAX_VALUE;
    private boolean hookRunning;
    private boolean openedAsync;                                   // channel 1 ordered on this link
    private final java.util.HashSet<Long> hookIds = new java.util.HashSet<>(); // on-connect requests not ended

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
     * A session with {@code config} (timeouts, queue bound, write terminator, on-connect requests, reconnect) to
     * {@code endpoint}; {@code externalHook(true)} gives an {@link IllegalArgumentException}.
     */
    public HislipSession(ConnectionConfig config, Endpoint endpoint) {
        this.config = Objects.requireNonNull(config, "config");
        this.endpointInfo = Objects.requireNonNull(endpoint, "endpoint");
        if (config.externalHook()) {
            throw new IllegalArgumentException("HiSLIP sessions do not support externalHook(true) yet");
        }
    }

    @Override
    public ConnectionConfig config() {
        return config;
    }

    @Override
    public State state() {
        return state;
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
        if (state != State.CONNECTING) {
            throw new LocalProtocolException("HiSLIP session: linkUp in state " + state);
        }
        long ours = Math.max(HislipDecoder.DEFAULT_MAX_MESSAGE_SIZE, (long) config.maxFrameLength() + 16);
        syncIn = new HislipDecoder("sync", ours);
        asyncIn = new HislipDecoder("async", ours);
        ids = new MessageIds();
        async = new AsyncExchanges();
        gathered.reset();
        handshake = new ClientHandshake("LW", endpointInfo.subAddress(), ours, config.connectTimeout().toNanos());
        handshake.start(nowNanos);
        openedAsync = false;
        hookIds.clear();
        hookRunning = false;
        state(State.ON_CONNECT, null);
        pumpHandshake(nowNanos);
    }

    @Override
    public void linkFailed(Throwable cause, long nowNanos) {
        if (state != State.CONNECTING) {
            throw new LocalProtocolException("HiSLIP session: linkFailed in state " + state);
        }
        down(cause, nowNanos, false);
    }

    @Override
    public void linkDown(Throwable cause, long nowNanos) {
        if (state == State.CLOSED || state == State.DOWN || state == State.IDLE) {
            return;
        }
        down(cause, nowNanos, true);
    }

    /** Both channels are gone (or going): fail what was on the wire, then reconnect or stop. */
    private void down(Throwable cause, long nowNanos, boolean linkWasUp) {
        if (linkWasUp && openedAsync) {
            events.add(new Event.CloseChannel(ASYNC, "HiSLIP session ended: " + cause));
        }
        openedAsync = false;
        syncOut.clear();
        asyncOut.clear();
        LinkDownException e = new LinkDownException("HiSLIP session lost: " + cause, cause);
        if (inFlight != null && !hookIds.contains(inFlight.id)) {
            events.add(new Event.Failed(inFlight.id, inFlight.request, e));
        }
        inFlight = null;
        queue.removeIf(p -> hookIds.contains(p.id)); // the on-connect requests run again on the next link
        hookIds.clear();
        hookRunning = false;
        if (!config.autoReconnect()) {
            failQueued(e);
        }
        state(State.DOWN, cause);
        if (config.autoReconnect()) {
            reconnectAt = nowNanos + config.backoff().delayNanos(attempt, 0.5);
        }
    }

    /** A fatal protocol failure: tell the server when possible, close both connections, then as for a lost link. */
    private void broken(RemoteProtocolException e, HislipMessage answer, long nowNanos) {
        events.add(new Event.ProtocolError(e));
        if (answer != null) {
            syncOut.add(ByteBuffer.wrap(answer.encode()));
        }
        events.add(new Event.CloseLink("HiSLIP: " + e.getMessage()));
        down(e, nowNanos, true);
    }

    @Override
    public void close(long nowNanos) {
        if (state == State.CLOSED) {
            return;
        }
        LocalProtocolException e = new LocalProtocolException("HiSLIP session closed");
        if (inFlight != null) {
            events.add(new Event.Failed(inFlight.id, inFlight.request, e));
            inFlight = null;
        }
        failQueued(e);
        if (state != State.IDLE && state != State.DOWN) {
            if (openedAsync) {
                events.add(new Event.CloseChannel(ASYNC, "closed"));
            }
            events.add(new Event.CloseLink("closed"));
        }
        state(State.CLOSED, null);
    }

    private void failQueued(Throwable e) {
        for (Pending p : queue) {
            events.add(new Event.Failed(p.id, p.request, e));
        }
        queue.clear();
    }

    private void state(State s, Throwable cause) {
        state = s;
        events.add(new Event.StateChanged(s, cause));
    }

    // ---- channels ----

    @Override
    public void channelUp(int channel, long nowNanos) {
        checkChannel(channel);
        if (handshake != null && handshake.state() == ClientHandshake.State.AWAIT_ASYNC_CHANNEL) {
            handshake.asyncChannelUp(nowNanos);
            pumpHandshake(nowNanos);
        }
    }

    @Override
    public void channelFailed(int channel, Throwable cause, long nowNanos) {
        checkChannel(channel);
        if (state == State.ON_CONNECT || state == State.READY) {
            events.add(new Event.CloseLink("HiSLIP asynchronous channel failed: " + cause));
            down(cause, nowNanos, false);
        }
    }

    @Override
    public void channelDown(int channel, Throwable cause, long nowNanos) {
        checkChannel(channel);
        if (state == State.ON_CONNECT || state == State.READY) {
            events.add(new Event.CloseLink("HiSLIP asynchronous channel lost: " + cause));
            down(cause, nowNanos, false);
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
        if (asyncIn == null) {
            data.position(data.limit());
            return;
        }
        asyncIn.receive(data);
        for (Decoded d = asyncIn.next(); d != Decoded.NeedData.INSTANCE && asyncIn != null; d = asyncIn.next()) {
            if (d instanceof Decoded.Failure f) {
                if (f.fatal()) {
                    broken(f.exception(), null, nowNanos);
                    return;
                }
                events.add(new Event.ProtocolError(f.exception()));
                continue;
            }
            HislipMessage m = ((Decoded.Message) d).message();
            if (handshake.state() != ClientHandshake.State.READY) {
                handshake.onAsync(m);
                if (!pumpHandshake(nowNanos)) {
                    return;
                }
                continue;
            }
            async.onAsync(m);
            for (AsyncExchanges.Outcome o = async.nextOutcome(); o != null; o = async.nextOutcome()) {
                if (o instanceof AsyncExchanges.Outcome.ServiceRequest s) {
                    events.add(new Event.Pushed(Frame.of("SRQ " + s.statusByte())));
                } else if (o instanceof AsyncExchanges.Outcome.Interrupted) {
                    ids.onAsyncInterrupted();
                    gathered.reset();
                } else if (o instanceof AsyncExchanges.Outcome.Broken b) {
                    broken(b.reason(), null, nowNanos);
                    return;
                }
            }
        }
        pump(nowNanos);
    }

    @Override
    public int pollTransmit(int channel, ByteBuffer dst) {
        checkChannel(channel);
        return copy(asyncOut, dst);
    }

    // ---- the synchronous channel ----

    @Override
    public void receive(ByteBuffer data, long nowNanos) {
        if (syncIn == null) {
            data.position(data.limit());
            return;
        }
        syncIn.receive(data);
        drainSync(nowNanos);
    }

    @Override
    public void receiveEof(long nowNanos) {
        if (syncIn != null) {
            syncIn.receiveEof();
            drainSync(nowNanos);
        }
        if (state == State.ON_CONNECT || state == State.READY) {
            events.add(new Event.CloseLink("HiSLIP synchronous channel ended"));
            down(new RemoteProtocolException("the instrument closed the HiSLIP synchronous channel"), nowNanos, true);
        }
    }

    private void drainSync(long nowNanos) {
        for (Decoded d = syncIn.next(); d != Decoded.NeedData.INSTANCE; d = syncIn.next()) {
            if (d instanceof Decoded.Failure f) {
                if (f.fatal()) {
                    broken(f.exception(), f.answer(), nowNanos);
                    return;
                }
                events.add(new Event.ProtocolError(f.exception()));
                syncOut.add(ByteBuffer.wrap(f.answer().encode()));
                continue;
            }
            HislipMessage m = ((Decoded.Message) d).message();
            if (handshake.state() != ClientHandshake.State.READY) {
                handshake.onSync(m);
                if (!pumpHandshake(nowNanos)) {
                    return;
                }
                continue;
            }
            if (!onSync(m, nowNanos)) {
                return;
            }
        }
        pump(nowNanos);
    }

    /** One sync message after set-up; false when the session broke. */
    private boolean onSync(HislipMessage m, long nowNanos) {
        switch (m.type()) {
            case DATA:
            case DATA_END:
                if (ids.onData(m) == MessageIds.Verdict.DISCARD) {
                    if (m.type() == MessageType.DATA_END) {
                        events.add(new Event.Discarded(Frame.of(m.payload()), Event.DiscardReason.LATE_REPLY));
                    }
                    gathered.reset();
                    gatherOverflow = false;
                    return true;
                }
                if (gathered.size() + m.payloadLength() > config.maxFrameLength()) {
                    gatherOverflow = true;
                    gathered.reset();
                } else if (!gatherOverflow) {
                    gathered.writeBytes(m.payload());
                }
                if (m.type() == MessageType.DATA_END) {
                    replyDone(nowNanos);
                }
                return true;
            case INTERRUPTED:
                ids.onInterrupted();
                gathered.reset();
                return true;
            case FATAL_ERROR:
                broken(new RemoteProtocolException("HiSLIP server sent FatalError " + m.controlCode() + " ("
                        + FatalErrorCode.describe(m.controlCode()) + "): " + m.text()), null, nowNanos);
                return false;
            case ERROR:
                events.add(new Event.ProtocolError(new RemoteProtocolException("HiSLIP server sent Error "
                        + m.controlCode() + " (" + ErrorCode.describe(m.controlCode()) + "): " + m.text())));
                return true;
            default:
                events.add(new Event.ProtocolError(new RemoteProtocolException("HiSLIP synchronous channel: "
                        + "unexpected " + m)));
                syncOut.add(ByteBuffer.wrap(HislipMessage.error(ErrorCode.UNRECOGNIZED_MESSAGE_TYPE).encode()));
                return true;
        }
    }

    private void replyDone(long nowNanos) {
        byte[] response = gathered.toByteArray();
        boolean overflow = gatherOverflow;
        gathered.reset();
        gatherOverflow = false;
        Pending p = inFlight;
        if (p == null) {
            events.add(new Event.Discarded(Frame.of(response), Event.DiscardReason.UNEXPECTED));
            return;
        }
        inFlight = null;
        if (overflow) {
            RemoteProtocolException e = new RemoteProtocolException("HiSLIP response longer than maxFrameLength "
                    + config.maxFrameLength());
            events.add(new Event.ProtocolError(e));
            ended(p, new Event.Failed(p.id, p.request, e), e, nowNanos);
            return;
        }
        try {
            List<Frame> frames = ReplyCutter.cut(response, p.request.expect(), config.maxFrameLength());
            ended(p, new Event.Reply(p.id, p.request, frames), null, nowNanos);
        } catch (RemoteProtocolException e) {
            events.add(new Event.ProtocolError(e));
            ended(p, new Event.Failed(p.id, p.request, e), e, nowNanos);
        }
    }

    /**
     * Request {@code p} ended with {@code e} ({@code failure} null on success). A user request's event is handed
     * out; an on-connect request's is not: its success may make the session READY, its failure closes the link and
     * starts again after the backoff.
     */
    private void ended(Pending p, Event e, Throwable failure, long nowNanos) {
        if (!hookIds.remove(p.id)) {
            events.add(e);
            return;
        }
        if (failure != null) {
            events.add(new Event.CloseLink("HiSLIP on-connect request " + p.request + " failed: " + failure));
            down(failure, nowNanos, true);
        } else if (hookIds.isEmpty() && state == State.ON_CONNECT) {
            hookRunning = false;
            state(State.READY, null);
        }
    }

    // ---- handshake ----

    /** Moves the handshake's output on; false when it failed (the session is down then). */
    private boolean pumpHandshake(long nowNanos) {
        boolean needAsync = handshake.state() == ClientHandshake.State.AWAIT_ASYNC_CHANNEL;
        for (HislipMessage m = handshake.pollSync(); m != null; m = handshake.pollSync()) {
            syncOut.add(ByteBuffer.wrap(m.encode()));
        }
        for (HislipMessage m = handshake.pollAsync(); m != null; m = handshake.pollAsync()) {
            asyncOut.add(ByteBuffer.wrap(m.encode()));
        }
        if (needAsync && !openedAsync) {
            openedAsync = true;
            events.add(new Event.OpenChannel(ASYNC, endpointInfo.port()));
        }
        if (handshake.state() == ClientHandshake.State.FAILED) {
            broken(handshake.failure(), null, nowNanos);
            return false;
        }
        if (handshake.state() == ClientHandshake.State.READY && !hookRunning && state == State.ON_CONNECT) {
            serverMax = Math.max(HislipMessage.HEADER_LENGTH + 1, handshake.serverMaxMessageSize());
            attempt = 0;
            hookRunning = true;
            List<Request> hook = config.onConnect();
            for (int i = hook.size() - 1; i >= 0; i--) {
                Request r = hook.get(i);
                queue.addFirst(new Pending(++nextId, r, deadline(r, nowNanos)));
                hookIds.add(nextId);
            }
            if (hook.isEmpty()) {
                hookRunning = false;
                state(State.READY, null);
            }
        }
        return true;
    }

    // ---- requests ----

    @Override
    public long send(Request request, long nowNanos) {
        Objects.requireNonNull(request, "request");
        if (state == State.CLOSED || (state == State.DOWN && !config.autoReconnect())) {
            throw new LocalProtocolException("HiSLIP session is " + state + "; request " + request + " refused");
        }
        if (queue.size() >= config.maxQueued()) {
            throw new LocalProtocolException("HiSLIP session: " + config.maxQueued() + " requests already queued");
        }
        config.checkPayload(request);
        long id = ++nextId;
        queue.add(new Pending(id, request, deadline(request, nowNanos)));
        pump(nowNanos);
        return id;
    }

    private long deadline(Request r, long nowNanos) {
        long t = (r.timeout() != null ? r.timeout() : config.defaultTimeout()).toNanos();
        return nowNanos + t < nowNanos ? Long.MAX_VALUE - 1 : nowNanos + t;
    }

    @Override
    public long sendHook(Request request, long nowNanos) {
        throw new LocalProtocolException("HiSLIP sessions run their on-connect requests themselves; no external hook");
    }

    @Override
    public void hookDone(long nowNanos) {
        throw new LocalProtocolException("HiSLIP sessions have no external hook");
    }

    @Override
    public void hookFailed(Throwable cause, long nowNanos) {
        throw new LocalProtocolException("HiSLIP sessions have no external hook");
    }

    /** Puts the next request on the wire when the session is ready, nothing is in flight and sending is allowed. */
    private void pump(long nowNanos) {
        while (inFlight == null && !queue.isEmpty() && (state == State.READY || hookRunning && state == State.ON_CONNECT)
                && ids.maySend()) {
            Pending p = queue.peek();
            if (state == State.ON_CONNECT && !hookIds.contains(p.id)) {
                return;
            }
            queue.poll();
            write(p.request);
            if (p.request.expect() instanceof Expect.None) {
                ended(p, new Event.Reply(p.id, p.request, List.of()), null, nowNanos);
            } else {
                inFlight = p;
            }
        }
    }

    private void write(Request r) {
        byte[] body = r.payload();
        byte[] term = config.writeTerminator();
        byte[] all = new byte[body.length + term.length];
        System.arraycopy(body, 0, all, 0, body.length);
        System.arraycopy(term, 0, all, body.length, term.length);
        int max = (int) Math.min(Integer.MAX_VALUE - 64, serverMax - HislipMessage.HEADER_LENGTH);
        int at = 0;
        do {
            int n = Math.min(max, all.length - at);
            boolean end = at + n == all.length;
            syncOut.add(ByteBuffer.wrap(ids.send(end, java.util.Arrays.copyOfRange(all, at, at + n)).encode()));
            at += n;
        } while (at < all.length);
    }

    @Override
    public boolean cancel(long id, long nowNanos) {
        for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
            if (it.next().id == id) {
                it.remove();
                return true;
            }
        }
        if (inFlight != null && inFlight.id == id) {
            Pending p = inFlight;
            abandonInFlight();
            ended(p, new Event.Failed(id, p.request, new LocalProtocolException("request " + id
                    + " cancelled by the caller")), null, nowNanos);
            pump(nowNanos);
        }
        return false;
    }

    private void abandonInFlight() {
        inFlight = null;
        ids.abandon();
        gathered.reset();
    }

    // ---- time ----

    @Override
    public void handleTimeout(long nowNanos) {
        if (state == State.DOWN && nowNanos - reconnectAt >= 0 && reconnectAt != Long.MAX_VALUE) {
            connect();
        }
        if (handshake != null && state == State.ON_CONNECT) {
            handshake.handleTimeout(nowNanos);
            if (handshake.state() == ClientHandshake.State.FAILED) {
                broken(handshake.failure(), null, nowNanos);
                return;
            }
        }
        for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (nowNanos - p.deadline >= 0) {
                it.remove();
                Event.Timeout t = new Event.Timeout(p.id, p.request, false, "never written: the HiSLIP session was "
                        + state + (inFlight != null ? " with request " + inFlight.id + " in flight" : ""));
                ended(p, t, new LocalProtocolException("on-connect request timed out"), nowNanos);
                if (state == State.DOWN) {
                    return;
                }
            }
        }
        if (inFlight != null && nowNanos - inFlight.deadline >= 0) {
            Pending p = inFlight;
            Event.Timeout t = new Event.Timeout(p.id, p.request, true, "no DataEnd with message id 0x"
                    + Integer.toHexString(ids.lastSentId()) + "; a late reply will be discarded by its id");
            abandonInFlight();
            ended(p, t, new LocalProtocolException("on-connect request timed out"), nowNanos);
            pump(nowNanos);
        }
    }

    @Override
    public OptionalLong pollTimeout() {
        long best = Long.MAX_VALUE;
        if (state == State.DOWN) {
            best = reconnectAt;
        }
        if (handshake != null && state == State.ON_CONNECT) {
            OptionalLong h = handshake.pollTimeout();
            if (h.isPresent()) {
                best = Math.min(best, h.getAsLong());
            }
        }
        if (inFlight != null) {
            best = Math.min(best, inFlight.deadline);
        }
        for (Pending p : queue) {
            best = Math.min(best, p.deadline);
        }
        return best == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(best);
    }

    // ---- output ----

    @Override
    public ByteBuffer pollTransmit() {
        ByteBuffer b = syncOut.poll();
        return b == null ? null : ByteBuffer.allocate(b.remaining()).put(b).flip();
    }

    @Override
    public int pollTransmit(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        return copy(syncOut, dst);
    }

    private static int copy(ArrayDeque<ByteBuffer> out, ByteBuffer dst) {
        int n = 0;
        while (!out.isEmpty() && dst.hasRemaining()) {
            ByteBuffer b = out.peek();
            int k = Math.min(b.remaining(), dst.remaining());
            ByteBuffer slice = b.duplicate();
            slice.limit(slice.position() + k);
            dst.put(slice);
            b.position(b.position() + k);
            n += k;
            if (!b.hasRemaining()) {
                out.poll();
            }
        }
        return n;
    }

    @Override
    public Event nextEvent() {
        Event e = events.poll();
        return e == null ? Event.NeedData.INSTANCE : e;
    }

    /** The session id the server gave, or -1 before the handshake's InitializeResponse. */
    public int sessionId() {
        return handshake == null ? -1 : handshake.sessionId();
    }

    /** Replies discarded because their message id belonged to an abandoned request (or came while interrupted). */
    public long discardedReplies() {
        return ids.discarded();
    }
}
