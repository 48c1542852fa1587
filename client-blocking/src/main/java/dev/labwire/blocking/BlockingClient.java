package dev.labwire.blocking;

import dev.labwire.blocking.internal.BlockingDriver;
import dev.labwire.blocking.internal.DriverOptions;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Overflow;
import dev.labwire.core.Operation;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.scpi.BinaryValues;
import dev.labwire.core.scpi.Scpi;
import dev.labwire.core.scpi.ValueType;
import dev.labwire.core.endpoint.Endpoint;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A thread-safe blocking client for one instrument, over TCP ({@code tcp://host:5025}) or a serial
 * port ({@code serial:/dev/ttyUSB0?baud=115200}, {@code serial:usb:0403:6001?baud=9600}).
 *
 * <pre>{@code
 * try (BlockingClient psu = BlockingClient.open("tcp://10.0.0.7:5025")) {
 *     String idn = psu.query("*IDN?");
 *     psu.write("VOLT 5");
 *     double v = psu.queryNumber("MEAS:VOLT?");
 *     byte[] wave = psu.queryBlock("CURV?");
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> Any number of threads may share one client. Each call is one exchange on the
 * wire, and its reply reaches only its caller: replies are matched in order by the protocol core, and
 * a late reply to a timed-out call is swallowed, never handed to the next call. Waiting uses
 * {@code java.util.concurrent} locks, not {@code synchronized}, so virtual threads do not pin.
 *
 * <p><b>Links.</b> {@link #open} returns at once; the link is opened in the background and reopened
 * with backoff whenever it drops (instrument switched off, cable pulled, adapter re-plugged). A call
 * made while the link is down waits for it within its own timeout, then fails with a
 * {@link dev.labwire.core.LinkDownException} naming the link and the last cause. Use
 * {@link #awaitReady} (or {@link #openAndAwait}) to wait for the first link explicitly: it fails at once, naming the
 * endpoint and the cause, when the first connect is refused or the port is missing, busy or not permitted.
 *
 * <p><b>Failures.</b> Every call ends within its timeout (default 5 s, {@link ConnectionConfig}), late only by
 * the time its thread waits for a CPU; a call still waiting 2 s past its deadline is ended by the client's own
 * thread with {@link dev.labwire.core.RequestTimeoutException} (logged at ERROR: that would be a labwire bug):
 * <ul>
 *   <li>{@link dev.labwire.core.RequestTimeoutException}: no whole reply in time;</li>
 *   <li>{@link dev.labwire.core.LinkDownException}: the link dropped during the call, or was down throughout;</li>
 *   <li>{@link dev.labwire.core.RemoteProtocolException}: the reply broke the protocol (too long, bad block,
 *       a half-sent reply); the client stays usable;</li>
 *   <li>{@link dev.labwire.core.LocalProtocolException}: the client is closed, or its queue is full;</li>
 *   <li>{@link IllegalArgumentException}: a bad command (e.g. one containing the write terminator);</li>
 *   <li>{@link java.util.concurrent.CancellationException}: the calling thread was interrupted.</li>
 * </ul>
 *
 * <p><b>Pushed frames</b> (status pushes, stream samples; see {@link dev.labwire.core.FrameClassifier})
 * are kept in a bounded queue read by {@link #pollPushed} (by default the oldest is dropped when full, counted by
 * {@link #droppedPushed}) and handed to consumers registered with {@link #onPushed}, each through its own bounded
 * queue of the same capacity and {@link Overflow} policy ({@link Builder#pushedQueueCapacity}, default 1024;
 * {@link Builder#pushedOverflow}, default {@link Overflow#DROP_OLDEST}). A consumer or listener slower than the
 * device never makes memory grow: what its queue drops is counted by {@link #droppedCallbacks} and logged at WARN
 * at most every 10 s.
 *
 * <p><b>Callbacks</b> (listeners, pushed-frame consumers) run on the client's one callback thread, one at a time.
 * They may call the client, blocking calls included; while one blocks, the others wait (their queues stay bounded).
 * The on-connect hook runs on its own thread and must use its {@link HookSession}: a call on the client itself from
 * inside the hook throws {@link IllegalStateException} at once (it would wait for the hook to end).
 *
 * <p><b>Who reads the link.</b> Over TCP a caller waiting for its reply reads the socket itself while no other thread
 * does, as a hand-written java.net client would (one thread wake-up per round trip, not two): the bytes go to the
 * protocol core the same way whoever reads them, so replies of other callers read meanwhile reach their own callers,
 * and pushed frames their queue. Other callers wait; when the reading caller's call ends it hands the read role to one
 * of them at once. Its reads wait in a selector bounded by its own deadline (the socket is a non-blocking NIO channel),
 * and by 20 ms slices; an interrupt ends the wait at once, and the interrupted caller is cancelled as any other. The
 * link's reader thread reads what comes while no caller reads (pushed frames, a closed connection: it watches the
 * socket without taking the read role once that was free for 2 ms, so a caller coming meanwhile still reads its own
 * reply), and for virtual threads, which do not read themselves. A serial link is always read by its reader thread.
 *
 * <p><b>Writes and peers that stop reading.</b> A caller writes its request itself, with no lock held, until its own
 * deadline at the latest; requests other callers send meanwhile are written with it, in one write, and what is left
 * at the deadline goes to the link's writer thread. A peer that stops reading (a full TCP window, a serial port
 * nobody drains) or reads slowly delays only the calls whose bytes cannot go out: they time out at their own deadline
 * ({@link dev.labwire.core.RequestTimeoutException}, saying their bytes had not all gone out; they may still reach
 * the instrument). The link is renewed only when the write in progress then makes no progress at all (no byte taken)
 * for 1 s, or for the timeout of the longest call that found it late if that is longer: a slow instrument keeps its
 * link, one that stopped reading has it renewed at most that long after the last byte it took. {@link #write}
 * returns once its bytes are out, and throws when they did not go out. An interrupted call whose bytes have not gone
 * out is withdrawn and never reaches the device.
 *
 * <p><b>close()</b> returns within 2 s in every state (connecting, a stuck write, a hook running), whatever the peer
 * does; it closes the link and every thread the client started (a hook or callback still running user code ends
 * when that code returns; the hook is interrupted).
 *
 * <p><b>Seeing the bytes.</b> At TRACE, the SLF4J logger {@code dev.labwire.wire.<endpoint>} (the endpoint without its
 * {@code ?settings}, each run of chars other than letters and digits made one {@code _}: {@code tcp://10.0.0.5:5025}
 * logs to {@code dev.labwire.wire.tcp_10_0_0_5_5025}) gets a line for every chunk written ({@code >>}) and read
 * ({@code <<}), with the milliseconds since the link came up, the byte count, the request and the bytes escaped,
 * at most 200 a line. Set {@code dev.labwire.wire} for every client. A {@link BlockingBus} logs the same way.
 */
public final class BlockingClient implements AutoCloseable {
    private final BlockingDriver driver;

    private BlockingClient(BlockingDriver driver) {
        this.driver = driver;
    }

    /** Opens a client to {@code endpoint} with the default config. */
    public static BlockingClient open(String endpoint) {
        return builder(endpoint).build();
    }

    /** Opens a client to {@code endpoint} with {@code config}. */
    public static BlockingClient open(String endpoint, ConnectionConfig config) {
        return builder(endpoint).config(config).build();
    }

    /**
     * Opens a client to {@code endpoint} and waits for its first link, failing fast: the fail-fast counterpart of
     * {@link #open(String, ConnectionConfig)}, for programs that would rather stop at once than retry in the
     * background. Returns a {@link State#READY} client, or closes it and throws as {@link #awaitReady} does.
     *
     * <pre>{@code
     * try (BlockingClient psu = BlockingClient.openAndAwait("tcp://192.168.1.50:5025", ConnectionConfig.DEFAULT,
     *         Duration.ofSeconds(3))) {   // LinkDownException "... not ready: connection refused ..." within 3 s
     *     ...
     * }
     * }</pre>
     *
     * @throws IllegalArgumentException for a bad endpoint string, naming the bad part
     * @throws dev.labwire.core.LinkDownException when the first connect attempt failed for good (connection refused,
     *         unknown host, no such port, port busy, permission denied, not a serial device: at once, naming the
     *         endpoint and the cause),
     *         or when the link is not ready within {@code timeout} (a connect that hangs, an on-connect hook that
     *         fails); the client is closed then
     */
    public static BlockingClient openAndAwait(String endpoint, ConnectionConfig config, Duration timeout) {
        return builder(endpoint).config(config).buildAndAwait(timeout);
    }

    /** A builder for a client to {@code endpoint}; the string is parsed now and a bad one is refused with {@link IllegalArgumentException}. */
    public static Builder builder(String endpoint) {
        return new Builder(Endpoint.parse(endpoint));
    }

    /** A builder for a client to {@code endpoint}. */
    public static Builder builder(Endpoint endpoint) {
        return new Builder(Objects.requireNonNull(endpoint, "endpoint"));
    }

    /** Sends {@code command} and returns its one-line reply, without terminator. */
    public String query(String command) {
        return request(Request.query(command)).text();
    }

    /** {@link #query(String)} with its own whole-exchange timeout. */
    public String query(String command, Duration timeout) {
        return request(Request.query(command).withTimeout(timeout)).text();
    }

    /**
     * Sends {@code command}, expecting no reply; returns once its bytes are out (handed to the OS). Throws
     * {@link dev.labwire.core.LinkDownException} when the link broke before they were, and
     * {@link dev.labwire.core.RequestTimeoutException} when they had not all gone out within the timeout (they may
     * still go out; the link is renewed only when its write then makes no progress for 1 s, see the class comment).
     */
    public void write(String command) {
        request(Request.write(command));
    }

    /** {@link #write(String)} with its own timeout: the wait for a free slot and a live link, and for its bytes to go out. */
    public void write(String command, Duration timeout) {
        request(Request.write(command).withTimeout(timeout));
    }

    /** Sends {@code command} and returns exactly {@code count} reply lines. */
    public List<String> queryLines(String command, int count) {
        return texts(request(Request.of(command, Expect.lines(count))));
    }

    /** Sends {@code command} and returns the reply lines up to {@code marker} (excluded). */
    public List<String> queryLinesUntil(String command, String marker) {
        return texts(request(Request.of(command, Expect.linesUntil(marker))));
    }

    /** Sends {@code command} and returns the payload of its IEEE 488.2 block reply ({@code #3100...}). */
    public byte[] queryBlock(String command) {
        return dev.labwire.core.internal.FrameAccess.take(request(Request.of(command, Expect.block())).frame());
    }

    /** {@link #queryBlock(String)} with its own timeout and a payload limit of {@code maxLength} bytes. */
    public byte[] queryBlock(String command, int maxLength, Duration timeout) {
        return dev.labwire.core.internal.FrameAccess.take(request(Request.of(command, Expect.block(maxLength)).withTimeout(timeout)).frame());
    }

    /** Sends {@code command} and parses its reply as one SCPI number ({@code +1.23E+00}, {@code 9.9E37} = infinity). */
    public double queryNumber(String command) {
        return Scpi.parseNumber(query(command));
    }

    /** Sends {@code command} and parses its reply as comma-separated SCPI numbers. */
    public double[] queryNumbers(String command) {
        return Scpi.parseNumbers(query(command));
    }

    /**
     * Sends {@code command} and decodes the payload of its IEEE 488.2 block reply as binary numbers
     * (PyVISA's {@code query_binary_values}). Take the array of the type you asked for:
     *
     * <pre>{@code
     * scope.write("WAV:FORM WORD;:WAV:BYT MSBF");
     * short[] codes = scope.queryBinaryValues("WAV:DATA?", ValueType.INT16, ByteOrder.BIG_ENDIAN).asShorts();
     * float[] trace = sa.queryBinaryValues("TRAC? TRACE1", ValueType.FLOAT32, ByteOrder.LITTLE_ENDIAN).asFloats();
     * }</pre>
     *
     * <p>There is no default byte order: SCPI's {@code FORM:BORD NORM} (the usual power-on state) is
     * {@link ByteOrder#BIG_ENDIAN}, PyVISA's default is little-endian, and a guess would give wrong numbers
     * without an error. The reply is read as {@link #queryBlock(String)} reads it (the default timeout; a payload
     * of at most {@link ConnectionConfig#maxFrameLength()} bytes, default 65,536); the values are copied once, from the reply
     * frame into the array.
     *
     * @throws dev.labwire.core.RemoteProtocolException if the reply is not a block, or its payload is not a
     *         whole number of values (the message names the byte count and the value size); plus the
     *         failures of every call (see the class comment)
     */
    public BinaryValues queryBinaryValues(String command, ValueType type, ByteOrder order) {
        return queryBinaryValues(Request.of(command, Expect.block()), type, order);
    }

    /** {@link #queryBinaryValues(String, ValueType, ByteOrder)} with its own timeout and a payload limit of {@code maxLength} bytes. */
    public BinaryValues queryBinaryValues(String command, ValueType type, ByteOrder order, int maxLength, Duration timeout) {
        return queryBinaryValues(Request.of(command, Expect.block(maxLength)).withTimeout(timeout), type, order);
    }

    private BinaryValues queryBinaryValues(Request request, ValueType type, ByteOrder order) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(order, "order");
        return BinaryValues.decode(request(request).frame().asReadOnlyBuffer(), type, order);
    }

    /**
     * Sends {@code command} and parses its one-line reply as comma-separated SCPI numbers
     * ({@code +1.23E+00,-4.5E-03,9.9E37} gives {@code {1.23, -0.0045, Infinity}}; {@code NAN} and
     * {@code 9.91E37} give NaN), PyVISA's {@code query_ascii_values}. The same as
     * {@link #queryNumbers(String)}, under the name PyVISA users look for. An empty reply is an empty array.
     *
     * @throws dev.labwire.core.RemoteProtocolException naming the index and text of the first element that
     *         is not a number; plus the failures of every call (see the class comment)
     */
    public double[] queryAsciiValues(String command) {
        return Scpi.parseNumbers(query(command));
    }

    /**
     * Calls {@code listener} with the status byte each time the instrument requests service (IEEE 488.1 SRQ): VXI-11's
     * interrupt channel or HiSLIP's AsyncServiceRequest, or, on a raw SCPI link, a rise of the status byte's MSS bit
     * (6) found by polling {@code *STB?} every {@link ConnectionConfig#serviceRequestPolling()} (off by default: set it
     * to get events there). Runs on the client's callback thread through a bounded queue (256, the oldest dropped and
     * counted by {@link #droppedCallbacks()}). Close the handle to stop.
     */
    public AutoCloseable onServiceRequest(java.util.function.IntConsumer listener) {
        return driver.onServiceRequest(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Calls {@code listener} with each line or modem state notification of an {@code rfc2217://} terminal server
     * (RFC 2217 NOTIFY-LINESTATE / NOTIFY-MODEMSTATE: break, framing, parity and overrun errors; CTS, DSR, RI, DCD);
     * other links never give one. Runs on the client's callback thread through a bounded queue (256, the oldest
     * dropped and counted by {@link #droppedCallbacks()}). Close the handle to stop.
     */
    public AutoCloseable onPortState(java.util.function.Consumer<Event.PortState> listener) {
        return driver.onPortState(Objects.requireNonNull(listener, "listener"));
    }

    // ------------------------------------------------------------------ session-protocol operations

    /**
     * Reads the instrument's status byte (IEEE 488.2 STB; bit 6, {@code 0x40}, is RQS/MSS: it requests service). On
     * VXI-11 and HiSLIP this is the protocol's own status read, which reaches the instrument even while its parser is
     * busy; on a raw SCPI link it is the {@code *STB?} query. See {@link Operation} for what each transport does.
     *
     * @throws dev.labwire.core.RemoteProtocolException when the reply is not a number 0..255
     */
    public int readStatusByte() {
        return dev.labwire.core.internal.Operations.statusByte(request(Request.operation(Operation.READ_STATUS_BYTE)));
    }

    /**
     * Device clear (IEEE 488.1 DCL/SDC): the instrument drops its input and output buffers. VXI-11 and HiSLIP only.
     *
     * @throws UnsupportedOperationException on a raw SCPI link or a bus, naming the transports that have it
     */
    public void clear() {
        request(Request.operation(Operation.CLEAR));
    }

    /** Triggers the instrument (IEEE 488.1 GET on VXI-11 and HiSLIP, {@code *TRG} on a raw SCPI link). */
    public void trigger() {
        request(Request.operation(Operation.TRIGGER));
    }

    /**
     * Takes the instrument's exclusive lock, waiting for it up to {@code timeout}; other clients' requests then wait
     * or fail until {@link #unlock()}. VXI-11 and HiSLIP only.
     *
     * @throws dev.labwire.core.RequestTimeoutException when another client held the lock for all of {@code timeout}
     * @throws UnsupportedOperationException on a raw SCPI link, naming the transports that have it
     */
    public void lock(Duration timeout) {
        request(Request.operation(Operation.LOCK).withTimeout(timeout));
    }

    /** Releases this client's lock. VXI-11 and HiSLIP only ({@link UnsupportedOperationException} elsewhere). */
    public void unlock() {
        request(Request.operation(Operation.UNLOCK));
    }

    /** Runs any request of the core and returns its reply. */
    public Event.Reply request(Request request) {
        return driver.request(Objects.requireNonNull(request, "request"));
    }

    /**
     * Sends all {@code commands} at once and returns their one-line replies in order: the blocking way to
     * pipeline (up to {@link ConnectionConfig#maxInFlight()} on the wire at a time, default 1; raise it for
     * instruments that queue commands, e.g. 16 for reading many channels of a DMM or scanner).
     *
     * <p>Every command is checked before any is sent (a bad one throws {@link IllegalArgumentException} and
     * nothing goes out). Each command has the default timeout, counted from this call, so with
     * {@code maxInFlight} 1 a long list needs a longer {@code defaultTimeout}. The call returns when every
     * command has ended; if any failed it throws the failure of the first failed one in list order (later
     * failures are attached as suppressed), the same exceptions as {@link #query(String)}. A queue without room
     * for all of them ({@code maxQueued}, default 10,000) throws {@link dev.labwire.core.LocalProtocolException} at
     * once, and none of them is sent: the list is accepted whole or not at all.
     */
    public List<String> queryAll(List<String> commands) {
        Objects.requireNonNull(commands, "commands");
        Request[] requests = new Request[commands.size()];
        int i = 0;
        for (String command : commands) {
            requests[i++] = Request.query(command);
        }
        return driver.queryAll(requests);
    }

    /**
     * {@link #queryAll} for any requests of the core; returns the replies in order. The list is accepted whole or
     * refused whole, as there: a request that cannot be sent as given, or no room in the queue for all of them, throws
     * before any is sent.
     */
    public List<Event.Reply> requestAll(List<Request> requests) {
        Objects.requireNonNull(requests, "requests");
        requests.forEach(r -> Objects.requireNonNull(r, "requests holds null"));
        return driver.requestAll(requests);
    }

    /** The next pushed frame, waiting up to {@code timeout}; null when none came. */
    public Frame pollPushed(Duration timeout) {
        return driver.pollPushed(timeout);
    }

    /** Registers a consumer of every pushed frame (called on the callback thread); close the handle to stop. */
    public AutoCloseable onPushed(Consumer<Frame> consumer) {
        return driver.onPushed(Objects.requireNonNull(consumer, "consumer"));
    }

    /** Pushed frames dropped from the poll queue because it was full. */
    public long droppedPushed() {
        return driver.droppedPushed();
    }

    /**
     * Items dropped from the callback queues because a consumer was slower than the device: pushed frames for
     * {@link #onPushed} consumers and state changes for listeners. Never reset.
     */
    public long droppedCallbacks() {
        return driver.droppedCallbacks();
    }

    /** The link's state now. */
    public State state() {
        return driver.state();
    }

    /**
     * Waits until the link is ready ({@link State#READY}: connected, on-connect hook done), up to {@code timeout}.
     *
     * <p><b>Fails fast on the first connection.</b> Until the link has been ready once, a connect attempt that failed
     * for good ends the wait at once instead of after {@code timeout}: connection refused, unknown host, no such
     * serial port, port busy (open in another client or program), permission denied. The
     * {@link dev.labwire.core.LinkDownException} says {@code "link to <endpoint> not ready: <why> (<detail>)"}; its
     * cause is the driver's error ({@link java.net.ConnectException}, a {@link dev.labwire.serial.SerialPortException}
     * with its {@link dev.labwire.serial.SerialPortException#reason()}). The client keeps retrying in the background
     * all the same; close it if you give up. A connect that hangs (a black-holed address) fails after the connect
     * timeout ({@link ConnectionConfig}) and is retried: that wait ends at {@code timeout}. Once the link has been
     * ready, a later wait rides out reconnects (an instrument rebooting refuses connections for a while).
     *
     * @throws dev.labwire.core.LinkDownException as above, naming the endpoint, the state and the last cause
     * @throws dev.labwire.core.LocalProtocolException when the client is closed
     */
    public BlockingClient awaitReady(Duration timeout) {
        driver.awaitReady(timeout);
        return this;
    }

    /** The endpoint, as a canonical string. */
    public String endpoint() {
        return driver.name();
    }

    /** Closes the link and ends every pending call with a {@link dev.labwire.core.LocalProtocolException}. Idempotent; returns once the client's threads ended. */
    @Override
    public void close() {
        driver.close();
    }

    private static List<String> texts(Event.Reply reply) {
        return reply.frames().stream().map(Frame::asString).toList();
    }

    @Override
    public String toString() {
        return "BlockingClient[" + driver.name() + ", " + driver.state() + "]";
    }

    /** Builds and opens a {@link BlockingClient}. */
    public static final class Builder {
        private Endpoint endpoint;
        private ConnectionConfig config = ConnectionConfig.DEFAULT;
        private OnConnectHook hook;
        private ConnectionListener listener;
        private int pushedCapacity = DriverOptions.DEFAULT.pushedCapacity();
        private Overflow pushedOverflow = DriverOptions.DEFAULT.pushedOverflow();
        private Duration hookTimeout = DriverOptions.DEFAULT.hookTimeout();

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

        /** Protocol and link settings (timeouts, framing, reconnect, stale-reply policy). */
        public Builder config(ConnectionConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Code run on every new link before user requests (after the config's own onConnect requests). */
        public Builder onConnect(OnConnectHook hook) {
            this.hook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /** Told of every state change; registered before the link opens, so it sees the first CONNECTING. */
        public Builder listener(ConnectionListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Capacity of the pushed-frame poll queue and of each {@link #onPushed} consumer's queue (default 1024);
         * when one is full, {@link #pushedOverflow} decides.
         */
        public Builder pushedQueueCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("pushedQueueCapacity must be at least 1: " + capacity);
            }
            this.pushedCapacity = capacity;
            return this;
        }

        /**
         * What a full pushed-frame queue does (default {@link Overflow#DROP_OLDEST}): {@link Overflow#KEEP_LATEST}
         * keeps only the newest frame; {@link Overflow#FAIL} makes the next {@link BlockingClient#pollPushed} throw
         * {@link dev.labwire.core.LocalProtocolException} once (then the stream restarts) and unsubscribes an
         * {@link BlockingClient#onPushed} consumer that fell {@link #pushedQueueCapacity} frames behind.
         */
        public Builder pushedOverflow(Overflow policy) {
            this.pushedOverflow = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * How long the {@link #onConnect} hook may run (default 10 s). Past it the hook counts as failed: its thread
         * is interrupted, the link is renewed with backoff, and calls waiting meanwhile fail with a
         * {@link dev.labwire.core.LinkDownException} caused by a {@link java.util.concurrent.TimeoutException}.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder hookTimeout(Duration timeout) {
            this.hookTimeout = dev.labwire.core.internal.Durations.positive("hookTimeout", timeout);
            return this;
        }

        /**
         * Opens the client and waits for its first link, failing fast (see {@link BlockingClient#awaitReady}); on
         * failure the client is closed and the {@link dev.labwire.core.LinkDownException} thrown.
         */
        public BlockingClient buildAndAwait(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            BlockingClient c = build();
            try {
                return c.awaitReady(timeout);
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
        }

        /** Opens the client: returns at once, the link opens in the background. */
        public BlockingClient build() {
            OnConnectHook h = hook;
            BlockingDriver.Hook driverHook = h == null ? null : (driver, gen) -> h.onConnect(new HookSession() {
                @Override
                public String query(String command) {
                    return driver.requestHook(Request.query(command), gen).text();
                }

                @Override
                public void write(String command) {
                    driver.requestHook(Request.write(command), gen);
                }

                @Override
                public Event.Reply request(Request request) {
                    return driver.requestHook(request, gen);
                }
            });
            BlockingDriver d = new BlockingDriver(endpoint, config, driverHook,
                    new DriverOptions(pushedCapacity, pushedOverflow, hookTimeout));
            if (listener != null) {
                ConnectionListener l = listener;
                d.addStateListener(l::onStateChanged);
            }
            d.start();
            return new BlockingClient(d);
        }
    }
}
