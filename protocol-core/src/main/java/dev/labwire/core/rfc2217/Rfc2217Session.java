package dev.labwire.core.rfc2217;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkMachine;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.SessionMachine;
import dev.labwire.core.State;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.endpoint.SerialSettings;
import dev.labwire.core.internal.Durations;
import dev.labwire.core.rfc2217.internal.ComPortSetup;
import dev.labwire.core.rfc2217.internal.Telnet;
import dev.labwire.core.rfc2217.internal.TelnetDecoder;
import dev.labwire.core.rfc2217.internal.TelnetEncoder;
import dev.labwire.core.rfc2217.internal.TelnetOptions;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A serial port behind an RFC 2217 terminal server (ser2net's {@code telnet(rfc2217)}): a link codec around an inner
 * machine (a {@link dev.labwire.core.Connection}, or a {@link Bus}) that only transforms the bytes between it and the
 * TCP link. The inner machine's requests, events and guarantees are unchanged; the driver runs this machine exactly
 * as it runs the inner one (the drain loop of {@link LinkMachine}).
 *
 * <pre>
 *   driver                 Rfc2217Session                         inner machine
 *   linkUp  -------------> IAC WILL BINARY, IAC DO BINARY,
 *                          IAC WILL SGA, IAC DO SGA, IAC WILL 44 -->  (still CONNECTING)
 *           &lt;------------- server: IAC DO 44
 *                          IAC SB 44 1 [baud, 4 bytes big-endian] IAC SE, SET-DATASIZE, SET-PARITY,
 *                          SET-STOPSIZE, SET-CONTROL flow, DTR ON, RTS ON, SET-LINESTATE-MASK, PURGE-DATA 3
 *           &lt;------------- server: IAC SB 44 101 ... IAC SE (one answer per setting)
 *                          all answered (or the deadline, below) --> linkUp: on-connect hook, requests
 *   receive 'A' FF FF 'B'  -------------------------------------->  receive 'A' FF 'B'
 *   pollTransmit           &lt;--------------------------------------  'x' FF 'y'  sent as  'x' FF FF 'y'
 * </pre>
 *
 * <h2>Negotiation (RFC 854, 855, 856, 858, 2217)</h2>
 * On every new link (the first and each reconnect) it offers and asks for BINARY (both ways) and SUPPRESS-GO-AHEAD,
 * offers COM-PORT-OPTION (44), refuses every other option (ECHO included: an echo would be read as a reply), and
 * answers only requests that change an option's state, so negotiation cannot loop. When the server accepts
 * COM-PORT-OPTION it sends the settings in RFC 2217's recommended order. The inner machine sees {@code linkUp} when
 * every setting was answered, so the on-connect hook and requests go out only on a port already set up. Bytes the
 * server forwards before that are dropped (and PURGE-DATA empties its buffers, see {@link Rfc2217Options}).
 *
 * <h2>Failures and the deadline ({@link Rfc2217Options#ackTimeout()}, default 1 s)</h2>
 * <ul>
 *   <li>The server refuses COM-PORT-OPTION, or has not accepted it by the deadline (a raw TCP port, a plain Telnet
 *       server): the link attempt fails with a {@link RemoteProtocolException} saying so ({@link Event.CloseLink},
 *       then the inner machine's backoff and reconnect as for a failed connect).</li>
 *   <li>The server answers a setting with another value than asked (a baud rate it cannot do): the attempt fails the
 *       same way, naming both values.</li>
 *   <li>Fallback: servers that never answer SET-CONTROL DTR/RTS (ser2net on a pty does not) or PURGE-DATA: at the
 *       deadline the inner machine goes up anyway and those are taken as applied; the link waits the whole deadline
 *       for them. SET-LINESTATE-MASK's answer is not waited for (pyserial's server never sends one). If SET-BAUDRATE, -DATASIZE, -PARITY, -STOPSIZE or the flow control is the one
 *       unanswered, it also goes up, with an {@link Event.ProtocolError} naming the setting (logged at WARN).</li>
 * </ul>
 *
 * <h2>Data</h2>
 * 255 is escaped as {@code IAC IAC} both ways. If the server refuses BINARY for a direction, RFC 854's NVT rule holds
 * for it: a bare CR travels as {@code CR NUL} (sent so, and the NUL dropped when received). Subnegotiations from the
 * server are bounded (256 bytes; a longer one is an {@link Event.ProtocolError} and skipped), as is what this machine
 * itself queues to send. NOTIFY-LINESTATE and NOTIFY-MODEMSTATE come out as {@link Event.PortState};
 * FLOWCONTROL-SUSPEND holds the inner machine's bytes until FLOWCONTROL-RESUME (its requests' timeouts still run).
 *
 * <p>{@link #pollTransmit(ByteBuffer)} keeps {@link LinkMachine}'s contract: escaping can double the inner machine's
 * bytes, so what does not fit in {@code dst} is kept (at most twice the bytes taken) and comes first from the next
 * call of either verb. Not thread-safe: one thread at a time, as for every machine.
 */
public final class Rfc2217Session implements SessionMachine {

    private enum Phase { IDLE, NEGOTIATING, UP, FAILED }

    private static final int MAX_SUBNEGOTIATION = 256;
    private static final int MAX_CONTROL = 64 * 1024;
    private static final int STAGE = 8192;
    private static final byte[] SIGNATURE = "labwire".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final LinkMachine inner;
    private final SerialSettings settings;
    private final Rfc2217Options options;
    private final long ackNanos;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private final TelnetDecoder decoder = new TelnetDecoder(MAX_SUBNEGOTIATION);
    private final TelnetOptions opts = new TelnetOptions(new TelnetOptions.Peer() {
        @Override
        public void send(byte[] command) {
            queue(command);
        }

        @Override
        public void enabledUs(int option) {
            Rfc2217Session.this.enabledUs(option);
        }

        @Override
        public void disabledUs(int option) {
            Rfc2217Session.this.disabledUs(option);
        }

        @Override
        public void binaryIn(boolean on) {
            decoder.binary(on);
        }
    });
    private final ByteBuffer scratch = ByteBuffer.allocate(STAGE);
    private final ByteBuffer stage = ByteBuffer.allocate(STAGE);
    /** Escaped inner bytes not handed out yet (read mode). */
    private ByteBuffer pending = ByteBuffer.allocate(0);
    /** Our own commands, already escaped, not handed out yet. */
    private byte[] control = new byte[64];
    private int controlLen;
    private Phase phase = Phase.IDLE;
    private long deadline = Long.MAX_VALUE;
    private ComPortSetup setup;
    private boolean suspended;
    private int lineState = -1;
    private int modemState = -1;
    private long now;

    /**
     * Wraps {@code inner}, which must be fresh (not opened yet) and driven only through this machine from now on.
     *
     * @param inner    a {@link SessionMachine} (a {@code Connection}) or a {@link Bus}
     * @param settings what to set the port to on every link; RS485 must be off
     * @param options  the deadline and what else to send
     * @throws IllegalArgumentException when {@code settings} ask for RS485, which RFC 2217 cannot set
     */
    public Rfc2217Session(LinkMachine inner, SerialSettings settings, Rfc2217Options options) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.options = Objects.requireNonNull(options, "options");
        if (settings.rs485().isEnabled()) {
            throw new IllegalArgumentException("RS485 mode cannot be set over RFC 2217 (" + settings.rs485() + ")");
        }
        this.ackNanos = Durations.nanos(options.ackTimeout());
    }

    /** The machine this one wraps. */
    public LinkMachine inner() {
        return inner;
    }

    /** How this session sets up the port on each new link. */
    public Rfc2217Options options() {
        return options;
    }

    /** The settings sent on every link. */
    public SerialSettings settings() {
        return settings;
    }

    // ------------------------------------------------------------------ link lifecycle

    @Override
    public State state() {
        return inner.state();
    }

    @Override
    public void open(long nowNanos) {
        now = nowNanos;
        inner.open(nowNanos);
    }

    @Override
    public void linkUp(long nowNanos) {
        now = nowNanos;
        if (phase == Phase.NEGOTIATING || phase == Phase.UP) {
            throw new LocalProtocolException("linkUp while the link is already up (" + phase + ")");
        }
        if (inner.state() != State.CONNECTING) {
            throw new LocalProtocolException("linkUp without an OpenLink order; state is " + inner.state());
        }
        resetLink();
        phase = Phase.NEGOTIATING;
        deadline = Durations.deadline(nowNanos, ackNanos);
        opts.ask(Telnet.WILL, Telnet.BINARY);
        opts.ask(Telnet.DO, Telnet.BINARY);
        opts.ask(Telnet.WILL, Telnet.SGA);
        opts.ask(Telnet.DO, Telnet.SGA);
        opts.ask(Telnet.WILL, Telnet.COM_PORT);
    }

    @Override
    public void linkFailed(Throwable cause, long nowNanos) {
        now = nowNanos;
        resetLink();
        inner.linkFailed(cause, nowNanos);
    }

    @Override
    public void linkDown(Throwable cause, long nowNanos) {
        now = nowNanos;
        Phase was = phase;
        resetLink();
        if (was == Phase.NEGOTIATING) {
            inner.linkFailed(cause, nowNanos);   // the inner machine never saw this link up
        } else if (was != Phase.FAILED) {
            inner.linkDown(cause, nowNanos);
        }
    }

    @Override
    public void close(long nowNanos) {
        now = nowNanos;
        resetLink();
        inner.close(nowNanos);
    }

    private void resetLink() {
        phase = Phase.IDLE;
        deadline = Long.MAX_VALUE;
        decoder.reset();
        opts.reset();
        pending = ByteBuffer.allocate(0);
        controlLen = 0;
        setup = null;
        suspended = false;
        lineState = -1;
        modemState = -1;
    }

    // ------------------------------------------------------------------ bytes in

    @Override
    public void receive(ByteBuffer data, long nowNanos) {
        now = nowNanos;
        while (data.hasRemaining()) {
            if (phase != Phase.NEGOTIATING && phase != Phase.UP) {
                data.position(data.limit());
                return;
            }
            Phase before = phase;
            scratch.clear();
            decoder.decode(data, scratch, sink);
            scratch.flip();
            if (before == Phase.UP && scratch.hasRemaining()) {
                inner.receive(scratch, nowNanos);
            }
        }
    }

    @Override
    public void receiveEof(long nowNanos) {
        now = nowNanos;
        if (phase == Phase.UP) {
            inner.receiveEof(nowNanos);
        }
    }

    private final TelnetDecoder.Sink sink = new TelnetDecoder.Sink() {
        @Override
        public void option(int verb, int option) {
            opts.received(verb, option);
        }

        @Override
        public void subnegotiation(int option, byte[] buf, int len) {
            if (option == Telnet.COM_PORT && len >= 1) {
                comPort(buf[0] & 0xFF, Arrays.copyOfRange(buf, 1, len));
            } else if (option == Telnet.COM_PORT) {
                malformed("empty COM-PORT-OPTION subnegotiation");
            }
            // other options' subnegotiations: we agreed to none, so nothing to read in them
        }

        @Override
        public void malformed(String what) {
            events.add(new Event.ProtocolError(new RemoteProtocolException("RFC 2217 server: " + what)));
        }
    };

    private void comPort(int code, byte[] value) {
        switch (code) {
            case Telnet.SERVER + Telnet.NOTIFY_LINESTATE -> {
                if (value.length == 1) {
                    lineState = value[0] & 0xFF;
                    events.add(new Event.PortState(lineState, modemState));
                } else {
                    sink.malformed("NOTIFY-LINESTATE with " + value.length + " value bytes, expected 1");
                }
            }
            case Telnet.SERVER + Telnet.NOTIFY_MODEMSTATE -> {
                if (value.length == 1) {
                    modemState = value[0] & 0xFF;
                    events.add(new Event.PortState(lineState, modemState));
                } else {
                    sink.malformed("NOTIFY-MODEMSTATE with " + value.length + " value bytes, expected 1");
                }
            }
            case Telnet.SERVER + Telnet.FLOWCONTROL_SUSPEND -> suspended = true;
            case Telnet.SERVER + Telnet.FLOWCONTROL_RESUME -> suspended = false;
            case Telnet.SERVER + Telnet.SIGNATURE -> {
                if (value.length == 0) {   // a request for ours
                    queue(TelnetEncoder.comPort(Telnet.SIGNATURE, SIGNATURE));
                }
            }
            default -> {
                if (setup == null || code <= Telnet.SERVER) {
                    return;   // an answer to nothing we sent, or a client code: nothing to do
                }
                String problem = setup.answered(code - Telnet.SERVER, value);
                if (problem != null) {
                    if (phase == Phase.NEGOTIATING) {
                        fail(new RemoteProtocolException("RFC 2217 server: " + problem));
                    } else {
                        sink.malformed(problem);
                    }
                } else if (phase == Phase.NEGOTIATING && setup.allAnswered()) {
                    goUp();
                }
            }
        }
    }

    // ------------------------------------------------------------------ negotiation

    private void enabledUs(int option) {
        if (option == Telnet.COM_PORT && phase == Phase.NEGOTIATING && setup == null) {
            setup = new ComPortSetup(settings, options.raiseDtrRts(), options.purgeOnConnect());
            for (byte[] command : setup.commands()) {
                queue(command);
            }
            deadline = Durations.deadline(now, ackNanos);
        }
    }

    private void disabledUs(int option) {
        if (option == Telnet.COM_PORT && phase == Phase.NEGOTIATING) {
            fail(new RemoteProtocolException("the RFC 2217 server refused COM-PORT-OPTION (IAC DONT 44): it cannot set "
                    + "the serial port; for a raw TCP port use tcp://host:port"));
        } else if (option == Telnet.COM_PORT && phase == Phase.UP) {
            sink.malformed("the server withdrew COM-PORT-OPTION (IAC DONT 44) after the port was set up");
        }
    }

    private void goUp() {
        phase = Phase.UP;
        deadline = Long.MAX_VALUE;
        inner.linkUp(now);
    }

    /** This link attempt failed: the driver closes it, the inner machine backs off as after a failed connect. */
    private void fail(RemoteProtocolException cause) {
        phase = Phase.FAILED;
        deadline = Long.MAX_VALUE;
        controlLen = 0;
        pending = ByteBuffer.allocate(0);
        events.add(new Event.CloseLink(cause.getMessage()));
        inner.linkFailed(cause, now);
    }

    private void queue(byte[] bytes) {
        if (controlLen + bytes.length > MAX_CONTROL) {
            if (phase == Phase.NEGOTIATING || phase == Phase.UP) {
                controlLen = 0;
                RemoteProtocolException e = new RemoteProtocolException("RFC 2217 server: more than " + MAX_CONTROL
                        + " bytes of Telnet answers owed and not written (a negotiation loop?)");
                if (phase == Phase.NEGOTIATING) {
                    fail(e);
                } else {
                    events.add(new Event.ProtocolError(e));
                    events.add(new Event.CloseLink(e.getMessage()));
                }
            }
            return;
        }
        if (controlLen + bytes.length > control.length) {
            control = Arrays.copyOf(control, Math.max(control.length * 2, controlLen + bytes.length));
        }
        System.arraycopy(bytes, 0, control, controlLen, bytes.length);
        controlLen += bytes.length;
    }

    // ------------------------------------------------------------------ time

    @Override
    public void handleTimeout(long nowNanos) {
        now = nowNanos;
        if (phase == Phase.NEGOTIATING && nowNanos - deadline >= 0) {
            if (setup == null) {
                fail(new RemoteProtocolException("the RFC 2217 server did not accept COM-PORT-OPTION within "
                        + Durations.show(options.ackTimeout()) + " (is it a raw TCP port? then use tcp://host:port)"));
            } else {
                String missing = setup.unansweredRequired();
                if (missing != null) {
                    sink.malformed("no answer to " + missing + " within " + Durations.show(options.ackTimeout())
                            + "; going on as if the server applied " + settings);
                }
                goUp();
            }
        }
        inner.handleTimeout(nowNanos);
    }

    @Override
    public OptionalLong pollTimeout() {
        long t = pollTimeoutNanos();
        return t == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(t);
    }

    @Override
    public long pollTimeoutNanos() {
        long in = inner.pollTimeoutNanos();
        if (phase != Phase.NEGOTIATING) {
            return in;
        }
        return in == Long.MAX_VALUE || deadline - in < 0 ? deadline : in;
    }


    // ------------------------------------------------------------------ bytes out

    @Override
    public ByteBuffer pollTransmit() {
        if (pending.hasRemaining()) {
            ByteBuffer b = ByteBuffer.allocate(pending.remaining()).put(pending);
            return b.flip();
        }
        if (controlLen > 0) {
            ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(control, controlLen));
            controlLen = 0;
            return b;
        }
        if (phase != Phase.UP || suspended) {
            return null;
        }
        ByteBuffer b = inner.pollTransmit();
        if (b == null || TelnetEncoder.unchanged(b, opts.binaryOut())) {
            return b;
        }
        ByteBuffer out = ByteBuffer.allocate(TelnetEncoder.maxEscaped(b.remaining()));
        TelnetEncoder.escape(b, out, opts.binaryOut());
        return out.flip();
    }

    @Override
    public int pollTransmit(ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("dst is read-only");
        }
        int n = 0;
        while (dst.hasRemaining()) {
            if (pending.hasRemaining()) {
                n += copy(pending, dst);
                continue;
            }
            if (controlLen > 0) {
                int k = Math.min(controlLen, dst.remaining());
                dst.put(control, 0, k);
                System.arraycopy(control, k, control, 0, controlLen - k);
                controlLen -= k;
                n += k;
                continue;
            }
            if (phase != Phase.UP || suspended) {
                break;
            }
            stage.clear();
            stage.limit(Math.min(STAGE, dst.remaining()));
            if (inner.pollTransmit(stage) == 0) {
                break;
            }
            stage.flip();
            ByteBuffer escaped = ByteBuffer.allocate(TelnetEncoder.maxEscaped(stage.remaining()));
            TelnetEncoder.escape(stage, escaped, opts.binaryOut());
            pending = escaped.flip();
        }
        return n;
    }

    private static int copy(ByteBuffer src, ByteBuffer dst) {
        int k = Math.min(src.remaining(), dst.remaining());
        ByteBuffer slice = src.duplicate();
        slice.limit(slice.position() + k);
        dst.put(slice);
        src.position(src.position() + k);
        return k;
    }

    // ------------------------------------------------------------------ events and delegation

    @Override
    public Event nextEvent() {
        Event own = events.poll();
        return own != null ? own : inner.nextEvent();
    }

    @Override
    public boolean cancel(long id, long nowNanos) {
        now = nowNanos;
        return inner.cancel(id, nowNanos);
    }

    @Override
    public long transmittedFirstId() {
        return inner.transmittedFirstId();
    }

    @Override
    public long transmittedLastId() {
        return inner.transmittedLastId();
    }

    @Override
    public long awaitedId() {
        return inner.awaitedId();
    }

    @Override
    public Request awaitedRequest() {
        return inner.awaitedRequest();
    }

    /** The inner machine's settings ({@code BusConfig.connection()} for a bus). */
    @Override
    public ConnectionConfig config() {
        if (inner instanceof SessionMachine s) {
            return s.config();
        }
        if (inner instanceof Bus b) {
            return b.config().connection();
        }
        throw new LocalProtocolException(inner.getClass().getSimpleName() + " has no ConnectionConfig");
    }

    /** @throws LocalProtocolException when the inner machine is a bus (send through the bus itself) */
    @Override
    public long send(Request request, long nowNanos) {
        now = nowNanos;
        return session("send").send(request, nowNanos);
    }

    @Override
    public long sendAll(Request[] requests, long nowNanos) {
        now = nowNanos;
        return session("sendAll").sendAll(requests, nowNanos);
    }

    @Override
    public long sendHook(Request request, long nowNanos) {
        now = nowNanos;
        return session("sendHook").sendHook(request, nowNanos);
    }

    @Override
    public void hookDone(long nowNanos) {
        now = nowNanos;
        session("hookDone").hookDone(nowNanos);
    }

    @Override
    public void hookFailed(Throwable cause, long nowNanos) {
        now = nowNanos;
        session("hookFailed").hookFailed(cause, nowNanos);
    }

    private SessionMachine session(String verb) {
        if (inner instanceof SessionMachine s) {
            return s;
        }
        throw new LocalProtocolException(verb + ": the machine inside this RFC 2217 link is a "
                + inner.getClass().getSimpleName() + "; send to it directly");
    }

    @Override
    public String toString() {
        return "Rfc2217Session[" + phase + ", " + settings + ", inner " + inner.getClass().getSimpleName() + "]";
    }
}
