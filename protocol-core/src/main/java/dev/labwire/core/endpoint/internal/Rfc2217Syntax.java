package dev.labwire.core.endpoint.internal;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.endpoint.SerialSettings;
import dev.labwire.core.rfc2217.Rfc2217Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code rfc2217://host:port[?options]}: a serial port behind an RFC 2217 terminal server. */
public final class Rfc2217Syntax {
    static final String FORM = "rfc2217://host:port[?options]";
    /** The keys of {@link Rfc2217Options}, beside the serial ones. */
    static final String ACK_MS = "ack_ms";
    static final String PURGE = "purge";
    static final String DTR_RTS = "dtr_rts";
    private static final List<String> OWN_KEYS = List.of(ACK_MS, PURGE, DTR_RTS);
    private static final int MAX_ACK_MS = 60_000;

    private Rfc2217Syntax() {}

    static Endpoint.Rfc2217 parse(String text, String rest) {
        int q = rest.indexOf('?');
        String hostPort = q < 0 ? rest : rest.substring(0, q);
        for (int i = 0; i < hostPort.length(); i++) {
            char c = hostPort.charAt(i);
            if (c == '/' || c == '#' || c == '@') {
                throw new IllegalArgumentException("unexpected '" + hostPort.substring(i) + "' after the host in '"
                        + text + "'; allowed: " + FORM);
            }
        }
        String[] hp = EndpointSyntax.hostAndPort(text, hostPort, "rfc2217");
        if (hp[1] == null) {
            throw new IllegalArgumentException("missing port in '" + text + "': terminal servers have no standard "
                    + "RFC 2217 port; allowed: " + FORM);
        }
        int port = -1;
        if (!hp[1].isEmpty() && hp[1].length() <= 5 && hp[1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            port = Integer.parseInt(hp[1]);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("bad port '" + hp[1] + "' in '" + text + "'; allowed: 1..65535");
        }
        String query = q < 0 ? null : rest.substring(q + 1);
        Rfc2217Options options = Rfc2217Options.DEFAULT;
        if (query != null && !query.isEmpty()) {
            List<String> serial = new ArrayList<>();
            Duration ack = options.ackTimeout();
            boolean purge = options.purgeOnConnect();
            boolean dtrRts = options.raiseDtrRts();
            List<String> seen = new ArrayList<>();
            for (String part : query.split("&", -1)) {
                if (part.isEmpty()) {
                    throw new IllegalArgumentException("empty option (a stray '&') in '" + text + "'");
                }
                int eq = part.indexOf('=');
                String key = eq < 0 ? part : part.substring(0, eq).toLowerCase(Locale.ROOT);
                if (!OWN_KEYS.contains(key)) {
                    serial.add(part);
                    continue;
                }
                String v = eq < 0 ? null : part.substring(eq + 1);
                if (v == null || v.isEmpty()) {
                    throw new IllegalArgumentException("option '" + part + "' has no value in '" + text + "'");
                }
                if (seen.contains(key)) {
                    throw new IllegalArgumentException("duplicate key '" + key + "' in '" + text + "'");
                }
                seen.add(key);
                switch (key) {
                    case ACK_MS -> {
                        long ms = v.length() <= 6 && v.chars().allMatch(c -> c >= '0' && c <= '9') ? Long.parseLong(v) : -1;
                        if (ms < 1 || ms > MAX_ACK_MS) {
                            throw new IllegalArgumentException("bad value '" + v + "' for key '" + ACK_MS + "' in '" + text
                                    + "'; allowed: whole milliseconds 1.." + MAX_ACK_MS);
                        }
                        ack = Duration.ofMillis(ms);
                    }
                    case PURGE -> purge = onOff(PURGE, v, text);
                    default -> dtrRts = onOff(DTR_RTS, v, text);
                }
            }
            options = new Rfc2217Options(ack, purge, dtrRts);
            query = serial.isEmpty() ? null : String.join("&", serial);
        }
        SerialSettings settings;
        try {
            settings = EndpointSyntax.parseOptions(query, text);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("unknown key")) {
                throw new IllegalArgumentException(e.getMessage() + ", and on rfc2217:// " + String.join(", ", OWN_KEYS), e);
            }
            throw e;
        }
        if (settings.rs485().isEnabled()) {
            throw new IllegalArgumentException("rs485=on in '" + text + "': RS485 mode cannot be set over RFC 2217; "
                    + "configure it on the terminal server");
        }
        return new Endpoint.Rfc2217(hp[0], port, settings, options);
    }

    private static boolean onOff(String key, String v, String text) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "on":
                return true;
            case "off":
                return false;
            default:
                throw new IllegalArgumentException("bad value '" + v + "' for key '" + key + "' in '" + text
                        + "'; allowed: on, off");
        }
    }

    public static String format(Endpoint.Rfc2217 e) {
        String host = e.host().indexOf(':') >= 0 ? "[" + e.host() + "]" : e.host();
        StringBuilder b = new StringBuilder("rfc2217://").append(host).append(':').append(e.port());
        EndpointSyntax.appendOptions(b, e.settings(), false);
        Rfc2217Options o = e.options();
        char sep = b.indexOf("?") < 0 ? '?' : '&';
        if (!o.ackTimeout().equals(Rfc2217Options.DEFAULT.ackTimeout())) {
            b.append(sep).append(ACK_MS).append('=').append(Math.max(1, dev.labwire.core.internal.Durations.millis(o.ackTimeout())));
            sep = '&';
        }
        if (o.purgeOnConnect() != Rfc2217Options.DEFAULT.purgeOnConnect()) {
            b.append(sep).append(PURGE).append('=').append(o.purgeOnConnect() ? "on" : "off");
            sep = '&';
        }
        if (o.raiseDtrRts() != Rfc2217Options.DEFAULT.raiseDtrRts()) {
            b.append(sep).append(DTR_RTS).append('=').append(o.raiseDtrRts() ? "on" : "off");
        }
        return b.toString();
    }
}
