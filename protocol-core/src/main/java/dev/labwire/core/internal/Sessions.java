package dev.labwire.core.internal;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.SessionMachine;
import dev.labwire.core.endpoint.Endpoint;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Which session machine drives which endpoint, and where its TCP connections go (docs/CHANNELS.md). Both drivers ask
 * here, so a new protocol lands in one place. Not API.
 */
public final class Sessions {
    /** A factory tried before the built-in choice: returns a machine, or null to leave the endpoint to the next. */
    public interface Factory extends BiFunction<Endpoint, ConnectionConfig, SessionMachine> {
    }

    private static volatile Factory override;

    private Sessions() {}

    /**
     * The session machine for {@code endpoint}: a {@link Connection} for {@code tcp://} and {@code serial:}.
     *
     * @throws IllegalArgumentException for an endpoint whose protocol this version cannot speak yet, naming it and
     *                                  what to use instead
     */
    public static SessionMachine create(Endpoint endpoint, ConnectionConfig config) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(config, "config");
        Factory f = override;
        if (f != null) {
            SessionMachine m = f.apply(endpoint, config);
            if (m != null) {
                return m;
            }
        }
        if (endpoint instanceof Endpoint.Tcp || endpoint instanceof Endpoint.Serial) {
            return new Connection(config);
        }
        if (endpoint instanceof Endpoint.Hislip h) {
            return new dev.labwire.core.hislip.HislipSession(config,
                    new dev.labwire.core.hislip.HislipSession.Endpoint(h.port(), h.subAddress()));
        }
        String protocol = endpoint instanceof Endpoint.Vxi11 ? "VXI-11" : "HiSLIP";
        throw new IllegalArgumentException(protocol + " endpoint " + endpoint + " cannot be opened yet: this labwire "
                + "version parses it but has no " + protocol + " session machine; for the instrument's raw SCPI socket "
                + "use tcp://" + bracket(host(endpoint)) + ":5025");
    }

    /**
     * Installs {@code factory} ahead of the built-in choice until the returned handle is closed: for driver tests that
     * drive a machine of their own (a channel test machine) through a real client. Not for production use.
     */
    public static AutoCloseable override(Factory factory) {
        Factory previous = override;
        override = Objects.requireNonNull(factory, "factory");
        return () -> override = previous;
    }

    /** The host every TCP connection of {@code endpoint} goes to; null for a serial endpoint. */
    public static String host(Endpoint endpoint) {
        if (endpoint instanceof Endpoint.Tcp t) {
            return t.host();
        }
        if (endpoint instanceof Endpoint.Vxi11 v) {
            return v.host();
        }
        if (endpoint instanceof Endpoint.Hislip h) {
            return h.host();
        }
        return null;
    }

    /**
     * Where the driver opens the link of {@code endpoint} for a machine whose {@code linkPort()} is {@code machinePort}:
     * the endpoint's host at that port, or at the endpoint's own port when it is 0; {@code endpoint} itself for serial.
     *
     * @throws IllegalStateException when a VXI-11 machine orders the link before it knows its port
     */
    public static Endpoint linkEndpoint(Endpoint endpoint, int machinePort) {
        if (endpoint instanceof Endpoint.Serial) {
            return endpoint;
        }
        if (endpoint instanceof Endpoint.Tcp t && machinePort == 0) {
            return t;
        }
        int port = machinePort;
        if (port == 0 && endpoint instanceof Endpoint.Hislip h) {
            port = h.port();
        }
        if (port == 0) {
            throw new IllegalStateException("the session machine of " + endpoint + " ordered its link without a port");
        }
        return new Endpoint.Tcp(host(endpoint), port);
    }

    private static String bracket(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }
}
