package dev.labwire.core.internal;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkMachine;
import dev.labwire.core.SessionMachine;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.rfc2217.Rfc2217Session;
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
     * The session machine for {@code endpoint}: a {@link Connection} for {@code tcp://} and {@code serial:}, for
     * {@code rfc2217://} a {@link Connection} inside an {@link Rfc2217Session} (the Telnet link codec), the VXI-11
     * machine for {@code vxi11://}, the HiSLIP machine for {@code hislip://}.
     *
     * @throws IllegalArgumentException when {@code config} asks for what the protocol's machine cannot do, named
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
        if (endpoint instanceof Endpoint.Tcp) {
            return new Connection(config);
        }
        if (endpoint instanceof Endpoint.Serial s) {
            return serialConnection(config, s.settings());
        }
        if (endpoint instanceof Endpoint.Rfc2217 r) {
            return new Rfc2217Session(serialConnection(config, r.settings()), r.settings(), r.options());
        }
        if (endpoint instanceof Endpoint.Hislip h) {
            return new dev.labwire.core.hislip.HislipSession(config,
                    new dev.labwire.core.hislip.HislipSession.Endpoint(h.port(), h.subAddress()));
        }
        if (endpoint instanceof Endpoint.Vxi11 v) {
            return new dev.labwire.core.vxi11.internal.Vxi11Session(v, config);
        }
        throw new IllegalArgumentException("no session machine for endpoint " + endpoint);
    }

    /** The connection of a serial line (a port or one behind an RFC 2217 server): its bytes outlive links; XON/XOFF. */
    private static Connection serialConnection(ConnectionConfig config, dev.labwire.core.endpoint.SerialSettings settings) {
        Connection c = CoreAccess.streamOutlivesLink(new Connection(config));
        return settings.flowControl() == dev.labwire.core.endpoint.FlowControl.XON_XOFF ? CoreAccess.softwareFlowControl(c) : c;
    }

    /**
     * The machine a driver runs for a bus on {@code endpoint}: the bus itself on {@code tcp://} and {@code serial:}, the
     * bus inside an {@link Rfc2217Session} on {@code rfc2217://}; requests still go to the bus.
     *
     * @throws IllegalArgumentException for an endpoint a bus cannot run on (VXI-11, HiSLIP)
     */
    public static LinkMachine busMachine(Endpoint endpoint, Bus bus) {
        Objects.requireNonNull(bus, "bus");
        if (busEndpoint(endpoint) instanceof Endpoint.Rfc2217 r) {
            return new Rfc2217Session(bus, r.settings(), r.options());
        }
        return bus;
    }

    /**
     * {@code endpoint}, when a bus can run on it ({@code tcp://}, {@code rfc2217://}, {@code serial:}); the drivers
     * check it before they build anything.
     *
     * @throws IllegalArgumentException for an endpoint a bus cannot run on (VXI-11, HiSLIP)
     */
    public static Endpoint busEndpoint(Endpoint endpoint) {
        if (!(endpoint instanceof Endpoint.Tcp) && !(endpoint instanceof Endpoint.Serial)
                && !(endpoint instanceof Endpoint.Rfc2217)) {
            throw new IllegalArgumentException("a bus runs on a tcp://, rfc2217:// or serial: link, not on " + endpoint);
        }
        return endpoint;
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

    /**
     * {@code endpoint} with {@code options}, for the clients' {@code rfc2217Options(...)} builder setting.
     *
     * @throws IllegalArgumentException when {@code endpoint} is not an {@code rfc2217://} endpoint
     */
    public static Endpoint withRfc2217Options(Endpoint endpoint, dev.labwire.core.rfc2217.Rfc2217Options options) {
        Objects.requireNonNull(options, "options");
        if (endpoint instanceof Endpoint.Rfc2217 r) {
            return r.withOptions(options);
        }
        throw new IllegalArgumentException("RFC 2217 options apply to rfc2217:// endpoints only, not to " + endpoint);
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
        if (endpoint instanceof Endpoint.Rfc2217 r) {
            return r.host();
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
        if (port == 0 && endpoint instanceof Endpoint.Rfc2217 r) {
            port = r.port();
        }
        if (port == 0) {
            throw new IllegalStateException("the session machine of " + endpoint + " ordered its link without a port");
        }
        return new Endpoint.Tcp(host(endpoint), port);
    }

}
