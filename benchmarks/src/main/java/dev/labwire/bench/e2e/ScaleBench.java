package dev.labwire.bench.e2e;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.netty.NettyClient;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * Many instruments on one event loop: N clients (100, 1,000, 10,000), all on one client event loop thread, each
 * queried once a second at its own phase, against a {@link ReplyServer} in a child JVM (so that the heap, the
 * threads and the file descriptors counted here are the client's alone). labwire {@link NettyClient}s and, as
 * the twin, raw Netty channels with {@code LineBasedFrameDecoder}.
 *
 * <p>Figures: latency of each call from the moment it was made, and from the moment it was due (the first adds
 * nothing when the loop runs late; the second does, so it shows a saturated loop); the client loop thread's CPU
 * share; heap per connection (used heap after full GCs, after minus before, over N); threads the clients added.
 */
final class ScaleBench {
    private static final int BATCH = 500;

    private final Loopback b;

    ScaleBench(Loopback b) {
        this.b = b;
    }

    /** What one kind of client needs: open N, make a call on client i, close all. */
    private interface Fleet {
        Supplier<CompletableFuture<String>> open(int i) throws Exception;

        void closeAll() throws Exception;
    }

    void run() throws Exception {
        Report r = b.report;
        r.line("### Many clients on one event loop, each queried once a second (server in a child JVM)");
        r.line("");
        r.line("open files limit (ulimit -n): " + Machine.openFileLimit() + "; each side of a connection holds one descriptor");
        r.line("");
        r.line("| client | connections | calls/s | p50 µs | p99 µs | p99.9 µs | max µs | p99 from due time µs | failed | client loop CPU % | loop B allocated/call | heap/connection B | threads added | load avg |");
        r.line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (int n : b.conns) {
            try (ServerProcess server = ServerProcess.start(1)) {
                for (String kind : List.of("raw Netty", "labwire Netty")) {
                    EventLoopGroup group = Loopback.clientGroup();
                    try {
                        one(kind, n, server.port(), group);
                    } catch (Exception | OutOfMemoryError e) {
                        r.line("| " + kind + " | " + n + " | failed: " + e + " |");
                    } finally {
                        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                    }
                }
            }
        }
        r.line("");
    }

    private void one(String kind, int n, int port, EventLoopGroup group) throws Exception {
        EventLoop loop = group.next();
        long loopThread = loop.submit(() -> Thread.currentThread().getId()).get();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Set<String> threadsBefore = threadNames();
        long heapBefore = Machine.usedHeapAfterGc();
        Fleet fleet = kind.startsWith("raw") ? rawFleet(group, port) : labwireFleet(group, port);
        List<Supplier<CompletableFuture<String>>> calls = new ArrayList<>(n);
        for (int i = 0; i < n; i += BATCH) {
            List<CompletableFuture<?>> ready = new ArrayList<>();
            for (int j = i; j < Math.min(n, i + BATCH); j++) {
                calls.add(fleet.open(j));
            }
            // every client of the batch answers once before the next batch connects (keeps the accept queue short)
            for (int j = i; j < Math.min(n, i + BATCH); j++) {
                ready.add(calls.get(j).get());
            }
            CompletableFuture.allOf(ready.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        long heapAfter = Machine.usedHeapAfterGc();
        Set<String> added = threadNames();
        added.removeAll(threadsBefore);

        Histogram fromCall = Report.histogram();
        Histogram fromDue = Report.histogram();
        long[] failed = {0};
        boolean[] measuring = {false};
        // one 1 ms tick fires the clients due in that millisecond (client i at i/n of each second): Netty's NIO
        // loop waits in whole milliseconds, so a timer per client, due every few microseconds, would make the loop
        // spin in selectNow() between them and the CPU figure would measure that spinning
        List<ScheduledFuture<?>> timers = new ArrayList<>(1);
        long tick = TimeUnit.MILLISECONDS.toNanos(1);
        long first = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long[] ticks = {0};
        loop.submit(() -> timers.add(loop.scheduleAtFixedRate(() -> {
            long k = ticks[0]++;
            long due = first + k * tick;
            int slot = (int) (k % 1000);
            int from = (int) ((long) n * slot / 1000);
            int to = (int) ((long) n * (slot + 1) / 1000);
            for (int i = from; i < to; i++) {
                long t0 = System.nanoTime();
                calls.get(i).get().whenComplete((reply, e) -> {
                    if (!measuring[0]) {
                        return;
                    }
                    if (e != null) {
                        failed[0]++;
                        return;
                    }
                    long t = System.nanoTime();
                    fromCall.recordValue(t - t0);
                    fromDue.recordValue(Math.max(0, t - due));
                });
            }
        }, first - System.nanoTime(), tick, TimeUnit.NANOSECONDS))).get();
        Thread.sleep((long) (b.warmup * 1000));
        loop.submit(() -> measuring[0] = true).get();
        long cpu0 = threads.getThreadCpuTime(loopThread);
        long alloc0 = Report.allocatedBytes(loopThread);
        long t0 = System.nanoTime();
        double measureSeconds = Math.max(5, b.seconds * b.rounds);
        Thread.sleep((long) (measureSeconds * 1000));
        long cpu1 = threads.getThreadCpuTime(loopThread);
        long alloc1 = Report.allocatedBytes(loopThread);
        long t1 = System.nanoTime();
        Histogram[] snap = loop.submit(() -> {
            measuring[0] = false;
            timers.forEach(t -> t.cancel(false));
            return new Histogram[] {fromCall.copy(), fromDue.copy()};
        }).get();
        String load = Machine.loadAverage();
        fleet.closeAll();
        double secs = (t1 - t0) / 1e9;
        b.report.line("| " + kind + " | " + n + " | " + Report.f0(snap[0].getTotalCount() / secs)
                + " | " + Report.f1(Report.us(snap[0].getValueAtPercentile(50)))
                + " | " + Report.f1(Report.us(snap[0].getValueAtPercentile(99)))
                + " | " + Report.f1(Report.us(snap[0].getValueAtPercentile(99.9)))
                + " | " + Report.f1(Report.us(snap[0].getMaxValue()))
                + " | " + Report.f1(Report.us(snap[1].getValueAtPercentile(99)))
                + " | " + failed[0]
                + " | " + Report.f1((cpu1 - cpu0) / 1e9 / secs * 100)
                + " | " + Report.f0((alloc1 - alloc0) / (double) Math.max(1, snap[0].getTotalCount()))
                + " | " + Report.f0((heapAfter - heapBefore) / (double) n)
                + " | " + added.size() + (added.isEmpty() ? "" : " (" + summarize(added) + ")")
                + " | " + load + " |");
    }

    private static Fleet rawFleet(EventLoopGroup group, int port) {
        List<RawNettyClient> clients = new ArrayList<>();
        return new Fleet() {
            @Override
            public Supplier<CompletableFuture<String>> open(int i) throws Exception {
                RawNettyClient c = RawNettyClient.connect(group, port, Loopback.COMMAND).get(60, TimeUnit.SECONDS);
                clients.add(c);
                return c::query;
            }

            @Override
            public void closeAll() throws Exception {
                CompletableFuture.allOf(clients.stream().map(RawNettyClient::close).toArray(CompletableFuture[]::new))
                        .get(60, TimeUnit.SECONDS);
            }
        };
    }

    private static Fleet labwireFleet(EventLoopGroup group, int port) {
        List<NettyClient> clients = new ArrayList<>();
        ConnectionConfig config = ConnectionConfig.DEFAULT;
        return new Fleet() {
            @Override
            public Supplier<CompletableFuture<String>> open(int i) throws Exception {
                NettyClient c = NettyClient.builder(Loopback.tcp(port)).eventLoopGroup(group).config(config).build();
                clients.add(c);
                return () -> c.query(Loopback.COMMAND);
            }

            @Override
            public void closeAll() throws Exception {
                CompletableFuture.allOf(clients.stream().map(NettyClient::close).toArray(CompletableFuture[]::new))
                        .get(60, TimeUnit.SECONDS);
            }
        };
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(Collectors.toCollection(java.util.HashSet::new));
    }

    /** "labwire-resolver-1-1, ..." as "labwire-resolver x2". */
    private static String summarize(Set<String> names) {
        TreeMap<String, Integer> byPrefix = new TreeMap<>();
        for (String n : names) {
            byPrefix.merge(n.replaceAll("[-#]?\\d+", ""), 1, Integer::sum);
        }
        return byPrefix.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
    }
}
