package dev.labwire.bench.e2e;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.netty.NettyClient;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * The end-to-end loopback harness: labwire's clients against hand-written java.net and Netty clients, all
 * talking to one fast {@link ReplyServer}, in one run, interleaved round by round so that whatever else the
 * machine does falls on every contender alike.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.labwire.bench.e2e.Loopback [tests] [options]
 *   tests:   roundtrip pipeline scale stream serial block paced pyvisa   (default: all but pyvisa)
 *   options: --rounds 5  --seconds 2  --warmup 6  --depth 64  --conns 100,1000,10000  --devices 100  --hz 40
 *            --out FILE (the markdown tables, also printed)
 * </pre>
 * Run it twice, {@code taskset -c 1 java ...} (everything on one CPU) and plain; {@code benchmarks/scripts/e2e.sh}
 * does both. Each figure is the median of {@code --rounds} intervals of {@code --seconds}; the load average is
 * printed with each table.
 *
 * <ul>
 *   <li>{@code roundtrip}: sequential round trips, one caller thread, server in this JVM: raw java.net socket, raw
 *       Netty ({@code LineBasedFrameDecoder}), labwire {@link BlockingClient}, labwire {@link NettyClient}.
 *       Round trips/s and p50/p99/p99.9 latency.</li>
 *   <li>{@code pipeline}: replies/s with {@code --depth} requests outstanding (labwire: {@code maxInFlight}).
 *       Netty clients: {@code depth} chains of calls on the event loop. Raw java.net: one thread writes
 *       {@code depth} commands at once and reads {@code depth} replies. labwire blocking: {@code depth} threads
 *       sharing one client.</li>
 *   <li>{@code scale}: see {@link ScaleBench}. {@code stream}: see {@link StreamBench}. {@code serial}: see
 *       {@link SerialBench}. {@code block}: see {@link BlockBench}. {@code paced}: see {@link PacedSerialBench}. {@code pyvisa}: see {@link PyVisaBench}.</li>
 * </ul>
 */
public final class Loopback {
    static final String COMMAND = "MEAS:VOLT?";

    final int rounds;
    final double seconds;
    final double warmup;
    final int depth;
    final int[] conns;
    final int devices;
    final int hz;
    final int[] blockSizes;
    final java.util.regex.Pattern only;
    final Report report = new Report();

    static final String USAGE = """
            usage: Loopback [roundtrip] [pipeline] [scale] [stream] [serial] [block] [paced] [pyvisa] [all] [options]   (no test = all but pyvisa)
              --rounds N    interleaved measured rounds per contender (5)
              --seconds S   length of one round (2)
              --warmup S    warm-up per contender before the rounds (6: C2 was still compiling labwire queryAll 12 s into a run)
              --depth N     requests outstanding in the pipeline test (64)
              --conns LIST  connection counts of the scale test (100,1000,10000)
              --devices N   streaming devices (100)
              --hz N        frames per second per streaming device (40)
              --sizes LIST  block sizes in MiB of the block test (1,10,100)
              --python P    the Python with PyVISA and pyvisa-py, for the pyvisa test (/usr/bin/python3)
              --pyvisa-script F   (benchmarks/scripts/pyvisa_client.py)
              --pyvisa-parts LIST which side-by-side workloads (sequential,pipelined,block,instruments)
              --only REGEX  measure only the contenders whose name contains a match (e.g. "virtual|Netty")
              --out FILE    also write the markdown tables to FILE""";

    private Loopback(Map<String, String> o) {
        rounds = Integer.parseInt(o.getOrDefault("rounds", "5"));
        seconds = Double.parseDouble(o.getOrDefault("seconds", "2"));
        warmup = Double.parseDouble(o.getOrDefault("warmup", "6"));
        depth = Integer.parseInt(o.getOrDefault("depth", "64"));
        conns = Arrays.stream(o.getOrDefault("conns", "100,1000,10000").split(",")).mapToInt(Integer::parseInt).toArray();
        devices = Integer.parseInt(o.getOrDefault("devices", "100"));
        hz = Integer.parseInt(o.getOrDefault("hz", "40"));
        blockSizes = Arrays.stream(o.getOrDefault("sizes", "1,10,100").split(",")).mapToInt(Integer::parseInt).toArray();
        only = o.containsKey("only") ? java.util.regex.Pattern.compile(o.get("only")) : null;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Map<String, String> options = new LinkedHashMap<>();
        List<String> tests = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println(USAGE);
                return;
            }
            if (args[i].startsWith("--")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value\n" + USAGE);
                }
                options.put(args[i].substring(2), args[++i]);
            } else {
                tests.add(args[i]);
            }
        }
        if (tests.isEmpty() || tests.contains("all")) {
            tests = List.of("roundtrip", "pipeline", "scale", "stream", "serial", "block", "paced");
        }
        Loopback b = new Loopback(options);
        b.report.line("## labwire loopback benchmarks: " + String.join(", ", tests));
        b.report.line("");
        b.report.line(Machine.describe());
        b.report.line("load average at start: " + Machine.loadAverage());
        b.report.line("");
        for (String t : tests) {
            switch (t) {
                case "roundtrip" -> b.roundtrip();
                case "pipeline" -> b.pipeline();
                case "scale" -> new ScaleBench(b).run();
                case "stream" -> new StreamBench(b).run();
                case "serial" -> new SerialBench(b).run();
                case "block" -> new BlockBench(b).run(b.blockSizes);
                case "paced" -> new PacedSerialBench(b).run();
                case "pyvisa" -> new PyVisaBench(b, options.getOrDefault("python", "/usr/bin/python3"),
                        options.getOrDefault("pyvisa-script", "benchmarks/scripts/pyvisa_client.py"),
                        java.util.Set.of(options.getOrDefault("pyvisa-parts", "sequential,pipelined,block,instruments").split(","))).run();
                default -> throw new IllegalArgumentException("unknown test " + t);
            }
        }
        if (options.containsKey("out")) {
            Files.writeString(Path.of(options.get("out")), b.report.text());
        }
        System.exit(0); // labwire's default-group and resolver threads are daemons, but leave nothing to chance
    }

    static EventLoopGroup clientGroup() {
        return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("client", true), NioIoHandler.newFactory());
    }

    static String tcp(int port) {
        return "tcp://127.0.0.1:" + port;
    }

    /** One blocking call: a round trip. */
    interface Call {
        String call() throws Exception;
    }

    /** One contender of an interleaved comparison: measures one interval of {@code seconds}. */
    interface Contender {
        Report.Sample measure(double seconds) throws Exception;
    }

    // ------------------------------------------------------------------ roundtrip

    private void roundtrip() throws Exception {
        ConnectionConfig strict = ConnectionConfig.DEFAULT;
        EventLoopGroup group = clientGroup();
        try (ReplyServer server = ReplyServer.start(1);
             RawSocketClient raw = new RawSocketClient(server.port(), COMMAND);
             RawSocketClient rawTimed = new RawSocketClient(server.port(), COMMAND, 5_000);
             BlockingClient blocking = BlockingClient.open(tcp(server.port()), strict).awaitReady(Duration.ofSeconds(10))) {
            RawNettyClient rawNetty = RawNettyClient.connect(group, server.port(), COMMAND).get(10, TimeUnit.SECONDS);
            NettyClient netty = NettyClient.builder(tcp(server.port())).eventLoopGroup(group).config(strict).build();
            netty.ready(Duration.ofSeconds(10)).get();
            Map<String, Contender> cs = new LinkedHashMap<>();
            cs.put("raw java.net", sequential(raw::query));
            cs.put("raw java.net, SO_TIMEOUT", sequential(rawTimed::query));
            cs.put("raw Netty", sequential(() -> rawNetty.query().get()));
            cs.put("labwire blocking", sequential(() -> blocking.query(COMMAND)));
            cs.put("labwire Netty", sequential(() -> netty.query(COMMAND).get()));
            cs.replaceAll((n, c) -> withCpu(c));
            Map<String, List<Report.Sample>> r = interleave(cs);
            report.line("### Sequential round trips (one caller, server in this JVM)");
            report.line("");
            latencyTable(r);
            ratio(r, "labwire blocking", "raw java.net");
            ratio(r, "labwire blocking", "raw java.net, SO_TIMEOUT");
            ratio(r, "labwire Netty", "raw Netty");
            report.line("");
            netty.close().get(10, TimeUnit.SECONDS);
            rawNetty.close().get(10, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Back-to-back calls on this thread; the reply is checked once first. */
    static Contender sequential(Call c) throws Exception {
        String first = c.call();
        if (!ReplyServer.REPLY_TEXT.equals(first)) {
            throw new IllegalStateException("unexpected reply " + first);
        }
        return seconds -> {
            Histogram h = Report.histogram();
            long n = 0;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long now = start;
            while (now < end) {
                c.call();
                long t = System.nanoTime();
                h.recordValue(t - now);
                now = t;
                n++;
            }
            return Report.Sample.of(n / ((now - start) / 1e9), h);
        };
    }

    /** Warms every contender up, then runs {@code rounds} rounds, rotating the order each round. */
    Map<String, List<Report.Sample>> interleave(Map<String, Contender> cs) throws Exception {
        List<String> names = new ArrayList<>(cs.keySet());
        if (only != null) {
            names.removeIf(n -> !only.matcher(n).find());
        }
        for (int pass = 0; pass < 2; pass++) {
            for (String n : names) {
                cs.get(n).measure(warmup / 2);
            }
        }
        Map<String, List<Report.Sample>> out = new LinkedHashMap<>();
        names.forEach(n -> out.put(n, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < names.size(); k++) {
                String n = names.get((k + round) % names.size());
                Report.Sample s = cs.get(n).measure(seconds);
                out.get(n).add(s);
                System.err.printf("  round %d %-18s %,12.0f/s p50 %8.1f us  p99 %8.1f us  cpu %6.2f us/call  %5.2f switches/call  load %s%n", round, n,
                        s.perSecond(), s.p50us(), s.p99us(), s.cpuUsPerCall(), s.switchesPerCall(), s.load());
            }
        }
        return out;
    }

    /** Throughput, latency and (where measured, {@link #withCpu}) process CPU and thread switches per call. */
    void latencyTable(Map<String, List<Report.Sample>> r) {
        report.line("| client | round trips/s (median) | min .. max | p50 µs | p99 µs | p99.9 µs | max µs | process CPU µs per call (server included) | thread switches per call | load avg (first .. last round) |");
        report.line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        r.forEach((n, s) -> report.line("| " + n + " | " + Report.f0(Report.median(s, Report.Sample::perSecond))
                + " | " + Report.f0(Report.min(s, Report.Sample::perSecond)) + " .. " + Report.f0(Report.max(s, Report.Sample::perSecond))
                + " | " + Report.f1(Report.median(s, Report.Sample::p50us)) + " | " + Report.f1(Report.median(s, Report.Sample::p99us))
                + " | " + Report.f1(Report.median(s, Report.Sample::p999us)) + " | " + Report.f1(Report.median(s, Report.Sample::maxUs))
                + " | " + Report.f2(Report.median(s, Report.Sample::cpuUsPerCall))
                + " | " + Report.f2(Report.median(s, Report.Sample::switchesPerCall))
                + " | " + Report.loads(s) + " |"));
    }

    void ratio(Map<String, List<Report.Sample>> r, String labwire, String raw) {
        if (!r.containsKey(labwire) || !r.containsKey(raw)) {
            return; // one of them was left out (--only)
        }
        double l = Report.median(r.get(labwire), Report.Sample::perSecond);
        double w = Report.median(r.get(raw), Report.Sample::perSecond);
        double lp = Report.median(r.get(labwire), Report.Sample::p50us);
        double wp = Report.median(r.get(raw), Report.Sample::p50us);
        String lat = Double.isNaN(lp) ? "" : "; p50 latency " + Report.f2(lp / wp) + "x";
        double lc = Report.median(r.get(labwire), Report.Sample::cpuUsPerCall);
        double wc = Report.median(r.get(raw), Report.Sample::cpuUsPerCall);
        String cpu = Double.isNaN(lc) || Double.isNaN(wc) ? "" : "; process CPU per call " + Report.f2(lc / wc) + "x";
        report.line("");
        report.line("- " + labwire + " / " + raw + ": throughput **" + Report.f2(l / w) + "x**" + lat + cpu);
    }

    // ------------------------------------------------------------------ pipeline

    private void pipeline() throws Exception {
        // the reply server answers every line and the raw baselines trust that; the default would confirm by window
        ConnectionConfig piped = ConnectionConfig.builder().maxInFlight(depth)
                .pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build();
        EventLoopGroup group = clientGroup();
        ExecutorService callers = Executors.newFixedThreadPool(depth, new DefaultThreadFactory("caller", true));
        ExecutorService virtualCallers = virtualThreadPerTask();
        try (ReplyServer server = ReplyServer.start(1);
             RawSocketClient raw = new RawSocketClient(server.port(), COMMAND);
             RawSocketClient rawTimed = new RawSocketClient(server.port(), COMMAND, 5_000);
             BlockingClient blocking = BlockingClient.open(tcp(server.port()), piped).awaitReady(Duration.ofSeconds(10))) {
            RawNettyClient rawNetty = RawNettyClient.connect(group, server.port(), COMMAND).get(10, TimeUnit.SECONDS);
            NettyClient netty = NettyClient.builder(tcp(server.port())).eventLoopGroup(group).config(piped).build();
            netty.ready(Duration.ofSeconds(10)).get();
            EventLoop loop = netty.eventLoop();
            byte[] batch = raw.batch(depth);
            Map<String, Contender> cs = new LinkedHashMap<>();
            cs.put("raw java.net (batches of " + depth + ")", seconds -> {
                long n = 0;
                long start = System.nanoTime();
                long end = start + (long) (seconds * 1e9);
                while (System.nanoTime() < end) {
                    n += raw.pipelineBatch(batch, depth);
                }
                return Report.Sample.rate(n / ((System.nanoTime() - start) / 1e9));
            });
            cs.put("raw java.net, SO_TIMEOUT (batches of " + depth + ")", seconds -> {
                long n = 0;
                long start = System.nanoTime();
                long end = start + (long) (seconds * 1e9);
                while (System.nanoTime() < end) {
                    n += rawTimed.pipelineBatch(batch, depth);
                }
                return Report.Sample.rate(n / ((System.nanoTime() - start) / 1e9));
            });
            cs.put("raw Netty", seconds -> chains(rawNetty::query, loop, depth, seconds));
            cs.put("labwire blocking (" + depth + " threads)", seconds -> threads(() -> blocking.query(COMMAND), callers, depth, seconds));
            if (virtualCallers != null) {
                cs.put("labwire blocking (" + depth + " virtual threads)",
                        seconds -> threads(() -> blocking.query(COMMAND), virtualCallers, depth, seconds));
            }
            List<String> commands = java.util.Collections.nCopies(depth, COMMAND);
            cs.put("labwire blocking queryAll (batches of " + depth + ")", seconds -> {
                long n = 0;
                long start = System.nanoTime();
                long end = start + (long) (seconds * 1e9);
                while (System.nanoTime() < end) {
                    n += blocking.queryAll(commands).size();
                }
                return Report.Sample.rate(n / ((System.nanoTime() - start) / 1e9));
            });
            cs.put("labwire Netty", seconds -> chains(() -> netty.query(COMMAND), loop, depth, seconds));
            cs.replaceAll((n, c) -> withCpu(c));
            Map<String, List<Report.Sample>> r = interleave(cs);
            report.line("### Pipelined replies/s, " + depth + " outstanding (server in this JVM)");
            report.line("");
            report.line("| client | replies/s (median) | min .. max | process CPU µs per reply (server included) | thread switches per reply | bytes allocated per call on the event loop | load avg (first .. last round) |");
            report.line("|---|---:|---:|---:|---:|---:|---|");
            r.forEach((n, s) -> report.line("| " + n + " | " + Report.f0(Report.median(s, Report.Sample::perSecond)) + " | "
                    + Report.f0(Report.min(s, Report.Sample::perSecond)) + " .. " + Report.f0(Report.max(s, Report.Sample::perSecond))
                    + " | " + Report.f2(Report.median(s, Report.Sample::cpuUsPerCall))
                    + " | " + Report.f2(Report.median(s, Report.Sample::switchesPerCall))
                    + " | " + Report.f0(Report.median(s, Report.Sample::bytesPerCall)) + " | " + Report.loads(s) + " |"));
            ratio(r, "labwire Netty", "raw Netty");
            ratio(r, "labwire blocking queryAll (batches of " + depth + ")", "raw java.net (batches of " + depth + ")");
            ratio(r, "labwire blocking queryAll (batches of " + depth + ")", "raw java.net, SO_TIMEOUT (batches of " + depth + ")");
            ratio(r, "labwire blocking (" + depth + " threads)", "raw java.net (batches of " + depth + ")");
            ratio(r, "labwire blocking (" + depth + " threads)", "labwire Netty"); // the issue-17 target's ratio
            ratio(r, "labwire blocking (" + depth + " virtual threads)", "labwire Netty");
            report.line("");
            netty.close().get(10, TimeUnit.SECONDS);
            rawNetty.close().get(10, TimeUnit.SECONDS);
        } finally {
            callers.shutdownNow();
            if (virtualCallers != null) {
                virtualCallers.shutdownNow();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * {@code c} measured with the process CPU time per call as well: every thread of this JVM, the in-process server's
     * included, which is the same for every contender. Unlike throughput, it hardly moves with what else the machine runs.
     */
    static Contender withCpu(Contender c) {
        return seconds -> {
            long cpu0 = Report.processCpuNanos();
            long sw0 = Report.processSwitches();
            long t0 = System.nanoTime();
            Report.Sample s = c.measure(seconds);
            long t1 = System.nanoTime();
            long cpu1 = Report.processCpuNanos();
            long sw1 = Report.processSwitches();
            return s.withCpu(cpu1 - cpu0, sw0 < 0 || sw1 < 0 ? -1 : sw1 - sw0, (t1 - t0) / 1e9);
        };
    }

    /** {@code depth} chains of calls, each started on the event loop when the last one completed. */
    static Report.Sample chains(Supplier<CompletableFuture<String>> query, EventLoop loop, int depth, double seconds)
            throws InterruptedException {
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        CountDownLatch stopped = new CountDownLatch(depth);
        boolean[] stop = {false}; // read and written on the loop only
        Runnable[] next = new Runnable[1];
        next[0] = () -> query.get().whenComplete((r, e) -> {
            if (e != null) {
                failed.incrementAndGet();
            }
            done.incrementAndGet();
            if (stop[0]) {
                stopped.countDown();
            } else {
                loopOrNow(loop, next[0]);
            }
        });
        long loopThread = loop.submit(() -> Thread.currentThread().getId()).syncUninterruptibly().getNow();
        long start = System.nanoTime();
        loop.execute(() -> {
            for (int i = 0; i < depth; i++) {
                next[0].run();
            }
        });
        Thread.sleep((long) (seconds * 200));
        long n0 = done.get();
        long a0 = Report.allocatedBytes(loopThread);
        Thread.sleep((long) (seconds * 800));
        long n = done.get();
        long a1 = Report.allocatedBytes(loopThread);
        long t = System.nanoTime();
        loop.execute(() -> stop[0] = true);
        if (!stopped.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("pipelined calls did not finish");
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " pipelined calls failed");
        }
        return Report.Sample.rate(n / ((t - start) / 1e9), (a1 - a0) / (double) (n - n0));
    }

    private static void loopOrNow(EventLoop loop, Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
        } else {
            loop.execute(r);
        }
    }

    /** A new virtual thread per task (JDK 21+, found without compiling against it), or null on older JDKs. */
    static ExecutorService virtualThreadPerTask() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** {@code n} threads calling {@code c} in a loop. */
    static Report.Sample threads(Call c, ExecutorService pool, int n, double seconds) throws Exception {
        LongAdder done = new LongAdder();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    c.call();
                    done.increment();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        return Report.Sample.rate(done.sum() / ((System.nanoTime() - start) / 1e9));
    }
}
