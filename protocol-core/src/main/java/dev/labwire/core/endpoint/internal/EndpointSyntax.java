package dev.labwire.core.endpoint.internal;

import dev.labwire.core.endpoint.DataBits;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.endpoint.FlowControl;
import dev.labwire.core.endpoint.Parity;
import dev.labwire.core.endpoint.Rs485;
import dev.labwire.core.endpoint.RtsPolarity;
import dev.labwire.core.endpoint.SerialSettings;
import dev.labwire.core.endpoint.StopBits;
import dev.labwire.core.endpoint.UsbId;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Parsing and canonical formatting of endpoint strings; the grammar is documented on {@link Endpoint}. */
public final class EndpointSyntax {

    /** VISA's {@code ASRLn::INSTR} means {@code COMn}, which exists only on Windows. */
    private static final boolean WINDOWS =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    static final String ALLOWED_FORMS =
            "tcp://host[:port], " + LanSyntax.VXI11_FORM + ", " + LanSyntax.HISLIP_FORM + ", " + Rfc2217Syntax.FORM
                    + ", serial:<path>[?options], serial:usb:<vid>:<pid>[:<serial>][?options], "
                    + VisaSyntax.FORMS;
    private static final String TCP_FORM = "tcp://host[:port]";
    private static final String SERIAL_FORMS = "serial:<path>[?options], serial:usb:<vid>:<pid>[:<serial>][?options]";

    private static final String BAUD = "baud";
    private static final String DATA = "data";
    private static final String PARITY = "parity";
    private static final String STOP = "stop";
    private static final String FLOW = "flow";
    private static final String RS485 = "rs485";
    private static final String RS485_RTS = "rs485.rts";
    private static final String RS485_BEFORE = "rs485.before";
    private static final String RS485_AFTER = "rs485.after";
    static final List<String> KEYS =
            List.of(BAUD, DATA, PARITY, STOP, FLOW, RS485, RS485_RTS, RS485_BEFORE, RS485_AFTER);

    private static final Map<String, DataBits> DATA_WORDS = words("5", DataBits.FIVE, "6", DataBits.SIX,
            "7", DataBits.SEVEN, "8", DataBits.EIGHT);
    private static final Map<String, Parity> PARITY_WORDS = words("none", Parity.NONE, "odd", Parity.ODD,
            "even", Parity.EVEN, "mark", Parity.MARK, "space", Parity.SPACE);
    private static final Map<String, StopBits> STOP_WORDS = words("1", StopBits.ONE, "1.5", StopBits.ONE_POINT_FIVE,
            "2", StopBits.TWO);
    private static final Map<String, FlowControl> FLOW_WORDS = words("none", FlowControl.NONE,
            "rtscts", FlowControl.RTS_CTS, "xonxoff", FlowControl.XON_XOFF);
    private static final Map<String, Boolean> RS485_WORDS = words("on", true, "off", false);
    private static final Map<String, RtsPolarity> RTS_WORDS = words("high", RtsPolarity.HIGH, "low", RtsPolarity.LOW);

    private EndpointSyntax() {}

    public static Endpoint parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("endpoint is " + (text == null ? "null" : "blank")
                    + "; allowed: " + ALLOWED_FORMS);
        }
        if (!text.equals(text.strip())) {
            throw new IllegalArgumentException("endpoint '" + text + "' has leading or trailing whitespace");
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("tcp://")) {
            return parseTcp(text, text.substring("tcp://".length()));
        }
        if (lower.startsWith("vxi11://")) {
            return LanSyntax.parseVxi11(text, text.substring("vxi11://".length()));
        }
        if (lower.startsWith("hislip://")) {
            return LanSyntax.parseHislip(text, text.substring("hislip://".length()));
        }
        if (lower.startsWith("rfc2217://")) {
            return Rfc2217Syntax.parse(text, text.substring("rfc2217://".length()));
        }
        if (lower.startsWith("serial:")) {
            return parseSerial(text, text.substring("serial:".length()));
        }
        if (VisaSyntax.looksLikeVisa(text)) {
            return VisaSyntax.parse(text, WINDOWS);
        }
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("missing scheme in '" + text + "'; allowed: " + ALLOWED_FORMS);
        }
        String scheme = text.substring(0, colon);
        if (scheme.equalsIgnoreCase("tcp")) {
            throw new IllegalArgumentException("missing '//' after 'tcp:' in '" + text + "'; allowed: " + TCP_FORM);
        }
        throw new IllegalArgumentException("unknown scheme '" + scheme + "' in '" + text + "'; allowed: "
                + ALLOWED_FORMS);
    }

    public static String format(Endpoint.Tcp tcp) {
        String host = tcp.host().indexOf(':') >= 0 ? "[" + tcp.host() + "]" : tcp.host();
        return "tcp://" + host + ":" + tcp.port();
    }

    public static String format(Endpoint.Serial serial) {
        SerialSettings s = serial.settings();
        StringBuilder b = new StringBuilder("serial:");
        b.append(serial.path() != null ? serial.path() : "usb:" + serial.usbId());
        appendOptions(b, s, true);
        return b.toString();
    }

    /**
     * {@code ?baud=..&data=..&parity=..&stop=..&flow=..}, then {@code &rs485=..} when {@code withRs485} (the
     * rs485.* keys only when RS485 is on).
     */
    static void appendOptions(StringBuilder b, SerialSettings s, boolean withRs485) {
        b.append('?').append(BAUD).append('=').append(s.baudRate());
        b.append('&').append(DATA).append('=').append(word(DATA_WORDS, s.dataBits()));
        b.append('&').append(PARITY).append('=').append(word(PARITY_WORDS, s.parity()));
        b.append('&').append(STOP).append('=').append(word(STOP_WORDS, s.stopBits()));
        b.append('&').append(FLOW).append('=').append(word(FLOW_WORDS, s.flowControl()));
        if (!withRs485) {
            return;
        }
        Rs485 rs = s.rs485();
        b.append('&').append(RS485).append('=').append(rs.isEnabled() ? "on" : "off");
        if (rs.isEnabled()) {
            b.append('&').append(RS485_RTS).append('=').append(word(RTS_WORDS, rs.rtsActive()));
            b.append('&').append(RS485_BEFORE).append('=').append(rs.delayBefore().toNanos() / 1000);
            b.append('&').append(RS485_AFTER).append('=').append(rs.delayAfter().toNanos() / 1000);
        }
    }

    /** Rejects a host that a tcp endpoint string could not carry. */
    public static void checkHost(String host, String context) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("missing host in '" + context + "'; allowed: " + TCP_FORM);
        }
        boolean ipv6 = host.indexOf(':') >= 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_' || (ipv6 && (c == ':' || c == '%'));
            if (!ok) {
                throw new IllegalArgumentException("bad host '" + host + "' in '" + context + "': character '" + c
                        + "' at index " + i + "; allowed: a host name, an IPv4 address or an [IPv6] address");
            }
        }
    }

    /** Rejects a serial path that a serial endpoint string could not carry. */
    public static void checkPath(String path, String context) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("empty path in '" + context + "'; allowed: " + SERIAL_FORMS);
        }
        if (!path.equals(path.strip())) {
            throw new IllegalArgumentException("path '" + path + "' in '" + context
                    + "' has leading or trailing whitespace");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < ' ' || c == 0x7f || c == '?') {
                throw new IllegalArgumentException("bad path '" + path + "' in '" + context
                        + "': a control character or '?' at index " + i);
            }
        }
    }

    private static Endpoint.Tcp parseTcp(String text, String rest) {
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '/' || c == '?' || c == '#' || c == '@') {
                throw new IllegalArgumentException("unexpected '" + rest.substring(i) + "' after the host in '"
                        + text + "'; allowed: " + TCP_FORM);
            }
        }
        String[] hp = hostAndPort(text, rest, "tcp");
        return new Endpoint.Tcp(hp[0], hp[1] == null ? Endpoint.DEFAULT_TCP_PORT
                : parsePort(hp[1], text, Endpoint.DEFAULT_TCP_PORT));
    }

    /** {@code host[:port]} or {@code [ipv6][:port]} after {@code scheme://}: the host (checked) and the port text or null. */
    static String[] hostAndPort(String text, String rest, String scheme) {
        String host;
        String port = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '[' in '" + text + "'; allowed: " + scheme + "://[ipv6]:port");
            }
            host = rest.substring(1, close);
            if (!host.isEmpty() && host.indexOf(':') < 0) {
                throw new IllegalArgumentException("brackets in '" + text + "' hold a non-IPv6 host '" + host
                        + "'; write " + scheme + "://" + host + "[:port]");
            }
            String after = rest.substring(close + 1);
            if (after.startsWith(":")) {
                port = after.substring(1);
            } else if (!after.isEmpty()) {
                throw new IllegalArgumentException("unexpected '" + after + "' after ']' in '" + text
                        + "'; allowed: " + scheme + "://[ipv6]:port");
            }
        } else {
            int first = rest.indexOf(':');
            if (first >= 0 && rest.indexOf(':', first + 1) >= 0) {
                throw new IllegalArgumentException("IPv6 address in '" + text
                        + "' needs brackets, e.g. " + scheme + "://[::1]" + ("tcp".equals(scheme) ? ":5025" : ""));
            }
            host = first < 0 ? rest : rest.substring(0, first);
            port = first < 0 ? null : rest.substring(first + 1);
        }
        checkHost(host, text);
        return new String[] {host, port};
    }

    static int parsePort(String port, String text, int defaultPort) {
        int value = -1;
        if (!port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            value = Integer.parseInt(port);
        }
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException("bad port '" + port + "' in '" + text
                    + "'; allowed: 1..65535, or none for " + defaultPort);
        }
        return value;
    }

    private static Endpoint.Serial parseSerial(String text, String rest) {
        int q = rest.indexOf('?');
        String target = q < 0 ? rest : rest.substring(0, q);
        SerialSettings settings = parseOptions(q < 0 ? null : rest.substring(q + 1), text);
        if (target.isEmpty()) {
            throw new IllegalArgumentException("empty path in '" + text + "'; allowed: " + SERIAL_FORMS);
        }
        if (target.regionMatches(true, 0, "usb:", 0, 4)) {
            UsbId id;
            try {
                id = UsbId.parse(target.substring(4));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + " (in endpoint '" + text + "')", e);
            }
            return Endpoint.Serial.ofUsb(id, settings);
        }
        checkPath(target, text);
        return Endpoint.Serial.ofPath(target, settings);
    }

    /** The settings of an options string (after {@code ?}), or the defaults when {@code query} is null. */
    static SerialSettings parseOptions(String query, String text) {
        if (query == null) {
            return SerialSettings.DEFAULT;
        }
        String keys = String.join(", ", KEYS);
        if (query.isEmpty()) {
            throw new IllegalArgumentException("empty options after '?' in '" + text + "'; allowed keys: " + keys);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String part : query.split("&", -1)) {
            if (part.isEmpty()) {
                throw new IllegalArgumentException("empty option (a stray '&') in '" + text + "'");
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("option '" + part + "' has no value in '" + text
                        + "'; expected key=value with keys: " + keys);
            }
            String key = part.substring(0, eq).toLowerCase(Locale.ROOT);
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException("unknown key '" + part.substring(0, eq) + "' in '" + text
                        + "'; allowed keys: " + keys);
            }
            if (options.containsKey(key)) {
                throw new IllegalArgumentException("duplicate key '" + key + "' in '" + text + "'");
            }
            options.put(key, part.substring(eq + 1));
        }

        SerialSettings.Builder b = SerialSettings.builder();
        for (Map.Entry<String, String> o : options.entrySet()) {
            String v = o.getValue();
            switch (o.getKey()) {
                case BAUD -> b.baudRate(positiveInt(BAUD, v, text));
                case DATA -> b.dataBits(choice(DATA, v, text, DATA_WORDS));
                case PARITY -> b.parity(choice(PARITY, v, text, PARITY_WORDS));
                case STOP -> b.stopBits(choice(STOP, v, text, STOP_WORDS));
                case FLOW -> b.flowControl(choice(FLOW, v, text, FLOW_WORDS));
                default -> { } // rs485 keys below, together
            }
        }
        boolean rs485 = options.containsKey(RS485) && choice(RS485, options.get(RS485), text, RS485_WORDS);
        for (String key : List.of(RS485_RTS, RS485_BEFORE, RS485_AFTER)) {
            if (options.containsKey(key) && !rs485) {
                throw new IllegalArgumentException("key '" + key + "' needs rs485=on in '" + text + "'");
            }
        }
        if (rs485) {
            RtsPolarity rts = options.containsKey(RS485_RTS)
                    ? choice(RS485_RTS, options.get(RS485_RTS), text, RTS_WORDS)
                    : RtsPolarity.HIGH;
            b.rs485(Rs485.enabled(rts, micros(RS485_BEFORE, options.get(RS485_BEFORE), text),
                    micros(RS485_AFTER, options.get(RS485_AFTER), text)));
        }
        return b.build();
    }

    private static int positiveInt(String key, String value, String text) {
        long v = digits(value);
        if (v < 1 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(badValue(key, value, text)
                    + "a positive integer, e.g. 9600 or 115200");
        }
        return (int) v;
    }

    private static Duration micros(String key, String value, String text) {
        if (value == null) {
            return Duration.ZERO;
        }
        long v = digits(value);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(badValue(key, value, text)
                    + "whole microseconds 0.." + Integer.MAX_VALUE);
        }
        return Duration.ofNanos(v * 1000);
    }

    /** The value of a string of 1 to 10 ASCII digits, or -1. */
    private static long digits(String value) {
        if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(value);
    }

    private static <T> T choice(String key, String value, String text, Map<String, T> words) {
        T t = words.get(value.toLowerCase(Locale.ROOT));
        if (t == null) {
            throw new IllegalArgumentException(badValue(key, value, text) + String.join(", ", words.keySet()));
        }
        return t;
    }

    private static String badValue(String key, String value, String text) {
        return (value.isEmpty() ? "empty value" : "bad value '" + value + "'") + " for key '" + key + "' in '"
                + text + "'; allowed: ";
    }

    private static <T> String word(Map<String, T> words, T value) {
        for (Map.Entry<String, T> e : words.entrySet()) {
            if (e.getValue().equals(value)) {
                return e.getKey();
            }
        }
        throw new IllegalStateException("no word for " + value);
    }

    @SuppressWarnings("unchecked")
    private static <T> Map<String, T> words(Object... pairs) {
        Map<String, T> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (T) pairs[i + 1]);
        }
        return m;
    }
}
