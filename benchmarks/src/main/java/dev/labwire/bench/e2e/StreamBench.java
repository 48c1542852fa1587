package dev.labwire.bench.e2e;

import com.sun.management.OperatingSystemMXBean;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.frame.Frame;
import dev.labwire.netty.NettyClient;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Streaming devices: {@code --devices} connections (100) on one client event loop, each pushed
 * {@code STAT:+1.234567E+00\n} {@code --hz} times a second (40) by a {@link ReplyServer} in a child JVM. labwire:
 * {@link NettyClient}s with {@link FrameClassifier#ALL_PUSHED}, every frame taken by a {@link NettyClient#pushed()}
 * subscriber with unbounded demand. Twin: raw Netty channels with {@code LineBasedFrameDecoder} and a counting
 * handler. Figure: the client's CPU time per second of wall time (the whole client JVM, from
 * {@code OperatingSystemMXBean.getProcessCpuTime}, and the client event loop thread alone, from
 * {@code ThreadMXBean}, with its user-mode part, which the kernel samples at clock ticks); frames/s shows every frame
 * arrived. The loop thread's context switches per frame (Linux {@code /proc}) say how often it slept and was woken:
 * each wake-up costs kernel time, and how many frames one wake-up finds depends on the scheduler and the load, so
 * compare contenders at like switch counts.
 */
final class StreamBench {
    private final Loopback b;

    StreamBench(Loopback b) {
        this.b = b;
    }

    private interface Fleet {
        void open(int port, EventLoopGroup group, int devices, int hz, LongAdder frames) throws Exception;

        void close() throws Exception;
    }

    private record Cpu(double framesPerSecond, double processMsPerSecond, double loopMsPerSecond, double loopUserMsPerSecond,
                       double bytesPerFrame, double loopWakeupsPerFrame, String load) {
    }

    void run() throws Exception {
        int rounds = Math.min(b.rounds, 3);
        double seconds = Math.max(5, b.seconds);
        Map<String, List<Cpu>> out = new LinkedHashMap<>();
        out.put("raw Netty", new ArrayList<>());
        out.put("labwire Netty", new ArrayList<>());
        if (b.only != null) {
            out.keySet().removeIf(k -> !b.only.matcher(k).find());
        }
        try (ServerProcess server = ServerProcess.start(1)) {
            for (int round = 0; round < rounds; round++) {
                List<String> order = new ArrayList<>(out.keySet());
                if (round % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (String kind : order) {
                    Cpu c = measure(kind, server.port(), seconds);
                    out.get(kind).add(c);
                    System.err.printf("  round %d %-14s %,8.0f frames/s  process %6.1f ms/s  loop %6.1f ms/s (user %5.1f)  %5.1f B/frame  loop switches/frame %.3f  load %s%n",
                            round, kind, c.framesPerSecond, c.processMsPerSecond, c.loopMsPerSecond, c.loopUserMsPerSecond, c.bytesPerFrame,
                            c.loopWakeupsPerFrame, c.load);
                }
            }
        }
        Report r = b.report;
        r.line("### Streaming: " + b.devices + " devices x " + b.hz + " frames/s on one client event loop (server in a child JVM)");
        r.line("");
        r.line("| client | frames/s | client process CPU ms/s (median) | min .. max | client loop thread CPU ms/s | of which user | loop B allocated/frame | loop thread switches/frame | load avg |");
        r.line("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        out.forEach((k, v) -> r.line("| " + k + " | " + Report.f0(median(v, Cpu::framesPerSecond))
                + " | " + Report.f1(median(v, Cpu::processMsPerSecond))
                + " | " + Report.f1(v.stream().mapToDouble(Cpu::processMsPerSecond).min().orElse(Double.NaN))
                + " .. " + Report.f1(v.stream().mapToDouble(Cpu::processMsPerSecond).max().orElse(Double.NaN))
                + " | " + Report.f1(median(v, Cpu::loopMsPerSecond))
                + " | " + Report.f1(median(v, Cpu::loopUserMsPerSecond))
                + " | " + Report.f0(median(v, Cpu::bytesPerFrame))
                + " | " + Report.f2(median(v, Cpu::loopWakeupsPerFrame))
                + " | " + v.get(0).load + " .. " + v.get(v.size() - 1).load + " |"));
        if (out.size() < 2) {
            return; // one of them was left out (--only)
        }
        double l = median(out.get("labwire Netty"), Cpu::processMsPerSecond);
        double w = median(out.get("raw Netty"), Cpu::processMsPerSecond);
        r.line("");
        r.line("- labwire Netty / raw Netty: client process CPU **" + Report.f2(l / w) + "x**, loop thread CPU "
                + Report.f2(median(out.get("labwire Netty"), Cpu::loopMsPerSecond) / median(out.get("raw Netty"), Cpu::loopMsPerSecond)) + "x");
        r.line("");
    }

    private static double median(List<Cpu> v, java.util.function.ToDoubleFunction<Cpu> f) {
        double[] a = v.stream().mapToDouble(f).sorted().toArray();
        return a.length == 0 ? Double.NaN : a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private Cpu measure(String kind, int port, double seconds) throws Exception {
        EventLoopGroup group = Loopback.clientGroup();
        Fleet fleet = kind.startsWith("raw") ? new RawFleet() : new LabwireFleet();
        try {
            EventLoop loop = group.next();
            long loopThread = loop.submit(() -> Thread.currentThread().getId()).get();
            String loopName = loop.submit(() -> Thread.currentThread().getName()).get();
            LongAdder frames = new LongAdder();
            fleet.open(port, group, b.devices, b.hz, frames);
            Thread.sleep((long) (b.warmup * 1000));
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long f0 = frames.sum();
            long p0 = os.getProcessCpuTime();
            long l0 = threads.getThreadCpuTime(loopThread);
            long u0 = threads.getThreadUserTime(loopThread);
            long a0 = Report.allocatedBytes(loopThread);
            long s0 = contextSwitches(loopName);
            long t0 = System.nanoTime();
            Thread.sleep((long) (seconds * 1000));
            long f1 = frames.sum();
            long p1 = os.getProcessCpuTime();
            long l1 = threads.getThreadCpuTime(loopThread);
            long u1 = threads.getThreadUserTime(loopThread);
            long a1 = Report.allocatedBytes(loopThread);
            long s1 = contextSwitches(loopName);
            long t1 = System.nanoTime();
            double secs = (t1 - t0) / 1e9;
            return new Cpu((f1 - f0) / secs, (p1 - p0) / 1e6 / secs, (l1 - l0) / 1e6 / secs, (u1 - u0) / 1e6 / secs,
                    (a1 - a0) / (double) Math.max(1, f1 - f0),
                    s0 < 0 || s1 < 0 ? Double.NaN : (s1 - s0) / (double) Math.max(1, f1 - f0), Machine.loadAverage());
        } finally {
            fleet.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * Voluntary plus involuntary context switches of this JVM's thread named {@code name} (Linux,
     * {@code /proc/self/task/<tid>/status}); -1 when not found. A loop thread that sleeps in {@code epoll_wait} and is
     * woken by a frame switches twice per wake-up: these counts show how often it was woken.
     */
    private static long contextSwitches(String name) {
        String comm = name.length() > 15 ? name.substring(0, 15) : name; // the kernel keeps 15 characters
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return -1;
        }
        long found = -1;
        for (java.io.File t : tasks) {
            try {
                if (!java.nio.file.Files.readString(t.toPath().resolve("comm")).trim().equals(comm)) {
                    continue;
                }
                if (found >= 0) {
                    return -1; // two threads of that name: cannot tell which
                }
                long n = 0;
                for (String line : java.nio.file.Files.readAllLines(t.toPath().resolve("status"))) {
                    if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                        n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
                found = n;
            } catch (java.io.IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
        return found;
    }

    private static final class RawFleet implements Fleet {
        private final List<RawNettyClient> clients = new ArrayList<>();

        @Override
        public void open(int port, EventLoopGroup group, int devices, int hz, LongAdder frames) throws Exception {
            for (int i = 0; i < devices; i++) {
                RawNettyClient c = RawNettyClient.connect(group, port, Loopback.COMMAND, frames).get(10, TimeUnit.SECONDS);
                clients.add(c);
                c.send("!STREAM " + hz);
            }
        }

        @Override
        public void close() throws Exception {
            CompletableFuture.allOf(clients.stream().map(RawNettyClient::close).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static final class LabwireFleet implements Fleet {
        private final List<NettyClient> clients = new ArrayList<>();

        @Override
        public void open(int port, EventLoopGroup group, int devices, int hz, LongAdder frames) throws Exception {
            ConnectionConfig config = ConnectionConfig.builder().classifier(FrameClassifier.ALL_PUSHED).build();
            for (int i = 0; i < devices; i++) {
                NettyClient c = NettyClient.builder(Loopback.tcp(port)).eventLoopGroup(group).config(config).build();
                clients.add(c);
                c.pushed().subscribe(new Counter(frames));
                c.ready(Duration.ofSeconds(10)).get();
                c.write("!STREAM " + hz).get(10, TimeUnit.SECONDS);
            }
        }

        @Override
        public void close() throws Exception {
            CompletableFuture.allOf(clients.stream().map(NettyClient::close).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** Takes every frame as it comes and counts it. */
    private record Counter(LongAdder frames) implements Flow.Subscriber<Frame> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Frame f) {
            frames.increment();
        }

        @Override
        public void onError(Throwable t) {
            // the stream ends with the client
        }

        @Override
        public void onComplete() {
            // the stream ends with the client
        }
    }
}
