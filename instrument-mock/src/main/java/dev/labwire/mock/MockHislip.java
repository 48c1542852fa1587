package dev.labwire.mock;

import dev.labwire.core.hislip.FatalErrorCode;
import dev.labwire.core.hislip.HislipDecoder;
import dev.labwire.core.hislip.HislipMessage;
import dev.labwire.core.hislip.MessageType;
import dev.labwire.core.hislip.RemoteLocal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HiSLIP personality of a {@link MockInstrument}: a HiSLIP 1.0 server (IVI-6.1) on loopback TCP that answers
 * from the same place as the raw-socket mock, the instrument's scripted replies, responder and SCPI dictionary,
 * and records the commands in the same log ({@link MockInstrument#takeCommand()}).
 *
 * <pre>{@code
 * try (MockInstrument mock = MockInstrument.tcp().scpi();
 *      MockHislip hislip = MockHislip.serve(mock, 0)) {       // 0: a free port; 4880 is HiSLIP's own
 *     // connect a HiSLIP client to hislip.resource(): "TCPIP::127.0.0.1::hislip0,<port>::INSTR"
 * }
 * }</pre>
 *
 * <h2>What it does</h2>
 * Each client opens two connections: the first message on one must be Initialize (the server answers
 * InitializeResponse with protocol 1.0, its mode and a new session id, from 1 up), on the other AsyncInitialize
 * with that session id (answered with AsyncInitializeResponse, vendor id "LW"). Anything else first is answered
 * with FatalError 3 (Invalid Initialization Sequence) and the connection is closed; a Data message before the
 * async channel is up gets FatalError 2. Then: Data/DataEnd with message ids, answered per command; the device
 * clear transaction; exclusive and shared locks shared by all sessions; AsyncStatusQuery with the status byte;
 * AsyncRemoteLocalControl; AsyncMaximumMessageSize (the server's maximum: {@link #maxMessageSize(long)}, 1 MiB
 * by default). Synchronized mode by default; {@link #overlapped(boolean)} switches new sessions to overlapped
 * mode. Details per message: {@link HislipServerSession}.
 *
 * <h2>Locks</h2>
 * Exclusive and shared locks are shared by all sessions ({@code HislipLocks}); while one session holds the exclusive
 * lock, the Data, DataEnd and Trigger messages of the others are held, not acted on, until it is released (or its
 * session ends): their queries are answered late, never refused. {@link #heldSessions()} counts the sessions held.
 *
 * <h2>Service requests and the status byte</h2>
 * AsyncStatusQuery reports the dictionary's IEEE 488.2 status byte ({@code *ESE}, {@code *SRE}, {@code *OPC},
 * errors), MAV of the session's replies, and RQS instead of MSS; when MSS rises (e.g. {@code *ESE 1;*SRE 32;*OPC}) every
 * session gets AsyncServiceRequest and its next status query reports RQS (96 after that example), later ones do not
 * (32). Trigger messages count as {@code *TRG} in the dictionary ({@code dictionary().triggerCount()}).
 * {@link #requestService(int)} is the trigger by hand: it sets the device's RQS bit and sends AsyncServiceRequest with the
 * status byte (RQS, 0x40, set) on every session's async channel; the next AsyncStatusQuery of each session
 * reports RQS, later ones do not (as a serial poll clears it). {@link #deviceStatus(int)} sets the other bits.
 *
 * <h2>Not done</h2>
 * A shared lock holds nobody back (only the exclusive lock holds other sessions' Data, DataEnd and Trigger until it
 * is released); asynchronous requests of a session without the lock are answered at once. HiSLIP 2.0 (TLS, SASL, GetDescriptors) is answered with Error 1.
 * Faults: {@link #loseAsyncInterrupted(boolean)} (Interrupted without AsyncInterrupted), {@link #nextReplyAnnounces(long)}
 * (a DataEnd whose length field lies), {@link #fatalError}, {@link #disconnect()}.
 * Per-reply faults: a reply's delay is honoured, a stall silences the session until a device clear; byte gaps,
 * cut-offs and half-closes of {@link MockReply} apply to the raw-socket mock only.
 *
 * <p>Thread-safe. Threads are daemons named {@code mock-hislip*}; {@link #close()} ends them.
 * {@link #serve} throws {@link UncheckedIOException} when it cannot listen.
 */
public final class MockHislip implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MockHislip.class);

    private final MockInstrument instrument;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Map<Integer, HislipServerSession> sessions = new ConcurrentHashMap<>();
    private final Set<Integer> serviceRequested = new HashSet<>(); // guarded by itself
    private final HislipLocks locks = new HislipLocks();
    private final AtomicInteger nextSession = new AtomicInteger(1);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong triggers = new AtomicLong();
    private volatile boolean overlapped;
    private volatile boolean loseAsyncInterrupted;
    private final AtomicLong lyingLength = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean lieArmed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long maxMessageSize = HislipDecoder.DEFAULT_MAX_MESSAGE_SIZE;
    private volatile int deviceStatus;
    private volatile boolean closed;
    private final AutoCloseable srqListener;

    private MockHislip(MockInstrument instrument, int port) throws IOException {
        this.instrument = Objects.requireNonNull(instrument, "instrument");
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        this.listener = s;
        // the dictionary's IEEE 488.2 status model (e.g. *ESE 1;*SRE 32;*OPC) requests service: RQS and
        // AsyncServiceRequest on every session
        this.srqListener = instrument.dictionary().onServiceRequest(this::deviceRequestsService);
        this.acceptor = new Thread(this::acceptLoop, "mock-hislip-accept 127.0.0.1:" + s.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A HiSLIP server for {@code instrument} on 127.0.0.1:{@code port} (0: a free port; HiSLIP's own is 4880). */
    public static MockHislip serve(MockInstrument instrument, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        try {
            return new MockHislip(instrument, port);
        } catch (IOException e) {
            throw new UncheckedIOException("mock HiSLIP server cannot listen on 127.0.0.1:" + port, e);
        }
    }

    /** The port listened on. */
    public int port() {
        return listener.getLocalPort();
    }

    /** The VISA resource string of device {@code hislip0} on this server. */
    public String resource() {
        return "TCPIP::127.0.0.1::hislip0," + port() + "::INSTR";
    }

    /** New sessions (and device clears) use overlapped mode when true; synchronized (the default) when false. */
    public MockHislip overlapped(boolean overlapped) {
        this.overlapped = overlapped;
        return this;
    }

    /**
     * A fault: while on, a session interrupted in synchronized mode sends Interrupted on the synchronous channel and
     * never AsyncInterrupted on the asynchronous one (a server that loses it). IVI-6.1 3.1.2 forbids the client to
     * send until AsyncInterrupted comes, so a client that only waits is stuck on that session for good.
     */
    public MockHislip loseAsyncInterrupted(boolean lose) {
        this.loseAsyncInterrupted = lose;
        return this;
    }

    boolean losesAsyncInterrupted() {
        return loseAsyncInterrupted;
    }

    /**
     * A fault: the next reply's DataEnd header (of whichever session answers next) announces {@code payloadLength}
     * payload bytes, read unsigned (-1 is 2<sup>64</sup>-1), while only its real payload follows: a length field that
     * lies. Every later message of that session is then read as part of that payload.
     */
    public MockHislip nextReplyAnnounces(long payloadLength) {
        this.lyingLength.set(payloadLength);
        this.lieArmed.set(true);
        return this;
    }

    /** The armed lying length, once: empty when none is armed. */
    java.util.OptionalLong takeLyingLength() {
        return lieArmed.compareAndSet(true, false) ? java.util.OptionalLong.of(lyingLength.get())
                : java.util.OptionalLong.empty();
    }

    /** The largest message the server accepts, header included (default 1 MiB); bigger ones get Error 4. */
    public MockHislip maxMessageSize(long size) {
        if (size < HislipMessage.HEADER_LENGTH + 1) {
            throw new IllegalArgumentException("maximum message size must exceed the 16-byte header: " + size);
        }
        this.maxMessageSize = size;
        return this;
    }

    /** The device's status byte bits other than MAV (0x10) and RQS (0x40), as AsyncStatusQuery reports them. */
    public MockHislip deviceStatus(int statusByte) {
        if (statusByte < 0 || statusByte > 255) {
            throw new IllegalArgumentException("a status byte is 0 to 255: " + statusByte);
        }
        this.deviceStatus = statusByte;
        return this;
    }

    /**
     * The device requests service: AsyncServiceRequest with control code {@code statusByte | 0x40} on every
     * session's async channel; each session's next status query reports RQS.
     */
    public void requestService(int statusByte) {
        deviceStatus(statusByte & ~0x50);
        int stb = (statusByte | 0x40) & 0xFF;
        for (HislipServerSession s : sessions.values()) {
            synchronized (serviceRequested) {
                serviceRequested.add(s.id);
            }
            s.serviceRequest(stb);
        }
    }

    /** MSS rose in the dictionary's status model: RQS for every session's next poll, AsyncServiceRequest now. */
    private void deviceRequestsService(int statusByte) {
        int stb = (statusByte | 0x40) & 0xFF;
        for (HislipServerSession s : sessions.values()) {
            synchronized (serviceRequested) {
                serviceRequested.add(s.id);
            }
            s.serviceRequest(stb);
        }
    }

    /** Sessions whose Data/DataEnd/Trigger are held now because another session holds the exclusive lock. */
    public int heldSessions() {
        return locks.heldSessions();
    }

    /** Sessions whose both channels are up. */
    public int sessionCount() {
        return (int) sessions.values().stream().filter(HislipServerSession::hasAsync).count();
    }

    /** TCP connections accepted so far. */
    public int connectionCount() {
        return connections.get();
    }

    /** Trigger messages received so far. */
    public long triggerCount() {
        return triggers.get();
    }

    /** The last remote/local request of session {@code sessionId}, or null. */
    public RemoteLocal remoteLocal(int sessionId) {
        HislipServerSession s = sessions.get(sessionId);
        return s == null ? null : s.remoteLocal();
    }

    /** The session id holding the exclusive lock, -1 if none. */
    public int exclusiveLockHolder() {
        return locks.exclusiveHolder();
    }

    /**
     * A device that gives up mid-session: FatalError {@code code} (with the spec's wording as its text) on both
     * channels of every session, then both connections closed, as IVI-6.1 6.2 has the sender do.
     */
    public void fatalError(FatalErrorCode code) {
        HislipMessage m = HislipMessage.fatalError(code);
        for (HislipServerSession s : sessions.values()) {
            s.fatal(m);
        }
    }

    /** Drops every session's connections (clients see both channels close). */
    public void disconnect() {
        for (HislipServerSession s : sessions.values()) {
            s.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            srqListener.close();
        } catch (Exception e) {
            log.debug("stopping the service-request listener: {}", e.toString());
        }
        try {
            listener.close();
        } catch (IOException e) {
            log.debug("closing the HiSLIP listener: {}", e.toString());
        }
        disconnect();
        try {
            acceptor.join(2000);
            for (HislipServerSession s : sessions.values()) {
                s.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                socket.setTcpNoDelay(true);
                int n = connections.incrementAndGet();
                HislipChannel[] holder = new HislipChannel[1];
                holder[0] = new HislipChannel(socket, "hislip " + port() + "#" + n, maxMessageSize,
                        m -> first(holder[0], m));
                holder[0].start();
                if (closed) {
                    holder[0].close();
                }
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    log.warn("mock HiSLIP server: accept failed: {}", e.toString());
                }
            }
        }
    }

    /** The first message on a new connection decides what it is. */
    private void first(HislipChannel c, HislipMessage m) {
        if (m.type() == MessageType.INITIALIZE) {
            int id = nextSession.getAndUpdate(i -> i == 0xFFFF ? 1 : i + 1);
            HislipServerSession s = new HislipServerSession(this, instrument, id, c, overlapped);
            sessions.put(id, s);
            c.send(HislipMessage.initializeResponse(overlapped, HislipMessage.VERSION_1_0, id));
            return;
        }
        if (m.type() == MessageType.ASYNC_INITIALIZE) {
            HislipServerSession s = sessions.get(m.sessionId());
            if (s != null && !s.hasAsync()) {
                s.attachAsync(c);
                c.send(HislipMessage.asyncInitializeResponse("LW"));
                return;
            }
        }
        c.fatal(HislipMessage.fatalError(FatalErrorCode.INVALID_INITIALIZATION_SEQUENCE));
    }

    // ---- for sessions ----

    HislipLocks locks() {
        return locks;
    }

    long maxMessageSize() {
        return maxMessageSize;
    }

    boolean overlapped() {
        return overlapped;
    }

    int deviceStatus() {
        return deviceStatus;
    }

    void triggered() {
        triggers.incrementAndGet();
    }

    /** True once after {@link #requestService} for session {@code id}. */
    boolean takeServiceRequest(int id) {
        synchronized (serviceRequested) {
            return serviceRequested.remove(id);
        }
    }

    void sessionEnded(HislipServerSession s) {
        sessions.remove(s.id, s);
        synchronized (serviceRequested) {
            serviceRequested.remove(s.id);
        }
    }

    @Override
    public String toString() {
        return "MockHislip[" + resource() + "]";
    }
}
