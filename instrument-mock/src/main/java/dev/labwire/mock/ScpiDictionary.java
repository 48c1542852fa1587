package dev.labwire.mock;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * A small stateful SCPI instrument behind {@link MockInstrument#scpi()}: a setting command stores its value and
 * the matching query returns it ({@code VOLT 5} then {@code VOLT?} gives {@code 5}, exactly as sent).
 *
 * <table>
 *   <caption>Commands</caption>
 *   <tr><td>{@code *IDN?}</td><td>{@code LABWIRE,MOCK-INSTRUMENT,SN0001,1.0} ({@link #identity(String)})</td></tr>
 *   <tr><td>{@code *RST}</td><td>forgets every stored setting; no reply</td></tr>
 *   <tr><td>{@code *CLS}</td><td>empties the error queue and the event status register; no reply</td></tr>
 *   <tr><td>{@code *OPC?}</td><td>{@code 1}</td></tr>
 *   <tr><td>{@code *OPC}</td><td>sets the event status register's OPC bit (bit 0); no reply</td></tr>
 *   <tr><td>{@code *ESR?}</td><td>the event status register (IEEE 488.2: 1 OPC, 4 QYE, 8 DDE, 16 EXE, 32 CME,
 *       set by queued errors of that class), then cleared</td></tr>
 *   <tr><td>{@code *ESE n}, {@code *ESE?}</td><td>the event status enable mask</td></tr>
 *   <tr><td>{@code *SRE n}, {@code *SRE?}</td><td>the service request enable mask; when the status byte and it
 *       share a bit, MSS (bit 6) is set and the instrument requests service ({@link #onServiceRequest})</td></tr>
 *   <tr><td>{@code *STB?}</td><td>the status byte: 4 EAV (an error is queued), 32 ESB (ESR &amp; ESE), 64 MSS</td></tr>
 *   <tr><td>{@code *TRG}</td><td>counts a trigger ({@link #triggerCount()}); no reply</td></tr>
 *   <tr><td>{@code SYST:ERR?}</td><td>the oldest queued error, or {@code +0,"No error"}</td></tr>
 *   <tr><td>{@code ECHO? text}</td><td>{@code text}</td></tr>
 *   <tr><td>{@code DATA? n}</td><td>an IEEE 488.2 block of {@code n} bytes, byte i = i mod 256, then the
 *       {@link #blockTrailer(String) block trailer}; a bad {@code n} gets no reply and queues
 *       {@code -222,"Data out of range"}</td></tr>
 *   <tr><td>{@code HDR value}</td><td>stores {@code value} under {@code HDR}; no reply</td></tr>
 *   <tr><td>{@code HDR?}</td><td>the stored value; an unknown header gets no reply and queues
 *       {@code -113,"Undefined header"}</td></tr>
 * </table>
 *
 * Headers are case-insensitive (stored upper-cased); a trailing {@code \r} and surrounding blanks are ignored.
 *
 * <h2>A device from a file</h2>
 * With a {@link MockDevice} loaded ({@link MockInstrument#device(java.nio.file.Path)}), its dialogues and property
 * getters and setters answer first, then the commands above; a command neither knows is refused with
 * {@code -113,"Undefined header"} (unless the file says {@code strict: false}). {@link #property(String)} reads a
 * property's value, {@link #property(String, String)} sets it from the test.
 *
 * <h2>Errors, as a real instrument makes them</h2>
 * A query the instrument cannot execute gets <em>no reply at all</em> (the IEEE 488.2 status model: the error
 * sets a bit in the standard event status register, nothing goes on the wire); the error waits in a queue of 32
 * for {@code SYST:ERR?} (SCPI-99, {@code SYSTem:ERRor}). The client sees a timeout, and only {@code SYST:ERR?}
 * says why:
 * <pre>
 * client: NOPE?\n             mock: (nothing)
 * client: SYST:ERR?\n         mock: -113,"Undefined header"\n
 * client: SYST:ERR?\n         mock: +0,"No error"\n
 * </pre>
 * When the queue is full, the newest error is replaced by {@code -350,"Queue overflow"}, as SCPI-99 requires.
 * {@link #reject(Pattern, String)} makes chosen commands fail this way; {@link #delay(Pattern, Duration)} makes
 * chosen answers late.
 *
 * <h2>Bytes</h2>
 * Replies end with the {@link #replyTerminator(String) reply terminator} ({@code \n} by default; many real
 * parsers send {@code \r\n}); blocks end with the {@link #blockTrailer(String) block trailer} (by default the
 * reply terminator), which can also come {@link #blockTrailer(String, Duration) late}, as a separate write.
 * {@code *RST} forgets settings, never these rules. Thread-safe.
 */
public final class ScpiDictionary {

    /** The default {@code *IDN?} answer. */
    public static final String DEFAULT_IDENTITY = "LABWIRE,MOCK-INSTRUMENT,SN0001,1.0";

    /** The error that replaces the newest one when the queue is full. */
    static final String QUEUE_OVERFLOW = "-350,\"Queue overflow\"";

    private static final int MAX_ERRORS = 32;

    private record Reject(Pattern pattern, String error) {
    }

    private record Delay(Pattern pattern, Duration delay) {
    }

    /** The bytes after a block ({@code null}: the reply terminator), and how late they leave. */
    private record Trailer(String bytes, Duration late) {
    }

    private final Map<String, String> settings = new ConcurrentHashMap<>();
    private final Deque<String> errors = new ArrayDeque<>();
    private final StatusRegisters status = new StatusRegisters();
    private final List<Reject> rejects = new CopyOnWriteArrayList<>();
    private final List<Delay> delays = new CopyOnWriteArrayList<>();
    private volatile String identity = DEFAULT_IDENTITY;
    private volatile String terminator = "\n";
    private volatile Trailer blockTrailer = new Trailer(null, Duration.ZERO);
    private volatile MockDevice device;
    private final Map<String, String> values = new ConcurrentHashMap<>();   // the device's property values

    ScpiDictionary() {
    }

    /** Sets the {@code *IDN?} answer. */
    public ScpiDictionary identity(String identity) {
        this.identity = Objects.requireNonNull(identity, "identity");
        return this;
    }

    /** The value stored under {@code header} (any case), or null. */
    public String get(String header) {
        return settings.get(header.toUpperCase(Locale.ROOT));
    }

    /** Stores {@code value} under {@code header}, as if the client had sent {@code HEADER value}. */
    public ScpiDictionary set(String header, String value) {
        settings.put(header.toUpperCase(Locale.ROOT), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Serves {@code device} from now on (replacing any earlier one): its dialogues and properties come before the
     * built-in commands, its properties start at their defaults, its {@code errors.initial} are queued and its
     * identity, if it has one, becomes the {@code *IDN?} answer. {@code *RST} puts its properties back to their
     * defaults. The reply terminator is the mock's: {@link MockInstrument#device(MockDevice)} sets it from the
     * device.
     */
    ScpiDictionary device(MockDevice device) {
        Objects.requireNonNull(device, "device");
        synchronized (values) {
            this.device = device;
            values.clear();
            values.putAll(device.defaults());
        }
        if (device.identity() != null) {
            identity(device.identity());
        }
        for (String e : device.initialErrors()) {
            queueError(e);
        }
        return this;
    }

    /** The {@link MockDevice} this dictionary serves, or null. */
    public MockDevice device() {
        return device;
    }

    /**
     * The current value of the {@link #device() device}'s property {@code name}, as its getter's {@code {}} gives it.
     *
     * @throws IllegalStateException when no device is loaded
     * @throws IllegalArgumentException when the device has no such property
     */
    public String property(String name) {
        MockDevice d = device;
        if (d == null) {
            throw new IllegalStateException("no device loaded: MockInstrument.device(...) first");
        }
        d.defaultValue(name); // checks the name
        return values.get(name);
    }

    /**
     * Sets the {@link #device() device}'s property {@code name} as its setter would, e.g. a simulated measurement
     * for a getter-only property. The value must meet the property's specs ({@code MIN}, {@code MAX} and
     * {@code DEF} work too); no error is queued.
     *
     * @throws IllegalStateException when no device is loaded
     * @throws IllegalArgumentException when the device has no such property, or its specs refuse the value
     */
    public ScpiDictionary property(String name, String value) {
        Objects.requireNonNull(value, "value");
        MockDevice d = device;
        if (d == null) {
            throw new IllegalStateException("no device loaded: MockInstrument.device(...) first");
        }
        values.put(name, d.checked(name, value));
        return this;
    }

    /**
     * Queues an error for {@code SYST:ERR?}, e.g. {@code -222,"Data out of range"}. The queue holds 32; an error
     * that finds it full is lost and the newest queued one becomes {@code -350,"Queue overflow"}.
     */
    public ScpiDictionary queueError(String error) {
        Objects.requireNonNull(error, "error");
        synchronized (errors) {
            status.error(error);
            if (errors.size() < MAX_ERRORS) {
                errors.add(error);
            } else if (!QUEUE_OVERFLOW.equals(errors.peekLast())) {
                errors.pollLast();
                errors.add(QUEUE_OVERFLOW);
            }
        }
        return this;
    }

    /**
     * Makes every command that {@code commands} matches (the whole command, blanks around it stripped, e.g.
     * {@code Pattern.compile("MEAS:VOLT\\?.*")}) fail as a real instrument fails it: not executed, <em>never
     * answered</em>, and {@code error} queued for {@code SYST:ERR?}. Use it to test a client against the query
     * that times out because the instrument refused it:
     * <pre>{@code
     * mock.dictionary().reject(Pattern.compile("VOLT \\d{3,}"), "-222,\"Data out of range\"");
     * mock.dictionary().reject(Pattern.compile("MEAS:CURR\\?"), "-230,\"Data corrupt or stale\"");
     * }</pre>
     * Rules are checked in the order added, before the built-in commands; the first match wins. No rule by default;
     * {@link #clearRules()} removes them. Applies to what reaches the dictionary (not to enqueued or responder
     * replies).
     *
     * @param error the error as {@code SYST:ERR?} reports it: {@code <code>,"<text>"}
     */
    public ScpiDictionary reject(Pattern commands, String error) {
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(error, "error");
        if (error.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("an error must be one line: \"" + error + "\"");
        }
        rejects.add(new Reject(commands, error));
        return this;
    }

    /**
     * Makes the answers to commands that {@code commands} matches (as in {@link #reject}) come {@code delay}
     * late, counted from when the command was read, and added to any delay the answer already has. Other answers
     * are not held: replies still leave in command order, so a late answer holds back the answers to commands
     * sent after it on the same connection (as on a real instrument that executes in order).
     * <pre>{@code
     * mock.dictionary().delay(Pattern.compile("\\*OPC\\?"), Duration.ofMillis(800));  // *IDN? still at once
     * }</pre>
     * The first matching rule wins; none by default; {@link #clearRules()} removes them.
     *
     * @throws IllegalArgumentException when the delay is negative
     */
    public ScpiDictionary delay(Pattern commands, Duration delay) {
        Objects.requireNonNull(commands, "commands");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        delays.add(new Delay(commands, delay));
        return this;
    }

    /** Removes every {@link #reject} and {@link #delay} rule. */
    public ScpiDictionary clearRules() {
        rejects.clear();
        delays.clear();
        return this;
    }

    /**
     * What ends every reply line: {@code \n} by default, {@code "\r\n"} as most instrument firmware sends. A
     * client that splits on {@code \n} alone then sees a trailing {@code \r}.
     *
     * @throws IllegalArgumentException when {@code terminator} is empty
     */
    public ScpiDictionary replyTerminator(String terminator) {
        this.terminator = MockReply.checkTerminator(terminator);
        return this;
    }

    /** The reply terminator (default {@code \n}). */
    public String replyTerminator() {
        return terminator;
    }

    /**
     * The bytes after an IEEE 488.2 definite-length block ({@code DATA? n}), sent in the same write as the block:
     * {@code ""} (none), {@code "\n"} or {@code "\r\n"} (any bytes are accepted). Default: the
     * {@link #replyTerminator(String) reply terminator}. A client that expects none will read the trailer as the
     * start of the next reply; one that expects one must not wait for a second.
     */
    public ScpiDictionary blockTrailer(String trailer) {
        return blockTrailer(trailer, Duration.ZERO);
    }

    /**
     * As {@link #blockTrailer(String)}, but the trailer leaves {@code late} after the block, as a separate write
     * (zero: in the block's write). A client that considers the reply done at the block's last byte then finds
     * the trailer at the start of its next read, possibly after it has sent the next query.
     *
     * @throws IllegalArgumentException when {@code late} is negative
     */
    public ScpiDictionary blockTrailer(String trailer, Duration late) {
        Objects.requireNonNull(trailer, "trailer");
        Objects.requireNonNull(late, "late");
        if (late.isNegative()) {
            throw new IllegalArgumentException("late must not be negative: " + late);
        }
        this.blockTrailer = new Trailer(trailer, late);
        return this;
    }

    /**
     * The answer to {@code command}, or null when there is none because of an error (then the error is queued):
     * a real instrument sends nothing for a query it cannot execute. Compound messages ({@code VOLT 5;*OPC?}) are
     * answered as one response message, units joined by {@code ;}.
     */
    MockReply answer(String command) {
        String cmd = command.strip();
        java.util.List<String> units = units(cmd);
        if (units.size() > 1) {
            return compound(units);
        }
        return unit(cmd);
    }

    /**
     * A compound program message (IEEE 488.2 7.3.3: units separated by {@code ;}), answered as one response message
     * whose units are joined by {@code ;} (8.4.1): {@code *OPC?;*OPC?} gives {@code 1;1}. A unit that fails queues its
     * error, answers nothing, and the rest of the message is not executed; nothing at all is sent when no unit answered.
     */
    private MockReply compound(java.util.List<String> units) {
        StringBuilder out = new StringBuilder();
        java.time.Duration delay = java.time.Duration.ZERO;
        for (String u : units) {
            MockReply r = unit(u);
            if (r == null) {
                break;
            }
            if (r.kind != MockReply.Kind.BYTES) {
                continue;
            }
            delay = delay.plus(r.delay);
            String text = new String(r.bytes(), StandardCharsets.ISO_8859_1);
            if (text.endsWith(terminator)) {
                text = text.substring(0, text.length() - terminator.length());
            }
            out.append(out.length() == 0 ? "" : ";").append(text);
        }
        if (out.length() == 0) {
            return units.isEmpty() ? MockReply.none() : null;
        }
        MockReply reply = line(out.toString());
        return delay.isZero() ? reply : reply.delay(delay);
    }

    /** The units of a program message: split at {@code ;} outside quoted strings. */
    private static java.util.List<String> units(String cmd) {
        java.util.List<String> out = new java.util.ArrayList<>();
        char quote = 0;
        int start = 0;
        for (int i = 0; i < cmd.length(); i++) {
            char c = cmd.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ';') {
                out.add(cmd.substring(start, i).strip());
                start = i + 1;
            }
        }
        out.add(cmd.substring(start).strip());
        out.removeIf(String::isEmpty);
        return out;
    }

    private MockReply unit(String cmd) {
        for (Reject r : rejects) {
            if (r.pattern.matcher(cmd).matches()) {
                queueError(r.error);
                return null;
            }
        }
        MockReply reply = NOT_ANSWERED;
        MockDevice dev = device;
        if (dev != null) {
            reply = dev.answer(cmd, values, this);
        }
        if (reply == MockDevice.NOT_MINE || reply == NOT_ANSWERED) {
            reply = execute(cmd, dev);
        }
        if (reply == null || reply.kind != MockReply.Kind.BYTES) {
            return reply;
        }
        for (Delay d : delays) {
            if (d.pattern.matcher(cmd).matches()) {
                return d.delay.isZero() ? reply : reply.delay(reply.delay.plus(d.delay));
            }
        }
        return reply;
    }

    private static final MockReply NOT_ANSWERED = MockReply.none();

    private MockReply execute(String cmd, MockDevice device) {
        int space = cmd.indexOf(' ');
        String header = (space < 0 ? cmd : cmd.substring(0, space)).toUpperCase(Locale.ROOT);
        String arg = space < 0 ? "" : cmd.substring(space + 1).strip();
        switch (header) {
            case "*IDN?":
                return line(identity);
            case "*RST":
                settings.clear();
                if (device != null) {
                    synchronized (values) {
                        if (this.device == device) {
                            values.putAll(device.defaults());
                        }
                    }
                }
                return MockReply.none();
            case "*CLS":
                synchronized (errors) {
                    errors.clear();
                    status.clear();
                }
                return MockReply.none();
            case "*OPC?":
                return line("1");
            case "*OPC":
                status.opc();
                return MockReply.none();
            case "*ESR?":
                return line(Integer.toString(status.readEsr()));
            case "*STB?":
                return line(Integer.toString(statusByte(false)));
            case "*ESE?":
                return line(Integer.toString(status.ese()));
            case "*SRE?":
                return line(Integer.toString(status.sre()));
            case "*ESE":
            case "*SRE":
                Integer mask = mask(arg);
                if (mask == null) {
                    queueError("-224,\"Illegal parameter value\"");
                } else if (header.equals("*ESE")) {
                    status.ese(mask);
                } else {
                    status.sre(mask);
                }
                return MockReply.none();
            case "*TRG":
                status.trigger();
                return MockReply.none();
            case "SYST:ERR?":
            case "SYSTEM:ERROR?":
            case "SYST:ERR:NEXT?":
                synchronized (errors) {
                    String e = errors.poll();
                    if (errors.isEmpty()) {
                        status.errorsEmpty();
                    }
                    return line(e == null ? "+0,\"No error\"" : e);
                }
            case "ECHO?":
                return line(arg);
            case "DATA?":
                return data(arg);
            default:
                break;
        }
        if (header.isEmpty()) {
            return MockReply.none();
        }
        if (header.endsWith("?")) {
            String value = settings.get(header.substring(0, header.length() - 1));
            if (value != null) {
                return line(value);
            }
            queueError("-113,\"Undefined header\"");
            return null;
        }
        if (device != null && device.strict()) {
            queueError("-113,\"Undefined header\"");
            return null;
        }
        if (!arg.isEmpty()) {
            settings.put(header, arg);
        }
        return MockReply.none();
    }

    /**
     * The status byte now (IEEE 488.2: 4 EAV, 16 MAV, 32 ESB, 64 MSS), as {@code *STB?} answers it and as the
     * VXI-11 and HiSLIP personalities read it; {@code messageAvailable} is the MAV bit, which only a personality that
     * holds replies knows ({@code *STB?} itself passes false).
     */
    public int statusByte(boolean messageAvailable) {
        return status.statusByte(messageAvailable);
    }

    /**
     * Calls {@code listener} with the status byte each time the instrument starts requesting service (MSS, bit 6, rises:
     * a status event enabled by {@code *ESE}/{@code *SRE}, e.g. {@code *ESE 1;*SRE 32;*OPC}). Called on the thread that
     * caused it. Close the handle to stop.
     */
    public AutoCloseable onServiceRequest(java.util.function.IntConsumer listener) {
        return status.onServiceRequest(Objects.requireNonNull(listener, "listener"));
    }

    /** How many triggers ({@code *TRG}, or a protocol's trigger) the instrument has seen. */
    public int triggerCount() {
        return status.triggers();
    }

    /** A protocol's trigger (VXI-11 device_trigger, HiSLIP Trigger), counted as {@code *TRG} is. */
    public void trigger() {
        status.trigger();
    }

    private static Integer mask(String arg) {
        try {
            int v = Integer.parseInt(arg.strip().startsWith("+") ? arg.strip().substring(1) : arg.strip());
            return v >= 0 && v <= 255 ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code text} and the reply terminator, as a reply. */
    MockReply lineReply(String text) {
        return line(text);
    }

    private MockReply line(String text) {
        return MockReply.line(text, terminator);
    }

    private MockReply data(String arg) {
        int n;
        try {
            n = Integer.parseInt(arg);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > 64 << 20) {
            queueError("-222,\"Data out of range\"");
            return null;
        }
        byte[] payload = new byte[n];
        for (int i = 0; i < n; i++) {
            payload[i] = (byte) i;
        }
        Trailer t = blockTrailer;
        String trailer = t.bytes == null ? terminator : t.bytes;
        if (t.late.isZero() || trailer.isEmpty()) {
            return MockReply.block(payload, trailer);
        }
        byte[] late = trailer.getBytes(StandardCharsets.ISO_8859_1);
        return MockReply.block(payload, "").then(MockReply.bytes(late).delay(t.late));
    }
}
