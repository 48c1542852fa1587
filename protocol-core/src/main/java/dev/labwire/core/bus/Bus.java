package dev.labwire.core.bus;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkMachine;
import dev.labwire.core.Expect;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.Printable;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * An RS485 multi-drop bus as a Sans-IO state machine: one link, many addressed devices, one exchange
 * on the wire at a time. It does no I/O and reads no clock; time is the caller's {@code System.nanoTime()}
 * passed as {@code nowNanos}.
 *
 * <h2>The driver's loop</h2>
 * The same as a {@link Connection}'s, so one driver drives either:
 * <pre>{@code
 * ByteBuffer out;
 * while ((out = bus.pollTransmit()) != null) link.write(out);           // 1. bytes to write
 * timer.arm(bus.pollTimeout());                                         // 2. the single timer
 * for (Event e; (e = bus.nextEvent()) != Event.NeedData.INSTANCE; )     // 3. events
 *     dispatch(e);   // Reply / Timeout / Failed by the id bus.send returned; OpenLink, CloseLink
 *                    // answered with linkUp / linkFailed / linkDown as for a Connection
 * }</pre>
 * When the timer fires, call {@code handleTimeout(System.nanoTime())} and drain again. The timer also
 * ends the turnaround: {@code pollTransmit()} gives nothing before it has passed.
 *
 * <h2>Wire model</h2>
 * <pre>
 *  send(A, FLOW?) x1000   send(B, TEMP?)   send(C, VALVE?)
 *  queues: A[FLOW? FLOW? ...]  B[TEMP?]  C[VALVE?]       turns: A B C A A A ...
 *
 *  wire:  "AFLOW?\r" .. "A +14.70\r" | turnaround | "BTEMP?\r" .. "B 21.5\r" | turnaround | "CVALVE?\r" ..
 *         \________ one exchange ________/           \_______ the next ______/
 * </pre>
 * Requests wait in one queue per address. When the wire is idle and the turnaround has passed, the next
 * address in round-robin order gets one turn: its oldest request is addressed ({@link Addressing#encode})
 * and handed to the connection underneath (maxInFlight 1), which writes it and matches the reply. An
 * address with 1000 requests queued gets one turn per round like any other, so it cannot starve them.
 * {@link Priority#HIGH} requests go before every normal one, still one exchange at a time, round-robin
 * among the addresses that have some.
 *
 * <p>Each request ends exactly once, with the id {@link #send} returned: {@link Event.Reply} (frames
 * with address and checksum stripped), {@link Event.Timeout}, or {@link Event.Failed}. A reply from
 * another address is discarded ({@link Event.Discarded}, {@code FOREIGN}, counted by {@link #foreignFrames()})
 * and the request keeps waiting for its own (if it then times out, its {@link Event.Timeout#detail()} names the
 * frames discarded and why, {@link Addressing#whyForeign}); a reply with a bad checksum fails that request with a
 * {@link RemoteProtocolException}. A silent or slow device costs only its own exchange: after its timeout the
 * next address gets its turn at once (after the turnaround), while the slow device gets nothing more for
 * {@link BusConfig#lateReplyGrace()}, so that its late reply is discarded as foreign instead of being taken as
 * the answer to its next request. Other events of the connection (state changes, link orders, pushed and discarded
 * frames, which keep their address bytes) come out as they are.
 *
 * <p>Adapters that select a device instead of naming it in every command (a Prologix GPIB adapter, {@link Prologix})
 * get three things from their {@link Addressing}: the bus writes its {@link Addressing#select select} bytes before a
 * command when the device differs from the one selected last on this link (remembered per link, forgotten on link up
 * and down); after a request ended without its whole reply it keeps the whole link quiet for
 * {@link Addressing#quietAfterTimeout} and writes {@link Addressing#clearAfterTimeout} before that device's next
 * command; and {@link dev.labwire.core.Operation}s the addressing has a command for ({@link Addressing#operationReply})
 * are carried like other requests (others are refused with {@link UnsupportedOperationException}).
 *
 * <p>Timeouts are whole-exchange, counted from {@code send}: waiting in the queue counts. A request
 * still queued when its time is up ends with {@link Event.Timeout} (not written).
 *
 * <p>Inside, the waiting requests and the devices' turns are {@code DeviceQueues}'s, when the link may be written is
 * {@code Turnaround}'s, the adapter's selected device {@code DeviceSelection}'s, and a write under way
 * {@code BusTransmitter}'s; this class hands requests to the connection and turns its events into the bus's.
 *
 * <p>Not thread-safe: one driver thread (or event loop) owns it.
 */
public final class Bus implements LinkMachine {

    /** Which requests go first. */
    public enum Priority {
        /** In round-robin turns with every address (the default). */
        NORMAL,
        /** Before every normal request; round-robin among the addresses that have some. */
        HIGH
    }

    private static final long NONE = Long.MAX_VALUE;

    private final BusConfig config;
    private final Connection conn;
    private final Addressing addressing;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final DeviceQueues queues;
    private final Turnaround turnaround;
    private final DeviceSelection selection;
    private final BusTransmitter transmitter;
    /** The requests handed to the connection, by the connection's id. */
    private final Map<Long, BusRequest> submitted = new HashMap<>();
    private long foreignFrames;

    private long nextId;
    private long lastNow;
    /** For the wire trace: the id of the request {@link #nextWrite()} handed out last (-1: none, or the connection's own). */
    private long writeId = -1;

    /** A bus in state {@link State#IDLE}; call {@link #open} to start. */
    public Bus(BusConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.conn = dev.labwire.core.internal.CoreAccess.newConnection(config.connection(), this::isForeign);
        this.addressing = config.addressing();
        this.queues = new DeviceQueues(dev.labwire.core.internal.Durations.nanos(config.lateReplyGrace()));
        this.turnaround = new Turnaround(addressing, dev.labwire.core.internal.Durations.nanos(config.turnaround()));
        this.selection = new DeviceSelection(addressing, config.connection());
        this.transmitter = new BusTransmitter(this);
    }

    /** The settings. */
    public BusConfig config() {
        return config;
    }

    /** The link's state, as the connection underneath reports it. */
    public State state() {
        return conn.state();
    }

    // ------------------------------------------------------------------ inputs: requests

    /** Queues {@code request} for {@code address} at {@link Priority#NORMAL}; see {@link #send(Address, Request, Priority, long)}. */
    public long send(Address address, Request request, long nowNanos) {
        return send(address, request, Priority.NORMAL, nowNanos);
    }

    /**
     * Queues {@code request} for the device at {@code address}. The payload is the command without the
     * address (the bus adds it); the reply the caller gets has the address (and checksum) stripped.
     *
     * @return the id that its ending event will carry
     * @throws IllegalArgumentException when the addressing cannot use {@code address}, the request
     *         expects an IEEE 488.2 block while replies carry an address (it would come before the {@code '#'}), or
     *         the addressed command contains the write terminator (it would reach the bus as two commands)
     * @throws UnsupportedOperationException for an {@link dev.labwire.core.Operation} the addressing has no command
     *         for ({@link Addressing#operationReply}), naming it
     * @throws LocalProtocolException when the bus is closed, the link is down with {@code autoReconnect}
     *         off, or {@code maxQueued} requests already wait
     */
    public long send(Address address, Request request, Priority priority, long nowNanos) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(priority, "priority");
        Expect expect = wireExpect(address, request);
        lastNow = nowNanos;
        ConnectionConfig cc = config.connection();
        if (conn.state() == State.CLOSED) {
            throw new LocalProtocolException("bus is closed; cannot send " + request + " to " + address);
        }
        if (conn.state() == State.DOWN && !cc.autoReconnect()) {
            throw new LocalProtocolException("link is down and autoReconnect is off; cannot send " + request + " to " + address);
        }
        if (queues.size() >= cc.maxQueued()) {
            throw new LocalProtocolException("queue is full: " + cc.maxQueued() + " requests wait (maxQueued); cannot send "
                    + request + " to " + address);
        }
        long id = nextId + 1;
        Request wire = new Request(addressed(address, request, id), expect, null, request.resend());
        long t = dev.labwire.core.internal.Durations.nanos(request.timeout() != null ? request.timeout() : cc.defaultTimeout());
        BusRequest item = new BusRequest(++nextId, address, request, wire, priority, dev.labwire.core.internal.Durations.deadline(nowNanos, t));
        queues.add(item);
        return item.id;
    }

    /**
     * Refuses {@code request} to {@code address} as {@link #send} would, without queuing it: a client that hands
     * requests to another thread calls it first so that the caller gets the exception at the call. It reads only
     * the immutable config and the addressing, so any thread may call it.
     *
     * @throws IllegalArgumentException when the request expects an IEEE 488.2 block or the addressed command
     *         contains the write terminator
     */
    public void check(Address address, Request request) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(request, "request");
        wireExpect(address, request);
        addressed(address, request, 0);
        addressing.select(address);
    }

    private byte[] addressed(Address address, Request request, long id) {
        byte[] wire = addressing.encode(address, request, id);
        byte[] t = config.connection().writeTerminator();
        for (int i = 0; t.length > 0 && i + t.length <= wire.length; i++) {
            if (Arrays.equals(wire, i, i + t.length, t, 0, t.length)) {
                throw new IllegalArgumentException("request " + request + " to " + address + " contains the write terminator at index "
                        + i + " of the addressed command " + Printable.quoted(wire, 0, wire.length, 64)
                        + "; it would reach the bus as two commands (binary addressing needs writeTerminator \"\")");
            }
        }
        return wire;
    }

    private Expect wireExpect(Address address, Request request) {
        Expect x = request.expect();
        if (x instanceof Expect.Operate op) {
            Expect reply = addressing.operationReply(op.operation());
            if (reply == null) {
                throw dev.labwire.core.internal.Operations.unsupported(op.operation(), "a bus of addressed devices (" + addressing + ")");
            }
            return reply;
        }
        if (x instanceof Expect.Block && addressing.encodeReply(address, new byte[0]).length > 0) {
            throw new IllegalArgumentException("a bus request cannot expect an IEEE 488.2 block (the address comes before the '#'): "
                    + request + " to " + address);
        }
        if (x instanceof Expect.Bytes n) {
            return Expect.bytes(n.count() + addressing.encodeReply(address, new byte[0]).length);
        }
        if (x instanceof Expect.UntilMarker u) {
            return new Expect.UntilMarker(addressing.encodeReply(address, u.marker()), u.maxFrames());
        }
        return x;
    }

    // ------------------------------------------------------------------ inputs: link and bytes

    /** Starts the bus: orders the first {@link Event.OpenLink}. See {@link Connection#open}. */
    public void open(long nowNanos) {
        lastNow = nowNanos;
        conn.open(nowNanos);
        sync();
    }

    /** The driver opened the link. See {@link Connection#linkUp}. */
    public void linkUp(long nowNanos) {
        lastNow = nowNanos;
        transmitter.reset();
        selection.forget();
        conn.linkUp(nowNanos);
        sync();
    }

    /** The link could not be opened. See {@link Connection#linkFailed}. */
    public void linkFailed(Throwable cause, long nowNanos) {
        lastNow = nowNanos;
        conn.linkFailed(cause, nowNanos);
        sync();
    }

    /**
     * The link is gone. The exchange on the wire fails (or is resent, see {@link Request.Resend}); queued
     * requests are kept or failed as the connection's {@code queuedOnLinkDown} and {@code autoReconnect} say.
     */
    public void linkDown(Throwable cause, long nowNanos) {
        lastNow = nowNanos;
        transmitter.reset();
        selection.forget();
        conn.linkDown(cause, nowNanos);
        sync();
    }

    /** Closes the bus for good: every request not ended fails with a {@link LocalProtocolException}. Idempotent. */
    public void close(long nowNanos) {
        lastNow = nowNanos;
        transmitter.reset();
        conn.close(nowNanos);
        sync();
    }

    /** Bytes arrived from the link; all of {@code data} is consumed. */
    public void receive(ByteBuffer data, long nowNanos) {
        lastNow = nowNanos;
        conn.receive(data, nowNanos);
        sync();
    }

    /** The link reached end of stream; then call {@link #linkDown}. */
    public void receiveEof(long nowNanos) {
        lastNow = nowNanos;
        conn.receiveEof(nowNanos);
        sync();
    }

    /** Timers due at {@code nowNanos} fire: timeouts (queued or on the wire), the grace, the reconnect, the turnaround. */
    public void handleTimeout(long nowNanos) {
        lastNow = nowNanos;
        queues.expireQuiet(nowNanos);
        conn.handleTimeout(nowNanos);
        sync();
    }

    // ------------------------------------------------------------------ outputs

    /**
     * The next bytes to write, or null when there are none now: the wire is busy, the turnaround since
     * the last exchange has not passed (see {@link #pollTimeout()}), or nothing waits. When the wire is
     * free this is where the next address's turn is taken, so a request sent during the turnaround can
     * still win it by priority. The rest of a request split by {@link #pollTransmit(ByteBuffer)} comes first.
     */
    public ByteBuffer pollTransmit() {
        return transmitter.poll();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: the bytes of the requests {@link #pollTransmit()} would hand out now, one exchange after another with
     * the turnaround between them as always (so usually one request); the rest of a split request goes out on the
     * next call whatever the turnaround, since its exchange has begun. The rest is dropped when the link goes down.
     * The bytes are copied from {@link #pollTransmit()}'s buffer: a bus runs at serial rates.
     */
    @Override
    public int pollTransmit(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("pollTransmit needs a writable buffer; got a read-only " + dst);
        }
        return transmitter.poll(dst);
    }

    /**
     * The next request's bytes from the connection, taking the next address's turn when the wire is free, or null when
     * nothing may be written now ({@link BusTransmitter} asks).
     */
    ByteBuffer nextWrite() {
        if (!turnaround.mayWrite(lastNow)) {
            return null;
        }
        if (conn.state() == State.READY && conn.queuedCount() == 0 && !conn.isWireBusy()) {
            if (turnaround.takeDropAfterQuiet()) { // what came of a late answer in the quiet time and broke off is no reply's start
                dev.labwire.core.internal.CoreAccess.dropUnowedPartialFrame(conn);
            }
            expireQueued();
            submitNext();
        }
        ByteBuffer out = conn.pollTransmit();
        writeId = out == null ? -1 : busId(conn.transmittedLastId()); // before sync() forgets a write-only one
        if (out != null) {
            turnaround.written(submitted.get(conn.transmittedLastId()), lastNow, conn.isWireBusy());
        }
        sync();
        return out;
    }

    /** The bus id of the request {@link #nextWrite()} handed out last: -1 for none, or the connection's own request. */
    long nextWriteId() {
        return writeId;
    }

    /** The bus id of the connection's request {@code connId}, or -1 when it is none of the bus's requests. */
    private long busId(long connId) {
        BusRequest item = submitted.get(connId);
        return item == null ? -1 : item.id;
    }

    @Override
    public long transmittedFirstId() {
        return transmitter.firstId();
    }

    @Override
    public long transmittedLastId() {
        return transmitter.lastId();
    }

    /** {@inheritDoc} Here: -1 also for a request that already ended whose late reply is owed (its request still shows). */
    @Override
    public long awaitedId() {
        long id = conn.awaitedId();
        return id < 0 ? -1 : busId(id);
    }

    /** {@inheritDoc} Here: with its address, as the bus writes it. */
    @Override
    public Request awaitedRequest() {
        return conn.awaitedRequest();
    }

    /** The next address's turn: its oldest request goes to the connection, after the bytes selecting its device. */
    private void submitNext() {
        BusRequest item = queues.nextTurn(lastNow);
        if (item == null) {
            return;
        }
        long id = conn.send(selection.wireRequest(item).withTimeout(Duration.ofNanos(Math.max(1, item.deadline - lastNow))), lastNow);
        submitted.put(id, item);
    }

    /** The connection asks whether a reply frame for the request {@code id} names another device. */
    private boolean isForeign(long id, Frame frame) {
        BusRequest item = submitted.get(id);
        if (item == null) {
            return false;
        }
        byte[] command = item.wire.payload();
        if (!addressing.isForeign(item.address, command, frame)) {
            return false;
        }
        foreignFrames++;
        FailureNotes.foreign(item, addressing, command, frame);
        return true;
    }

    /** Reply frames that named another device than the one whose reply was awaited, discarded so far. */
    public long foreignFrames() {
        return foreignFrames;
    }

    /**
     * The earliest moment {@link #handleTimeout} has work to do: a request's deadline, the connection's
     * timers, or, while something waits to be written, the end of the turnaround (the earliest moment
     * the next write may go). Empty when no timer is needed.
     */
    public OptionalLong pollTimeout() {
        long t = pollTimeoutNanos();
        return t == NONE ? OptionalLong.empty() : OptionalLong.of(t);
    }

    /** {@link #pollTimeout()} without allocating: the earliest deadline, or {@link Long#MAX_VALUE} for none. */
    @Override
    public long pollTimeoutNanos() {
        long t = queues.earliestDeadline(lastNow, conn.pollTimeoutNanos());
        boolean waiting = !queues.isEmpty() || conn.queuedCount() > 0 || conn.state() == State.ON_CONNECT;
        return waiting ? turnaround.earliest(lastNow, t) : t;
    }

    /** {@inheritDoc} */
    @Override
    public boolean cancel(long id, long nowNanos) {
        lastNow = nowNanos;
        if (queues.withdraw(id) != null) {
            return true;
        }
        for (Map.Entry<Long, BusRequest> e : submitted.entrySet()) {
            if (e.getValue().id == id) {
                boolean withdrawn = conn.cancel(e.getKey(), nowNanos);
                if (withdrawn) {
                    submitted.remove(e.getKey());
                }
                sync();
                return withdrawn;
            }
        }
        return false;
    }

    /** The next event, or {@link Event.NeedData#INSTANCE} when there is none. */
    public Event nextEvent() {
        Event e = events.pollFirst();
        return e == null ? Event.NeedData.INSTANCE : e;
    }

    /** Requests waiting for their turn, all addresses. */
    public int queuedCount() {
        return queues.size();
    }

    /** Requests waiting for their turn at {@code address}. */
    public int queuedCount(Address address) {
        return queues.size(address);
    }

    /** True while an exchange is on the wire (see {@link Connection#isWireBusy()}). */
    public boolean isWireBusy() {
        return conn.isWireBusy();
    }

    // ------------------------------------------------------------------ the connection's events

    /** Takes the connection's events, expires queued requests, and notes the end of an exchange. */
    private void sync() {
        for (Event e; (e = conn.nextEvent()) != Event.NeedData.INSTANCE; ) {
            translate(e);
        }
        expireQueued();
        turnaround.wireIs(conn.isWireBusy(), lastNow);
    }

    private void expireQueued() {
        for (BusRequest item; (item = queues.takeExpired(lastNow)) != null; ) {
            events.add(new Event.Timeout(item.id, item.request, false, whyNotWritten(item)));
        }
    }

    private void translate(Event e) {
        if (e instanceof Event.Reply r) {
            BusRequest item = submitted.remove(r.id());
            if (item != null) {
                events.add(decode(item, r.frames()));
            } // else the reply of an on-connect request, which has no caller
        } else if (e instanceof Event.Timeout t) {
            BusRequest item = submitted.remove(t.id());
            if (item != null) {
                if (t.written()) {
                    queues.quiet(item.address, lastNow);
                    keepLinkQuiet(item);
                }
                events.add(new Event.Timeout(item.id, item.request, t.written(), FailureNotes.timeoutDetail(item, t.detail())));
            }
        } else if (e instanceof Event.Failed f) {
            BusRequest item = submitted.remove(f.id());
            if (item != null) {
                if (f.cause() instanceof RemoteProtocolException) {
                    queues.quiet(item.address, lastNow); // its reply broke off or came damaged: the rest may still come
                    keepLinkQuiet(item);
                }
                events.add(new Event.Failed(item.id, item.request, f.cause()));
            }
        } else {
            events.add(e);
            if (e instanceof Event.StateChanged s) {
                onState(s);
            }
        }
    }

    /** After {@code item} ended on the wire without its whole reply: no write at all for its addressing's quiet time. */
    private void keepLinkQuiet(BusRequest item) {
        selection.endedWithoutReply(item.address);
        turnaround.quietAfterTimeout(item.address, lastNow);
    }

    private Event decode(BusRequest item, List<Frame> frames) {
        List<Frame> out = new ArrayList<>(frames.size());
        for (Frame f : frames) {
            try {
                out.add(addressing.decode(item.address, f));
            } catch (RemoteProtocolException x) {
                return new Event.Failed(item.id, item.request, FailureNotes.echoed(config.connection(), item, f, x));
            }
        }
        return new Event.Reply(item.id, item.request, out);
    }

    private void onState(Event.StateChanged s) {
        ConnectionConfig cc = config.connection();
        if (s.state() == State.CLOSED) {
            failQueued(new LocalProtocolException("bus closed"));
        } else if (s.state() == State.DOWN
                && (!cc.autoReconnect() || cc.queuedOnLinkDown() == ConnectionConfig.QueuedOnLinkDown.FAIL)) {
            failQueued(s.cause());
        }
    }

    private String whyNotWritten(BusRequest item) {
        if (conn.state() != State.READY) {
            return "the bus link is " + conn.state();
        }
        if (queues.isQuiet(item.address, lastNow)) {
            return "device " + item.address + " was kept quiet: an earlier request to it ended without its whole reply, which"
                    + " may still come, so nothing is sent to it for lateReplyGrace " + dev.labwire.core.internal.Durations.show(config.lateReplyGrace())
                    + " (BusConfig); other devices were served meanwhile";
        }
        return "it waited for its turn: " + queues.size() + " requests wait on the bus, one exchange at a time";
    }

    private void failQueued(Throwable cause) {
        List<BusRequest> all = queues.takeAll();
        Throwable why = cause != null ? cause : new LocalProtocolException("link down");
        for (BusRequest item : all) {
            events.add(new Event.Failed(item.id, item.request, why));
        }
    }
}
