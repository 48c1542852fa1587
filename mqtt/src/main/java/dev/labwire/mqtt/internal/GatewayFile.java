package dev.labwire.mqtt.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.mqtt.Broker;
import dev.labwire.mqtt.InstrumentSpec;
import dev.labwire.mqtt.MqttGateway;
import dev.labwire.mqtt.Poll;
import dev.labwire.mqtt.Stream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.TrustManagerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads a gateway's YAML file (docs/MQTT.md, "Running a gateway") into a {@link MqttGateway.Builder}. Strict: an
 * unknown key, a missing one or a wrong type fails with an {@link IllegalArgumentException} naming the file and the
 * key's path ({@code instruments[1].polls[0].period}). Safe loading only (no YAML tags), 1 MiB at most, no aliases.
 */
public final class GatewayFile {
    private final Path file;

    private GatewayFile(Path file) {
        this.file = file;
    }

    /** Parses {@code file}. */
    public static MqttGateway.Builder load(Path file) throws IOException {
        if (Files.size(file) > 1 << 20) throw new IllegalArgumentException(file + ": larger than 1 MiB");
        LoaderOptions opts = new LoaderOptions();
        opts.setMaxAliasesForCollections(0);
        opts.setAllowDuplicateKeys(false);
        opts.setCodePointLimit(1 << 20);
        Object root;
        try (InputStream in = Files.newInputStream(file)) {
            root = new Yaml(new SafeConstructor(opts)).load(in);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
        }
        return new GatewayFile(file).gateway(root);
    }

    private IllegalArgumentException bad(String path, String what) {
        return new IllegalArgumentException(file + ": " + path + ": " + what);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object o, String path, Set<String> allowed) {
        if (!(o instanceof Map)) throw bad(path, "expected a mapping, got " + (o == null ? "nothing" : o.getClass().getSimpleName()));
        Map<String, Object> m = (Map<String, Object>) o;
        for (Object k : m.keySet()) {
            if (!allowed.contains(String.valueOf(k))) throw bad(path, "unknown key \"" + k + "\" (allowed: " + allowed + ")");
        }
        return m;
    }

    private String str(Map<String, Object> m, String key, String path, String dflt) {
        Object o = m.get(key);
        if (o == null) {
            if (dflt == null) throw bad(path + "." + key, "missing");
            return dflt;
        }
        if (o instanceof String || o instanceof Number || o instanceof Boolean) return o.toString();
        throw bad(path + "." + key, "expected a scalar");
    }

    private int integer(Map<String, Object> m, String key, String path, int dflt) {
        Object o = m.get(key);
        if (o == null) return dflt;
        if (o instanceof Integer i) return i;
        throw bad(path + "." + key, "expected an integer, got " + o);
    }

    private Duration duration(Map<String, Object> m, String key, String path, Duration dflt) {
        Object o = m.get(key);
        if (o == null) {
            if (dflt == null) throw bad(path + "." + key, "missing");
            return dflt;
        }
        return parseDuration(o.toString(), path + "." + key);
    }

    /** {@code 250ms}, {@code 2s}, {@code 1.5s}, {@code 5m}, {@code 1h}, or ISO-8601 {@code PT2S}. */
    Duration parseDuration(String s, String path) {
        try {
            if (s.startsWith("P") || s.startsWith("p")) return Duration.parse(s);
            String t = s.trim();
            String unit = t.replaceAll("^[0-9.]+", "");
            double v = Double.parseDouble(t.substring(0, t.length() - unit.length()));
            long nanos = switch (unit) {
                case "ms" -> Math.round(v * 1e6);
                case "s" -> Math.round(v * 1e9);
                case "m", "min" -> Math.round(v * 60e9);
                case "h" -> Math.round(v * 3600e9);
                default -> throw bad(path, "duration \"" + s + "\" needs a unit: ms, s, m or h");
            };
            return Duration.ofNanos(nanos);
        } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
            throw bad(path, "bad duration \"" + s + "\" (e.g. 250ms, 2s, 5m, PT2S)");
        }
    }

    private MqttGateway.Builder gateway(Object root) throws IOException {
        Map<String, Object> top = map(root, "(top)", Set.of("broker", "gateway", "instruments"));
        Map<String, Object> b = map(top.get("broker"), "broker",
                Set.of("host", "port", "prefix", "username", "password", "passwordEnv", "tls", "trustStore", "trustStorePassword"));
        Broker broker = Broker.of(str(b, "host", "broker", null), integer(b, "port", "broker", 1883));
        broker = broker.withPrefix(str(b, "prefix", "broker", "labwire"));
        if (b.containsKey("username")) {
            String pw;
            if (b.containsKey("passwordEnv")) {
                pw = System.getenv(str(b, "passwordEnv", "broker", null));
                if (pw == null) throw bad("broker.passwordEnv", "environment variable " + b.get("passwordEnv") + " is not set");
            } else {
                pw = str(b, "password", "broker", null);
            }
            broker = broker.withCredentials(str(b, "username", "broker", null), pw);
        }
        if (Boolean.TRUE.equals(b.get("tls"))) {
            TrustManagerFactory tmf = null;
            if (b.containsKey("trustStore")) {
                try {
                    KeyStore ks = KeyStore.getInstance("PKCS12");
                    String pass = str(b, "trustStorePassword", "broker", "");
                    try (InputStream in = Files.newInputStream(file.resolveSibling(str(b, "trustStore", "broker", null)))) {
                        ks.load(in, pass.toCharArray());
                    }
                    tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    tmf.init(ks);
                } catch (java.security.GeneralSecurityException e) {
                    throw bad("broker.trustStore", "cannot read the PKCS#12 trust store: " + e);
                }
            }
            broker = broker.withTls(tmf);
        }
        MqttGateway.Builder builder = MqttGateway.builder(broker);
        if (top.get("gateway") != null) {
            Map<String, Object> g = map(top.get("gateway"), "gateway", Set.of("id", "maxPayloadBytes", "maxPendingPerInstrument"));
            if (g.containsKey("id")) builder.gatewayId(str(g, "id", "gateway", null));
            if (g.containsKey("maxPayloadBytes")) builder.maxPayloadBytes(integer(g, "maxPayloadBytes", "gateway", 0));
            if (g.containsKey("maxPendingPerInstrument")) {
                builder.maxPendingPerInstrument(integer(g, "maxPendingPerInstrument", "gateway", 0));
            }
        }
        if (!(top.get("instruments") instanceof List<?> list) || list.isEmpty()) {
            throw bad("instruments", "expected a non-empty list");
        }
        for (int i = 0; i < list.size(); i++) {
            String path = "instruments[" + i + "]";
            Map<String, Object> in = map(list.get(i), path, Set.of("name", "endpoint", "timeout", "polls", "streams"));
            try {
                InstrumentSpec spec = InstrumentSpec.of(str(in, "name", path, null), str(in, "endpoint", path, null));
                if (in.containsKey("timeout")) {
                    spec = spec.withConfig(ConnectionConfig.builder().defaultTimeout(duration(in, "timeout", path, null)).build());
                }
                for (Object[] p : items(in.get("polls"), path + ".polls")) {
                    String pp = (String) p[0];
                    Map<String, Object> pm = map(p[1], pp, Set.of("name", "command", "period", "unit"));
                    spec = spec.withPoll(new Poll(str(pm, "name", pp, null), str(pm, "command", pp, null),
                            duration(pm, "period", pp, null), pm.get("unit") == null ? null : str(pm, "unit", pp, null)));
                }
                for (Object[] s : items(in.get("streams"), path + ".streams")) {
                    String sp = (String) s[0];
                    Map<String, Object> sm = map(s[1], sp, Set.of("name", "prefix", "minInterval", "unit"));
                    spec = spec.withStream(new Stream(str(sm, "name", sp, null), str(sm, "prefix", sp, null),
                            duration(sm, "minInterval", sp, Duration.ofMillis(100)), sm.get("unit") == null ? null : str(sm, "unit", sp, null)));
                }
                builder.instrument(spec);
            } catch (IllegalArgumentException e) {
                if (e.getMessage() != null && e.getMessage().startsWith(file.toString())) throw e;
                throw bad(path, e.getMessage());
            }
        }
        return builder;
    }

    private List<Object[]> items(Object o, String path) {
        if (o == null) return List.of();
        if (!(o instanceof List<?> l)) throw bad(path, "expected a list");
        java.util.ArrayList<Object[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < l.size(); i++) out.add(new Object[] {path + "[" + i + "]", l.get(i)});
        return out;
    }
}
