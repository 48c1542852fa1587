package dev.labwire.core.hislip.internal;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.hislip.FatalErrorCode;
import dev.labwire.core.hislip.HislipMessage;
import dev.labwire.core.hislip.MessageType;
import java.util.ArrayDeque;
import java.util.OptionalLong;

/**
 * The client side of HiSLIP session set-up (IVI-6.1 sections 6.1 initialization and 6.8 maximum message size),
 * Sans-IO, time as a parameter:
 *
 * <pre>
 *  sync:   Initialize(version, vendor, sub-address)  ->
 *          &lt;- InitializeResponse(overlap bit, server version, session id)
 *  (driver opens the asynchronous connection: {@link #asyncChannelUp})
 *  async:  AsyncInitialize(session id)               ->
 *          &lt;- AsyncInitializeResponse(server vendor id)
 *  async:  AsyncMaximumMessageSize(our maximum)      ->
 *          &lt;- AsyncMaximumMessageSizeResponse(server's maximum)           => {@link State#READY}
 * </pre>
 *
 * Each step must finish before {@code timeoutNanos} after {@link #start}: {@link #handleTimeout} fails the
 * handshake. A FatalError or Error from the server, or any other message, fails it with a
 * {@link RemoteProtocolException} naming what arrived in which state ({@link #failure()}). Outgoing messages are
 * taken with {@link #pollSync()} / {@link #pollAsync()}.
 */
public final class ClientHandshake {

    /** Where the handshake is. */
    public enum State { NOT_STARTED, AWAIT_INITIALIZE_RESPONSE, AWAIT_ASYNC_CHANNEL, AWAIT_ASYNC_INITIALIZE_RESPONSE,
        AWAIT_MAXIMUM_MESSAGE_SIZE_RESPONSE, READY, FAILED }

    private final String vendorId;
    private final String subAddress;
    private final long ourMaxMessageSize;
    private final long timeoutNanos;
    private final ArrayDeque<HislipMessage> sync = new ArrayDeque<>();
    private final ArrayDeque<HislipMessage> async = new ArrayDeque<>();
    private State state = State.NOT_STARTED;
    private long deadline;
    private int sessionId = -1;
    private boolean overlapped;
    private int serverVersion;
    private String serverVendor;
    private long serverMaxMessageSize;
    private RemoteProtocolException failure;

    /**
     * @param vendorId          our two-character vendor id
     * @param subAddress        the device on the server ({@code "hislip0"})
     * @param maxMessageSize    the largest message we accept (header included), sent in AsyncMaximumMessageSize
     * @param timeoutNanos      how long the whole handshake may take, &gt; 0
     */
    public ClientHandshake(String vendorId, String subAddress, long maxMessageSize, long timeoutNanos) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("handshake timeout must be positive: " + timeoutNanos);
        }
        HislipMessage.initialize(HislipMessage.VERSION_1_0, vendorId, subAddress); // validates both
        HislipMessage.asyncMaximumMessageSize(maxMessageSize);
        this.vendorId = vendorId;
        this.subAddress = subAddress;
        this.ourMaxMessageSize = maxMessageSize;
        this.timeoutNanos = timeoutNanos;
    }

    /** The synchronous connection is up: sends Initialize. */
    public void start(long nowNanos) {
        expect(State.NOT_STARTED, "start");
        deadline = dev.labwire.core.internal.Durations.deadline(nowNanos, timeoutNanos);
        sync.add(HislipMessage.initialize(HislipMessage.VERSION_1_0, vendorId, subAddress));
        state = State.AWAIT_INITIALIZE_RESPONSE;
    }

    /** The asynchronous connection is up: sends AsyncInitialize with the session id. */
    public void asyncChannelUp(long nowNanos) {
        expect(State.AWAIT_ASYNC_CHANNEL, "asyncChannelUp");
        async.add(HislipMessage.asyncInitialize(sessionId));
        state = State.AWAIT_ASYNC_INITIALIZE_RESPONSE;
    }

    /** A message from the server on the synchronous channel. */
    public void onSync(HislipMessage m) {
        if (state == State.AWAIT_INITIALIZE_RESPONSE && m.type() == MessageType.INITIALIZE_RESPONSE) {
            sessionId = m.sessionId();
            overlapped = m.flag();
            serverVersion = m.protocolVersion();
            state = State.AWAIT_ASYNC_CHANNEL;
            return;
        }
        unexpected("synchronous", m);
    }

    /** A message from the server on the asynchronous channel. */
    public void onAsync(HislipMessage m) {
        if (state == State.AWAIT_ASYNC_INITIALIZE_RESPONSE && m.type() == MessageType.ASYNC_INITIALIZE_RESPONSE) {
            serverVendor = m.vendorId();
            async.add(HislipMessage.asyncMaximumMessageSize(ourMaxMessageSize));
            state = State.AWAIT_MAXIMUM_MESSAGE_SIZE_RESPONSE;
            return;
        }
        if (state == State.AWAIT_MAXIMUM_MESSAGE_SIZE_RESPONSE
                && m.type() == MessageType.ASYNC_MAXIMUM_MESSAGE_SIZE_RESPONSE) {
            try {
                serverMaxMessageSize = m.maximumMessageSize();
            } catch (RemoteProtocolException e) {
                fail(e);
                return;
            }
            state = State.READY;
            return;
        }
        unexpected("asynchronous", m);
    }

    private void unexpected(String channel, HislipMessage m) {
        if (state == State.READY || state == State.FAILED) {
            return;
        }
        String what = m.type() == MessageType.FATAL_ERROR
                ? "FatalError " + m.controlCode() + " (" + FatalErrorCode.describe(m.controlCode()) + "): " + m.text()
                : m.type() == MessageType.ERROR ? "Error " + m.controlCode() + ": " + m.text() : m.toString();
        fail(new RemoteProtocolException("HiSLIP handshake: " + what + " on the " + channel + " channel while in "
                + state));
    }

    /** Fails the handshake when its deadline has passed; earlier calls do nothing. */
    public void handleTimeout(long nowNanos) {
        if (state == State.NOT_STARTED || state == State.READY || state == State.FAILED || nowNanos - deadline < 0) {
            return;
        }
        fail(new RemoteProtocolException("HiSLIP handshake: no answer within " + timeoutNanos / 1_000_000
                + " ms, still in " + state));
    }

    /** The deadline while the handshake runs; empty before and after. */
    public OptionalLong pollTimeout() {
        return state == State.NOT_STARTED || state == State.READY || state == State.FAILED
                ? OptionalLong.empty() : OptionalLong.of(deadline);
    }

    private void fail(RemoteProtocolException e) {
        failure = e;
        state = State.FAILED;
        sync.clear();
        async.clear();
    }

    private void expect(State s, String call) {
        if (state != s) {
            throw new IllegalStateException("HiSLIP handshake: " + call + " in state " + state + ", not " + s);
        }
    }

    /** The next message to send on the synchronous channel, or null. */
    public HislipMessage pollSync() {
        return sync.poll();
    }

    /** The next message to send on the asynchronous channel, or null. */
    public HislipMessage pollAsync() {
        return async.poll();
    }

    public State state() {
        return state;
    }

    /** Why the handshake failed (null unless {@link State#FAILED}). */
    public RemoteProtocolException failure() {
        return failure;
    }

    /** The session id from InitializeResponse; -1 before. */
    public int sessionId() {
        return sessionId;
    }

    /** The server's mode from InitializeResponse: true overlapped, false synchronized. */
    public boolean overlapped() {
        return overlapped;
    }

    /** The server's protocol version (major in the high byte). */
    public int serverVersion() {
        return serverVersion;
    }

    /** The server's vendor id from AsyncInitializeResponse; null before. */
    public String serverVendor() {
        return serverVendor;
    }

    /** The largest message the server accepts (header included); 0 before READY. */
    public long serverMaxMessageSize() {
        return serverMaxMessageSize;
    }
}
