package dev.labwire.mock;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small stateful SCPI instrument behind {@link MockInstrument#scpi()}: a setting command stores its value and
 * the matching query returns it ({@code VOLT 5} then {@code VOLT?} gives {@code 5}, exactly as sent).
 *
 * <table>
 *   <caption>Commands</caption>
 *   <tr><td>{@code *IDN?}</td><td>{@code LABWIRE,MOCK-INSTRUMENT,SN0001,1.0} (see {@link #identity(String)})</td></tr>
 *   <tr><td>{@code *RST}</td><td>forgets every stored setting; no reply</td></tr>
 *   <tr><td>{@code *CLS}</td><td>empties the error queue; no reply</td></tr>
 *   <tr><td>{@code *OPC?}</td><td>{@code 1}</td></tr>
 *   <tr><td>{@code *ESR?}</td><td>{@code 0}</td></tr>
 *   <tr><td>{@code SYST:ERR?}</td><td>the oldest queued error, or {@code +0,"No error"}</td></tr>
 *   <tr><td>{@code ECHO? text}</td><td>{@code text}</td></tr>
 *   <tr><td>{@code DATA? n}</td><td>an IEEE 488.2 block of {@code n} bytes, byte i = i mod 256</td></tr>
 *   <tr><td>{@code HDR value}</td><td>stores {@code value} under {@code HDR}; no reply</td></tr>
 *   <tr><td>{@code HDR?}</td><td>the stored value; an unknown header gets no reply and queues
 *       {@code -113,"Undefined header"}</td></tr>
 * </table>
 *
 * Headers are case-insensitive (stored upper-cased); a trailing {@code \r} and surrounding blanks are ignored.
 * Thread-safe.
 */
public final class ScpiDictionary {

    /** The default {@code *IDN?} answer. */
    public static final String DEFAULT_IDENTITY = "LABWIRE,MOCK-INSTRUMENT,SN0001,1.0";

    private static final int MAX_ERRORS = 32;

    private final Map<String, String> settings = new ConcurrentHashMap<>();
    private final Deque<String> errors = new ArrayDeque<>();
    private volatile String identity = DEFAULT_IDENTITY;

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

    /** Queues an error for {@code SYST:ERR?}, e.g. {@code -222,"Data out of range"}. */
    public ScpiDictionary queueError(String error) {
        synchronized (errors) {
            if (errors.size() < MAX_ERRORS) {
                errors.add(Objects.requireNonNull(error, "error"));
            }
        }
        return this;
    }

    /** The answer to {@code command}, or null when this dictionary does not know it (then it queues -113). */
    MockReply answer(String command) {
        String cmd = command.strip();
        int space = cmd.indexOf(' ');
        String header = (space < 0 ? cmd : cmd.substring(0, space)).toUpperCase(Locale.ROOT);
        String arg = space < 0 ? "" : cmd.substring(space + 1).strip();
        switch (header) {
            case "*IDN?":
                return MockReply.line(identity);
            case "*RST":
                settings.clear();
                return MockReply.none();
            case "*CLS":
                synchronized (errors) {
                    errors.clear();
                }
                return MockReply.none();
            case "*OPC?":
                return MockReply.line("1");
            case "*ESR?":
            case "*STB?":
                return MockReply.line("0");
            case "SYST:ERR?":
            case "SYSTEM:ERROR?":
            case "SYST:ERR:NEXT?":
                synchronized (errors) {
                    String e = errors.poll();
                    return MockReply.line(e == null ? "+0,\"No error\"" : e);
                }
            case "ECHO?":
                return MockReply.line(arg);
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
                return MockReply.line(value);
            }
            queueError("-113,\"Undefined header\"");
            return null;
        }
        if (!arg.isEmpty()) {
            settings.put(header, arg);
        }
        return MockReply.none();
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
        return MockReply.block(payload);
    }
}
