package dev.labwire.bench.e2e;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.netty.NettyClient;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * labwire side by side with PyVISA (issue 17, workload 2): one {@link ReplyServer} in a child JVM, and in the same run,
 * interleaved round by round, Debian's PyVISA with the pyvisa-py backend ({@code benchmarks/scripts/pyvisa_client.py},
 * a child Python process per round that connects first and then measures its own interval) against labwire's
 * clients. Four workloads:
 * <ul>
 *   <li>sequential queries, one caller;</li>
 *   <li>64 queries: PyVISA cannot pipeline, so its figure is 64 sequential queries; labwire Netty pipelines 64 deep,
 *       labwire blocking sends batches of 64 with {@code queryAll};</li>
 *   <li>a 10 MiB definite block ({@code query_binary_values} against {@code queryBlock});</li>
 *   <li>100 instruments polled at once: PyVISA with 100 resources and 100 threads, labwire Netty with 100 clients on
 *       one event loop, labwire blocking with 100 clients and 100 threads, and as the floor of a thread per instrument
 *       raw java.net with 100 sockets and 100 threads (each thread its own socket).</li>
 * </ul>
 * Needs {@code /usr/bin/python3} with PyVISA and pyvisa-py ({@code apt-get install python3-pyvisa-py}); without them
 * the test says so and is skipped. Options: {@code --python} and {@code --pyvisa-script}.
 */
final class PyVisaBench {
    private static final Pattern NUMBER = Pattern.compile("\"(per_second|mib_per_second)\": ([0-9.eE+-]+)");
    private static final int INSTRUMENTS = 100;
    private static final int BLOCK = 10 << 20;

    private final Loopback b;
    private final String python;
    private final String script;
    private final java.util.Set<String> parts;

    /** @param parts which workloads to run, of {@code sequential pipelined block instruments} */
    PyVisaBench(Loopback b, String python, String script, java.util.Set<String> parts) {
        this.b = b;
        this.python = python;
        this.script = script;
        this.parts = parts;
    }

    void run() throws Exception {
        if (!Files.isExecutable(Path.of(python)) || !Files.isReadable(Path.of(script))) {
            b.report.line("### PyVISA side by side: skipped (" + python + " or " + script + " missing)");
            return;
        }
        EventLoopGroup group = Loopback.clientGroup();
        ExecutorService pool = Executors.newFixedThreadPool(INSTRUMENTS, new DefaultThreadFactory("caller", true));
        List<AutoCloseable> open = new ArrayList<>();
        try (ServerProcess server = ServerProcess.start(1)) {
            int port = server.port();
            String version = pythonVersion(port);
            b.report.line("## labwire and PyVISA side by side (" + version + "; server in a child JVM)");
            b.report.line("");
            ConnectionConfig strict = ConnectionConfig.builder().maxFrameLength(BLOCK + 64).build();
            ConnectionConfig piped = ConnectionConfig.builder().maxInFlight(64)
                    .pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build();
            BlockingClient blocking = track(open, BlockingClient.open(Loopback.tcp(port), strict).awaitReady(Duration.ofSeconds(10)));
            BlockingClient blockingPiped = track(open, BlockingClient.open(Loopback.tcp(port), piped).awaitReady(Duration.ofSeconds(10)));
            NettyClient netty = NettyClient.builder(Loopback.tcp(port)).eventLoopGroup(group).config(strict).build();
            NettyClient nettyPiped = NettyClient.builder(Loopback.tcp(port)).eventLoopGroup(group).config(piped).build();
            netty.ready(Duration.ofSeconds(10)).get();
            nettyPiped.ready(Duration.ofSeconds(10)).get();
            EventLoop loop = netty.eventLoop();

            Map<String, Loopback.Contender> seq = new LinkedHashMap<>();
            seq.put("PyVISA-py", seconds -> python(port, seconds, "sequential"));
            seq.put("labwire blocking", Loopback.sequential(() -> blocking.query(Loopback.COMMAND)));
            seq.put("labwire Netty", Loopback.sequential(() -> netty.query(Loopback.COMMAND).get()));
            RawNettyClient rawNetty = RawNettyClient.connect(group, port, Loopback.COMMAND).get(10, TimeUnit.SECONDS);
            open.add(() -> rawNetty.close().get(10, TimeUnit.SECONDS));
            seq.put("raw Netty (the floor of a Netty client called from another thread)",
                    Loopback.sequential(() -> rawNetty.query().get()));
            if (parts.contains("sequential")) {
                table("Sequential queries, one caller (queries/s)", seq, "PyVISA-py");
            }

            List<String> batch = Collections.nCopies(64, Loopback.COMMAND);
            Map<String, Loopback.Contender> p64 = new LinkedHashMap<>();
            p64.put("PyVISA-py (64 sequential)", seconds -> python(port, seconds, "sequential"));
            p64.put("labwire blocking queryAll (batches of 64)", seconds -> {
                long n = 0;
                long start = System.nanoTime();
                long end = start + (long) (seconds * 1e9);
                while (System.nanoTime() < end) {
                    n += blockingPiped.queryAll(batch).size();
                }
                return Report.Sample.rate(n / ((System.nanoTime() - start) / 1e9));
            });
            p64.put("labwire Netty (64 pipelined)", seconds -> Loopback.chains(() -> nettyPiped.query(Loopback.COMMAND),
                    nettyPiped.eventLoop(), 64, seconds));
            if (parts.contains("pipelined")) {
                table("64 queries (replies/s)", p64, "PyVISA-py (64 sequential)");
            }

            String command = "!BLOCK " + BLOCK;
            Map<String, Loopback.Contender> blk = new LinkedHashMap<>();
            blk.put("PyVISA-py", seconds -> python(port, seconds, "block", Integer.toString(BLOCK)));
            blk.put("labwire blocking", mib(() -> blocking.queryBlock(command, BLOCK, Duration.ofSeconds(60)).length));
            blk.put("labwire Netty", mib(() -> netty.queryBlock(command, BLOCK, Duration.ofSeconds(60)).get().length));
            if (parts.contains("block")) {
                table("A 10 MiB definite block (MiB/s)", blk, "PyVISA-py");
            }

            if (!parts.contains("instruments")) {
                netty.close().get(10, TimeUnit.SECONDS);
                nettyPiped.close().get(10, TimeUnit.SECONDS);
                return;
            }
            List<BlockingClient> many = new ArrayList<>();
            List<NettyClient> manyNetty = new ArrayList<>();
            List<RawNettyClient> manyRaw = new ArrayList<>();
            for (int i = 0; i < INSTRUMENTS; i++) {
                RawNettyClient raw = RawNettyClient.connect(loop, port, Loopback.COMMAND).get(10, TimeUnit.SECONDS);
                open.add(() -> raw.close().get(10, TimeUnit.SECONDS));
                manyRaw.add(raw);
                many.add(track(open, BlockingClient.open(Loopback.tcp(port), strict).awaitReady(Duration.ofSeconds(10))));
                NettyClient c = NettyClient.builder(Loopback.tcp(port)).eventLoopGroup(group).config(strict).build();
                c.ready(Duration.ofSeconds(10)).get();
                manyNetty.add(c);
            }
            List<RawSocketClient> raws = new ArrayList<>();
            for (int i = 0; i < INSTRUMENTS; i++) {
                raws.add(track(open, new RawSocketClient(port, Loopback.COMMAND)));
            }
            AtomicLong rawNext = new AtomicLong();
            ThreadLocal<RawSocketClient> rawOfThread = ThreadLocal.withInitial(
                    () -> raws.get((int) (rawNext.getAndIncrement() % INSTRUMENTS))); // a pool thread keeps its socket
            AtomicLong next = new AtomicLong();
            Map<String, Loopback.Contender> inst = new LinkedHashMap<>();
            inst.put("PyVISA-py (100 threads)", seconds -> python(port, seconds, "instruments", Integer.toString(INSTRUMENTS)));
            // the least 100 threads can do: each its own java.net socket, blocking write and read (no timeouts)
            inst.put("raw java.net (100 sockets, 100 threads)", seconds -> Loopback.threads(() -> rawOfThread.get().query(),
                    pool, INSTRUMENTS, seconds));
            // each thread its own client, as each PyVISA thread has its own resource and each raw thread its socket
            ThreadLocal<BlockingClient> clientOfThread = ThreadLocal.withInitial(
                    () -> many.get((int) (next.getAndIncrement() % INSTRUMENTS)));
            inst.put("labwire blocking (100 clients, 100 threads)", seconds -> Loopback.threads(
                    () -> clientOfThread.get().query(Loopback.COMMAND), pool, INSTRUMENTS, seconds));
            inst.put("labwire Netty (100 clients, one event loop)", seconds -> {
                AtomicLong k = new AtomicLong();
                return Loopback.chains(() -> manyNetty.get((int) (k.getAndIncrement() % INSTRUMENTS)).query(Loopback.COMMAND),
                        loop, INSTRUMENTS, seconds);
            });
            inst.put("raw Netty (100 channels, one event loop)", seconds -> {
                AtomicLong k = new AtomicLong();
                return Loopback.chains(() -> manyRaw.get((int) (k.getAndIncrement() % INSTRUMENTS)).query(), loop, INSTRUMENTS, seconds);
            });
            Map<String, List<double[]>> serverCpu = new LinkedHashMap<>(); // {ms/s, µs per query} per interval
            inst.replaceAll((name, c) -> seconds -> {
                long c0 = server.cpuNanos();
                long t0 = System.nanoTime();
                Report.Sample sample = c.measure(seconds);
                double ms = (server.cpuNanos() - c0) / 1e6 / ((System.nanoTime() - t0) / 1e9);
                serverCpu.computeIfAbsent(name, x -> new ArrayList<>()).add(new double[] {ms, ms * 1000 / sample.perSecond()});
                return sample;
            });
            table("100 instruments polled at once (queries/s, all instruments)", inst, "PyVISA-py (100 threads)");
            b.report.line("The server's CPU while each contender ran (its child JVM, all threads; ms of CPU per second of wall time, "
                    + "median of the rounds; pinned runs share one CPU, so 1,000 ms/s is all of it):");
            b.report.line("");
            b.report.line("| client | server CPU ms/s | server CPU µs per query |");
            b.report.line("|---|---:|---:|");
            serverCpu.forEach((name, v) -> {
                List<double[]> measured = v.subList(Math.max(0, v.size() - b.rounds), v.size()); // not the warm-ups
                b.report.line("| " + name + " | " + Report.f1(medianOf(measured, 0)) + " | " + Report.f1(medianOf(measured, 1)) + " |");
            });
            b.report.line("");

            for (NettyClient c : manyNetty) {
                c.close().get(10, TimeUnit.SECONDS);
            }
            netty.close().get(10, TimeUnit.SECONDS);
            nettyPiped.close().get(10, TimeUnit.SECONDS);
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
            pool.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static double medianOf(List<double[]> v, int i) {
        double[] a = v.stream().mapToDouble(x -> x[i]).sorted().toArray();
        return a.length == 0 ? Double.NaN : a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> open, T t) {
        open.add(t);
        return t;
    }

    interface Transfer {
        int bytes() throws Exception;
    }

    /** Back-to-back transfers of {@link #BLOCK}: MiB/s. */
    private static Loopback.Contender mib(Transfer t) {
        return seconds -> {
            long n = 0;
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            do {
                if (t.bytes() != BLOCK) {
                    throw new IllegalStateException("short block");
                }
                n++;
            } while (System.nanoTime() < end);
            return Report.Sample.rate(n * (double) BLOCK / (1 << 20) / ((System.nanoTime() - start) / 1e9));
        };
    }

    private void table(String title, Map<String, Loopback.Contender> cs, String pyvisa) throws Exception {
        Map<String, List<Report.Sample>> r = b.interleave(cs);
        b.report.line("### " + title);
        b.report.line("");
        b.report.line("| client | median | min .. max | / PyVISA-py | load avg (first .. last round) |");
        b.report.line("|---|---:|---:|---:|---|");
        double py = Report.median(r.get(pyvisa), Report.Sample::perSecond);
        r.forEach((n, s) -> {
            double m = Report.median(s, Report.Sample::perSecond);
            b.report.line("| " + n + " | " + Report.f0(m) + " | " + Report.f0(Report.min(s, Report.Sample::perSecond)) + " .. "
                    + Report.f0(Report.max(s, Report.Sample::perSecond)) + " | **" + Report.f2(m / py) + "x** | "
                    + Report.loads(s) + " |");
        });
        b.report.line("");
    }

    /** Runs the Python client for {@code seconds} (it connects first, then measures) and reads its rate. */
    private Report.Sample python(int port, double seconds, String test, String... more) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, script, Integer.toString(port), test, Double.toString(seconds)));
        cmd.addAll(List.of(more));
        String out = run(cmd);
        Matcher m = NUMBER.matcher(out);
        if (!m.find()) {
            throw new IOException("PyVISA client printed no figure: " + out);
        }
        return Report.Sample.rate(Double.parseDouble(m.group(2)));
    }

    private String pythonVersion(int port) throws IOException, InterruptedException {
        String out = run(List.of(python, "-c", "import pyvisa, pyvisa_py, sys; print('PyVISA', pyvisa.__version__,"
                + " 'pyvisa-py', getattr(pyvisa_py, '__version__', '?'), 'Python', sys.version.split()[0])"));
        return out.strip();
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
