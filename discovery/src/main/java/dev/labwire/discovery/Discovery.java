package dev.labwire.discovery;

import dev.labwire.discovery.internal.DiscoveryRun;
import dev.labwire.discovery.internal.MdnsBrowser;
import dev.labwire.discovery.internal.ServiceMapping;
import dev.labwire.discovery.internal.Vxi11Broadcast;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Finds instruments: services announced over mDNS/DNS-SD on the local network and this machine's serial ports,
 * each as an endpoint string a client opens ({@link FoundInstrument#endpoint()}).
 *
 * <pre>{@code
 * try (Stream<FoundInstrument> found = Discovery.find(Duration.ofSeconds(3))) {
 *     found.forEach(i -> System.out.println(i.endpoint() + "  " + i.model().orElse("?")));
 * }
 * // tcp://192.168.1.50:5025            PSU-3000
 * // hislip://192.168.1.51:4880/hislip0 DSOX1204G
 * // serial:/dev/ttyUSB0                FT232R USB UART
 * }</pre>
 *
 * <h2>What is looked for</h2>
 * <ul>
 *   <li>mDNS/DNS-SD (RFC 6762/6763): the service types {@code _lxi._tcp}, {@code _scpi-raw._tcp},
 *       {@code _vxi-11._tcp} and {@code _hislip._tcp} ({@link Builder#serviceTypes}), browsed with JmDNS on every
 *       address of every interface that is up and multicast-capable ({@link Builder#addresses} to choose).
 *       Manufacturer, model, serial number and firmware come from the TXT record's LXI keys. Every service is its
 *       own result: several services on one host (a raw socket and HiSLIP, two raw sockets on two ports) give
 *       one result each. IPv6-only services give {@code tcp://[2001:db8::5]:5025} forms.</li>
 *   <li>Serial ports ({@link Builder#serial}): what {@code dev.labwire.serial.SerialPorts.list()} gives, with USB
 *       vendor/product id and serial number, as {@code serial:/dev/ttyUSB0}. Only when
 *       {@code labwire-serial-transport} is on the class or module path (an optional dependency); without it,
 *       or without jSerialComm's native library, none are listed.</li>
 *   <li>The VXI-11 portmapper broadcast ({@link Builder#vxi11Broadcast}): one ONC RPC GETPORT call for the VXI-11
 *       core program (0x0607AF version 1, TCP) in a UDP datagram to port 111 of every IPv4 broadcast address
 *       (RFC 1833; what NI-MAX and {@code lxi discover} send), sent three times (at 0, 250 ms and 1 s). Each
 *       portmapper that answers with a port other than 0 is a VXI-11 instrument, given as
 *       {@code vxi11://address:111/inst0}; a portmapper without VXI-11 (a PC running rpcbind) answers 0 and is left
 *       out.</li>
 * </ul>
 *
 * <h2>Streaming and the deadline</h2>
 * {@link #find(Duration)} returns at once; the stream hands out each instrument as it is found and ends at the
 * deadline (or sooner when only finite sources are on and all have answered). Each endpoint is given once (the
 * first announcement wins). Close the stream (try-with-resources) to stop browsing early; the stream's terminal
 * operation blocks the calling thread until the deadline. At most 10,000 results are held for a consumer that
 * does not take them; more are dropped and logged at WARN.
 *
 * <h2>Identifying</h2>
 * With {@link Builder#identify(boolean) identify(true)}, each network result is opened with a
 * {@code BlockingClient} and asked {@code *IDN?} (timeout {@link Builder#identifyTimeout}, default 2 s, never past
 * the deadline) before it is handed out, filling the fields the announcement left out
 * ({@link FoundInstrument#identity()}); a failure is reported in {@link FoundInstrument#identifyError()}, never
 * thrown. Serial ports are never identified: sending bytes to an unknown serial device (opening one resets many
 * boards) is not something a listing should do.
 *
 * <h2>Failures</h2>
 * Nothing is thrown once the run has started: an address JmDNS cannot bind is logged at WARN and skipped.
 * Bad arguments throw {@link IllegalArgumentException} naming the value. Logging is through SLF4J only.
 * Instances are immutable and thread-safe; each {@code find} is a fresh run.
 */
public final class Discovery {

    private final boolean mdns;
    private final boolean vxi11;
    private final List<InetAddress> broadcastAddresses;
    private final int portmapperPort;
    private final boolean serial;
    private final boolean identify;
    private final Duration identifyTimeout;
    private final List<String> serviceTypes;
    private final List<InetAddress> addresses;

    private Discovery(Builder b) {
        this.mdns = b.mdns;
        this.vxi11 = b.vxi11;
        this.broadcastAddresses = b.broadcastAddresses;
        this.portmapperPort = b.portmapperPort;
        this.serial = b.serial;
        this.identify = b.identify;
        this.identifyTimeout = b.identifyTimeout;
        this.serviceTypes = b.serviceTypes;
        this.addresses = b.addresses;
    }

    /**
     * Finds with the defaults (mDNS on every multicast interface, the VXI-11 broadcast, serial ports, no identifying)
     * until the deadline.
     */
    public static Stream<FoundInstrument> find(Duration timeout) {
        return builder().build().stream(timeout);
    }

    /**
     * The local addresses mDNS browses on by default: every address of every interface that is up and
     * multicast-capable (not point-to-point), its IPv4 ones or, without any, its IPv6 ones. Empty when the machine has
     * no such interface (then nothing is announced to this machine either).
     */
    public static List<InetAddress> multicastAddresses() {
        return MdnsBrowser.defaultAddresses();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a run and returns its results as a stream, ending {@code timeout} from now. A timeout of 146 years or
     * more ({@code ChronoUnit.FOREVER.getDuration()}) runs until the stream is closed, or until the finite sources
     * have answered when only finite sources are on.
     *
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public Stream<FoundInstrument> stream(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        DiscoveryRun run = new DiscoveryRun(mdns, vxi11,
                broadcastAddresses == null ? Vxi11Broadcast.defaultTargets() : broadcastAddresses, portmapperPort,
                serial, identify, identifyTimeout, serviceTypes,
                addresses == null ? MdnsBrowser.defaultAddresses() : addresses, System.nanoTime() + DiscoveryRun.horizonNanos(timeout));
        run.start();
        return StreamSupport.stream(run, false).onClose(run::close);
    }

    /** Runs until the deadline and returns everything found, in the order found. */
    public List<FoundInstrument> findAll(Duration timeout) {
        try (Stream<FoundInstrument> s = stream(timeout)) {
            return s.toList();
        }
    }

    /** Settings for a {@link Discovery}; every setting has a default. */
    public static final class Builder {
        private boolean mdns = true;
        private boolean vxi11 = true;
        private List<InetAddress> broadcastAddresses;
        private int portmapperPort = 111;
        private boolean serial = true;
        private boolean identify;
        private Duration identifyTimeout = Duration.ofSeconds(2);
        private List<String> serviceTypes = ServiceMapping.DEFAULT_TYPES;
        private List<InetAddress> addresses;

        private Builder() {}

        /** Browse mDNS/DNS-SD (default on). */
        public Builder mdns(boolean on) {
            this.mdns = on;
            return this;
        }

        /** Broadcast the VXI-11 portmapper probe (default on). */
        public Builder vxi11Broadcast(boolean on) {
            this.vxi11 = on;
            return this;
        }

        /**
         * Where the VXI-11 probe is sent; default the broadcast address of every IPv4 interface that is up, and
         * 255.255.255.255. Unicast addresses work too (one instrument behind a router).
         */
        public Builder broadcastAddresses(List<InetAddress> addresses) {
            this.broadcastAddresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
            return this;
        }

        /**
         * The portmapper's UDP port the probe goes to; default 111 (what every VXI-11 device listens on; other
         * values are for tests).
         *
         * @throws IllegalArgumentException when not 1..65535
         */
        public Builder portmapperPort(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("portmapper port must be 1..65535: " + port);
            }
            this.portmapperPort = port;
            return this;
        }

        /** List local serial ports (default on; needs {@code labwire-serial-transport}). */
        public Builder serial(boolean on) {
            this.serial = on;
            return this;
        }

        /** Ask each network instrument {@code *IDN?} before handing it out (default off). */
        public Builder identify(boolean on) {
            this.identify = on;
            return this;
        }

        /**
         * How long one {@code *IDN?} (connect and answer) may take; default 2 s; never longer than what is left of
         * the run (so {@code ChronoUnit.FOREVER.getDuration()} means "until the run's deadline").
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder identifyTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("identify timeout must be positive: " + timeout);
            }
            this.identifyTimeout = timeout;
            return this;
        }

        /**
         * The DNS-SD service types to browse, e.g. {@code _scpi-raw._tcp} (the {@code .local.} domain is added);
         * default {@code _lxi._tcp}, {@code _scpi-raw._tcp}, {@code _vxi-11._tcp}, {@code _hislip._tcp}. Types other
         * than these four are browsed but give no results (labwire has no endpoint for them).
         *
         * @throws IllegalArgumentException when empty or a type is not {@code _name._tcp}/{@code _name._udp}
         */
        public Builder serviceTypes(List<String> types) {
            if (types == null || types.isEmpty()) {
                throw new IllegalArgumentException("service types must not be empty: " + types);
            }
            for (String t : types) {
                String b = t == null ? "" : ServiceMapping.bareType(t);
                if (!b.matches("_[a-z0-9-]+\\._(tcp|udp)")) {
                    throw new IllegalArgumentException("bad DNS-SD service type '" + t + "'; expected _name._tcp");
                }
            }
            this.serviceTypes = List.copyOf(types);
            return this;
        }

        /**
         * The local addresses to browse on (one JmDNS instance each); default every address of every interface
         * that is up and multicast-capable (IPv4 ones, or IPv6 ones for an interface without IPv4).
         */
        public Builder addresses(List<InetAddress> addresses) {
            this.addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
            return this;
        }

        /** The discovery. */
        public Discovery build() {
            return new Discovery(this);
        }
    }
}
