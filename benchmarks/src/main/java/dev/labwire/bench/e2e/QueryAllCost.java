package dev.labwire.bench.e2e;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What {@code BlockingClient.queryAll} costs its calling thread per reply, by the thread's own counters (for a loaded
 * machine, where throughput says little): bytes allocated ({@code getThreadAllocatedBytes}), CPU time and its user-mode
 * part, against {@link ReplyServer} in this JVM, batches of {@code depth} (64) with {@code maxInFlight} {@code depth}
 * and {@code EVERY_REQUEST_ANSWERED}, as {@link Loopback}'s pipeline test sends them. The calling thread's counters
 * leave out the server, the kernel's work for the server, GC and JIT threads.
 *
 * <pre>
 *   taskset -c 1 java -Xms2g -Xmx2g -XX:+UseG1GC -XX:+AlwaysPreTouch -cp benchmarks.jar \
 *       dev.labwire.bench.e2e.QueryAllCost [warm-up batches (100000)] [batches a window (20000)] [windows (5)] [depth (64)]
 * </pre>
 *
 * Prints one line per window and the medians. Like {@code FramerCpuTime}, it also runs against an older labwire: put
 * that jar first on the class path ({@code -cp old.jar:benchmarks.jar}).
 */
public final class QueryAllCost {
    private QueryAllCost() {
    }

    public static void main(String[] args) throws Exception {
        int warm = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int windows = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int depth = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ConnectionConfig piped = ConnectionConfig.builder().maxInFlight(depth)
                .pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build();
        try (ReplyServer server = ReplyServer.start(1);
             BlockingClient c = BlockingClient.open("tcp://127.0.0.1:" + server.port(), piped).awaitReady(Duration.ofSeconds(10))) {
            List<String> commands = Collections.nCopies(depth, Loopback.COMMAND);
            for (int i = 0; i < warm; i++) {
                check(c.queryAll(commands), depth);
            }
            long me = Thread.currentThread().getId();
            double[] bytes = new double[windows];
            double[] cpu = new double[windows];
            double[] user = new double[windows];
            for (int w = 0; w < windows; w++) {
                long b0 = mx.getThreadAllocatedBytes(me);
                long c0 = mx.getCurrentThreadCpuTime();
                long u0 = mx.getCurrentThreadUserTime();
                for (int i = 0; i < batches; i++) {
                    check(c.queryAll(commands), depth);
                }
                double replies = (double) batches * depth;
                bytes[w] = (mx.getThreadAllocatedBytes(me) - b0) / replies;
                cpu[w] = (mx.getCurrentThreadCpuTime() - c0) / replies / 1e3;
                user[w] = (mx.getCurrentThreadUserTime() - u0) / replies / 1e3;
                System.out.printf("window %d: %.1f bytes, CPU %.3f us (user %.3f) per reply%n", w, bytes[w], cpu[w], user[w]);
            }
            System.out.printf("median: %.1f bytes, CPU %.3f us (user %.3f) per reply on the calling thread%n",
                    median(bytes), median(cpu), median(user));
        }
    }

    private static void check(List<String> replies, int depth) {
        if (replies.size() != depth || !ReplyServer.REPLY_TEXT.equals(replies.get(depth - 1))) {
            throw new IllegalStateException("unexpected replies: " + replies);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
