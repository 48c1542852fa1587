package dev.labwire.mock;

/**
 * How a {@link MockInstrument#vxi11(Vxi11Options) VXI-11 mock} listens. Immutable; each setter returns a copy.
 *
 * <ul>
 *   <li>{@link #portmapperPort(int)}: the portmapper's TCP and UDP port, default {@value #DEFAULT_PORTMAPPER_PORT}
 *       (what every VXI-11 client asks). Binding 111 needs root or CAP_NET_BIND_SERVICE and clashes with a running
 *       rpcbind: tests use 0 (a free port) or 111 inside a network namespace of their own.</li>
 *   <li>{@link #corePort(int)}, {@link #abortPort(int)}: the core and abort channels' TCP ports, default 0 (free
 *       ports; clients find the core port through the portmapper and the abort port in create_link's reply).</li>
 *   <li>{@link #maxRecvSize(int)}: the largest device_write the device takes, told to the client by create_link,
 *       default {@value #DEFAULT_MAX_RECV_SIZE} bytes; a larger write gets error 5, so clients must cut long
 *       messages into chunks and set END on the last.</li>
 *   <li>{@link #interruptChannel(boolean)}: whether create_intr_chan is served (default true): false refuses it with
 *       error 21, as an instrument that cannot reach the host does.</li>
 *   <li>{@link #emptyReads(boolean)}: a fault, device_read answering at once with no data and no reason while no
 *       reply is readable (default false).</li>
 *   <li>{@link #replyFragment(int)}: a fault, the core channel's replies cut into record-marking fragments of at most
 *       that many bytes (default 0: one fragment per reply).</li>
 * </ul>
 * Everything listens on 127.0.0.1 only.
 */
public final class Vxi11Options {

    /** The portmapper's well-known port. */
    public static final int DEFAULT_PORTMAPPER_PORT = 111;
    /** The default maxRecvSize. */
    public static final int DEFAULT_MAX_RECV_SIZE = 4096;
    /** What the {@link MockInstrument#commands() command log} shows for a device_clear. */
    public static final String DEVICE_CLEAR_COMMAND = "<device_clear>";

    private final int portmapperPort;
    private final int corePort;
    private final int abortPort;
    private final int maxRecvSize;
    private final boolean interruptChannel;
    private final boolean interruptCallback;
    private final int replyFragment;
    private final boolean emptyReads;

    private Vxi11Options(int portmapperPort, int corePort, int abortPort, int maxRecvSize, boolean interruptChannel,
            boolean interruptCallback) {
        this(portmapperPort, corePort, abortPort, maxRecvSize, interruptChannel, interruptCallback, 0, false);
    }

    private Vxi11Options(int portmapperPort, int corePort, int abortPort, int maxRecvSize, boolean interruptChannel,
            boolean interruptCallback, int replyFragment, boolean emptyReads) {
        this.portmapperPort = portmapperPort;
        this.corePort = corePort;
        this.abortPort = abortPort;
        this.maxRecvSize = maxRecvSize;
        this.interruptChannel = interruptChannel;
        this.interruptCallback = interruptCallback;
        this.replyFragment = replyFragment;
        this.emptyReads = emptyReads;
    }

    /** Portmapper on 111, core and abort channels on free ports, maxRecvSize 4096. */
    public static Vxi11Options defaults() {
        return new Vxi11Options(DEFAULT_PORTMAPPER_PORT, 0, 0, DEFAULT_MAX_RECV_SIZE, true, true);
    }

    private static int port(int port, String what) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(what + " must be 0..65535: " + port);
        }
        return port;
    }

    /** The portmapper's port (0: a free one, see {@link MockInstrument#portmapperPort()}). */
    public Vxi11Options portmapperPort(int port) {
        return new Vxi11Options(port(port, "portmapperPort"), corePort, abortPort, maxRecvSize, interruptChannel,
                interruptCallback, replyFragment, emptyReads);
    }

    /** The core channel's port (0: a free one). */
    public Vxi11Options corePort(int port) {
        return new Vxi11Options(portmapperPort, port(port, "corePort"), abortPort, maxRecvSize, interruptChannel,
                interruptCallback, replyFragment, emptyReads);
    }

    /** The abort channel's port (0: a free one). */
    public Vxi11Options abortPort(int port) {
        return new Vxi11Options(portmapperPort, corePort, port(port, "abortPort"), maxRecvSize, interruptChannel,
                interruptCallback, replyFragment, emptyReads);
    }

    /** The largest device_write accepted, 1..{@value Vxi11Device#MAX_MESSAGE} bytes. */
    public Vxi11Options maxRecvSize(int bytes) {
        if (bytes < 1 || bytes > Vxi11Device.MAX_MESSAGE) {
            throw new IllegalArgumentException("maxRecvSize must be 1.." + Vxi11Device.MAX_MESSAGE + ": " + bytes);
        }
        return new Vxi11Options(portmapperPort, corePort, abortPort, bytes, interruptChannel, interruptCallback,
                replyFragment, emptyReads);
    }

    /**
     * Whether create_intr_chan is served (default true). False plays an instrument that cannot call the host back
     * (behind NAT or a firewall, or without interrupt support): create_intr_chan fails with error 21 (invalid address)
     * and no connection is made.
     */
    public Vxi11Options interruptChannel(boolean served) {
        return new Vxi11Options(portmapperPort, corePort, abortPort, maxRecvSize, served, interruptCallback,
                replyFragment, emptyReads);
    }

    /** Whether create_intr_chan is served. */
    public boolean interruptChannel() {
        return interruptChannel;
    }

    /**
     * Whether the mock itself connects back on create_intr_chan (default true). False accepts create_intr_chan without
     * connecting and keeps where it was asked to connect and device_enable_srq's handle
     * ({@link MockInstrument#vxi11InterruptTarget()}), so that a test lets another RPC implementation play the
     * instrument's side of the interrupt channel; {@link MockInstrument#requestService()} then calls nobody.
     */
    public Vxi11Options interruptCallback(boolean connect) {
        return new Vxi11Options(portmapperPort, corePort, abortPort, maxRecvSize, interruptChannel, connect,
                replyFragment, emptyReads);
    }

    /** Whether the mock connects back on create_intr_chan. */
    public boolean interruptCallback() {
        return interruptCallback;
    }

    /**
     * A fault: the core channel sends each RPC reply as record-marking fragments of at most {@code bytes} bytes
     * (RFC 5531 section 11 allows any length, 1 included; some RPC stacks send a reply in several fragments). 0, the
     * default, sends each reply as one fragment.
     */
    public Vxi11Options replyFragment(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("replyFragment must be 0 (one fragment) or more bytes: " + bytes);
        }
        return new Vxi11Options(portmapperPort, corePort, abortPort, maxRecvSize, interruptChannel, interruptCallback,
                bytes, emptyReads);
    }

    /** The core channel's largest reply fragment, 0 for one fragment per reply. */
    public int replyFragment() {
        return replyFragment;
    }

    /**
     * A fault: device_read never waits. It answers at once with what is readable, and when no reply byte is, with
     * error 0, reason 0 and no data: neither END, CHR nor REQCNT, although VXI-11 B.6.12 ends a read without error
     * only on one of them and otherwise waits up to io_timeout (error 15). Default false: a read waits up to its
     * io_timeout for the reply. {@link MockInstrument#vxi11DeviceReads()} counts the reads a client made.
     */
    public Vxi11Options emptyReads(boolean answerAtOnce) {
        return new Vxi11Options(portmapperPort, corePort, abortPort, maxRecvSize, interruptChannel, interruptCallback,
                replyFragment, answerAtOnce);
    }

    /** Whether device_read answers at once, empty when nothing is readable. */
    public boolean emptyReads() {
        return emptyReads;
    }

    /** The portmapper's port as configured. */
    public int portmapperPort() {
        return portmapperPort;
    }

    /** The core channel's port as configured. */
    public int corePort() {
        return corePort;
    }

    /** The abort channel's port as configured. */
    public int abortPort() {
        return abortPort;
    }

    /** The largest device_write accepted. */
    public int maxRecvSize() {
        return maxRecvSize;
    }

    @Override
    public String toString() {
        return "Vxi11Options[portmapper " + portmapperPort + ", core " + corePort + ", abort " + abortPort
                + ", maxRecvSize " + maxRecvSize + (interruptChannel ? "" : ", no interrupt channel")
                + (interruptCallback ? "" : ", no interrupt callback")
                + (replyFragment == 0 ? "" : ", reply fragments of " + replyFragment + " bytes")
                + (emptyReads ? ", empty reads at once" : "") + "]";
    }
}
