package dev.labwire.cli;

import dev.labwire.blocking.BlockingClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labwire bench <endpoint>}: round-trip latency and, when asked, block throughput. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure round trips (one query at a time: the latency of the instrument and the link) and, "
                + "with --block, IEEE 488.2 block throughput.",
                "The first --warmup queries are not counted."},
        footer = {"", "Examples:", "  labwire bench tcp://192.168.1.50:5025",
                "  labwire bench tcp://192.168.1.60 --command 'MEAS:VOLT?' --block 'CURV?' --blocks 20",
                "  labwire bench $(labwire mock ...) --block 'DATA? 1000000'   (the mock's n-byte block)"})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ENDPOINT")
    String endpoint;

    @Option(names = "--command", paramLabel = "QUERY", defaultValue = "*IDN?",
            description = "the query for round trips (default ${DEFAULT-VALUE})")
    String command;

    @Option(names = "--count", paramLabel = "N", defaultValue = "1000", description = "round trips (default ${DEFAULT-VALUE})")
    int count;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "100", description = "(default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--block", paramLabel = "QUERY", description = "a query answered by a block, e.g. 'CURV?'")
    String block;

    @Option(names = "--blocks", paramLabel = "N", defaultValue = "10", description = "blocks to read (default ${DEFAULT-VALUE})")
    int blocks;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = Durations.class, defaultValue = "5s",
            description = "per query (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Override
    public Integer call() {
        if (count < 1 || warmup < 0 || blocks < 1) {
            throw new IllegalArgumentException("--count and --blocks must be at least 1, --warmup at least 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (BlockingClient client = Clients.open(endpoint, timeout, null)) {
            for (int i = 0; i < warmup; i++) {
                client.query(command, timeout);
            }
            long[] nanos = new long[count];
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long s = System.nanoTime();
                client.query(command, timeout);
                nanos[i] = System.nanoTime() - s;
            }
            long total = System.nanoTime() - t0;
            Arrays.sort(nanos);
            out.printf("round trips  %d x %s in %.3f s: %.0f/s; latency p50 %.1f us, p90 %.1f us, p99 %.1f us, "
                            + "max %.1f us%n", count, command, total / 1e9, count / (total / 1e9),
                    pct(nanos, 50) / 1e3, pct(nanos, 90) / 1e3, pct(nanos, 99) / 1e3, nanos[count - 1] / 1e3);
            if (block != null) {
                client.queryBlock(block, ShellCommand.MAX_BLOCK, timeout); // warm-up, and its size
                long bytes = 0;
                long b0 = System.nanoTime();
                for (int i = 0; i < blocks; i++) {
                    bytes += client.queryBlock(block, ShellCommand.MAX_BLOCK, timeout).length;
                }
                long bt = System.nanoTime() - b0;
                out.printf("blocks       %d x %s, %d bytes each, in %.3f s: %.1f MB/s, %.1f ms per block%n", blocks,
                        block, bytes / blocks, bt / 1e9, bytes / (bt / 1e9) / 1e6, bt / 1e6 / blocks);
            }
            out.flush();
            return 0;
        }
    }

    private static long pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
