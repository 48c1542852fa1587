package dev.labwire.mqtt;

import java.util.Objects;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where the MQTT 5 broker is and how to log in: host, port, optional username/password, optional TLS, and the topic
 * prefix under which instruments live ({@code <prefix>/<instrument>/req}, {@code .../status}, ...). Immutable; the
 * {@code with*} methods return a copy.
 *
 * <p>Defaults: port 1883 (8883 is usual with TLS: say so), prefix {@code labwire}, no credentials, no TLS. With
 * {@link #withTls(TrustManagerFactory)} the broker's certificate is checked against the given trust store (null:
 * the JDK's default trust store) and its host name is verified.
 */
public final class Broker {
    private final String host;
    private final int port;
    private final String prefix;
    private final String username;
    private final byte[] password;
    private final boolean tls;
    private final TrustManagerFactory trust;

    private Broker(String host, int port, String prefix, String username, byte[] password, boolean tls,
                   TrustManagerFactory trust) {
        this.host = host;
        this.port = port;
        this.prefix = prefix;
        this.username = username;
        this.password = password;
        this.tls = tls;
        this.trust = trust;
    }

    /** A broker at {@code host:port}, prefix {@code labwire}; throws IllegalArgumentException for a bad port. */
    public static Broker of(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) throw new IllegalArgumentException("broker host is blank");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("broker port " + port + " is not in 1..65535");
        return new Broker(host, port, "labwire", null, null, false, null);
    }

    /**
     * The same broker under another topic prefix: one or more topic levels without wildcards ({@code +}, {@code #}),
     * without a leading or trailing {@code /}.
     */
    public Broker withPrefix(String prefix) {
        return new Broker(host, port, checkTopicLevels(prefix, "prefix"), username, password, tls, trust);
    }

    /** Logs in with a username and password (MQTT 5 CONNECT fields). */
    public Broker withCredentials(String username, String password) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        return new Broker(host, port, prefix, username, password.getBytes(java.nio.charset.StandardCharsets.UTF_8), tls, trust);
    }

    /** Connects over TLS, checking the broker's certificate with {@code trust} (null: the JDK's default trust). */
    public Broker withTls(TrustManagerFactory trust) {
        return new Broker(host, port, prefix, username, password, true, trust);
    }

    /** The broker's host. */
    public String host() {
        return host;
    }

    /** The broker's port. */
    public int port() {
        return port;
    }

    /** The topic prefix, {@code labwire} by default. */
    public String prefix() {
        return prefix;
    }

    /** The username, or null. */
    public String username() {
        return username;
    }

    /** A copy of the password bytes, or null. */
    public byte[] password() {
        return password == null ? null : password.clone();
    }

    /** True when the connection uses TLS. */
    public boolean tls() {
        return tls;
    }

    /** The trust manager factory for TLS, or null (the JDK's default). */
    public TrustManagerFactory trust() {
        return trust;
    }

    static String checkTopicLevels(String s, String what) {
        Objects.requireNonNull(s, what);
        if (s.isEmpty() || s.startsWith("/") || s.endsWith("/") || s.contains("//")) {
            throw new IllegalArgumentException(what + " \"" + s + "\" must be topic levels without empty levels");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+' || c == '#' || c == 0 || c == '$' && i == 0) {
                throw new IllegalArgumentException(what + " \"" + s + "\" contains '" + c + "' at index " + i
                        + " (no wildcards, no leading $)");
            }
        }
        return s;
    }

    @Override
    public String toString() {
        return (tls ? "mqtts://" : "mqtt://") + host + ":" + port + "/" + prefix + (username == null ? "" : " as " + username);
    }
}
