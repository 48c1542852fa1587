package dev.labwire.netty;

import dev.labwire.core.Overflow;
import dev.labwire.core.State;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.netty.internal.DriverSetup;
import dev.labwire.netty.internal.NettyDriver;
import dev.labwire.core.endpoint.Endpoint;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * An asynchronous client for an RS485 multi-drop bus on a Netty event loop: one link (a serial port, or TCP
 * through a serial device server) shared by addressed devices such as mass flow controllers.
 * {@link #device} gives a handle per address whose calls carry that address and return at once with a
 * {@link CompletableFuture}.
 *
 * <pre>{@code
 * BusConfig cfg = BusConfig.builder().addressing(Addressing.asciiPrefix())
 *         .turnaround(Duration.ofMillis(5)).build();
 * NettyBus bus = NettyBus.open("serial:/dev/ttyUSB0?baud=19200", cfg);
 * NettyBusDevice a = bus.device("A"), b = bus.device("B");
 * a.queryNumber("FLOW?")                          // "AFLOW?" on the wire, reply "A+14.7" -> 14.7
 *  .thenCombine(b.queryNumber("FLOW?"), Double::sum)
 *  .thenAccept(total -> log.info("total flow {}", total));
 * ...
 * bus.close().join();
 * }</pre>
 *
 * <h2>Arbitration</h2>
 * The core's {@link dev.labwire.core.bus.Bus}: any number of calls may be pending across addresses, but one
 * exchange is on the wire at a time. Calls wait in one queue per address ({@code maxQueued} of the
 * connection config bounds all addresses together) and addresses take round-robin turns, so an address with
 * a thousand calls queued cannot starve the others; {@link dev.labwire.core.bus.Bus.Priority#HIGH} calls go
 * before every normal one. The config's {@link BusConfig#turnaround() turnaround} (default none) is kept
 * between exchanges. Timeouts are whole-exchange and count the wait for the bus (default 5 s, from the
 * connection config). A silent device times out alone: each of its calls costs the bus that one exchange
 * (its timeout, then {@link BusConfig#lateReplyGrace()} and the turnaround), and the other devices' calls go
 * on; keep its timeouts short if the others must keep a polling rate.
 *
 * <h2>Failures</h2>
 * Those of {@link NettyClient}, per call, each naming the command (through {@code join()} wrapped in a
 * {@link java.util.concurrent.CompletionException}): {@link dev.labwire.core.RequestTimeoutException},
 * {@link dev.labwire.core.LinkDownException}, {@link dev.labwire.core.LocalProtocolException} (bus closed,
 * queue full), and {@link dev.labwire.core.RemoteProtocolException}, which on a bus also means a reply from
 * another address, a bad checksum, or (with {@link dev.labwire.core.ConnectionConfig.Echo#CHECK_AND_DROP echo}
 * checking on) an echo that is not what was sent ("echo mismatch"). It fails that call only; the reply
 * never reaches another device's call. A command whose addressed form contains the write terminator throws
 * {@link IllegalArgumentException} at the call and nothing is sent.
 *
 * <h2>Threads and event loops</h2>
 * As for {@link NettyClient}: everything runs on one event loop of the group; futures complete on that loop, and
 * listeners and the dependents of futures run there too unless {@link Builder#callbackExecutor} is given, so
 * <b>callbacks must never block</b> (a {@code join()} there stalls every client on that loop, and waiting for one of this bus's own
 * futures deadlocks). Any method may be called from any thread, including callbacks. Without
 * {@link Builder#eventLoopGroup} the library's shared default group is used and released by {@link #close()}.
 *
 * <h2>Links</h2>
 * The link opens in the background and reopens with the config's backoff whenever it drops. There is no
 * on-connect hook on a bus: send per-device setup once {@link #ready} completes (the connection config's
 * own on-connect requests go out unaddressed, as a broadcast). Frames the config's classifier calls pushed
 * are not offered on a bus; they are dropped.
 */
public final class NettyBus {
    private static final int PUSHED_HIGH_WATER = 256; // no pushed() on a bus: nothing subscribes, nothing pauses

    private final NettyDriver driver;
    private final BusConfig config;

    private NettyBus(NettyDriver driver, BusConfig config) {
        this.driver = driver;
        this.config = config;
    }

    /**
     * Opens a bus on {@code endpoint} with {@code config}, on the default event loop group: returns at once,
     * the link opens in the background.
     *
     * @throws IllegalArgumentException for a malformed endpoint, naming the bad part
     */
    public static NettyBus open(String endpoint, BusConfig config) {
        return builder(endpoint).config(config).build();
    }

    /** A builder for a bus on {@code endpoint}; the string is parsed now and a bad one is refused with {@link IllegalArgumentException}. */
    public static Builder builder(String endpoint) {
        return new Builder(Endpoint.parse(endpoint));
    }

    /** A builder for a bus on {@code endpoint}. */
    public static Builder builder(Endpoint endpoint) {
        return new Builder(Objects.requireNonNull(endpoint, "endpoint"));
    }

    /**
     * The handle for the device at text address {@code address} (e.g. {@code "A"}, {@code "01"}).
     *
     * @throws IllegalArgumentException when {@code address} is not a valid address or the config's addressing cannot use it
     */
    public NettyBusDevice device(String address) {
        return device(Address.of(address));
    }

    /**
     * The handle for the device at numeric address {@code address} (0..255).
     *
     * @throws IllegalArgumentException when {@code address} is out of range or the config's addressing cannot use it
     */
    public NettyBusDevice device(int address) {
        return device(Address.of(address));
    }

    private NettyBusDevice device(Address address) {
        config.addressing().encode(address, new byte[0]); // a text address on binary addressing fails here, not per call
        return new NettyBusDevice(driver, address);
    }

    /**
     * The Modbus handle for unit {@code unit} (0 broadcast and 1..247 on RTU/ASCII, 0..255 on TCP); the bus must have
     * been opened with a {@link dev.labwire.core.modbus.Modbus} config.
     *
     * @throws IllegalArgumentException when the config's addressing cannot use {@code unit}
     */
    public NettyModbusUnit modbusUnit(int unit) {
        return new NettyModbusUnit(driver, config, unit);
    }

    /**
     * Calls {@code listener} with each line or modem state notification of an {@code rfc2217://} terminal server
     * (RFC 2217 NOTIFY-LINESTATE / NOTIFY-MODEMSTATE: break, framing, parity and overrun errors; CTS, DSR, RI, DCD);
     * other links never give one. Runs on the bus's event loop (or its callback executor), so it must not block.
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
     * State changes a listener missed because it ran on a {@link Builder#callbackExecutor} that fell 256 changes
     * behind (its queue drops the oldest; logged at WARN at most every 10 s). Calls are never dropped.
     */
    public long droppedCallbacks() {
        return driver.droppedCallbacks();
    }

    /**
     * Completes with this bus once the link is ready (at once if it is); fails with
     * {@link dev.labwire.core.LinkDownException} naming the state and the last cause if it is not within
     * {@code timeout}, or with {@link dev.labwire.core.LocalProtocolException} if the bus is closed; at once when the
     * first connect attempt failed for good (as {@link NettyClient#ready}).
     */
    public CompletableFuture<NettyBus> ready(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return driver.ready(timeout, this);
    }

    /** The endpoint, as a canonical string. */
    public String endpoint() {
        return driver.name();
    }

    /** The event loop this bus runs on (for scheduling work next to it, such as a polling tick; never block it). */
    public EventLoop eventLoop() {
        return driver.eventLoop();
    }

    /**
     * Closes: every pending call of every device fails at once with a
     * {@link dev.labwire.core.LocalProtocolException} saying the bus was closed, the link closes; later calls
     * fail at once. Idempotent. The future completes when the link's channel, port and threads are released;
     * it never fails.
     */
    public CompletableFuture<Void> close() {
        return driver.close();
    }

    @Override
    public String toString() {
        return "NettyBus[" + driver.name() + ", " + driver.state() + "]";
    }

    /** Builds and opens a {@link NettyBus}. Not thread-safe; build each bus from one thread. */
    public static final class Builder {
        private Endpoint endpoint;
        private BusConfig config = BusConfig.DEFAULT;
        private final List<ConnectionListener> listeners = new ArrayList<>();
        private EventLoopGroup group;
        private Executor callbackExecutor;

        private Builder(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        /**
         * How an {@code rfc2217://} endpoint sets up the port on each new link (the {@code ack_ms}, {@code purge} and
         * {@code dtr_rts} keys of the endpoint string; default {@link dev.labwire.core.rfc2217.Rfc2217Options#DEFAULT}).
         *
         * @throws IllegalArgumentException when the endpoint is not {@code rfc2217://}
         */
        public Builder rfc2217Options(dev.labwire.core.rfc2217.Rfc2217Options options) {
            this.endpoint = dev.labwire.core.internal.Sessions.withRfc2217Options(endpoint, options);
            return this;
        }

        /** Addressing, turnaround, late-reply grace and the link's settings. Default {@link BusConfig#DEFAULT}. */
        public Builder config(BusConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Told of every state change; registered before the link opens, so it sees the first CONNECTING. May be called more than once. */
        public Builder listener(ConnectionListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The event loop group to run on, owned by the caller: the bus never shuts it down, and it must outlive
         * the bus. TCP needs an NIO group ({@code MultiThreadIoEventLoopGroup} with {@code NioIoHandler});
         * serial endpoints run on any event loop. Default: the library's shared group.
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        /**
         * Where user code runs, one task at a time in order (whatever the executor's pool size): listeners, and every
         * dependent of the bus's futures registered without an executor ({@code thenApply}, {@code whenComplete}, ...,
         * before or after the future completed). Default: the event loop itself (fastest; callbacks must not block).
         * The futures of calls, {@code ready()} and {@code close()} complete on the event loop either way, so callbacks
         * run here may block this bus's other callbacks, but not its I/O, its calls (each ends by its deadline) nor
         * {@code close()}. Inside a callback here a wait for a call's own future is allowed; one for an unfinished
         * stage chained from it throws {@link io.netty.util.concurrent.BlockingOperationException}.
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Opens the bus: returns at once, the link opens in the background.
         *
         * @throws IllegalArgumentException when a TCP endpoint is given a group that is not NIO
         * @throws IllegalStateException    when the given group is shut down
         */
        public NettyBus build() {
            List<BiConsumer<State, Throwable>> ls = listeners.stream().<BiConsumer<State, Throwable>>map(l -> l::onStateChanged).toList();
            BusConfig cfg = config;
            Endpoint ep = endpoint;
            return new NettyBus(DriverSetup.start(ep, group, callbackExecutor, ls, PUSHED_HIGH_WATER,
                    DriverSetup.DEFAULT_PUSHED_CAPACITY, Overflow.DROP_OLDEST, DriverSetup.DEFAULT_WRITE_HIGH_WATER,
                    setup -> new NettyDriver(ep, cfg, setup)), cfg);
        }
    }
}
