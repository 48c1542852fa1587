package dev.labwire.netty;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Overflow;
import dev.labwire.core.Operation;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.internal.Counts;
import dev.labwire.core.scpi.BinaryValues;
import dev.labwire.core.scpi.Scpi;
import dev.labwire.core.scpi.ValueType;
import dev.labwire.netty.internal.Call;
import dev.labwire.netty.internal.DriverSetup;
import dev.labwire.netty.internal.NettyDriver;
import dev.labwire.core.endpoint.Endpoint;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.BiConsumer;

/**
 * An asynchronous client for one instrument on a Netty event loop, over TCP ({@code tcp://host:5025}) or a
 * serial port ({@code serial:/dev/ttyUSB0?baud=115200}): the same protocol core, endpoint strings, config
 * and behaviour as {@code BlockingClient}, without a thread per instrument. For programs that watch many
 * instruments at once: a thousand clients can share one event loop thread.
 *
 * <pre>{@code
 * NettyClient psu = NettyClient.open("tcp://10.0.0.7:5025");
 * psu.write("VOLT 5")
 *    .thenCompose(v -> psu.queryNumber("MEAS:VOLT?"))
 *    .thenAccept(volts -> log.info("output at {} V", volts));
 * ...
 * psu.close().join();
 * }</pre>
 *
 * <h2>Calls</h2>
 * Every call returns at once with a {@link CompletableFuture}. Requests queue in call order and at most
 * {@code maxInFlight} of them are on the wire (pipelining; {@link ConnectionConfig}); replies are matched
 * in order by the core, and a late reply to a timed-out call is swallowed, never handed to the next call.
 * Each future ends within its request's timeout (default 5 s), driven by the core's timer on the event
 * loop, late only by the time the loop waits for a CPU or for work queued before it (keep callbacks that run on
 * the loop short). It fails with (seen through {@link CompletableFuture#join()} wrapped in a
 * {@link java.util.concurrent.CompletionException}, through {@code get()} in an
 * {@link java.util.concurrent.ExecutionException}):
 * <ul>
 *   <li>{@link dev.labwire.core.RequestTimeoutException}: no whole reply in time;</li>
 *   <li>{@link dev.labwire.core.LinkDownException}: the link dropped during the call, or was down throughout;</li>
 *   <li>{@link dev.labwire.core.RemoteProtocolException}: the reply broke the protocol; the client stays usable;</li>
 *   <li>{@link dev.labwire.core.LocalProtocolException}: the client is closed (or was closed while the call
 *       waited), or its queue is full ({@code maxQueued});</li>
 * </ul>
 * Wrong arguments are refused at the call, before a future exists, and nothing is sent: a null
 * command or timeout throws {@link NullPointerException}; an empty command, a timeout that is not
 * positive, a line count below 1, or a command that contains the config's write terminator (it would reach
 * the device as two commands) throws {@link IllegalArgumentException} naming the value.
 * <h2>Cancelling</h2>
 * {@code cancel(...)} on a future a call returned withdraws its request: one whose bytes have not gone out
 * yet is never sent (the device never sees the command); one already written ends at once, and its reply, if
 * it comes, is dealt with by the config's stale-reply policy as after a timeout, never handed to a later call.
 * Cancelling a dependent stage ({@code query(...).thenApply(...)}) does not reach the request: the JDK does
 * not pass a cancel upstream, and another dependent may still want the reply.
 *
 * <h2>Outbound bytes</h2>
 * The client hands a link at most {@link Builder#writeBufferHighWater} bytes that are not on the wire yet
 * (default 64 KiB; TCP: Netty's write buffer water mark; serial: the bytes given to the writer thread). A peer
 * that stops reading (a full TCP window, a pty nobody drains, hardware flow control held) therefore holds at
 * most that much plus one buffer: later calls wait in the queue, unwritten, and fail at their own timeout with
 * a {@link dev.labwire.core.RequestTimeoutException} saying how many bytes wait to go out, or at once with a
 * {@link dev.labwire.core.LocalProtocolException} when {@code maxQueued} calls already wait. A call already
 * handed to a link that never takes it fails at its own timeout as written. Nothing blocks a thread: other
 * clients, listeners and {@link #close()} carry on.
 *
 * <h2>Threads</h2>
 * All of a client's work happens on one event loop of its group, picked when it is built. Futures complete there;
 * their callbacks, listeners, stream subscribers and the on-connect hook run <em>on that event loop</em> by default, so
 * <b>callbacks must never block</b>: a {@code join()}, {@code get()}, {@code Thread.sleep} or blocking I/O in a
 * callback stalls this client and every other client on that loop, and waiting there for one of the
 * client's own futures deadlocks. Give {@link Builder#callbackExecutor} an executor to run them there
 * instead (still one at a time, in order); the futures themselves still complete on the event loop, so a callback
 * blocked there delays other callbacks but no call and not {@link #close()}. Any method may be called from any thread,
 * including callbacks.
 *
 * <h2>Event loops</h2>
 * {@link Builder#eventLoopGroup} shares the caller's NIO group ({@code new MultiThreadIoEventLoopGroup(
 * NioIoHandler.newFactory())}); the client never shuts it down, and it must outlive the client. Without
 * one the client uses a default group owned by the library (daemon threads {@code labwire-netty-*}),
 * reference-counted: the first client makes it, and it is shut down when the {@link #close()} of the last
 * client using it completes.
 *
 * <h2>Links</h2>
 * The link opens in the background and reopens with the config's backoff whenever it drops; the
 * {@link Builder#onConnect on-connect hook} runs on each new link before any queued call. A hook that throws
 * (anything, an {@link AssertionError} included), returns a stage that fails, or does not complete within
 * {@link Builder#hookTimeout} (default 10 s) ends that link: it is renewed with backoff, and queued calls that
 * time out meanwhile fail with a {@link dev.labwire.core.LinkDownException} whose cause is the hook's failure
 * (a {@link java.util.concurrent.TimeoutException} for a hook that overran). Serial ports are
 * read by one platform thread per open port ({@code labwire-serial-reader <endpoint>}) that hands bytes to
 * the event loop, and written by one more ({@code labwire-serial-writer}) because writes can block under
 * flow control. Netty has no maintained serial transport.
 *
 * <h2>Pushed frames</h2>
 * Frames the {@link dev.labwire.core.FrameClassifier} calls pushed (status pushes, stream samples) come out
 * of {@link #pushed()} with real backpressure, and of {@link #latest()} as newest-value samples. Frames
 * that come while neither has a subscriber are dropped and counted ({@link #droppedPushed()}). Every subscriber
 * and listener has its own bounded queue with an {@link Overflow} policy, as in the blocking client, so a consumer
 * slower than the device never makes memory grow: what its queue drops is counted by {@link #droppedCallbacks()}
 * and logged at WARN at most every 10 s. On a {@link Builder#callbackExecutor} at most one batch of 64 items per
 * subscriber or listener waits there; a listener's queue keeps its last 256 state changes.
 *
 * <h2>Seeing the bytes</h2>
 * At TRACE, the SLF4J logger {@code dev.labwire.wire.<endpoint>} (the endpoint without its {@code ?settings}, each
 * run of chars other than letters and digits made one {@code _}: {@code tcp://10.0.0.5:5025} logs to
 * {@code dev.labwire.wire.tcp_10_0_0_5_5025}) gets a line for every chunk written ({@code >>}) and read
 * ({@code <<}), with the milliseconds since the link came up, the byte count, the request and the bytes escaped,
 * at most 200 a line. Set {@code dev.labwire.wire} for every client. A {@link NettyBus} logs the same way.
 */
public final class NettyClient {
    private final NettyDriver driver;

    private NettyClient(NettyDriver driver) {
        this.driver = driver;
    }

    /** Opens a client to {@code endpoint} with the default config, on the default event loop group. */
    public static NettyClient open(String endpoint) {
        return builder(endpoint).build();
    }

    /** Opens a client to {@code endpoint} with {@code config}, on the default event loop group. */
    public static NettyClient open(String endpoint, ConnectionConfig config) {
        return builder(endpoint).config(config).build();
    }

    /**
     * Opens a client to {@code endpoint} and waits for its first link, failing fast (see {@link #ready}): completes
     * with a ready client, or fails with the {@link dev.labwire.core.LinkDownException} of {@link #ready} after
     * closing the client (the failed future completes once the close has).
     *
     * <pre>{@code
     * NettyClient psu = NettyClient.openAndAwait("tcp://192.168.1.50:5025", ConnectionConfig.DEFAULT,
     *         Duration.ofSeconds(3)).join();   // fails within 3 s; at once when refused
     * }</pre>
     *
     * @throws IllegalArgumentException at once, for a bad endpoint string
     */
    public static CompletableFuture<NettyClient> openAndAwait(String endpoint, ConnectionConfig config,
                                                              Duration timeout) {
        return ClientStart.openAndAwait(endpoint, config, timeout);
    }

    /** A builder for a client to {@code endpoint}; the string is parsed now and a bad one is refused with {@link IllegalArgumentException}. */
    public static Builder builder(String endpoint) {
        return new Builder(Endpoint.parse(endpoint));
    }

    /** A builder for a client to {@code endpoint}. */
    public static Builder builder(Endpoint endpoint) {
        return new Builder(Objects.requireNonNull(endpoint, "endpoint"));
    }

    /** Sends {@code command}; completes with its one-line reply, without terminator. */
    public CompletableFuture<String> query(String command) {
        return driver.request(Request.query(command), Call.TEXT);
    }

    /** {@link #query(String)} with its own whole-exchange timeout. */
    public CompletableFuture<String> query(String command, Duration timeout) {
        return driver.request(Request.query(command).withTimeout(timeout), Call.TEXT);
    }

    /** Sends {@code command}, expecting no reply; completes once the bytes are handed to the link. */
    public CompletableFuture<Void> write(String command) {
        return driver.request(Request.write(command), r -> null);
    }

    /** {@link #write(String)} with its own timeout (the wait for a free slot and a live link). */
    public CompletableFuture<Void> write(String command, Duration timeout) {
        return driver.request(Request.write(command).withTimeout(timeout), r -> null);
    }

    /** Sends {@code command}; completes with exactly {@code count} reply lines. */
    public CompletableFuture<List<String>> queryLines(String command, int count) {
        return driver.request(Request.of(command, Expect.lines(count)), NettyClient::texts);
    }

    /** Sends {@code command}; completes with the reply lines up to {@code marker} (excluded). */
    public CompletableFuture<List<String>> queryLinesUntil(String command, String marker) {
        return driver.request(Request.of(command, Expect.linesUntil(marker)), NettyClient::texts);
    }

    /** Sends {@code command}; completes with the payload of its IEEE 488.2 block reply ({@code #3100...}). */
    public CompletableFuture<byte[]> queryBlock(String command) {
        return driver.request(Request.of(command, Expect.block()), r -> dev.labwire.core.internal.FrameAccess.take(r.frame()));
    }

    /** {@link #queryBlock(String)} with its own timeout and a payload limit of {@code maxLength} bytes. */
    public CompletableFuture<byte[]> queryBlock(String command, int maxLength, Duration timeout) {
        return driver.request(Request.of(command, Expect.block(maxLength)).withTimeout(timeout), r -> dev.labwire.core.internal.FrameAccess.take(r.frame()));
    }

    /** Sends {@code command}; completes with its reply parsed as one SCPI number ({@code 9.9E37} = infinity). */
    public CompletableFuture<Double> queryNumber(String command) {
        return driver.request(Request.query(command), r -> Scpi.parseNumber(r.text()));
    }

    /** Sends {@code command}; completes with its reply parsed as comma-separated SCPI numbers. */
    public CompletableFuture<double[]> queryNumbers(String command) {
        return driver.request(Request.query(command), r -> Scpi.parseNumbers(r.text()));
    }

    /**
     * Sends {@code command}; completes with the payload of its IEEE 488.2 block reply decoded as binary
     * numbers (PyVISA's {@code query_binary_values}), e.g.
     * {@code scope.queryBinaryValues("CURV?", ValueType.INT16, ByteOrder.BIG_ENDIAN).thenApply(BinaryValues::asShorts)}.
     *
     * <p>There is no default byte order: SCPI's {@code FORM:BORD NORM} is {@link ByteOrder#BIG_ENDIAN}, PyVISA's
     * default little-endian. The reply is read as {@link #queryBlock(String)} reads it (the default timeout; a payload
     * of at most {@link ConnectionConfig#maxFrameLength()} bytes, default 65,536). Decoding reads the reply frame
     * through a typed buffer view, copying the values once, on the thread that completes the future.
     *
     * <p>Fails (exceptionally) with {@link dev.labwire.core.RemoteProtocolException} if the reply is not a block or its
     * payload is not a whole number of values (naming the byte count and the value size), or as any call does.
     *
     * @throws NullPointerException at once if {@code type} or {@code order} is null
     */
    public CompletableFuture<BinaryValues> queryBinaryValues(String command, ValueType type, ByteOrder order) {
        return queryBinaryValues(Request.of(command, Expect.block()), type, order);
    }

    /** {@link #queryBinaryValues(String, ValueType, ByteOrder)} with its own timeout and a payload limit of {@code maxLength} bytes. */
    public CompletableFuture<BinaryValues> queryBinaryValues(String command, ValueType type, ByteOrder order, int maxLength,
            Duration timeout) {
        return queryBinaryValues(Request.of(command, Expect.block(maxLength)).withTimeout(timeout), type, order);
    }

    private CompletableFuture<BinaryValues> queryBinaryValues(Request request, ValueType type, ByteOrder order) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(order, "order");
        return driver.request(request, r -> BinaryValues.decode(r.frame().asReadOnlyBuffer(), type, order));
    }

    /**
     * Sends {@code command}; completes with its one-line reply parsed as comma-separated SCPI numbers
     * ({@code +1.23E+00,9.9E37,NAN} gives {@code {1.23, Infinity, NaN}}), PyVISA's {@code query_ascii_values}.
     * The same as {@link #queryNumbers(String)}; an empty reply is an empty array. Fails with
     * {@link dev.labwire.core.RemoteProtocolException} naming the index and text of the first element that is not
     * a number, or as any call does.
     */
    public CompletableFuture<double[]> queryAsciiValues(String command) {
        return driver.request(Request.query(command), r -> Scpi.parseNumbers(r.text()));
    }

    /**
     * Calls {@code listener} with the status byte each time the instrument requests service (IEEE 488.1 SRQ): VXI-11's
     * interrupt channel or HiSLIP's AsyncServiceRequest, or, on a raw SCPI link, a rise of the status byte's MSS bit
     * (6) found by polling {@code *STB?} every {@link ConnectionConfig#serviceRequestPolling()} (off by default: set it
     * to get events there). Runs where listeners run (the callback executor, else the event loop), through a bounded
     * queue (256, the oldest dropped and counted by {@link #droppedCallbacks()}). Close the handle to stop.
     */
    public AutoCloseable onServiceRequest(java.util.function.IntConsumer listener) {
        return driver.onServiceRequest(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Calls {@code listener} with each line or modem state notification of an {@code rfc2217://} terminal server
     * (RFC 2217 NOTIFY-LINESTATE / NOTIFY-MODEMSTATE: break, framing, parity and overrun errors; CTS, DSR, RI, DCD);
     * other links never give one. Runs where listeners run (the callback executor, else the event loop), through a
     * bounded queue (256, the oldest dropped and counted by {@link #droppedCallbacks()}). Close the handle to stop.
     */
    public AutoCloseable onPortState(java.util.function.Consumer<Event.PortState> listener) {
        return driver.onPortState(Objects.requireNonNull(listener, "listener"));
    }

    // ------------------------------------------------------------------ session-protocol operations

    /**
     * Reads the instrument's status byte (IEEE 488.2 STB; bit 6, {@code 0x40}, is RQS/MSS). On VXI-11 and HiSLIP this
     * is the protocol's own status read; on a raw SCPI link the {@code *STB?} query ({@link Operation}). Fails with
     * {@link dev.labwire.core.RemoteProtocolException} when the reply is not a number 0..255.
     */
    public CompletableFuture<Integer> readStatusByte() {
        return driver.request(Request.operation(Operation.READ_STATUS_BYTE), dev.labwire.core.internal.Operations::statusByte);
    }

    /**
     * Device clear (IEEE 488.1 DCL/SDC): the instrument drops its input and output buffers. VXI-11 and HiSLIP only:
     * elsewhere the future fails with {@link UnsupportedOperationException} naming the transports that have it.
     */
    public CompletableFuture<Void> clear() {
        return driver.request(Request.operation(Operation.CLEAR), r -> null);
    }

    /** Triggers the instrument (IEEE 488.1 GET on VXI-11 and HiSLIP, {@code *TRG} on a raw SCPI link). */
    public CompletableFuture<Void> trigger() {
        return driver.request(Request.operation(Operation.TRIGGER), r -> null);
    }

    /**
     * Takes the instrument's exclusive lock, waiting for it up to {@code timeout} (then the future fails with
     * {@link dev.labwire.core.RequestTimeoutException}). VXI-11 and HiSLIP only ({@link UnsupportedOperationException}
     * elsewhere).
     */
    public CompletableFuture<Void> lock(Duration timeout) {
        return driver.request(Request.operation(Operation.LOCK).withTimeout(timeout), r -> null);
    }

    /** Releases this client's lock. VXI-11 and HiSLIP only ({@link UnsupportedOperationException} elsewhere). */
    public CompletableFuture<Void> unlock() {
        return driver.request(Request.operation(Operation.UNLOCK), r -> null);
    }

    /** Runs any request of the core; completes with its reply. */
    public CompletableFuture<Event.Reply> request(Request request) {
        return driver.request(Objects.requireNonNull(request, "request"), Call.REPLY);
    }

    /**
     * Every pushed frame, in order, to each subscriber, with backpressure. Frames wait in a queue per
     * subscriber until it requests them; when a subscriber has {@link Builder#pushedBufferSize} frames
     * waiting, the client stops reading the link (TCP: auto-read off; serial: the reader pauses) until it
     * is down to half of that, so the device's flow control or the OS buffer holds the rest. The queue holds
     * at most {@link Builder#pushedQueueCapacity} frames (what one read brought in after the pause); beyond
     * that {@link Builder#pushedOverflow} decides (default: the oldest is dropped), counted by
     * {@link #droppedCallbacks()}. With the defaults nothing is lost, but while reading is paused replies wait
     * too: keep requesting, use {@link #latest()} for monitoring, or a capacity below
     * {@code pushedBufferSize} to drop instead of pausing. Survives reconnects; completes after {@link #close()} once the
     * subscriber has taken what was buffered. Any number of subscribers; each sees the frames pushed after
     * it subscribed.
     */
    public Flow.Publisher<Frame> pushed() {
        return driver.hub().all();
    }

    /**
     * The newest pushed frame each time a subscriber asks, for watching a status stream at a slower rate
     * than the device sends it: per subscriber, a newer frame replaces one not yet delivered, and
     * {@link LatestFrame#dropped()} says how many were replaced. Never slows reading. Completes after
     * {@link #close()}.
     */
    public Flow.Publisher<LatestFrame> latest() {
        return driver.hub().latest();
    }

    /** Pushed frames dropped because neither {@link #pushed()} nor {@link #latest()} had a subscriber. */
    public long droppedPushed() {
        return driver.hub().droppedUnclaimed();
    }

    /**
     * Items the client's bounded callback queues dropped so far because their consumer was too slow: frames a
     * {@link #pushed()} subscriber's queue dropped under {@link Builder#pushedOverflow} (and frames still waiting
     * for a subscriber that cancelled or failed), frames a {@link #latest()} subscriber never saw, and state changes
     * a listener on a slow {@link Builder#callbackExecutor} missed. Each queue also logs its drops at WARN at most
     * once per 10 s ({@link #latest()}: at DEBUG, skipping is its purpose). Calls are never dropped.
     */
    public long droppedCallbacks() {
        return driver.droppedCallbacks();
    }

    /** The link's state now. */
    public State state() {
        return driver.state();
    }

    /**
     * Completes with this client once the link is ready (at once if it is); fails with
     * {@link dev.labwire.core.LinkDownException} naming the state and the last cause if it is not within
     * {@code timeout}, or with {@link dev.labwire.core.LocalProtocolException} if the client is closed.
     *
     * <p><b>Fails fast on the first connection.</b> Until the link has been ready once, a connect attempt that
     * failed for good fails the future at once instead of after {@code timeout}: connection refused, unknown host,
     * no such serial port, port busy (open in another client or program), permission denied. The message says
     * {@code "link to <endpoint> not ready: <why> (<detail>)"}; the cause is the driver's error (a
     * {@link java.net.ConnectException}, a {@link dev.labwire.serial.SerialPortException} with its
     * {@link dev.labwire.serial.SerialPortException#reason()}). The client keeps retrying in the background; close
     * it if you give up. A connect that hangs fails after the connect timeout and is retried, so that wait ends at
     * {@code timeout}. Once the link has been ready, a later wait rides out reconnects.
     */
    public CompletableFuture<NettyClient> ready(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return driver.ready(timeout, this);
    }

    /** The endpoint, as a canonical string. */
    public String endpoint() {
        return driver.name();
    }

    /** The event loop this client runs on (for scheduling work next to it; never block it). */
    public EventLoop eventLoop() {
        return driver.eventLoop();
    }

    /**
     * Closes: every pending call fails at once with a {@link dev.labwire.core.LocalProtocolException}
     * saying the client was closed, streams complete, the link closes; later calls fail at once.
     * Idempotent. The future completes when the link's channel, port and threads are released (and, for
     * the last client on the default group, that group's shutdown has begun), and in every state within 2 s
     * whatever the peer does: a link that takes longer (a host name lookup that hangs, a serial write stuck
     * under flow control, which jSerialComm frees about 1 s after the port is closed) is released in the
     * background. It never fails. Closing while the link connects logs nothing above DEBUG.
     */
    public CompletableFuture<Void> close() {
        return driver.close();
    }

    NettyDriver driver() {
        return driver;
    }

    private static List<String> texts(Event.Reply reply) {
        return reply.frames().stream().map(Frame::asString).toList();
    }

    @Override
    public String toString() {
        return "NettyClient[" + driver.name() + ", " + driver.state() + "]";
    }

    /** Builds and opens a {@link NettyClient}. Not thread-safe; build each client from one thread. */
    public static final class Builder {
        private Endpoint endpoint;
        private ConnectionConfig config = ConnectionConfig.DEFAULT;
        private AsyncHook hook;
        private final List<ConnectionListener> listeners = new ArrayList<>();
        private EventLoopGroup group;
        private Executor callbackExecutor;
        private int pushedBufferSize = 256;
        private int pushedQueueCapacity = DriverSetup.DEFAULT_PUSHED_CAPACITY;
        private Overflow pushedOverflow = Overflow.DROP_OLDEST;
        private int writeBufferHighWater = DriverSetup.DEFAULT_WRITE_HIGH_WATER;
        private Duration hookTimeout = NettyDriver.DEFAULT_HOOK_TIMEOUT;

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

        /**
         * Protocol and link settings (timeouts, framing, pipelining, reconnect, stale-reply policy). Default
         * {@link ConnectionConfig#DEFAULT}. Its {@code externalHook} flag is ignored: the client sets it when
         * {@link #onConnect} gives a hook.
         */
        public Builder config(ConnectionConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Code run on every new link before user requests (after the config's own onConnect requests). */
        public Builder onConnect(AsyncHook hook) {
            this.hook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * How long the {@link #onConnect on-connect hook} may take on each link, from its start to the completion of
         * its stage (default 10 s). A hook that overruns ends the link as if it had failed with a
         * {@link java.util.concurrent.TimeoutException}; the link is renewed with backoff. A huge value is held at
         * about 292 years, never an error.
         *
         * @throws IllegalArgumentException when {@code timeout} is zero or negative
         */
        public Builder hookTimeout(Duration timeout) {
            this.hookTimeout = dev.labwire.core.internal.Durations.positive("hookTimeout", timeout);
            return this;
        }

        /**
         * Outbound bytes the link may hold that are not on the wire yet before the client stops handing it more
         * (default 65,536; it takes more again at half). Calls beyond it wait in the queue within their timeouts.
         * At the limit at most this plus one 64 KiB buffer (one request's bytes, on serial) is held.
         *
         * @throws IllegalArgumentException when {@code bytes} is below 2
         */
        public Builder writeBufferHighWater(int bytes) {
            this.writeBufferHighWater = Counts.atLeast(2, bytes, "writeBufferHighWater must be at least 2 bytes");
            return this;
        }

        /** Told of every state change; registered before the link opens, so it sees the first CONNECTING. May be called more than once. */
        public Builder listener(ConnectionListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * The event loop group to run on, owned by the caller: the client never shuts it down, and it must
         * outlive the client. TCP needs an NIO group ({@code MultiThreadIoEventLoopGroup} with
         * {@code NioIoHandler}); serial endpoints run on any event loop. Default: the library's shared group.
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        /**
         * Where user code runs, one task at a time in order (whatever the executor's pool size): listeners, subscribers,
         * the hook, and every dependent of the client's futures registered without an executor ({@code thenApply},
         * {@code whenComplete}, {@code thenCompose}, ..., before or after the future completed, and stages chained from
         * those). Default: the event loop itself (fastest; callbacks must not block).
         *
         * <p>The futures of calls, {@code ready()} and {@code close()} complete on the event loop either way, so
         * callbacks run here may block this client's other callbacks, but not its I/O, its calls (a thread waiting in
         * {@code get()} wakes by the call's deadline), nor {@code close()} (within 2 s), nor make its memory grow: each
         * subscriber and listener hands the executor at most one batch of 64 items at a time and waits in its own
         * bounded queue ({@link #pushedOverflow}; listeners keep their last 256 state changes). Completions of calls
         * are never dropped: each is a future the caller holds. A callback here may wait in {@code get()} or
         * {@code join()} for a call's own future or {@code close()}'s (holding the other callbacks meanwhile); waiting
         * for an unfinished stage chained from one throws {@link io.netty.util.concurrent.BlockingOperationException},
         * since that stage completes here, after the callback.
         */
        public Builder callbackExecutor(Executor executor) {
            this.callbackExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Pushed frames a {@link NettyClient#pushed()} subscriber may have waiting before reading pauses
         * (default 256; reading resumes at half). Reading stops only between reads, so the frames of what was
         * already read still arrive: at most this many plus one TCP read (Netty's adaptive reads, up to
         * 64 KiB) or, on serial, five reads of up to 8 KiB (four handed to the event loop, one in progress).
         */
        public Builder pushedBufferSize(int frames) {
            this.pushedBufferSize = Counts.atLeast(2, frames, "pushedBufferSize must be at least 2");
            return this;
        }

        /**
         * The most frames one {@link NettyClient#pushed()} subscriber's queue holds (default 4096); at that limit
         * {@link #pushedOverflow} decides. Reading pauses earlier, at {@link #pushedBufferSize}, so this limit is
         * reached only by the frames one read brought in after that (up to 64 KiB: with the defaults, nothing is
         * dropped while frames are 20 bytes or longer), or when it is below {@code pushedBufferSize}: then reading
         * never pauses for a slow subscriber and the policy drops instead, so that replies keep flowing. Memory: at
         * most this many frames per subscriber, plus one batch of 64 on a {@link #callbackExecutor}.
         *
         * @throws IllegalArgumentException when {@code frames} is below 1
         */
        public Builder pushedQueueCapacity(int frames) {
            this.pushedQueueCapacity = Counts.atLeast(1, frames, "pushedQueueCapacity must be at least 1");
            return this;
        }

        /**
         * What a full {@link NettyClient#pushed()} subscriber queue ({@link #pushedQueueCapacity}) does with one more
         * frame (default {@link Overflow#DROP_OLDEST}, as the blocking client): {@link Overflow#DROP_OLDEST} drops
         * the oldest waiting frame; {@link Overflow#KEEP_LATEST} keeps only the newest (one frame waits, so reading
         * never pauses: {@link NettyClient#latest()} without the counts); {@link Overflow#FAIL} ends the subscription
         * with {@code onError(}{@link dev.labwire.core.LocalProtocolException}{@code )} saying how many frames were
         * lost (subscribe again to go on). Every frame not delivered is counted by
         * {@link NettyClient#droppedCallbacks()} and logged at WARN at most once per 10 s per subscriber.
         */
        public Builder pushedOverflow(Overflow policy) {
            this.pushedOverflow = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Opens the client: returns at once, the link opens in the background.
         *
         * @throws IllegalArgumentException when a TCP endpoint is given a group that is not NIO
         * @throws IllegalStateException    when the given group is shut down
         */
        public NettyClient build() {
            List<BiConsumer<State, Throwable>> ls = listeners.stream().<BiConsumer<State, Throwable>>map(l -> l::onStateChanged).toList();
            NettyDriver.Hook h = hook == null ? null : ClientStart.hookAdapter(hook);
            Duration ht = hookTimeout;
            Endpoint ep = endpoint;
            return new NettyClient(DriverSetup.start(ep, group, callbackExecutor, ls, pushedBufferSize,
                    pushedQueueCapacity, pushedOverflow, writeBufferHighWater,
                    setup -> new NettyDriver(ep, config, h, ht, setup)));
        }
    }
}
