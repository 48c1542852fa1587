package dev.labwire.mock;

import java.io.IOException;
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
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * Faults by reply line (instrument to client, cut at {@code \n}; the bytes of every other line pass untouched):
 * <ul>
 *   <li>{@code dropReplies(p)}: each line is dropped whole with probability {@code p} (one draw per line);</li>
 *   <li>{@code dropReply(n)}: the {@code n}-th line is dropped whole; lines are numbered from 1 in the order they
 *       start, over all connections of this proxy, so the fault happens once even if the client reconnects;
 *       {@link #dropNextReply()} does the same at run time.</li>
 * </ul>
 * <pre>
 * instrument sends   1\n+1.25E+00\n#13abc\n     dropReply(2)
 * client receives    1\n#13abc\n                 counts().drops() == 1
 * </pre>
 * Modes switched at run time: {@link #quiet(boolean)} (faults off) and {@link #stopReading(boolean)} (a peer that
 * accepts and never reads). For a connect that hangs, see {@link #blackHole()}.
 *
 * <p>Thread-safe. Threads are daemons named {@code mock-proxy *}, gone when {@link #close()} returns.
 */
public final class FaultProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);

    /**
     * Faults injected so far.
     *
     * @param drops reply lines dropped whole ({@code dropReplies}, {@code dropReply}, {@link #dropNextReply()})
     */
    public record Counts(long connections, long delays, long splits, long resets, long stalls, long garbage,
            long drops) {

        /** Counts without drops, as before drops were counted. */
        public Counts(long connections, long delays, long splits, long resets, long stalls, long garbage) {
            this(connections, delays, splits, resets, stalls, garbage, 0);
        }

        /** All faults (not connections). */
        public long total() {
            return delays + splits + resets + stalls + garbage + drops;
        }
    }

    private final Builder config;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<ProxyPair> pairs = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger accepted = new AtomicInteger();
    final LongAdder delays = new LongAdder();
    final LongAdder splits = new LongAdder();
    final LongAdder resets = new LongAdder();
    final LongAdder stalls = new LongAdder();
    final LongAdder garbage = new LongAdder();
    private final LongAdder drops = new LongAdder();
    private final AtomicLong replyLines = new AtomicLong();
    private final AtomicLong dropNext = new AtomicLong();
    private final Object readGate = new Object();
    private volatile boolean quiet;
    private volatile boolean stopReading;

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

    /**
     * Turns every fault off (true) or back on (false); bytes keep flowing either way. Reply lines are still
     * counted while quiet, and one that starts while quiet is never dropped. Does not change
     * {@link #stopReading(boolean)}.
     */
    public void quiet(boolean quiet) {
        this.quiet = quiet;
    }

    /**
     * A peer that accepts and never reads (true), or reads again (false; default): the proxy stops reading what
     * clients send, on every connection, present and future. The bytes then wait in the proxy's socket buffer (and
     * at most one 4 KiB chunk the proxy had just read), the TCP window closes, the client's send buffer fills and
     * its writes block (a non-blocking write returns 0), while replies still flow to the client. Switching back
     * forwards every held byte, in order. A reset or {@link #close()} ends the wait.
     */
    public void stopReading(boolean stop) {
        synchronized (readGate) {
            this.stopReading = stop;
            readGate.notifyAll();
        }
    }

    /**
     * Drops the next reply line that starts (instrument to client, on any connection), whole, as
     * {@link Builder#dropReply(long)} does for a numbered one; calls add up. Counted in {@link Counts#drops()}.
     */
    public void dropNextReply() {
        dropNext.incrementAndGet();
    }

    /** How many reply lines (instrument to client) have started so far, over all connections. */
    public long replyLines() {
        return replyLines.get();
    }

    /** Faults injected so far. */
    public Counts counts() {
        return new Counts(accepted.get(), delays.sum(), splits.sum(), resets.sum(), stalls.sum(), garbage.sum(),
                drops.sum());
    }

    /**
     * A loopback port where a TCP connect never completes, as to a black-holed address: a listener with a
     * full accept queue that never accepts, so the OS drops every further SYN and a client's connect waits for
     * its own connect timeout (with none, for the OS's SYN retries: about 2 minutes on Linux). Close it when done.
     *
     * @throws IllegalStateException when the OS completes connects to the full listener anyway
     * @throws java.io.UncheckedIOException when it cannot listen
     */
    public static BlackHole blackHole() {
        return BlackHole.open();
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
                ProxyPair p = new ProxyPair(this, config, client, device, n);
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
        for (ProxyPair p : pairs) {
            p.reset();
        }
        synchronized (readGate) {
            readGate.notifyAll();
        }
        try {
            acceptor.join(5000);
            for (ProxyPair p : pairs) {
                p.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
    }

    boolean isQuiet() {
        return quiet;
    }

    /** Waits {@code nanos} unless the proxy closes first; false when it closed. */
    boolean pause(long nanos) throws InterruptedException {
        return !closed.await(nanos, TimeUnit.NANOSECONDS);
    }

    /** Waits while reading is stopped; false when {@code pair} ended or the proxy closed meanwhile. */
    boolean awaitReading(ProxyPair pair) throws InterruptedException {
        synchronized (readGate) {
            while (stopReading && !pair.isEnded() && closed.getCount() != 0) {
                readGate.wait();
            }
        }
        return !pair.isEnded() && closed.getCount() != 0;
    }

    /** Numbers a reply line that starts now and says whether to drop it (and counts the drop). */
    boolean dropLine(SplittableRandom random, boolean faults) {
        long number = replyLines.incrementAndGet();
        boolean byChance = ProxyPair.hit(random, config.dropP); // drawn even when quiet: the sequence stays fixed
        if (!faults) {
            return false;
        }
        boolean drop = byChance || config.dropLines.contains(number) || takeDropNext();
        if (drop) {
            drops.increment();
        }
        return drop;
    }

    private boolean takeDropNext() {
        for (long n; (n = dropNext.get()) > 0; ) {
            if (dropNext.compareAndSet(n, n - 1)) {
                return true;
            }
        }
        return false;
    }

    void ended(ProxyPair pair) {
        pairs.remove(pair);
        synchronized (readGate) {
            readGate.notifyAll();
        }
    }

    /** Configures a {@link FaultProxy}; every probability is 0..1, default 0, per chunk (dropReplies: per line). */
    public static final class Builder {
        final int targetPort;
        long seed = System.nanoTime();
        double delayP;
        Duration delayMax = Duration.ZERO;
        double splitP;
        double resetP;
        double stallP;
        Duration stallFor = Duration.ZERO;
        double garbageP;
        int garbageMax = 1;
        double dropP;
        final Set<Long> dropLines = new CopyOnWriteArraySet<>();

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

        /**
         * Drop each reply line (instrument to client, up to and including its {@code \n}) whole, with probability
         * {@code p}, drawn once per line; the bytes of the other lines pass untouched. Counted in
         * {@link Counts#drops()}.
         */
        public Builder dropReplies(double p) {
            this.dropP = probability(p);
            return this;
        }

        /**
         * Drop the {@code n}-th reply line whole (1 is the first). Lines are numbered in the order they start over
         * all connections of the proxy, so the line is dropped once, even when the client reconnects; call again
         * to drop more. Counted in {@link Counts#drops()}.
         *
         * @throws IllegalArgumentException when {@code n} is less than 1
         */
        public Builder dropReply(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("reply lines are numbered from 1: " + n);
            }
            dropLines.add(n);
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
