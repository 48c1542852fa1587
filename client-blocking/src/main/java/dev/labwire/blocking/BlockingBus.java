package dev.labwire.blocking;

import dev.labwire.blocking.internal.BlockingDriver;
import dev.labwire.blocking.internal.DriverOptions;
import dev.labwire.core.State;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.endpoint.Endpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * A thread-safe blocking client for an RS485 multi-drop bus: one link (a serial port, or TCP through a serial
 * device server) shared by addressed devices such as mass flow controllers. {@link #device} gives a handle per
 * address whose calls carry that address.
 *
 * <pre>{@code
 * BusConfig cfg = BusConfig.builder().addressing(Addressing.asciiPrefix())
 *         .turnaround(Duration.ofMillis(5)).build();
 * try (BlockingBus bus = BlockingBus.open("serial:/dev/ttyUSB0?baud=19200", cfg)) {
 *     BusDevice a = bus.device("A"), b = bus.device("B");
 *     double flowA = a.queryNumber("FLOW?");   // "AFLOW?" on the wire, reply "A+14.7" -> 14.7
 *     b.write("SP 50");
 * }
 * }</pre>
 *
 * <p><b>Arbitration</b> is the core's {@link dev.labwire.core.bus.Bus}: one exchange on the wire at a time,
 * round-robin turns between addresses (a busy address cannot starve the others), optional
 * {@link dev.labwire.core.bus.Bus.Priority#HIGH high priority} per call, and the config's turnaround delay
 * between exchanges. A silent device times out alone: its timeout costs the bus that one exchange.
 *
 * <p><b>Failures</b> are those of {@link BlockingClient}, per call; a reply from another address or with a bad
 * checksum is a {@link dev.labwire.core.RemoteProtocolException} for that call only, never a reply to another
 * device. With {@link dev.labwire.core.ConnectionConfig.Echo#CHECK_AND_DROP echo} on, a wrong echo fails the call
 * with "echo mismatch". Links reconnect with the config's backoff. There is no on-connect hook on a bus (send
 * configuration per device after {@link #awaitReady}). Under link faults a bus behaves as {@link BlockingClient}
 * does: calls end by their own timeout while a connect hangs or the port is not drained, an interrupted call not yet
 * sent is withdrawn, and {@link #close()} returns within 2 s in every state. {@link #close()} is idempotent; calls
 * after it fail at once.
 */
public final class BlockingBus implements AutoCloseable {
    private final BlockingDriver driver;
    private final BusConfig config;

    private BlockingBus(BlockingDriver driver, BusConfig config) {
        this.driver = driver;
        this.config = config;
    }

    /**
     * Opens a bus on {@code endpoint}: returns at once, the link opens in the background.
     *
     * @throws IllegalArgumentException for a malformed endpoint, naming the bad part
     */
    public static BlockingBus open(String endpoint, BusConfig config) {
        return open(Endpoint.parse(endpoint), config, null);
    }

    /** As {@link #open(String, BusConfig)}, telling {@code listener} of every state change. */
    public static BlockingBus open(String endpoint, BusConfig config, ConnectionListener listener) {
        return open(Endpoint.parse(endpoint), config, listener);
    }

    private static BlockingBus open(Endpoint endpoint, BusConfig config, ConnectionListener listener) {
        Objects.requireNonNull(config, "config");
        BlockingDriver d = new BlockingDriver(endpoint, config, DriverOptions.DEFAULT);
        if (listener != null) {
            d.addStateListener(listener::onStateChanged);
        }
        d.start();
        return new BlockingBus(d, config);
    }

    /**
     * The handle for the device at text address {@code address} (e.g. {@code "A"}, {@code "01"}).
     *
     * @throws IllegalArgumentException when {@code address} is not a valid address or the config's addressing cannot
     *     use it (a text address on binary addressing), before anything is sent
     */
    public BusDevice device(String address) {
        return device(Address.of(address));
    }

    /**
     * The handle for the device at numeric address {@code address} (0..255).
     *
     * @throws IllegalArgumentException when {@code address} is out of range or the config's addressing cannot use it
     */
    public BusDevice device(int address) {
        return device(Address.of(address));
    }

    private BusDevice device(Address address) {
        config.addressing().encode(address, new byte[0]); // refused here, as by NettyBus, not at the first call
        return new BusDevice(driver, address);
    }

    /**
     * The Modbus handle for unit {@code unit} (0 broadcast and 1..247 on RTU/ASCII, 0..255 on TCP); the bus must have
     * been opened with a {@link dev.labwire.core.modbus.Modbus} config.
     *
     * @throws IllegalArgumentException when the config's addressing cannot use {@code unit}
     */
    public ModbusUnit modbusUnit(int unit) {
        return new ModbusUnit(driver, config, unit);
    }

    /**
     * Calls {@code listener} with each line or modem state notification of an {@code rfc2217://} terminal server
     * (RFC 2217 NOTIFY-LINESTATE / NOTIFY-MODEMSTATE: break, framing, parity and overrun errors; CTS, DSR, RI, DCD);
     * other links never give one. Runs on the bus's callback thread through a bounded queue (256, the oldest dropped).
     * Close the handle to stop.
     */
    public AutoCloseable onPortState(java.util.function.Consumer<dev.labwire.core.Event.PortState> listener) {
        return driver.onPortState(Objects.requireNonNull(listener, "listener"));
    }

    /** The bus settings. */
    public BusConfig config() {
        return config;
    }

    /** The link's state now. */
    public State state() {
        return driver.state();
    }

    /**
     * Waits until the link is ready; throws {@link dev.labwire.core.LinkDownException} with the last cause otherwise,
     * at once when the first connect attempt failed for good (as {@link BlockingClient#awaitReady}).
     */
    public BlockingBus awaitReady(Duration timeout) {
        driver.awaitReady(timeout);
        return this;
    }

    /** The endpoint, as a canonical string. */
    public String endpoint() {
        return driver.name();
    }

    /** Closes the link and ends every pending call; idempotent; returns once the bus's threads ended. */
    @Override
    public void close() {
        driver.close();
    }

    @Override
    public String toString() {
        return "BlockingBus[" + driver.name() + ", " + driver.state() + "]";
    }
}
