package dev.labwire.discovery.internal;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.discovery.FoundInstrument;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Spliterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One discovery run: starts the sources on a daemon thread, takes what they find (each endpoint once), identifies
 * network results when asked, and hands results to the stream as they come, until the deadline. At the deadline,
 * results still being identified are handed out with "not identified before the deadline".
 */
public final class DiscoveryRun implements Spliterator<FoundInstrument> {

    private static final Logger log = LoggerFactory.getLogger(DiscoveryRun.class);
    static final int MAX_HELD = 10_000;

    private final boolean mdns;
    private final boolean vxi11;
    private final List<InetAddress> broadcastTargets;
    private final int portmapperPort;
    private final boolean serial;
    private final boolean identify;
    private final Duration identifyTimeout;
    private final List<String> types;
    private final List<InetAddress> addresses;
    private final long deadline;

    private final LinkedBlockingQueue<FoundInstrument> ready = new LinkedBlockingQueue<>(MAX_HELD);
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final Map<String, FoundInstrument> identifying = new ConcurrentHashMap<>();
    private final AtomicInteger finiteSourcesRunning = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final MdnsBrowser browser = new MdnsBrowser();
    private volatile ExecutorService identifier;
    private volatile boolean closed;

    public DiscoveryRun(boolean mdns, boolean vxi11, List<InetAddress> broadcastTargets, int portmapperPort,
                        boolean serial, boolean identify, Duration identifyTimeout, List<String> types,
                        List<InetAddress> addresses, long deadlineNanos) {
        this.mdns = mdns;
        this.vxi11 = vxi11;
        this.broadcastTargets = broadcastTargets;
        this.portmapperPort = portmapperPort;
        this.serial = serial;
        this.identify = identify;
        this.identifyTimeout = identifyTimeout;
        this.types = types;
        this.addresses = addresses;
        this.deadline = deadlineNanos;
    }

    /**
     * The longest wait a run keeps, about 146 years: {@code System.nanoTime()} deadlines are compared by
     * subtraction, which is right while deadlines lie less than 2^63 ns ahead. Longer durations
     * ({@code ChronoUnit.FOREVER.getDuration()}, whose {@code toNanos()} throws) are held here.
     */
    public static final long LONGEST_NANOS = Long.MAX_VALUE / 2;

    /** {@code d} in nanoseconds, held at {@link #LONGEST_NANOS}; {@code d} must not be negative. */
    public static long horizonNanos(Duration d) {
        return d.compareTo(Duration.ofNanos(LONGEST_NANOS)) >= 0 ? LONGEST_NANOS : d.toNanos();
    }

    /** What one identification may take: the identify timeout, cut to what is left of the run (at least 1 ms). */
    static Duration identifyBudget(Duration identifyTimeout, long leftNanos) {
        return Duration.ofNanos(Math.max(1_000_000, Math.min(horizonNanos(identifyTimeout), leftNanos)));
    }

    /** Starts the sources; returns at once. */
    public void start() {
        if (identify) {
            identifier = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "labwire-discovery-identify");
                t.setDaemon(true);
                return t;
            });
        }
        finiteSourcesRunning.incrementAndGet(); // the starter itself, until it has started everything
        Thread starter = new Thread(() -> {
            try {
                if (serial) {
                    for (FoundInstrument f : SerialSource.list()) {
                        found(f);
                    }
                }
                if (vxi11 && !closed) {
                    Thread b = new Thread(() -> Vxi11Broadcast.run(broadcastTargets, portmapperPort, deadline,
                            () -> closed, this::found), "labwire-discovery-vxi11");
                    b.setDaemon(true);
                    b.start();
                }
                if (mdns && !closed) {
                    browser.start(addresses, types, this::found);
                }
            } catch (RuntimeException e) {
                log.warn("discovery: a source failed: {}", e.toString(), e);
            } finally {
                finiteSourcesRunning.decrementAndGet();
            }
        }, "labwire-discovery");
        starter.setDaemon(true);
        starter.start();
    }

    private void found(FoundInstrument f) {
        if (closed || !seen.add(f.endpoint())) {
            return;
        }
        if (identify && f.isNetwork()) {
            identifying.put(f.endpoint(), f);
            try {
                identifier.execute(() -> identifyNow(f));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                identifying.remove(f.endpoint()); // the run was closed meanwhile
            }
        } else {
            offer(f);
        }
    }

    private void identifyNow(FoundInstrument f) {
        long left = deadline - System.nanoTime();
        Duration t = identifyBudget(identifyTimeout, left);
        FoundInstrument done;
        try (BlockingClient c = BlockingClient.openAndAwait(f.endpoint(), ConnectionConfig.builder()
                .defaultTimeout(t).connectTimeout(t).build(), t)) {
            done = f.withIdentity(c.query("*IDN?", t).strip());
        } catch (RuntimeException e) {
            String m = e.getMessage();
            done = f.withIdentifyError(e.getClass().getSimpleName() + (m == null ? "" : ": " + m));
        }
        if (identifying.remove(f.endpoint()) != null) {
            offer(done);
        }
    }

    private void offer(FoundInstrument f) {
        if (!ready.offer(f)) {
            long n = dropped.incrementAndGet();
            if (n == 1 || n % 1000 == 0) {
                log.warn("discovery: {} results dropped: more than {} held for a consumer that does not take them",
                        n, MAX_HELD);
            }
        }
    }

    @Override
    public boolean tryAdvance(Consumer<? super FoundInstrument> action) {
        while (!closed) {
            FoundInstrument f = ready.poll();
            if (f != null) {
                action.accept(f);
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                // the deadline: whatever is still being identified goes out as it is
                for (String endpoint : List.copyOf(identifying.keySet())) {
                    FoundInstrument pending = identifying.remove(endpoint);
                    if (pending != null) {
                        offer(pending.withIdentifyError("not identified before the deadline"));
                    }
                }
                f = ready.poll();
                if (f != null) {
                    action.accept(f);
                    return true;
                }
                close(); // a stream nobody closes must not leave JmDNS running
                return false;
            }
            if (!mdns && !vxi11 && finiteSourcesRunning.get() == 0 && identifying.isEmpty() && ready.isEmpty()) {
                close(); // only finite sources, all done
                return false;
            }
            try {
                f = ready.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (f != null) {
                action.accept(f);
                return true;
            }
        }
        return false;
    }

    @Override
    public Spliterator<FoundInstrument> trySplit() {
        return null;
    }

    @Override
    public long estimateSize() {
        return Long.MAX_VALUE;
    }

    @Override
    public int characteristics() {
        return ORDERED | NONNULL | DISTINCT;
    }

    /** Stops browsing and identifying; the stream ends. */
    public void close() {
        closed = true;
        browser.close();
        ExecutorService e = identifier;
        if (e != null) {
            e.shutdownNow();
        }
    }
}
