package dev.labwire.mock;

import dev.labwire.core.bus.Checksum;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.InputBuffer;
import dev.labwire.core.modbus.RtuFramer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake Modbus server (slave): Modbus RTU on one end of a socat pty pair ({@link #rtu()}, the other end is
 * {@link #devicePath()}) or Modbus TCP on a loopback port ({@link #tcp()}). It answers function codes 1..6, 15, 16,
 * 23 from its own coils, discrete inputs, holding and input registers ({@value #DEFAULT_SIZE} of each, all zero at
 * first; an address past them gets exception 2, a bad quantity exception 3, another function exception 1), for unit 1
 * and any unit added with {@link #unit(int)}. On RTU, a request with a bad CRC is ignored (counted by {@link #badFrames()})
 * and unit 0 is a broadcast: served, never answered; other units are ignored, as on a real bus.
 *
 * <p>Faults are data: {@link #silent} units never answer, {@link #delay} answers late, {@link #corruptNextReplies}
 * damages the CRC (RTU) or the protocol id (TCP) of the next replies, {@link #garbageBeforeReplies} writes noise and a
 * silence before each reply, {@link #faultNextReplies} gives the next replies a {@link ReplyFault} real devices show
 * (another unit's id, another function, a byte count or MBAP length that lies, half a frame, a transaction id not
 * echoed), {@link #splitReplies} sends replies in pieces with gaps. A unit can have its own personality instead of the
 * shared registers:
 * {@link #handler(int, java.util.function.UnaryOperator)} answers its request PDUs. Thread-safe; {@link #close()} ends
 * everything.
 */
public final class MockModbus implements AutoCloseable {
    /** Registers and bits of each kind: {@value}. */
    public static final int DEFAULT_SIZE = 10_000;
    private static final Logger log = LoggerFactory.getLogger(MockModbus.class);
    private static final Checksum CRC = Checksum.crc16Modbus();

    private final boolean tcp;
    private final ModbusMemory memory = new ModbusMemory(DEFAULT_SIZE);
    private final Set<Integer> units = ConcurrentHashMap.newKeySet();
    private final Set<Integer> silent = ConcurrentHashMap.newKeySet();
    private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
    private final CommandLog requests = new CommandLog();
    private final AtomicInteger corruptNext = new AtomicInteger();
    private final AtomicInteger faultNext = new AtomicInteger();
    private volatile ReplyFault fault = ReplyFault.HALF_FRAME;
    private final AtomicLong badFrames = new AtomicLong();
    private volatile Duration delay = Duration.ZERO;
    private final java.util.Map<Integer, Duration> unitDelays = new ConcurrentHashMap<>();
    private final java.util.Map<Integer, java.util.function.UnaryOperator<byte[]>> handlers = new ConcurrentHashMap<>();
    private volatile byte[] garbage;
    private volatile Duration garbageGap = Duration.ZERO;
    private volatile boolean echo;
    private volatile int piece;
    private volatile Duration pieceGap = Duration.ZERO;
    private volatile boolean closed;
    private PtyPair pty;
    private ServerSocket server;

    private MockModbus(boolean tcp) {
        this.tcp = tcp;
        units.add(1);
    }

    /** Modbus RTU on a new pty pair; labwire (or mbpoll) opens {@link #devicePath()}. */
    public static MockModbus rtu() {
        MockModbus m = new MockModbus(false);
        m.pty = PtyPair.open();
        try {
            FileChannel in = FileChannel.open(m.pty.peerPath(), StandardOpenOption.READ);
            FileChannel out = FileChannel.open(m.pty.peerPath(), StandardOpenOption.WRITE);
            m.open.add(in);
            m.open.add(out);
            m.thread("mock-modbus-rtu", () -> m.serveRtu(in, out));
        } catch (IOException e) {
            m.close();
            throw new UncheckedIOException("cannot open the mock end " + m.pty.peerPath() + ": " + e.getMessage(), e);
        }
        return m;
    }

    /** Modbus TCP on 127.0.0.1, a free port ({@link #port()}). */
    public static MockModbus tcp() {
        MockModbus m = new MockModbus(true);
        try {
            m.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        m.open.add(m.server);
        m.thread("mock-modbus-accept", m::accept);
        return m;
    }

    /** The client's end of the pty pair (RTU). @throws IllegalStateException on TCP */
    public Path devicePath() {
        if (tcp) {
            throw new IllegalStateException("a TCP mock has no device path; use port()");
        }
        return pty.clientPath();
    }

    /** The loopback port (TCP). @throws IllegalStateException on RTU */
    public int port() {
        if (!tcp) {
            throw new IllegalStateException("an RTU mock has no port; use devicePath()");
        }
        return server.getLocalPort();
    }

    /** {@code serial:<devicePath>?baud=9600} or {@code tcp://127.0.0.1:<port>}. */
    public String endpoint() {
        return tcp ? "tcp://127.0.0.1:" + port() : "serial:" + devicePath() + "?baud=9600";
    }

    /** Serves unit {@code unit} (1..247; 0..255 on TCP) too. */
    public MockModbus unit(int unit) {
        units.add(unit);
        return this;
    }

    /** A silent unit reads its requests and never answers. */
    public MockModbus silent(int unit, boolean silent) {
        if (silent) {
            this.silent.add(unit);
        } else {
            this.silent.remove(unit);
        }
        return this;
    }

    /**
     * Unit {@code unit} (served from now on, as {@link #unit(int)}) answers with {@code handler}: it gets each request
     * PDU (function code first, no address or check) and returns the reply PDU (an exception reply is the function
     * code | 0x80 and the code), or null to be answered from the shared registers. A device personality with its own
     * register map and behaviour, e.g. a flow that follows its set-point. It runs on the mock's serving thread, one
     * request at a time per connection; silent units and broadcasts never reach it. Null removes it.
     */
    public MockModbus handler(int unit, java.util.function.UnaryOperator<byte[]> handler) {
        if (handler == null) {
            handlers.remove(unit);
        } else {
            units.add(unit);
            handlers.put(unit, handler);
        }
        return this;
    }

    /** Every reply comes {@code delay} after its request was read (default zero). */
    public MockModbus delay(Duration delay) {
        this.delay = Objects.requireNonNull(delay, "delay");
        return this;
    }

    /**
     * Replies of {@code unit} come {@code delay} after their request was read, added to {@link #delay(Duration)};
     * zero removes it. The mock answers in request order, so on RTU a slow unit holds back the replies after it, as
     * on a real line.
     */
    public MockModbus delay(int unit, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isZero()) {
            unitDelays.remove(unit);
        } else {
            unitDelays.put(unit, delay);
        }
        return this;
    }

    /** The next {@code n} replies go out damaged: a CRC byte flipped (RTU), the protocol id made 1 (TCP). */
    public MockModbus corruptNextReplies(int n) {
        corruptNext.set(n);
        return this;
    }

    /** A fault of a reply, as real units and gateways show them; see {@link #faultNextReplies}. */
    public enum ReplyFault {
        /** The reply names unit + 1 (on RTU with a good CRC for it): a unit answering for another address. */
        WRONG_UNIT,
        /** The reply's function code is the request's + 1 (FC 3 answered as FC 4), otherwise whole and good. */
        OTHER_FUNCTION,
        /** A read reply's byte count says 2 more bytes than follow; the frame (CRC, MBAP length) fits what is sent. */
        BYTE_COUNT_LIES,
        /** The first half of the reply, then silence. */
        HALF_FRAME,
        /** TCP: the transaction id is 0, not the request's. */
        TRANSACTION_ID_ZERO,
        /** TCP: the MBAP length field is one less than the bytes that follow (it forgot the unit id). */
        MBAP_LENGTH_SHORT,
        /** TCP: the MBAP length field is one more than the bytes that follow. */
        MBAP_LENGTH_LONG
    }

    /**
     * The next {@code n} replies go out with {@code fault}; the ones after them are right again. A fault that does not
     * apply to the link (a transaction id on RTU) leaves the reply as it is.
     */
    public MockModbus faultNextReplies(ReplyFault fault, int n) {
        this.fault = Objects.requireNonNull(fault, "fault");
        faultNext.set(n);
        return this;
    }

    /** {@code wire} (an RTU ADU with its CRC, or an MBAP frame) with the fault of {@link #faultNextReplies}, if one is due. */
    private byte[] withFault(byte[] wire) {
        if (faultNext.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
            return wire;
        }
        int at = tcp ? 6 : 0; // the unit id; the PDU follows it
        byte[] w = wire.clone();
        switch (fault) {
            case WRONG_UNIT -> w[at]++;
            case OTHER_FUNCTION -> w[at + 1]++;
            case BYTE_COUNT_LIES -> {
                int fc = w[at + 1] & 0xFF;
                if (fc <= 4 || fc == 23) {
                    w[at + 2] += 2;
                }
            }
            case HALF_FRAME -> {
                return Arrays.copyOf(w, w.length / 2);
            }
            case TRANSACTION_ID_ZERO -> {
                if (tcp) {
                    w[0] = 0;
                    w[1] = 0;
                }
            }
            case MBAP_LENGTH_SHORT, MBAP_LENGTH_LONG -> {
                if (tcp) {
                    int len = ((w[4] & 0xFF) << 8 | (w[5] & 0xFF)) + (fault == ReplyFault.MBAP_LENGTH_SHORT ? -1 : 1);
                    w[4] = (byte) (len >> 8);
                    w[5] = (byte) len;
                }
            }
            default -> throw new IllegalStateException("fault " + fault);
        }
        return tcp ? w : CRC.append(Arrays.copyOf(w, w.length - 2));
    }

    /** Before each reply, writes {@code noise}, then waits {@code gap}; null turns it off. */
    public MockModbus garbageBeforeReplies(byte[] noise, Duration gap) {
        this.garbage = noise == null ? null : noise.clone();
        this.garbageGap = Objects.requireNonNull(gap, "gap");
        return this;
    }

    /**
     * Every reply goes out in pieces of {@code piece} bytes with {@code gap} between them, as a USB-serial adapter hands
     * over a long reply in packets (an FTDI chip every 16 ms) to a reader that may be a little late; 0 turns it off.
     */
    public MockModbus splitReplies(int piece, Duration gap) {
        if (piece < 0) {
            throw new IllegalArgumentException("piece must be 0 (off) or positive: " + piece);
        }
        this.pieceGap = Objects.requireNonNull(gap, "gap");
        this.piece = piece;
        return this;
    }

    /**
     * RTU: every byte the master writes comes back to it first, as on a 2-wire RS485 adapter without echo suppression
     * (the master must drop its echo: {@code ConnectionConfig.Echo.CHECK_AND_DROP}). Off by default; no effect on TCP.
     */
    public MockModbus echo(boolean echo) {
        this.echo = echo;
        return this;
    }

    /** Sets holding registers from {@code address}. */
    public MockModbus setHoldingRegisters(int address, int... values) {
        memory.setHolding(address, values);
        return this;
    }

    /** Sets input registers from {@code address}. */
    public MockModbus setInputRegisters(int address, int... values) {
        memory.setInput(address, values);
        return this;
    }

    /** Sets coils from {@code address}. */
    public MockModbus setCoils(int address, boolean... values) {
        memory.setCoils(address, values);
        return this;
    }

    /** Sets discrete inputs from {@code address}. */
    public MockModbus setDiscreteInputs(int address, boolean... values) {
        memory.setDiscreteInputs(address, values);
        return this;
    }

    /** The holding register at {@code address}. */
    public int holdingRegister(int address) {
        return memory.holding(address);
    }

    /** The coil at {@code address}. */
    public boolean coil(int address) {
        return memory.coil(address);
    }

    /** Requests read so far, oldest first, as {@code "unit 1: 03 00 00 00 04"} (the PDU in hex); the last 10,000. */
    public List<String> requests() {
        return requests.all();
    }

    /** RTU frames ignored for a bad CRC. */
    public long badFrames() {
        return badFrames.get();
    }

    // ------------------------------------------------------------------ serving

    private void serveRtu(FileChannel in, FileChannel out) {
        RtuFramer framer = RtuFramer.forRequests(Duration.ofMillis(20));
        InputBuffer buf = new InputBuffer(512);
        ByteBuffer chunk = ByteBuffer.allocate(512);
        try {
            while (!closed) {
                chunk.clear();
                if (in.read(chunk) < 0) {
                    return;
                }
                chunk.flip();
                if (echo) {
                    out.write(chunk.duplicate());
                }
                framer.receiving(buf, System.nanoTime());
                buf.append(chunk);
                for (FrameResult r; (r = framer.decode(buf)) instanceof Frame f; ) {
                    byte[] adu = f.toByteArray();
                    if (adu.length < 4 || CRC.compute(adu, 0, adu.length - 2) != CRC.read(adu, adu.length - 2)) {
                        badFrames.incrementAndGet();
                        continue;
                    }
                    int unit = adu[0] & 0xFF;
                    byte[] reply = serve(unit, Arrays.copyOfRange(adu, 1, adu.length - 2), unit == 0);
                    if (reply != null) {
                        byte[] raw = new byte[1 + reply.length];
                        raw[0] = (byte) unit;
                        System.arraycopy(reply, 0, raw, 1, reply.length);
                        byte[] wire = withFault(CRC.append(raw));
                        if (corruptNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            wire[wire.length - 1] ^= 0x5A;
                        }
                        send(unit, b -> out.write(ByteBuffer.wrap(b)), wire);
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) {
                log.debug("mock modbus rtu ended: {}", e.toString());
            }
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                open.add(s);
                thread("mock-modbus-tcp " + s.getPort(), () -> serveTcp(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serveTcp(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (!closed) {
                byte[] head = in.readNBytes(7);
                if (head.length < 7) {
                    return;
                }
                int len = (head[4] & 0xFF) << 8 | (head[5] & 0xFF);
                if (len < 2 || len > 254) {
                    return; // not Modbus: drop the connection, as servers do
                }
                byte[] pdu = in.readNBytes(len - 1);
                if (pdu.length < len - 1) {
                    return;
                }
                byte[] reply = serve(head[6] & 0xFF, pdu, false);
                if (reply != null) {
                    byte[] wire = new byte[7 + reply.length];
                    System.arraycopy(head, 0, wire, 0, 7);
                    wire[4] = (byte) ((1 + reply.length) >> 8);
                    wire[5] = (byte) (1 + reply.length);
                    System.arraycopy(reply, 0, wire, 7, reply.length);
                    if (corruptNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        wire[3] = 1;
                    }
                    wire = withFault(wire);
                    send(head[6] & 0xFF, b -> {
                        out.write(b);
                        out.flush();
                    }, wire);
                }
            }
        } catch (IOException e) {
            log.debug("mock modbus tcp connection ended: {}", e.toString());
        } finally {
            open.remove(s);
        }
    }

    /** The reply PDU for {@code unit}, or null when none goes out. */
    private byte[] serve(int unit, byte[] pdu, boolean broadcast) {
        requests.add("unit " + unit + ": " + HexFormat.ofDelimiter(" ").withUpperCase().formatHex(pdu));
        if (broadcast) {
            memory.answer(pdu);
            return null;
        }
        if ((!units.contains(unit) && !tcp) || silent.contains(unit)) {
            return null;
        }
        java.util.function.UnaryOperator<byte[]> h = handlers.get(unit);
        byte[] own = h == null ? null : h.apply(pdu.clone());
        return own != null ? own : memory.answer(pdu);
    }

    private interface Writer {
        void write(byte[] b) throws IOException;
    }

    private void send(int unit, Writer w, byte[] wire) throws IOException {
        pause(delay.plus(unitDelays.getOrDefault(unit, Duration.ZERO)));
        byte[] noise = garbage;
        if (noise != null) {
            w.write(noise);
            pause(garbageGap);
        }
        int n = piece;
        if (n <= 0) {
            w.write(wire);
            return;
        }
        for (int at = 0; at < wire.length; at += n) {
            if (at > 0) {
                pause(pieceGap);
            }
            w.write(Arrays.copyOfRange(wire, at, Math.min(wire.length, at + n)));
        }
    }

    /** The fake device takes its time: a real wait, in the mock's own thread. */
    private void pause(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** Stops serving, closes every connection and the pty pair; idempotent. */
    @Override
    public void close() {
        closed = true;
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        if (pty != null) {
            pty.close();
        }
    }

    @Override
    public String toString() {
        return "MockModbus[" + (tcp ? "tcp" : "rtu") + ", " + (closed ? "closed" : endpoint()) + "]";
    }
}
