package dev.labwire.mock;

import dev.labwire.core.hislip.ErrorCode;
import dev.labwire.core.hislip.FatalErrorCode;
import dev.labwire.core.hislip.HislipMessage;
import dev.labwire.core.hislip.LockResult;
import dev.labwire.core.hislip.MessageType;
import dev.labwire.core.hislip.RemoteLocal;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HiSLIP session of a {@link MockHislip}: its synchronous and asynchronous channels and the server side of
 * IVI-6.1 for them.
 *
 * <p>Sync channel: Data parts are gathered and a DataEnd ends the message; the message is cut at {@code \n} into
 * commands, each recorded and answered by the {@link MockInstrument} (scripted replies, responder, SCPI dictionary:
 * the same answers as the raw-socket mock). The replies of one message go back as Data ... DataEnd, in pieces that
 * fit the client's maximum message size, every one carrying the id of the DataEnd that asked. A reply's
 * {@link MockReply#delay delay} is honoured by the answer thread; a {@link MockReply#stall() stall} silences the
 * session until a device clear. Synchronized mode (3.1): a client message arriving while a reply is still owed,
 * or was sent but not acknowledged (the message does not say RMT-delivered), drops the reply and sends Interrupted
 * (sync) and AsyncInterrupted (async) with the new message's id. Overlapped mode: replies are queued and sent in
 * order.
 *
 * <p>Async channel: AsyncMaximumMessageSize, AsyncLock / AsyncLockInfo (shared {@link HislipLocks}),
 * AsyncStatusQuery (status byte: device bits, MAV while a reply is owed or not yet acknowledged by RMT-delivered,
 * RQS after a service request until a status query reads it), AsyncRemoteLocalControl, AsyncDeviceClear (drops
 * owed replies, discards sync input until DeviceClearComplete, then DeviceClearAcknowledge and ids from scratch).
 */
final class HislipServerSession {

    private static final Logger log = LoggerFactory.getLogger(HislipServerSession.class);
    /** Bytes of one message (Data parts up to a DataEnd) kept at most; beyond that the message is dropped. */
    static final int MAX_GATHERED = 1 << 20;

    private record Owed(int messageId, byte[] bytes, long dueNanos, long generation) {
    }

    private static final Owed END = new Owed(0, null, 0, -1);

    private final MockHislip server;
    private final MockInstrument instrument;
    final int id;
    private final HislipChannel sync;
    private volatile HislipChannel async;
    private volatile boolean overlapped;
    private volatile long clientMaxMessageSize = HislipMessage.HEADER_LENGTH + (1 << 20);
    private final ByteArrayOutputStream gathered = new ByteArrayOutputStream();
    private boolean gatherOverflow;
    private final LinkedBlockingQueue<Owed> owed = new LinkedBlockingQueue<>();
    private final Object state = new Object();
    private long generation;            // guarded by state: bumped by interrupts and device clear
    private int owedCount;              // guarded by state: replies queued, not yet fully sent
    private boolean unacknowledged;     // guarded by state: reply sent, RMT-delivered not seen yet
    private int lastProcessed = HislipMessage.INITIAL_MESSAGE_ID - 2; // guarded by state: last sync id handled
    private volatile boolean clearing;
    private volatile boolean stalled;
    private volatile RemoteLocal remoteLocal;
    private final Thread answerer;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();

    HislipServerSession(MockHislip server, MockInstrument instrument, int id, HislipChannel sync, boolean overlapped) {
        this.server = server;
        this.instrument = instrument;
        this.id = id;
        this.sync = sync;
        this.overlapped = overlapped;
        this.answerer = new Thread(this::answerLoop, "mock-hislip-answer session " + id);
        answerer.setDaemon(true);
        answerer.start();
        sync.handler(this::onSync);
        sync.onClose(this::close);
    }

    void attachAsync(HislipChannel a) {
        this.async = a;
        a.handler(this::onAsync);
        a.onClose(this::close);
    }

    boolean hasAsync() {
        return async != null;
    }

    RemoteLocal remoteLocal() {
        return remoteLocal;
    }

    // ---- synchronous channel ----

    private void onSync(HislipMessage m) {
        MessageType t = m.type();
        if (async == null && t != MessageType.INITIALIZE) {
            sync.fatal(HislipMessage.fatalError(FatalErrorCode.CHANNELS_NOT_ESTABLISHED));
            return;
        }
        switch (t) {
            case DATA:
            case DATA_END:
            case TRIGGER:
                try {
                    // held while another session holds the exclusive lock; a device clear of this session (or its
                    // end) meanwhile throws the held message away, so the clear is never stuck behind the lock
                    if (!server.locks().awaitAccess(id, () -> closing.get() || clearing)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (clearing) {
                    return; // part of what the device clear throws away
                }
                clientMessage(m);
                return;
            case DEVICE_CLEAR_COMPLETE:
                finishClear(m.flag());
                return;
            case INITIALIZE:
                sync.fatal(HislipMessage.fatalError(FatalErrorCode.INVALID_INITIALIZATION_SEQUENCE));
                return;
            default:
                unrecognized(sync, m);
        }
    }

    private void clientMessage(HislipMessage m) {
        long arrivedIn;
        synchronized (state) {
            if (m.flag()) {
                unacknowledged = false; // RMT-delivered: the client has the last whole reply
            }
            if (!overlapped && (owedCount > 0 || unacknowledged)) {
                generation++;
                owedCount = 0;
                unacknowledged = false;
                owed.clear();
                sync.send(HislipMessage.interrupted(m.messageId()));
                HislipChannel a = async;
                if (a != null && !server.losesAsyncInterrupted()) {
                    a.send(HislipMessage.asyncInterrupted(m.messageId()));
                }
            }
            arrivedIn = generation;
        }
        try {
            gather(m, arrivedIn);
        } finally {
            synchronized (state) {
                lastProcessed = m.messageId();
                state.notifyAll();
            }
        }
    }

    private void gather(HislipMessage m, long arrivedIn) {
        if (m.type() == MessageType.TRIGGER) {
            server.triggered();
            instrument.dictionary().trigger();   // GET: counted as *TRG is
            return;
        }
        if (!gatherOverflow) {
            if (gathered.size() + m.payloadLength() > MAX_GATHERED) {
                log.warn("session {}: dropped a message longer than {} bytes", id, MAX_GATHERED);
                gatherOverflow = true;
                gathered.reset();
            } else {
                gathered.writeBytes(m.payload());
            }
        }
        if (m.type() == MessageType.DATA_END) {
            byte[] whole = gathered.toByteArray();
            boolean dropped = gatherOverflow;
            gathered.reset();
            gatherOverflow = false;
            if (!dropped) {
                answer(m.messageId(), new String(whole, StandardCharsets.ISO_8859_1), arrivedIn);
            }
        }
    }

    /** Records and answers every command of one message; queues the replies under {@code messageId}. */
    private void answer(int messageId, String message, long arrivedIn) {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        long delay = 0;
        boolean any = false;
        for (String command : HislipReplies.commands(message)) {
            instrument.record(command);
            if (stalled) {
                continue;
            }
            MockReply r = instrument.replyFor(command);
            if (r.kind == MockReply.Kind.STALL) {
                stalled = true;
                continue;
            }
            for (; r != null; r = r.next) {
                if (r.kind == MockReply.Kind.BYTES) {
                    delay += r.delay.toNanos();
                    reply.writeBytes(r.raw());
                    any = true;
                }
            }
        }
        if (!any) {
            return;
        }
        synchronized (state) {
            if (arrivedIn != generation || clearing) {
                return; // a device clear came while the commands were being answered
            }
            owedCount++;
            owed.add(new Owed(messageId, reply.toByteArray(), System.nanoTime() + delay, generation));
        }
    }

    private void answerLoop() {
        try {
            while (true) {
                Owed o = owed.take();
                if (o == END) {
                    return;
                }
                long wait = o.dueNanos - System.nanoTime();
                if (wait > 0 && ended.await(wait, TimeUnit.NANOSECONDS)) {
                    return;
                }
                synchronized (state) {
                    if (o.generation != generation) {
                        continue; // interrupted or cleared while it was owed
                    }
                    HislipMessage[] pieces = HislipReplies.pieces(o.messageId, o.bytes, clientMaxMessageSize);
                    java.util.OptionalLong lie = server.takeLyingLength();
                    if (!(lie.isPresent() ? sync.sendBytes(HislipReplies.withLyingLength(pieces, lie.getAsLong()))
                            : sync.sendAll(pieces))) {
                        return;
                    }
                    owedCount = Math.max(0, owedCount - 1);
                    unacknowledged = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void finishClear(boolean clientPrefersOverlap) {
        synchronized (state) {
            generation++;
            owed.clear();
            owedCount = 0;
            unacknowledged = false;
            gathered.reset();
            gatherOverflow = false;
            stalled = false;
            lastProcessed = HislipMessage.INITIAL_MESSAGE_ID - 2;
            overlapped = clientPrefersOverlap;
            clearing = false;
            sync.send(HislipMessage.deviceClearAcknowledge(overlapped));
        }
    }

    // ---- asynchronous channel ----

    private void onAsync(HislipMessage m) {
        HislipChannel a = async;
        switch (m.type()) {
            case ASYNC_MAXIMUM_MESSAGE_SIZE:
                long size;
                try {
                    size = m.maximumMessageSize();
                } catch (RuntimeException e) {
                    a.send(HislipMessage.error(ErrorCode.UNIDENTIFIED.code(), e.getMessage()));
                    return;
                }
                clientMaxMessageSize = Math.max(HislipMessage.HEADER_LENGTH + 1, size);
                a.send(HislipMessage.asyncMaximumMessageSizeResponse(server.maxMessageSize()));
                return;
            case ASYNC_LOCK:
                lock(a, m);
                return;
            case ASYNC_LOCK_INFO:
                a.send(HislipMessage.asyncLockInfoResponse(server.locks().exclusiveGranted(),
                        server.locks().holders()));
                return;
            case ASYNC_STATUS_QUERY:
                awaitProcessed(m.messageId());
                a.send(HislipMessage.asyncStatusResponse(statusByte(m.flag())));
                return;
            case ASYNC_REMOTE_LOCAL_CONTROL:
                if (m.controlCode() > 6) {
                    a.send(HislipMessage.error(ErrorCode.UNRECOGNIZED_CONTROL_CODE));
                    return;
                }
                remoteLocal = RemoteLocal.of(m.controlCode());
                a.send(HislipMessage.asyncRemoteLocalResponse());
                return;
            case ASYNC_DEVICE_CLEAR:
                synchronized (state) {
                    clearing = true;
                    generation++;
                    owed.clear();
                    owedCount = 0;
                }
                a.send(HislipMessage.asyncDeviceClearAcknowledge(server.overlapped()));
                return;
            case ASYNC_INITIALIZE:
                a.fatal(HislipMessage.fatalError(FatalErrorCode.INVALID_INITIALIZATION_SEQUENCE));
                return;
            default:
                unrecognized(a, m);
        }
    }

    private void lock(HislipChannel a, HislipMessage m) {
        LockResult r;
        if (m.controlCode() == 1) {
            try {
                r = server.locks().request(id, m.text(), m.parameterUnsigned());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        } else if (m.controlCode() == 0) {
            awaitProcessed(m.messageId());
            r = server.locks().release(id);
        } else {
            a.send(HislipMessage.error(ErrorCode.UNRECOGNIZED_CONTROL_CODE));
            return;
        }
        a.send(HislipMessage.asyncLockResponse(r));
    }

    /**
     * Waits (at most 2 s) until the sync channel has handled the client's message {@code messageId}: the id an
     * AsyncStatusQuery or AsyncLock release carries is the last one the client sent, and the two channels are read
     * by different threads, so the async request may overtake it.
     */
    private void awaitProcessed(int messageId) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        synchronized (state) {
            while (lastProcessed != messageId && !clearing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.debug("session {}: message {} not seen on the sync channel; answering anyway", id,
                            Integer.toHexString(messageId));
                    return;
                }
                try {
                    state.wait(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** The status byte: device bits, MAV (0x10) while a reply is owed or unacknowledged, RQS (0x40) once. */
    private int statusByte(boolean rmtDelivered) {
        synchronized (state) {
            if (rmtDelivered) {
                unacknowledged = false;
            }
            // the device's bits: set by hand (MockHislip.deviceStatus) and the dictionary's IEEE 488.2 status model
            // (ESB, EAV; its MSS is replaced by RQS, which a poll clears, as IEEE 488.2 11.2.2 has it)
            int stb = (server.deviceStatus() | instrument.dictionary().statusByte(false)) & ~0x50;
            if (owedCount > 0 || unacknowledged) {
                stb |= 0x10;
            }
            if (server.takeServiceRequest(id)) {
                stb |= 0x40;
            }
            return stb;
        }
    }

    /** Error 1 (or 3 for vendor-specific types): a type the server does not take on this channel. */
    private static void unrecognized(HislipChannel c, HislipMessage m) {
        int code = m.typeCode() >= 128 ? ErrorCode.UNRECOGNIZED_VENDOR_DEFINED_MESSAGE.code()
                : ErrorCode.UNRECOGNIZED_MESSAGE_TYPE.code();
        c.send(HislipMessage.error(code, ErrorCode.describe(code) + ": " + m.type().specName() + " ("
                + m.typeCode() + ") on " + c.name()));
    }

    /** A service request: AsyncServiceRequest with {@code statusByte} on the async channel. */
    void serviceRequest(int statusByte) {
        HislipChannel a = async;
        if (a != null) {
            a.send(HislipMessage.asyncServiceRequest(statusByte));
        }
    }

    /** Sends {@code fatalError} on both channels, then closes them (IVI-6.1 6.2). */
    void fatal(HislipMessage fatalError) {
        sync.send(fatalError);
        HislipChannel a = async;
        if (a != null) {
            a.send(fatalError);
        }
        close();
    }

    void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        ended.countDown();
        owed.offer(END);
        server.locks().drop(id);
        sync.close();
        HislipChannel a = async;
        if (a != null) {
            a.close();
        }
        server.sessionEnded(this);
    }

    void join(long millis) throws InterruptedException {
        sync.join(millis);
        HislipChannel a = async;
        if (a != null) {
            a.join(millis);
        }
        if (Thread.currentThread() != answerer) {
            answerer.join(millis);
        }
    }
}
