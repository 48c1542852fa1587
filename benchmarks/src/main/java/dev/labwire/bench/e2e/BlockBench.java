package dev.labwire.bench.e2e;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.netty.NettyClient;
import io.netty.channel.EventLoopGroup;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Large IEEE 488.2 definite blocks end to end (issue 17, new workload 1): {@code queryBlock} of {@code --sizes} MiB
 * (default 1,10,100) from {@link ReplyServer}'s {@code !BLOCK n}, labwire blocking and Netty against raw java.net
 * reading the same bytes into one array ({@code readNBytes}). Reported: MB/s (MiB of payload per second) and the
 * bytes allocated per transfer by every thread of the JVM, as a multiple of the block (1.0 = the block's own
 * array and nothing else: no copy that allocates), and the CPU time per MiB of every thread but the server's (user
 * and kernel time, then user time alone: copies made in user space show there; the JDK's own copy from its temporary
 * direct buffer into a heap array is user time too, for raw java.net as for labwire). Each contender's connection is
 * made once.
 */
final class BlockBench {
    private final Loopback b;

    BlockBench(Loopback b) {
        this.b = b;
    }

    void run(int[] sizesMiB) throws Exception {
        for (int mib : sizesMiB) {
            run(mib << 20);
        }
    }

    private void run(int size) throws Exception {
        String command = "!BLOCK " + size;
        ConnectionConfig cfg = ConnectionConfig.builder().maxFrameLength(size + 64).build();
        Duration timeout = Duration.ofSeconds(60);
        EventLoopGroup group = Loopback.clientGroup();
        try (ReplyServer server = ReplyServer.start(1);
             RawBlockClient raw = new RawBlockClient(server.port(), command);
             BlockingClient blocking = BlockingClient.open(Loopback.tcp(server.port()), cfg).awaitReady(Duration.ofSeconds(10))) {
            NettyClient netty = NettyClient.builder(Loopback.tcp(server.port())).eventLoopGroup(group).config(cfg).build();
            netty.ready(Duration.ofSeconds(10)).get();
            byte[] expected = raw.read();
            check(expected, blocking.queryBlock(command, size, timeout));
            check(expected, netty.queryBlock(command, size, timeout).get(60, TimeUnit.SECONDS));
            Map<String, Loopback.Contender> cs = new LinkedHashMap<>();
            Map<String, List<double[]>> cpu = new LinkedHashMap<>(); // per round: {client CPU, client user} ns per MiB
            cs.put("raw java.net (readNBytes)", transfers(size, raw::read, cpu.computeIfAbsent("raw java.net (readNBytes)", k -> new java.util.ArrayList<>())));
            cs.put("labwire blocking", transfers(size, () -> blocking.queryBlock(command, size, timeout), cpu.computeIfAbsent("labwire blocking", k -> new java.util.ArrayList<>())));
            cs.put("labwire Netty", transfers(size, () -> netty.queryBlock(command, size, timeout).get(60, TimeUnit.SECONDS), cpu.computeIfAbsent("labwire Netty", k -> new java.util.ArrayList<>())));
            Map<String, List<Report.Sample>> r = b.interleave(cs);
            b.report.line("### queryBlock of " + (size >> 20) + " MiB (server in this JVM)");
            b.report.line("");
            b.report.line("| client | MiB/s (median) | min .. max | bytes allocated per transfer / block size | load avg (first .. last round) |");
            b.report.line("|---|---:|---:|---:|---|");
            r.forEach((n, s) -> b.report.line("| " + n + " | " + Report.f0(Report.median(s, Report.Sample::perSecond)) + " | "
                    + Report.f0(Report.min(s, Report.Sample::perSecond)) + " .. " + Report.f0(Report.max(s, Report.Sample::perSecond))
                    + " | " + Report.f2(Report.median(s, Report.Sample::bytesPerCall) / size) + " | " + Report.loads(s) + " |"));
            b.ratio(r, "labwire blocking", "raw java.net (readNBytes)");
            b.ratio(r, "labwire Netty", "raw java.net (readNBytes)");
            b.report.line("");
            b.report.line("| client | client threads' CPU, ms per MiB (median of the measured rounds) | of which user time |");
            b.report.line("|---|---:|---:|");
            cpu.forEach((n, rounds) -> {
                if (!r.containsKey(n)) {
                    return; // left out (--only)
                }
                List<double[]> measured = rounds.subList(Math.max(0, rounds.size() - r.get(n).size()), rounds.size());
                b.report.line("| " + n + " | " + String.format(java.util.Locale.ROOT, "%.3f", median(measured, 0) / 1e6)
                        + " | " + String.format(java.util.Locale.ROOT, "%.3f", median(measured, 1) / 1e6) + " |");
            });
            b.report.line("");
            netty.close().get(10, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void check(byte[] expected, byte[] got) {
        if (!Arrays.equals(expected, got)) {
            throw new IllegalStateException("block of " + got.length + " bytes differs from the raw read's " + expected.length);
        }
    }

    interface Transfer {
        byte[] get() throws Exception;
    }

    private static double median(List<double[]> rounds, int i) {
        double[] v = rounds.stream().mapToDouble(x -> x[i]).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    /**
     * Back-to-back transfers for {@code seconds}: MiB/s and bytes allocated by all threads per transfer; the CPU and
     * user time per MiB of all threads but the server's go to {@code cpu}, one entry per round (warm-up included).
     */
    private static Loopback.Contender transfers(int size, Transfer t, List<double[]> cpu) {
        return seconds -> {
            long n = 0;
            long[] c0 = clientCpu();
            long a0 = allocatedByAllThreads();
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            do {
                if (t.get().length != size) {
                    throw new IllegalStateException("short block");
                }
                n++;
            } while (System.nanoTime() < end);
            long took = System.nanoTime() - start;
            long a1 = allocatedByAllThreads();
            long[] c1 = clientCpu();
            double mib = n * (double) size / (1 << 20);
            cpu.add(new double[] {(c1[0] - c0[0]) / mib, (c1[1] - c0[1]) / mib});
            return Report.Sample.rate(n * (double) size / (1 << 20) / (took / 1e9), (a1 - a0) / (double) n);
        };
    }

    /** CPU and user time so far, in ns, of every live thread of this JVM but the server's ({@code server-*}). */
    static long[] clientCpu() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpuNs = 0;
        long userNs = 0;
        for (java.lang.management.ThreadInfo ti : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (ti == null || ti.getThreadName().startsWith("server-")) {
                continue;
            }
            cpuNs += Math.max(0, mx.getThreadCpuTime(ti.getThreadId()));
            userNs += Math.max(0, mx.getThreadUserTime(ti.getThreadId()));
        }
        return new long[] {cpuNs, userNs};
    }

    /** Bytes allocated so far by every live thread of this JVM (HotSpot's per-thread counters). */
    static long allocatedByAllThreads() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long a : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            sum += Math.max(0, a);
        }
        return sum;
    }

    /** The least a program does: write the command, parse the header, readNBytes the data into one array. */
    static final class RawBlockClient implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final byte[] command;

        RawBlockClient(int port, String command) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 65536));
            out = socket.getOutputStream();
            this.command = (command + "\n").getBytes(StandardCharsets.US_ASCII);
        }

        byte[] read() throws IOException {
            out.write(command);
            if (in.read() != '#') {
                throw new IOException("not a block");
            }
            int digits = in.read() - '0';
            int length = 0;
            for (int i = 0; i < digits; i++) {
                length = length * 10 + (in.read() - '0');
            }
            byte[] data = new byte[length];
            in.readFully(data);
            if (in.read() != '\n') {
                throw new IOException("no LF after the block");
            }
            return data;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
