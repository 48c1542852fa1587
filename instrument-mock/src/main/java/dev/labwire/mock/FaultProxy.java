package dev.labwire.mock;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback TCP proxy that injects faults between a client and an instrument (usually a {@link MockInstrument}):
 * for chaos tests. Each chunk read from either side draws its faults from a seeded random source, so a failing
 * run can be replayed from {@link #seed()} (the fault sequence of each connection is fixed by the seed; thread
 * timing is not).
 *
 * <pre>{@code
 * try (MockInstrument mock = MockInstrument.tcp().scpi();
 *      FaultProxy proxy = FaultProxy.to(mock.port()).seed(42).splitBytes(0.2).reset(0.001)
 *              .stall(0.001, Duration.ofMillis(800)).garbage(0.001, 16).start()) {
 *     BlockingClient client = BlockingClient.open(proxy.endpoint(), config);
 *     ...
 *     proxy.quiet(true);   // faults off: the client must come back to full service
 * }
 * }</pre>
 *
 * Faults, each with a probability per chunk (all 0 by default):
 * <ul>
 *   <li>{@code delay(p, max)}: the chunk waits up to {@code max} (either direction);</li>
 *   <li>{@code splitBytes(p)}: the chunk goes out one byte per write (instrument to client);</li>
 *   <li>{@code reset(p)}: part of the chunk goes out, then both connections are reset (either direction:
 *       mid-request and mid-reply);</li>
 *   <li>{@code stall(p, d)}: nothing more goes to the client for {@code d}, then the held bytes follow
 *       (a hung instrument that wakes up: late replies);</li>
 *   <li>{@code garbage(p, max)}: 1..max bytes of 0x80..0xFF noise go to the client before the chunk; noise never
 *       holds {@code \r} or {@code \n}, so it corrupts the next line instead of adding one (an extra line is,
 *       on an untagged protocol, indistinguishable from a reply).</li>
 * </ul>
 * Thread-safe. Threads are daemons named {@code mock-proxy *}, gone when {@link #close()} returns.
 */
public final class FaultProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);

    /** Faults injected so far. */
    public record Counts(long connections, long delays, long splits, long resets, long stalls, long garbage) {
        /** All faults (not connections). */
        public long total() {
            return delays + splits + resets + stalls + garbage;
        }
    }

    private final Builder config;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger accepted = new AtomicInteger();
    private final LongAdder delays = new LongAdder();
    private final LongAdder splits = new LongAdder();
    private final LongAdder resets = new LongAdder();
    private final LongAdder stalls = new LongAdder();
    private final LongAdder garbage = new LongAdder();
    private volatile boolean quiet;

    private FaultProxy(Builder b) throws IOException {
        this.config = b;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        this.acceptor = new Thread(this::acceptLoop, "mock-proxy accept " + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy builder for the instrument on 127.0.0.1:{@code port}. */
    public static Builder to(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        return new Builder(port);
    }

    /** The endpoint a client opens: {@code tcp://127.0.0.1:<port>}. */
    public String endpoint() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    /** The proxy's listening port. */
    public int port() {
        return server.getLocalPort();
    }

    /** The seed of the fault sequence. */
    public long seed() {
        return config.seed;
    }

    /** Turns every fault off (true) or back on (false); bytes keep flowing either way. */
    public void quiet(boolean quiet) {
        this.quiet = quiet;
    }

    /** Faults injected so far. */
    public Counts counts() {
        return new Counts(accepted.get(), delays.sum(), splits.sum(), resets.sum(), stalls.sum(), garbage.sum());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    log.warn("proxy accept failed: {}", e.toString());
                }
                continue;
            }
            int n = accepted.incrementAndGet();
            try {
                Socket device = new Socket();
                device.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), config.targetPort), 2000);
                client.setTcpNoDelay(true);
                device.setTcpNoDelay(true);
                Pair p = new Pair(client, device, n);
                pairs.add(p);
                if (closed.getCount() == 0) {
                    p.reset();
                } else {
                    p.start();
                }
            } catch (IOException e) {
                log.debug("proxy connection {}: instrument unreachable: {}", n, e.toString());
                closeQuietly(client);
            }
        }
    }

    /** Closes the listener and every connection and waits for the proxy's threads; idempotent. */
    @Override
    public void close() {
        if (closed.getCount() == 0) {
            return;
        }
        closed.countDown();
        closeQuietly(server);
        for (Pair p : pairs) {
            p.reset();
        }
        try {
            acceptor.join(5000);
            for (Pair p : pairs) {
                p.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
    }

    /** One client connection and its instrument connection, with a pump thread each way. */
    private final class Pair {
        private final Socket client;
        private final Socket device;
        private final Thread up;
        private final Thread down;
        private final AtomicInteger ended = new AtomicInteger();

        Pair(Socket client, Socket device, int n) {
            this.client = client;
            this.device = device;
            long s = config.seed * 0x9E3779B97F4A7C15L + n;
            SplittableRandom upRandom = new SplittableRandom(s);
            SplittableRandom downRandom = new SplittableRandom(s ^ 0x5DEECE66DL);
            this.up = new Thread(() -> pump(client, device, upRandom, false), "mock-proxy up #" + n);
            this.down = new Thread(() -> pump(device, client, downRandom, true), "mock-proxy down #" + n);
            up.setDaemon(true);
            down.setDaemon(true);
        }

        void start() {
            up.start();
            down.start();
        }

        void join() throws InterruptedException {
            if (up.isAlive() || up.getState() != Thread.State.NEW) {
                up.join(5000);
            }
            if (down.isAlive() || down.getState() != Thread.State.NEW) {
                down.join(5000);
            }
        }

        private void pump(Socket from, Socket to, SplittableRandom random, boolean toClient) {
            byte[] buf = new byte[4096];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (!forward(buf, n, out, random, toClient)) {
                        return;
                    }
                }
                // an orderly end on one side ends the other side too
                reset();
            } catch (IOException e) {
                reset();
            } catch (InterruptedException e) {
                reset();
                Thread.currentThread().interrupt();
            }
        }

        /** Forwards one chunk with its faults; false when this pair was reset. */
        private boolean forward(byte[] buf, int n, OutputStream out, SplittableRandom random, boolean toClient)
                throws IOException, InterruptedException {
            boolean faults = !quiet;
            if (faults && hit(random, config.delayP)) {
                delays.increment();
                if (!pause(random.nextLong(config.delayMax.toNanos() + 1))) {
                    return false;
                }
            }
            if (faults && hit(random, config.resetP)) {
                resets.increment();
                out.write(buf, 0, random.nextInt(n + 1));
                out.flush();
                reset();
                return false;
            }
            if (toClient && faults && hit(random, config.stallP)) {
                stalls.increment();
                if (!pause(config.stallFor.toNanos())) {
                    return false;
                }
            }
            if (toClient && faults && hit(random, config.garbageP)) {
                garbage.increment();
                byte[] noise = new byte[1 + random.nextInt(config.garbageMax)];
                for (int i = 0; i < noise.length; i++) {
                    noise[i] = (byte) (0x80 + random.nextInt(0x80));
                }
                out.write(noise);
            }
            if (toClient && faults && n > 1 && hit(random, config.splitP)) {
                splits.increment();
                for (int i = 0; i < n; i++) {
                    out.write(buf[i]);
                    out.flush();
                }
            } else {
                out.write(buf, 0, n);
            }
            out.flush();
            return true;
        }

        private boolean pause(long nanos) throws InterruptedException {
            return !closed.await(nanos, TimeUnit.NANOSECONDS) && ended.get() == 0;
        }

        /** Resets both connections (RST where the OS allows); idempotent. */
        void reset() {
            if (ended.getAndIncrement() != 0) {
                return;
            }
            for (Socket s : new Socket[] {client, device}) {
                try {
                    s.setSoLinger(true, 0);
                } catch (IOException e) {
                    // already closed
                }
                closeQuietly(s);
            }
            pairs.remove(this);
        }
    }

    private static boolean hit(SplittableRandom random, double p) {
        return p > 0 && random.nextDouble() < p;
    }

    /** Configures a {@link FaultProxy}; every probability is per chunk, 0..1, default 0. */
    public static final class Builder {
        private final int targetPort;
        private long seed = System.nanoTime();
        private double delayP;
        private Duration delayMax = Duration.ZERO;
        private double splitP;
        private double resetP;
        private double stallP;
        private Duration stallFor = Duration.ZERO;
        private double garbageP;
        private int garbageMax = 1;

        private Builder(int targetPort) {
            this.targetPort = targetPort;
        }

        /** The seed of the fault sequence (default: the clock). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Delay a chunk by up to {@code max}, with probability {@code p}. */
        public Builder delay(double p, Duration max) {
            this.delayP = probability(p);
            this.delayMax = positive(max, "delay max");
            return this;
        }

        /** Send a chunk to the client one byte per write, with probability {@code p}. */
        public Builder splitBytes(double p) {
            this.splitP = probability(p);
            return this;
        }

        /** Reset both connections part-way through a chunk, with probability {@code p}. */
        public Builder reset(double p) {
            this.resetP = probability(p);
            return this;
        }

        /** Hold everything for the client for {@code duration}, with probability {@code p}. */
        public Builder stall(double p, Duration duration) {
            this.stallP = probability(p);
            this.stallFor = positive(duration, "stall duration");
            return this;
        }

        /** Put 1..{@code maxLength} bytes of 0x80..0xFF noise before a chunk, with probability {@code p}. */
        public Builder garbage(double p, int maxLength) {
            if (maxLength < 1) {
                throw new IllegalArgumentException("garbage maxLength must be at least 1: " + maxLength);
            }
            this.garbageP = probability(p);
            this.garbageMax = maxLength;
            return this;
        }

        /** Starts listening on a free loopback port. @throws UncheckedIOException when it cannot listen */
        public FaultProxy start() {
            try {
                return new FaultProxy(this);
            } catch (IOException e) {
                throw new UncheckedIOException("fault proxy cannot listen: " + e.getMessage(), e);
            }
        }

        private static double probability(double p) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("probability must be 0..1: " + p);
            }
            return p;
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
