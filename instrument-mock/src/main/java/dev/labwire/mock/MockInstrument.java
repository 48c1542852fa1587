package dev.labwire.mock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A fake instrument for tests and demos, served on a real link: loopback TCP ({@link #tcp()}) or a serial pty
 * pair made by {@code socat} ({@link #pty()}) that a client opens as a real serial port. Like OkHttp's
 * MockWebServer: script replies, point the client at {@link #endpoint()}, then check what it sent.
 *
 * <pre>{@code
 * try (MockInstrument mock = MockInstrument.tcp().scpi();
 *      BlockingClient client = BlockingClient.open(mock.endpoint())) {
 *     client.write("VOLT 5");
 *     assertEquals("5", client.query("VOLT?"));          // the SCPI dictionary keeps settings
 *     mock.enqueue(MockReply.line("1").delay(Duration.ofMillis(600)));  // faults are data
 *     assertEquals("VOLT 5", mock.takeCommand());
 * }
 * }</pre>
 *
 * <h2>Commands and replies</h2>
 * The mock reads {@code \n}-ended commands (a trailing {@code \r} is dropped; a command longer than 64 KiB is
 * dropped with a warning), records the last 10,000 ({@link #commands()}, {@link #takeCommand()},
 * {@link #commandLogLimit}), and answers each connection's commands in order. The reply to a command is, in this
 * order: the next {@link #enqueue enqueued} reply; else the {@link #responder responder}'s non-null answer; else,
 * when {@link #scpi()} is on, the {@link ScpiDictionary}'s (which serves a {@link #device(Path) device file}'s
 * dialogues and properties first, when one is loaded); else nothing. A reply is chosen when its command is read.
 *
 * <h2>Faults</h2>
 * Per reply: {@link MockReply} (late, trickled, cut off, garbage, none, stall). Per kind of command: the
 * dictionary's {@link ScpiDictionary#reject rejected} and {@link ScpiDictionary#delay delayed} commands, its
 * {@link ScpiDictionary#blockTrailer block trailer}. Per mock: the {@link #replyTerminator reply terminator}, a
 * {@link #echo(boolean) echo}, possibly {@link #echoDelay late}, a {@link #pushFlood push flood}, a
 * {@link #greeting greeting} on each connection, connections {@link #closeOnAccept closed as soon as accepted}, a
 * {@link MockBusDevice#delay slow bus address}. Between client and mock: {@link FaultProxy}.
 *
 * <h2>The link</h2>
 * {@link #disconnect()} drops the current connections (the client sees the link drop and reconnects);
 * {@link #stop()} goes away entirely (TCP: connections refused; pty: the device path vanishes, like an
 * unplugged USB adapter); {@link #restart()} drops every connection while running, or comes back after
 * {@link #stop()}, on the same port or path, and counts ({@link #restartCount()}). Tests wait for a client to
 * come back with {@link #awaitConnections(int, Duration)}. {@link #push} writes unsolicited frames to every
 * connection, never inside a reply.
 *
 * <h2>Threads and failures</h2>
 * Thread-safe. Threads are daemons named {@code mock-*} and are all gone when {@link #close()} returns.
 * {@link #tcp()} throws {@link UncheckedIOException} when it cannot listen; {@link #pty()} throws
 * {@link IllegalStateException} when {@code socat} is missing ({@code apt-get install -y socat}; check
 * {@link #socatAvailable()}) and {@link UncheckedIOException} when it fails.
 */
public final class MockInstrument implements AutoCloseable {

    private final LinkSide side;
    private final SessionTable sessions = new SessionTable();
    private final CommandLog commandLog = new CommandLog();
    private volatile MockReply greeting;
    private final Answers answers = new Answers();
    private volatile boolean echo;
    private volatile Duration echoDelay = Duration.ZERO;
    private final PushStreams streams = new PushStreams(this);
    private volatile boolean closed;

    private MockInstrument(Function<MockInstrument, LinkSide> side) {
        this.side = side.apply(this);
    }

    /** A mock on loopback TCP, on a free port. */
    public static MockInstrument tcp() {
        return tcp(0);
    }

    /** A mock on loopback TCP on {@code port} (0: a free one). */
    public static MockInstrument tcp(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        return started(new MockInstrument(m -> new TcpSide(m, port)));
    }

    /**
     * A mock behind a pty pair made by {@code socat}: the client opens {@link #devicePath()} (endpoint
     * {@code serial:<path>}) as a serial port.
     *
     * @throws IllegalStateException when socat is not installed
     */
    public static MockInstrument pty() {
        if (!socatAvailable()) {
            throw new IllegalStateException("MockInstrument.pty() needs socat: apt-get install -y socat");
        }
        return started(new MockInstrument(m -> {
            try {
                return new PtySide(m);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a folder for the pty links", e);
            }
        }));
    }

    /**
     * A VXI-11 instrument (VXI-11 rev 1.0, ONC RPC over TCP) on 127.0.0.1: its own portmapper (TCP and UDP
     * GETPORT, on {@link Vxi11Options#portmapperPort}, 111 by default), the core channel and the abort channel.
     * Commands written with END are split at {@code \n} and answered exactly as on {@link #tcp()}: scripted replies,
     * the responder, the {@link #scpi() dictionary} (turn it on as usual); device_read returns each answer as one
     * response message with END on its last byte, honouring requestSize and termChar. device_readstb gives the
     * dictionary's {@code *STB?} with MAV (0x10) while an answer waits and RQS (0x40) after {@link #requestService()};
     * locks, device_clear, device_trigger ({@code *TRG}), remote/local, the interrupt channel and device_abort work as
     * the specification says. Faults: a {@link MockReply#delay late} reply makes device_read wait (error 15 when
     * io_timeout runs out first); {@link MockReply#stall()} leaves every later read unanswered until device_clear.
     * {@link #endpoint()} is {@code TCPIP::127.0.0.1::inst0::INSTR}; {@link #port()} the core channel's port.
     *
     * @throws java.io.UncheckedIOException when a port cannot be bound (111 needs root and a free port)
     */
    public static MockInstrument vxi11(Vxi11Options options) {
        Objects.requireNonNull(options, "options");
        return started(new MockInstrument(m -> new Vxi11Side(m, options)));
    }

    /** The VXI-11 mock's portmapper port (TCP and UDP). @throws IllegalStateException for another kind of mock */
    public int portmapperPort() {
        return vxi11Side().portmapperPort();
    }

    /** The VXI-11 mock's abort channel port. @throws IllegalStateException for another kind of mock */
    public int abortPort() {
        return vxi11Side().abortPort();
    }

    /**
     * VXI-11: the device requests service: RQS (0x40) is set in the status byte until the next device_readstb, and
     * device_intr_srq is called on the interrupt channel of every link that enabled SRQ. Returns how many
     * device_intr_srq calls went out. @throws IllegalStateException for another kind of mock
     */
    public int requestService() {
        return vxi11Side().requestService();
    }

    /**
     * VXI-11 with {@link Vxi11Options#interruptCallback(boolean) interruptCallback(false)}: where the latest
     * create_intr_chan asked the instrument to call device_intr_srq, and the handle device_enable_srq gave; null before.
     * @throws IllegalStateException for another kind of mock
     */
    public Vxi11InterruptTarget vxi11InterruptTarget() {
        return vxi11Side().interruptTarget();
    }

    /** VXI-11: device_read calls served since start, restarts included. @throws IllegalStateException as above */
    public long vxi11DeviceReads() {
        return vxi11Side().deviceReads();
    }

    /** VXI-11: how many links (create_link) are open now. @throws IllegalStateException for another kind of mock */
    public int vxi11Links() {
        return vxi11Side().linkCount();
    }

    private Vxi11Side vxi11Side() {
        if (side instanceof Vxi11Side v) {
            return v;
        }
        throw new IllegalStateException("not a VXI-11 mock: " + side.endpoint());
    }

    /** Whether a {@code socat} executable is on the PATH (needed by {@link #pty()}). */
    public static boolean socatAvailable() {
        return PtySide.socatAvailable();
    }

    private static MockInstrument started(MockInstrument m) {
        try {
            m.side.start();
            return m;
        } catch (IOException e) {
            m.close();
            throw new UncheckedIOException("mock instrument did not start: " + e.getMessage(), e);
        }
    }

    /** The endpoint string a client opens: {@code tcp://127.0.0.1:<port>} or {@code serial:<devicePath>}. */
    public String endpoint() {
        return side.endpoint();
    }

    /** The TCP port. @throws IllegalStateException for a pty mock */
    public int port() {
        if (side instanceof TcpSide t) {
            return t.port();
        }
        if (side instanceof Vxi11Side v) {
            return v.corePort();
        }
        throw new IllegalStateException("a pty mock has no port; use devicePath()");
    }

    /** The path the client opens as a serial port. @throws IllegalStateException for a TCP mock */
    public Path devicePath() {
        if (side instanceof PtySide p) {
            return p.devicePath();
        }
        throw new IllegalStateException("a TCP mock has no device path; use port()");
    }

    /** Turns on the {@link ScpiDictionary} for commands with no scripted or responder reply; returns this. */
    public MockInstrument scpi() {
        answers.scpi();
        return this;
    }

    /**
     * Serves {@code device}, a simulated instrument described by a file ({@link MockDevice}): turns the
     * {@link #scpi() SCPI dictionary} on, loads the device into it (its properties at their defaults, its
     * {@code errors.initial} queued, its identity as the {@code *IDN?} answer) and sets the
     * {@link #replyTerminator(String) reply terminator} to the device's. Enqueued replies and the responder still
     * come first. Loading another device replaces it. Returns this.
     */
    public MockInstrument device(MockDevice device) {
        Objects.requireNonNull(device, "device");
        answers.replyTerminator(device.replyTerminator());
        answers.dictionary().device(device);
        answers.scpi();
        return this;
    }

    /**
     * Reads the device file {@code file} ({@link MockDevice#load(Path)}: JSON, or YAML with SnakeYAML on the class
     * path) and serves it, as {@link #device(MockDevice)}; returns this.
     *
     * @throws MockDeviceException when the file cannot be read or does not describe a device
     */
    public MockInstrument device(Path file) {
        return device(MockDevice.load(file));
    }

    /**
     * The simulated device at {@code address} on this mock, made on first use: the mock becomes an RS485 bus
     * where each command starting with a device's address goes to that device (longest address first) and its
     * reply starts with the address. Commands for no known address get no reply. Enqueued replies still come
     * first and are sent exactly as given (for wrong-address and bad-reply tests).
     */
    public MockBusDevice busDevice(String address) {
        return answers.busDevice(address);
    }

    /**
     * What ends the lines this mock makes: {@link #enqueue(String)}, {@link #push(String)}, the pushed streams,
     * the {@link #dictionary() SCPI dictionary}'s replies and those of every {@link #busDevice bus device} (made
     * before or after). Default {@code \n}; real SCPI firmware mostly sends {@code "\r\n"}. Replies built with
     * {@link MockReply} keep their own bytes.
     *
     * @throws IllegalArgumentException when {@code terminator} is empty
     */
    public MockInstrument replyTerminator(String terminator) {
        answers.replyTerminator(terminator);
        return this;
    }

    /**
     * Sends {@code greeting} on each new connection before any answer, its delay counted from the accept, as a device
     * or terminal server that greets its clients with a banner or a prompt does:
     * {@code greeting(MockReply.line("Welcome", "\r\n").delay(Duration.ofMillis(30)))}. Commands read meanwhile are
     * answered after it. Null (the default): no greeting.
     */
    public MockInstrument greeting(MockReply greeting) {
        this.greeting = greeting;
        return this;
    }

    /**
     * Half-duplex echo (true): every byte the client sends is sent straight back before any reply, as a
     * USB-RS485 adapter that hears its own transmission; {@link #echoDelay(Duration)} makes it late. Default false.
     */
    public MockInstrument echo(boolean echo) {
        this.echo = echo;
        return this;
    }

    /**
     * How long after the mock reads bytes their {@link #echo(boolean) echo} goes back: an adapter whose echo is
     * held by its USB latency timer, or one arriving after the client's request timeout. Default zero (at once).
     * Echoes keep their order, and a reply never overtakes the echo of its own command: with a delay of 300 ms
     * the client reads {@code AFLOW?\n} 300 ms after sending it, then the device's answer. The delay applies to
     * bytes read after the call.
     *
     * @throws IllegalArgumentException when {@code delay} is negative
     */
    public MockInstrument echoDelay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("echo delay must not be negative: " + delay);
        }
        this.echoDelay = delay;
        return this;
    }

    boolean echoes() {
        return echo;
    }

    Duration echoDelay() {
        return echoDelay;
    }

    /** The SCPI dictionary (its state is kept across connections). */
    public ScpiDictionary dictionary() {
        return answers.dictionary();
    }

    /** Queues the line {@code reply} (and the {@link #replyTerminator reply terminator}) as the next answer. */
    public MockInstrument enqueue(String reply) {
        return enqueue(MockReply.line(reply, answers.terminator()));
    }

    /** Queues {@code reply} as the answer to the next command (scripted replies come first, in order). */
    public MockInstrument enqueue(MockReply reply) {
        answers.enqueue(reply);
        return this;
    }

    /**
     * Answers commands without a scripted reply: {@code responder} returns a reply, or null to pass the command
     * on to the SCPI dictionary (or to leave it unanswered). An exception it throws is logged and the command
     * gets no reply. Null removes the responder.
     */
    public MockInstrument responder(Function<String, MockReply> responder) {
        answers.responder(responder);
        return this;
    }

    /**
     * The next command not yet taken, waiting up to {@code timeout}; null if none came. Commands are taken
     * oldest first from the {@link #commandLogLimit bounded log}: one that fell out of it is never taken.
     */
    public String takeCommand(Duration timeout) throws InterruptedException {
        return commandLog.take(Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * The next command not yet taken, waiting up to 5 s.
     *
     * @throws IllegalStateException when none came within 5 s (or the thread was interrupted)
     */
    public String takeCommand() {
        return commandLog.takeWithinFiveSeconds();
    }

    /**
     * The commands received so far on all connections, oldest first (a copy): the last
     * {@link #commandLogLimit(int) limit} of them (10,000 by default); older ones are counted by
     * {@link #droppedCommands()}.
     */
    public List<String> commands() {
        return commandLog.all();
    }

    /**
     * Keeps the last {@code limit} commands for {@link #commands()} and {@link #takeCommand()} (default 10,000), so
     * a long soak or a flood of commands cannot grow the mock without bound. When a command arrives with the log
     * full, the oldest one falls out, taken or not (taken ones first), and is counted by
     * {@link #droppedCommands()}. Lowering the limit drops the oldest at once.
     *
     * @throws IllegalArgumentException when {@code limit} is less than 1
     */
    public MockInstrument commandLogLimit(int limit) {
        commandLog.limit(limit);
        return this;
    }

    /** How many commands fell out of the {@link #commandLogLimit(int) bounded log} so far. */
    public long droppedCommands() {
        return commandLog.dropped();
    }

    /** How many commands the mock has received so far on all connections, dropped ones included. */
    public long commandCount() {
        return commandLog.received();
    }

    /** How many connections the mock has had (a pty counts each time its pair is made). */
    public int connectionCount() {
        return sessions.connectionCount();
    }

    /**
     * Sends the line {@code text} and the {@link #replyTerminator reply terminator} to every connection now,
     * between replies.
     */
    public void push(String text) {
        pushBytes((text + answers.terminator()).getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends {@code bytes} to every connection now, between replies. */
    public void pushBytes(byte[] bytes) {
        sessions.push(bytes.clone());
    }

    /**
     * Pushes the line {@code next.get()} every {@code period} (a status stream) until the returned handle is
     * closed or the mock is closed. Lines are dropped while no client is connected.
     */
    public AutoCloseable pushEvery(Duration period, Supplier<String> next) {
        return streams.every(period, next);
    }

    /**
     * Pushes the lines {@code next.get()} to every connection back to back, as fast as the link takes them: a
     * device that streams faster than the program consumes, for slow-consumer tests. Each line is one write of
     * the text and the {@link #replyTerminator reply terminator}, never inside a reply (replies and floods take
     * turns). When a client stops reading, the link fills up and the flood waits for it; nothing piles up in the
     * mock, and {@code next} is not called meanwhile. While no client is connected the flood waits for one,
     * without calling {@code next}.
     *
     * <p>Closing the returned handle stops the flood: no line is started after {@code close()} returns, unless a
     * line was being written to a full link, which it waits for up to one second (that line goes out when the
     * client reads, or never if the link drops). An exception from {@code next} ends the flood with a warning.
     * Every flood ends with the mock ({@link #close()}).
     *
     * @throws IllegalStateException when the mock is closed
     */
    public AutoCloseable pushFlood(Supplier<String> next) {
        return streams.flood(next);
    }

    /** Drops every current connection; the mock keeps listening (a pty pair is destroyed and made again). */
    public void disconnect() {
        try {
            side.disconnect();
        } catch (IOException e) {
            throw new UncheckedIOException("mock instrument did not come back after disconnect: " + e.getMessage(), e);
        }
    }

    /**
     * The next {@code n} TCP connections are accepted and closed at once (FIN, nothing read or sent), as a device that
     * serves one client at a time, or a terminal server port already in use, does; each counts in
     * {@link #connectionCount()}. 0 ends it.
     *
     * @throws IllegalArgumentException for a negative {@code n}
     * @throws IllegalStateException for a mock that is not on TCP
     */
    public MockInstrument closeOnAccept(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("closeOnAccept count must not be negative: " + n);
        }
        if (!(side instanceof TcpSide tcp)) {
            throw new IllegalStateException("closeOnAccept is for a TCP mock, not " + endpoint());
        }
        tcp.closeOnAccept(n);
        return this;
    }

    /** Goes away: TCP stops listening and drops connections; a pty pair is destroyed and its path vanishes. */
    public void stop() {
        side.stop();
    }

    /**
     * Restarts the instrument's link, as a power cycle or a re-plugged adapter does, on the same TCP port or pty
     * path. While running, every client connection is dropped at once (TCP: the listener stays bound, so no other
     * process can take the port and clients reconnect to it; pty: the pair is destroyed and made again under the
     * same path); after {@link #stop()}, or after a {@link MockReply#closeAfter} that destroyed a pty pair, the
     * mock serves again. Either way {@link #restartCount()} goes up by one and {@link #awaitRestarts} waiters wake.
     *
     * <p>What the instrument holds is kept: scripted replies not yet sent, the responder, the
     * {@link #dictionary() dictionary}'s settings and error queue, the command log. To wait for a client to come
     * back: {@code int n = mock.connectionCount(); mock.restart(); mock.awaitConnections(n + 1, timeout);}.
     *
     * @throws IllegalStateException when the mock is closed
     * @throws UncheckedIOException when the link cannot be made again (TCP: the port was taken meanwhile, after
     *     {@link #stop()}; pty: socat failed)
     */
    public void restart() {
        if (closed) {
            throw new IllegalStateException("mock instrument is closed");
        }
        try {
            side.restart();
        } catch (IOException e) {
            throw new UncheckedIOException("mock instrument did not restart: " + e.getMessage(), e);
        }
        sessions.countRestart();
    }

    /** How many times {@link #restart()} has brought the link back so far (0 for a new mock). */
    public int restartCount() {
        return sessions.restartCount();
    }

    /**
     * Waits until {@link #restartCount()} is at least {@code n}, for a test whose restarts happen on another
     * thread (a chaos or soak thread).
     *
     * @throws IllegalStateException when it is not within {@code timeout} (the message gives the count), or the
     *     thread was interrupted (its interrupt flag is set again)
     */
    public void awaitRestarts(int n, Duration timeout) {
        sessions.awaitRestarts(n, timeout, this::endpoint);
    }

    /**
     * Waits until {@link #connectionCount()} is at least {@code n}: the client has (re)connected. A TCP connection
     * counts when it is accepted; a pty counts when its pair is made, whether or not a client has opened it.
     *
     * @throws IllegalStateException when it is not within {@code timeout} (the message gives the count), or the
     *     thread was interrupted (its interrupt flag is set again)
     */
    public void awaitConnections(int n, Duration timeout) {
        sessions.awaitConnections(n, timeout, this::endpoint);
    }

    /** How many connections are open now (a pty: 1 while its pair exists, else 0). */
    public int openConnections() {
        return sessions.openCount();
    }

    /** Ends a {@link MockReply#stall() stall}: commands after this are answered again. */
    public void resume() {
        sessions.resume();
    }

    /** Stops, ends every mock thread and waits for them; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        streams.stop();
        if (side instanceof PtySide pty) {
            pty.delete();
        } else {
            side.stop();
        }
        sessions.closeSessions();
        List<Session> all = sessions.started();
        try {
            streams.await();
            SessionTable.join(all);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- called by sessions and sides ----

    Session startSession(Session.Wire wire, String name) {
        Session s = new Session(this, wire, name);
        MockReply g = greeting;
        if (g != null) {
            s.greet(g);
        }
        sessions.start(s);
        streams.sessionStarted();
        if (closed) {
            s.close();
        }
        return s;
    }

    /** The sessions and the counts of connections and restarts (for the links and sessions). */
    SessionTable sessions() {
        return sessions;
    }

    void dropLink(Session s) {
        side.dropLink(s);
    }

    void halfClose(Session s) throws IOException {
        side.halfClose(s);
    }

    void record(String command) {
        commandLog.add(command);
    }

    MockReply replyFor(String command) {
        return answers.replyFor(command);
    }

    @Override
    public String toString() {
        return "MockInstrument[" + side.endpoint() + "]";
    }
}
