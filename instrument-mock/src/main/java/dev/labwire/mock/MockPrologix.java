package dev.labwire.mock;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake Prologix GPIB adapter with simulated GPIB instruments behind it, built from the Prologix user manual: a
 * GPIB-ETHERNET on loopback TCP ({@link #tcp()}, port 0 instead of 1234) or a GPIB-USB as a serial port
 * ({@link #pty()}, a pty pair made by {@code socat}). No real adapter runs here, so this is what labwire's Prologix
 * bytes are tested against, together with the manual's own examples.
 *
 * <p>What it does, in controller mode, as the manual describes:
 * <ul>
 *   <li>The host stream is cut into lines at an unescaped CR or LF; ESC makes the next byte literal (CR, LF, ESC,
 *       '+'). Empty lines are ignored. A line starting with an unescaped {@code ++} is an adapter command; any other
 *       line is data for the instrument at the current address, with the {@code ++eos} terminator appended
 *       (0 CR LF, the power-on default; 1 CR; 2 LF; 3 nothing) and EOI on the last byte when {@code ++eoi} is 1
 *       (default 1).</li>
 *   <li>An instrument takes a message when EOI comes or it ends with LF; its responder (ISO-8859-1 text without the
 *       trailing CR/LF) may queue a reply, which it talks when addressed to: {@code ++read eoi} (until EOI: the whole
 *       reply), {@code ++read <char>} (up to that byte), {@code ++read} (the whole reply), or after each data line
 *       with {@code ++auto 1}. Nothing queued (or a reply {@link MockReply#delay delayed} past the read timeout):
 *       the adapter waits {@code ++read_tmo_ms} (power-on 500), holding back the commands after it as the real one
 *       does, then sends nothing; a delayed reply waits for a later {@code ++read}.</li>
 *   <li>{@code ++addr [pad [sad]]}, {@code ++auto}, {@code ++eoi}, {@code ++eos}, {@code ++mode},
 *       {@code ++read_tmo_ms}, {@code ++clr} (the instrument's buffers are emptied), {@code ++trg [pad]}, {@code ++spoll [pad]} (the status byte in decimal, then CR LF; no instrument: nothing,
 *       after the read timeout), {@code ++ver}; with no
 *       argument the settings answer their value. Other commands are logged and ignored.</li>
 *   <li>An address with no instrument: data goes nowhere, {@code ++read} and {@code ++spoll} answer nothing.</li>
 * </ul>
 * {@link #restart()} is a power cycle: connections drop, the next one starts with the power-on settings.
 * Every line, as the adapter understood it, is in {@link #log()}: commands as sent, data as {@code "<pad> < text"}.
 * Assumed where the manual is silent: answers to queries end with CR LF.
 */
public final class MockPrologix implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MockPrologix.class);
    private static final int ESC = 27;
    private static final int MAX_LINE = 64 * 1024;

    private final ServerSocket server;   // null for a pty
    private volatile Process socat;      // null for TCP
    private final java.nio.file.Path dir;
    private final Map<Integer, Instrument> instruments = new ConcurrentHashMap<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /** A simulated GPIB instrument. */
    private static final class Instrument {
        final Function<String, MockReply> responder;
        final List<byte[]> messages = new CopyOnWriteArrayList<>();
        final ByteArrayOutputStream pending = new ByteArrayOutputStream();
        volatile byte[] output = new byte[0];
        /** When {@link #output} may be talked ({@link MockReply#delay} after the message), on the nanoTime scale. */
        volatile long outputAt;
        volatile int statusByte;
        volatile int clears;
        /** Talks at most this many bytes in one read, then stalls until the adapter's read timeout; 0: no limit. */
        volatile int breakOff;
        final java.util.concurrent.atomic.AtomicInteger triggers = new java.util.concurrent.atomic.AtomicInteger();

        Instrument(Function<String, MockReply> responder) {
            this.responder = responder;
        }
    }

    private MockPrologix(boolean pty) throws IOException {
        if (!pty) {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            socat = null;
            dir = null;
            Thread t = new Thread(this::acceptLoop, "mock-prologix " + server.getLocalPort());
            t.setDaemon(true);
            t.start();
            return;
        }
        server = null;
        dir = java.nio.file.Files.createTempDirectory("labwire-prologix-");
        startPty();
    }

    /** Makes the pty pair (socat) and serves its mock side. */
    private void startPty() throws IOException {
        java.nio.file.Path mock = dir.resolve("mock");
        Process socat = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + devicePath(),
                "pty,raw,echo=0,link=" + mock).redirectErrorStream(true).start();
        StringBuilder socatLog = new StringBuilder();
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(socat.getInputStream(),
                StandardCharsets.UTF_8));
        for (String l; (l = r.readLine()) != null && !l.contains("starting data transfer loop"); ) {
            socatLog.append(l).append('\n');   // socat logs the pty names, then this line once both exist
        }
        if (!socat.isAlive()) {
            throw new IOException("socat could not make the pty pair:\n" + socatLog);
        }
        this.socat = socat;
        Thread drain = new Thread(() -> {
            try {
                socat.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // socat ended
            }
        }, "mock-prologix-socat-log");
        drain.setDaemon(true);
        drain.start();
        InputStream in = new java.io.BufferedInputStream(new java.io.FileInputStream(mock.toFile()));
        OutputStream out = new java.io.FileOutputStream(mock.toFile());
        Thread t = new Thread(() -> serve(in, out, () -> { }), "mock-prologix " + devicePath());
        t.setDaemon(true);
        t.start();
    }

    /** An adapter listening on a free loopback port, as a GPIB-ETHERNET does on 1234. */
    public static MockPrologix tcp() {
        try {
            return new MockPrologix(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * An adapter behind a serial port, as a GPIB-USB is: the client opens {@link #devicePath()}.
     *
     * @throws IllegalStateException when socat is not installed
     */
    public static MockPrologix pty() {
        if (!MockInstrument.socatAvailable()) {
            throw new IllegalStateException("MockPrologix.pty() needs socat: apt-get install -y socat");
        }
        try {
            return new MockPrologix(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code tcp://127.0.0.1:<port>}, or {@code serial:<device path>} for a pty. */
    public String endpoint() {
        return server != null ? "tcp://127.0.0.1:" + port() : "serial:" + devicePath();
    }

    /** The TCP port; -1 for a pty. */
    public int port() {
        return server != null ? server.getLocalPort() : -1;
    }

    /** The serial device a client opens; null for TCP. */
    public java.nio.file.Path devicePath() {
        return dir == null ? null : dir.resolve("device");
    }

    /**
     * Puts an instrument at primary address {@code pad} (0..30): {@code responder} gets each message it receives and
     * returns its reply, or null for none.
     */
    public MockPrologix instrument(int pad, Function<String, MockReply> responder) {
        if (pad < 0 || pad > 30) {
            throw new IllegalArgumentException("GPIB primary address " + pad + " is out of range 0..30");
        }
        instruments.put(pad, new Instrument(responder));
        return this;
    }

    /**
     * A fault: the instrument at {@code pad} talks at most {@code bytes} bytes of its reply in one {@code ++read}, then
     * stalls (a slow or hung talker), so the adapter's read timeout ends the read and the host gets those bytes with
     * no terminator; the rest stays in the instrument's output queue (until a {@code ++clr} or a later read).
     * {@code 0} turns the fault off.
     */
    public MockPrologix breakOff(int pad, int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("breakOff takes a byte count of 0 or more: " + bytes);
        }
        instrument(pad).breakOff = bytes;
        return this;
    }

    /** Sets the status byte {@code ++spoll} reads from the instrument at {@code pad}. */
    public MockPrologix statusByte(int pad, int statusByte) {
        instrument(pad).statusByte = statusByte & 0xFF;
        return this;
    }

    /** The messages the instrument at {@code pad} received, exactly as on the GPIB (terminators included). */
    public List<byte[]> received(int pad) {
        return new ArrayList<>(instrument(pad).messages);
    }

    /** How many Selected Device Clears ({@code ++clr}) the instrument at {@code pad} has had. */
    public int clears(int pad) {
        return instrument(pad).clears;
    }

    /** How many Group Execute Triggers ({@code ++trg}) the instrument at {@code pad} has had. */
    public int triggers(int pad) {
        return instrument(pad).triggers.get();
    }

    /** Every line the adapter took, in order: commands as sent ({@code "++addr 5"}), data as {@code "5 < *IDN?"}. */
    public List<String> log() {
        return new ArrayList<>(lines);
    }

    private Instrument instrument(int pad) {
        Instrument i = instruments.get(pad);
        if (i == null) {
            throw new IllegalArgumentException("no instrument at GPIB address " + pad);
        }
        return i;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                Thread t = new Thread(() -> {
                    try {
                        serve(s.getInputStream(), s.getOutputStream(), s);
                    } catch (IOException e) {
                        log.debug("mock Prologix connection failed: {}", e.toString());
                    } finally {
                        sockets.remove(s);
                    }
                }, "mock-prologix-conn " + s.getPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    log.warn("mock Prologix: accept failed: {}", e.toString());
                }
            }
        }
    }

    /**
     * Restarts the adapter, as a power cycle does: every connection is dropped (TCP: the listener stays bound on the
     * same port; pty: the pair is destroyed and made again under the same path), and each new connection starts
     * with the power-on settings ({@code ++addr 0}, {@code ++eos 0}, {@code ++eoi 1}, {@code ++auto 0},
     * {@code ++read_tmo_ms 500}). The instruments keep what they hold.
     *
     * @throws UncheckedIOException when socat cannot make the pty pair again
     */
    public void restart() {
        if (server == null) {
            Process old = socat;
            old.destroy();
            try {
                old.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                startPty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while restarting " + this, e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            restarts.incrementAndGet();
            return;
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // dropping anyway
            }
        }
        restarts.incrementAndGet();
    }

    /** TCP connections accepted so far (a pty: pairs made so far), to wait for a client to come back. */
    public int connectionCount() {
        return connections.get();
    }

    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger restarts = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * One connection's adapter state: settings persist per connection here (the real one keeps them in EEPROM). A
     * {@code ++read} or {@code ++spoll} that finds nothing to read holds the adapter for {@code ++read_tmo_ms} (the
     * real one waits that long for the instrument), and then sends nothing; commands sent meanwhile wait, as they do
     * in the real adapter's buffer.
     */
    private void serve(InputStream input, OutputStream output, java.io.Closeable link) {
        connections.incrementAndGet();
        int addr = 0;
        int eos = 0;
        boolean eoi = true;
        boolean auto = false;
        int readTmoMs = 500;
        try (link; InputStream in = input; OutputStream out = output) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean escaped = false;
            boolean startsEscaped = false;
            for (int b; (b = in.read()) >= 0; ) {
                if (escaped) {
                    escaped = false;
                    line.write(b);
                    continue;
                }
                if (b == ESC) {
                    escaped = true;
                    if (line.size() < 2) {
                        startsEscaped = true;   // "++" only counts when unescaped
                    }
                    continue;
                }
                if (b != '\r' && b != '\n') {
                    if (line.size() < MAX_LINE) {
                        line.write(b);
                    }
                    continue;
                }
                byte[] l = line.toByteArray();
                boolean command = !startsEscaped && l.length >= 2 && l[0] == '+' && l[1] == '+';
                line.reset();
                startsEscaped = false;
                if (l.length == 0) {
                    continue;
                }
                if (command) {
                    String c = new String(l, StandardCharsets.ISO_8859_1).trim();
                    lines.add(c);
                    String[] w = c.substring(2).trim().split("\\s+");
                    String arg = w.length > 1 ? w[1] : null;
                    switch (w[0]) {
                        case "addr" -> {
                            if (arg == null) {
                                answer(out, Integer.toString(addr));
                            } else {
                                addr = Integer.parseInt(arg);
                            }
                        }
                        case "eos" -> {
                            if (arg == null) {
                                answer(out, Integer.toString(eos));
                            } else {
                                eos = Integer.parseInt(arg);
                            }
                        }
                        case "eoi" -> {
                            if (arg == null) {
                                answer(out, eoi ? "1" : "0");
                            } else {
                                eoi = arg.equals("1");
                            }
                        }
                        case "auto" -> {
                            if (arg == null) {
                                answer(out, auto ? "1" : "0");
                            } else {
                                auto = arg.equals("1");
                            }
                        }
                        case "read" -> talk(out, addr, arg, readTmoMs);
                        case "read_tmo_ms" -> {
                            if (arg == null) {
                                answer(out, Integer.toString(readTmoMs));
                            } else {
                                readTmoMs = Integer.parseInt(arg);
                            }
                        }
                        case "spoll" -> {
                            Instrument i = instruments.get(arg == null ? addr : Integer.parseInt(arg));
                            if (i != null) {
                                answer(out, Integer.toString(i.statusByte));
                            } else {
                                idle(readTmoMs);   // nobody answers the poll: the adapter gives up after its timeout
                            }
                        }
                        case "clr" -> {
                            Instrument i = instruments.get(addr);   // Selected Device Clear: its buffers are emptied
                            if (i != null) {
                                synchronized (i) {
                                    i.pending.reset();
                                    i.output = new byte[0];
                                    i.clears++;
                                }
                            }
                        }
                        case "trg" -> {
                            Instrument i = instruments.get(arg == null ? addr : Integer.parseInt(arg));
                            if (i != null) {
                                i.triggers.incrementAndGet();
                            }
                        }
                        case "ver" -> answer(out, "Prologix GPIB-ETHERNET Controller version 01.06.06.00 (labwire mock)");
                        default -> { } // mode, read_tmo_ms, ifc, clr, ...: nothing to simulate
                    }
                    continue;
                }
                byte[] term = switch (eos) {
                    case 0 -> new byte[] {'\r', '\n'};
                    case 1 -> new byte[] {'\r'};
                    case 2 -> new byte[] {'\n'};
                    default -> new byte[0];
                };
                byte[] data = java.util.Arrays.copyOf(l, l.length + term.length);
                System.arraycopy(term, 0, data, l.length, term.length);
                lines.add(addr + " < " + new String(l, StandardCharsets.ISO_8859_1));
                listen(addr, data, eoi);
                if (auto) {
                    talk(out, addr, null, readTmoMs);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("mock Prologix connection ended: {}", e.toString());
        }
    }

    /** The instrument at {@code pad} receives {@code data}; a message ends at EOI or at a final LF. */
    private void listen(int pad, byte[] data, boolean eoi) {
        Instrument i = instruments.get(pad);
        if (i == null) {
            return;
        }
        synchronized (i) {
            i.pending.writeBytes(data);
            boolean end = eoi || (data.length > 0 && data[data.length - 1] == '\n');
            if (!end) {
                return;
            }
            byte[] message = i.pending.toByteArray();
            i.pending.reset();
            i.messages.add(message);
            int n = message.length;
            while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == '\r')) {
                n--;
            }
            MockReply r = i.responder.apply(new String(message, 0, n, StandardCharsets.ISO_8859_1));
            if (r != null) {
                i.outputAt = System.nanoTime() + r.delay.toNanos();
                byte[] old = i.output;
                byte[] add = r.bytes();
                byte[] both = java.util.Arrays.copyOf(old, old.length + add.length);
                System.arraycopy(add, 0, both, old.length, add.length);
                i.output = both;
                i.notifyAll();
            }
        }
    }

    /**
     * The instrument at {@code pad} talks: all it has (until EOI), or up to the byte {@code until}; when it has nothing
     * (yet: a {@link MockReply#delay delayed} reply), the adapter waits up to {@code readTmoMs} for it, then gives up.
     */
    private void talk(OutputStream out, int pad, String until, int readTmoMs) throws IOException {
        Instrument i = instruments.get(pad);
        if (i == null) {
            idle(readTmoMs);
            return;
        }
        byte[] send;
        boolean brokeOff;
        synchronized (i) {
            long giveUp = System.nanoTime() + readTmoMs * 1_000_000L;
            for (long now = System.nanoTime(); !(i.output.length > 0 && i.outputAt <= now) && now < giveUp; now = System.nanoTime()) {
                long wake = i.output.length == 0 ? giveUp : Math.min(giveUp, i.outputAt);
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(i, Math.max(1, wake - now));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (i.output.length == 0 || i.outputAt > System.nanoTime()) {
                return;   // nothing within the read timeout: the adapter sends nothing (a late reply waits for a later ++read)
            }
            byte[] o = i.output;
            int n = o.length;
            if (until != null && !until.equals("eoi")) {
                int stop = Integer.parseInt(until);
                for (int k = 0; k < o.length; k++) {
                    if ((o[k] & 0xFF) == stop) {
                        n = k + 1;
                        break;
                    }
                }
            }
            brokeOff = i.breakOff > 0 && n > i.breakOff;
            if (brokeOff) {
                n = i.breakOff;
            }
            send = java.util.Arrays.copyOf(o, n);
            i.output = java.util.Arrays.copyOfRange(o, n, o.length);
        }
        out.write(send);
        out.flush();
        if (brokeOff) {
            idle(readTmoMs);   // the adapter waits for the rest of the message until its read timeout
        }
    }

    /** The adapter is busy for {@code ms} (waiting for an instrument that does not answer). */
    private static void idle(int ms) {
        try {
            Thread.sleep(ms);   // simulated adapter time, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void answer(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Closes the listener and every connection. */
    @Override
    public void close() {
        if (socat != null) {
            socat.destroy();
            try {
                socat.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    @Override
    public String toString() {
        return "MockPrologix " + endpoint() + ", instruments at " + instruments.keySet();
    }
}
