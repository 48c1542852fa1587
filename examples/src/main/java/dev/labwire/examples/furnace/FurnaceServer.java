package dev.labwire.examples.furnace;

import dev.labwire.blocking.BlockingBus;
import dev.labwire.blocking.BusDevice;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.bus.Addressing;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameReader;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.FramingError;
import dev.labwire.core.frame.LineFramer;
import dev.labwire.netty.NettyClient;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A furnace control server: one process owns the furnace's instruments and any number of programs (an
 * operator's GUI, a recipe runner, a data logger) share them through a line protocol on TCP. The
 * instruments are two mass flow controllers on one RS485 bus ({@link BlockingBus}), a butterfly valve on
 * RS232 and an analog I/O box on TCP ({@link NettyClient}s); the server itself is plain Netty.
 *
 * <pre>
 * a client sends                   the server answers, each line as soon as it is ready
 * 1 valve MOVE 80                  2 1.247E+01                  (the pressure, at once)
 * 2 aio AI? 0                      3 +20.03                     (a flow, while the valve turns)
 * 3 mfc1 FLOW?                     4 OK                         (the setpoint was written)
 * 4 mfc2 SP 7.5                    1 OK                         (the move, a second after it began)
 * 5 SUBSCRIBE status               5 OK status every 200 ms
 *                                  5 STATUS seq=1 mfc1=20.03 mfc2=7.50 valve=80.0 pressure=9.851E-01
 * 6 oven ON                        6 ERR unknown device "oven" (mfc1, mfc2, valve, aio)
 * 7 UNSUBSCRIBE 5                  7 OK
 * </pre>
 *
 * <p><b>The protocol.</b> A request is a line {@code <id> <device> <command>}: the id is any word the client
 * picks, the device is {@code mfc1}, {@code mfc2}, {@code valve} or {@code aio}, the command goes to the
 * device as it is. The answer is {@code <id> <reply>} or {@code <id> ERR <why>} (the device refused it, did
 * not answer in time, or its link is down). Answers come back as soon as they are ready, so a client sees
 * them out of order across devices and matches them by id. A command with a {@code ?} is a query and
 * answers the device's reply; one without is a setting and answers {@code OK} once written; the valve
 * answers every command itself ({@code MOVE} answers {@code OK} when the move is done).
 * {@code <id> SUBSCRIBE status} sends {@code <id> STATUS ...} every {@link #STATUS_PERIOD} until
 * {@code <id2> UNSUBSCRIBE <id>} or the connection ends. Lines end with {@code \n} ({@code \r\n} and
 * {@code \r} are taken too), at most {@value #MAX_LINE} bytes.
 *
 * <p><b>Nothing waits for anything else.</b> Each flow controller has its own worker thread for its
 * blocking bus calls (the bus gives the two fair turns on the wire), and the valve and the I/O box are
 * asynchronous clients on the server's own event loops, so a one-second valve move holds up only later
 * valve commands. No event loop thread ever blocks.
 *
 * <p><b>Bounded.</b> A connection may have {@value #MAX_OUTSTANDING} requests in progress (more are
 * answered {@code ERR busy}); while a client does not read its answers the server stops reading its
 * requests, and a monitor that does not keep up misses status lines instead of piling them up.
 *
 * <p>Started by {@link FurnaceControl}, which has the command to run it.
 */
public final class FurnaceServer implements AutoCloseable {
    /** How often subscribers get a status line. */
    public static final Duration STATUS_PERIOD = Duration.ofMillis(200);
    /** The longest request line, in bytes. */
    public static final int MAX_LINE = 1024;
    /** Requests one connection may have in progress. */
    public static final int MAX_OUTSTANDING = 64;

    /**
     * Where the instruments are.
     *
     * @param mfcBus the RS485 bus of the flow controllers at addresses A and B, e.g. {@code serial:/dev/ttyUSB0?baud=19200}
     * @param valve  the butterfly valve, e.g. {@code serial:/dev/ttyS0?baud=9600}
     * @param aio    the analog I/O box, e.g. {@code tcp://10.0.0.20:5025}
     */
    public record Endpoints(String mfcBus, String valve, String aio) {
        public Endpoints {
            Objects.requireNonNull(mfcBus, "mfcBus");
            Objects.requireNonNull(valve, "valve");
            Objects.requireNonNull(aio, "aio");
        }
    }

    /** One instrument as the protocol sees it: a command in, one reply line out, eventually. */
    private interface Device {
        CompletableFuture<String> call(String command);
    }

    private record Subscription(Channel channel, String id) {
    }

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Set<Subscription> subscribers = ConcurrentHashMap.newKeySet();
    private final Map<String, Device> devices = new LinkedHashMap<>();
    private final ValveTracker valveState = new ValveTracker();
    private final AtomicBoolean polling = new AtomicBoolean();
    private final AtomicLong statusSeq = new AtomicLong();
    private final AtomicLong statusSkipped = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final BlockingBus bus;
    private final ExecutorService mfc1Worker = worker("furnace-mfc1");
    private final ExecutorService mfc2Worker = worker("furnace-mfc2");
    private final NettyClient valve;
    private final NettyClient aio;
    private Channel listener;
    private Future<?> statusTask;

    private FurnaceServer(Endpoints endpoints) {
        bus = BlockingBus.open(endpoints.mfcBus(), BusConfig.builder()
                .addressing(Addressing.asciiPrefix())                  // "A" + "FLOW?" on the wire
                .turnaround(Duration.ofMillis(2))
                .connection(ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(300)).build())
                .build());
        valve = NettyClient.builder(endpoints.valve()).eventLoopGroup(workers)   // a move takes a second
                .config(ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(10)).build()).build();
        aio = NettyClient.builder(endpoints.aio()).eventLoopGroup(workers)
                .config(ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(1)).build()).build();
        devices.put("mfc1", onBus(bus.device("A"), mfc1Worker));
        devices.put("mfc2", onBus(bus.device("B"), mfc2Worker));
        devices.put("valve", this::valveCall);
        devices.put("aio", command -> isQuery(command) ? aio.query(command) : aio.write(command).thenApply(v -> "OK"));
        valve.query("POS?").thenAccept(valveState::known); // sent once the link is up
    }

    /**
     * Opens the instruments' links (in the background; calls wait for them) and listens on loopback
     * {@code port} (0: a free one).
     *
     * @throws IllegalArgumentException for a malformed endpoint
     * @throws IllegalStateException    when the port cannot be bound
     */
    public static FurnaceServer start(Endpoints endpoints, int port) {
        FurnaceServer server = new FurnaceServer(endpoints);
        try {
            server.listen(port);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void listen(int port) {
        ChannelFuture bind = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new Session());
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), port)
                .awaitUninterruptibly();
        if (!bind.isSuccess()) {
            throw new IllegalStateException("cannot listen on port " + port + ": " + bind.cause(), bind.cause());
        }
        listener = bind.channel();
        long period = STATUS_PERIOD.toNanos();
        statusTask = workers.next().scheduleAtFixedRate(this::pollStatus, period, period, TimeUnit.NANOSECONDS);
    }

    /**
     * Waits until every instrument's link is up.
     *
     * @throws LinkDownException naming the first instrument that is not there within {@code timeout}
     */
    public FurnaceServer awaitInstruments(Duration timeout) {
        bus.awaitReady(timeout);
        for (NettyClient c : List.of(valve, aio)) {
            try {
                c.ready(timeout).join(); // ends within timeout, ready or not
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        return this;
    }

    /** The TCP port the server listens on (loopback). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Status lines not sent to a subscriber because its connection was not taking them. */
    public long statusLinesSkipped() {
        return statusSkipped.get();
    }

    // ---- the instruments ----------------------------------------------------------------------------------

    private static boolean isQuery(String command) {
        return command.indexOf('?') >= 0;
    }

    private static Device onBus(BusDevice mfc, ExecutorService worker) {
        return command -> CompletableFuture.supplyAsync(() -> {
            if (isQuery(command)) {
                return mfc.query(command);
            }
            mfc.write(command);
            return "OK";
        }, worker);
    }

    /** Every valve command has a reply; a MOVE's comes when the valve is there, which the status line shows. */
    private CompletableFuture<String> valveCall(String command) {
        if (command.equals("POS?")) {
            return valve.query(command).thenApply(pos -> {
                valveState.known(pos);
                return pos;
            });
        }
        if (!command.startsWith("MOVE ")) {
            return valve.query(command);
        }
        String target = command.substring(5).strip();
        try {
            target = String.format(Locale.ROOT, "%.1f", Double.parseDouble(target));
        } catch (NumberFormatException e) {
            // the valve will refuse it; the status line shows what was asked meanwhile
        }
        valveState.moving(target);
        String where = target;
        return valve.query(command).whenComplete((reply, failure) -> valveState.moved(where, reply));
    }

    /** What the server knows of the valve without asking it (asking would wait behind a move). */
    private static final class ValveTracker {
        private String position = "?";
        private String movingTo;
        private int moves;

        /** A POS? answer: the valve answers it after any move sent before it, so it is never stale. */
        synchronized void known(String pos) {
            position = pos;
        }

        synchronized void moving(String target) {
            moves++;
            movingTo = target;
        }

        /** The move to {@code target} ended with {@code reply}: OK, ERR (refused, not moved) or null (failed: unknown). */
        synchronized void moved(String target, String reply) {
            moves--;
            if (reply == null) {
                position = "?";
            } else if (reply.equals("OK")) {
                position = target;
            }
            if (moves == 0) {
                movingTo = null;
            }
        }

        @Override
        public synchronized String toString() {
            return movingTo == null ? position : position + "->" + movingTo;
        }
    }

    private static CompletableFuture<String> call(Device device, String command) {
        try {
            return device.call(command);
        } catch (RuntimeException e) { // a worker refusing work after close, a bad argument
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- status for monitors ------------------------------------------------------------------------------

    /** Every period on an event loop: three readings in parallel, then one line to every subscriber. */
    private void pollStatus() {
        if (subscribers.isEmpty() || !polling.compareAndSet(false, true)) {
            return; // nobody listens, or the last poll is still out (a slow device): skip a beat
        }
        CompletableFuture<String> flow1 = call(devices.get("mfc1"), "FLOW?");
        CompletableFuture<String> flow2 = call(devices.get("mfc2"), "FLOW?");
        CompletableFuture<String> pressure = call(devices.get("aio"), "AI? 0");
        CompletableFuture.allOf(flow1, flow2, pressure).whenComplete((v, e) -> {
            String line = String.format(Locale.ROOT, "STATUS seq=%d mfc1=%s mfc2=%s valve=%s pressure=%s",
                    statusSeq.incrementAndGet(), number(flow1, "%.2f"), number(flow2, "%.2f"), valveState,
                    number(pressure, "%.3E"));
            polling.set(false);
            for (Subscription s : subscribers) {
                if (s.channel().isWritable()) {
                    answer(s.channel(), s.id(), line);
                } else {
                    statusSkipped.incrementAndGet();
                }
            }
        });
    }

    private static String number(CompletableFuture<String> reading, String format) {
        try {
            return String.format(Locale.ROOT, format, Double.parseDouble(reading.join().strip()));
        } catch (RuntimeException e) {
            return "ERR";
        }
    }

    // ---- the line protocol --------------------------------------------------------------------------------

    /** One client connection: labwire's own bounded line framer cuts the requests. */
    private final class Session extends ChannelInboundHandlerAdapter {
        private final FrameReader lines = new FrameReader(LineFramer.anyEol(MAX_LINE));
        private final AtomicInteger outstanding = new AtomicInteger();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                lines.receive(((ByteBuf) msg).nioBuffer());
            } finally {
                ReferenceCountUtil.release(msg);
            }
            for (FrameResult r = lines.next(); !(r instanceof FrameResult.NeedData); r = lines.next()) {
                if (r instanceof Frame f) {
                    request(ctx.channel(), f.asString(StandardCharsets.UTF_8).strip(), outstanding);
                } else if (r instanceof FramingError e) {
                    answer(ctx.channel(), "?", "ERR " + e.exception().getMessage());
                }
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // a client that does not read its answers gets no more requests read until it does
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            subscribers.removeIf(s -> s.channel() == ctx.channel());
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset connection: its subscriptions go with channelInactive
        }
    }

    private void request(Channel ch, String line, AtomicInteger outstanding) {
        if (line.isEmpty()) {
            return;
        }
        String[] parts = line.split("\\s+", 3);
        String id = parts[0];
        if (parts.length < 3) {
            answer(ch, id, "ERR expected \"<id> <device> <command>\", e.g. \"1 mfc1 FLOW?\"; got \"" + line + "\"");
            return;
        }
        String target = parts[1];
        String command = parts[2];
        if (target.equals("SUBSCRIBE")) {
            if (!command.equals("status")) {
                answer(ch, id, "ERR only \"status\" can be subscribed, not \"" + command + "\"");
                return;
            }
            subscribers.add(new Subscription(ch, id));
            answer(ch, id, "OK status every " + STATUS_PERIOD.toMillis() + " ms");
            return;
        }
        if (target.equals("UNSUBSCRIBE")) {
            boolean removed = subscribers.remove(new Subscription(ch, command));
            answer(ch, id, removed ? "OK" : "ERR no subscription \"" + command + "\" on this connection");
            return;
        }
        Device device = devices.get(target);
        if (device == null) {
            answer(ch, id, "ERR unknown device \"" + target + "\" (" + String.join(", ", devices.keySet()) + ")");
            return;
        }
        if (outstanding.incrementAndGet() > MAX_OUTSTANDING) {
            outstanding.decrementAndGet();
            answer(ch, id, "ERR busy: " + MAX_OUTSTANDING + " requests in progress on this connection");
            return;
        }
        call(device, command).whenComplete((reply, failure) -> {
            outstanding.decrementAndGet();
            answer(ch, id, failure == null ? reply : "ERR " + describe(failure));
        });
    }

    private static String describe(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        String kind = t instanceof RequestTimeoutException ? "timeout"
                : t instanceof LinkDownException ? "link down"
                : t.getClass().getSimpleName();
        return t.getMessage() == null ? kind : kind + ": " + t.getMessage();
    }

    /** Sends {@code <id> <text>}; any thread may call this, and a closed connection drops it. */
    private static void answer(Channel ch, String id, String text) {
        String line = id + " " + text.replace('\r', ' ').replace('\n', ' ') + "\n";
        ch.writeAndFlush(Unpooled.wrappedBuffer(line.getBytes(StandardCharsets.UTF_8)));
    }

    private static ExecutorService worker(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Stops listening, drops the clients, closes the instruments' links and ends every thread; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (statusTask != null) {
            statusTask.cancel(false);
        }
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        connections.close().awaitUninterruptibly();
        CompletableFuture.allOf(valve.close(), aio.close()).orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
        bus.close();
        mfc1Worker.shutdownNow();
        mfc2Worker.shutdownNow();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Override
    public String toString() {
        return "FurnaceServer[" + (listener == null ? "not listening" : listener.localAddress()) + "]";
    }
}
