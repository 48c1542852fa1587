package dev.labwire.bench.jmh;

import dev.labwire.bench.e2e.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link FramerBenchmark} and {@link ConnectionBenchmark} with the GC profiler and prints the figures per
 * frame and per exchange, with labwire's ratio to each Netty twin, as the tables of docs/BENCHMARKS.md.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.labwire.bench.jmh.Suite [JMH options] [--out FILE]
 * </pre>
 * Defaults (each overridable with the usual JMH option): {@code -f 1 -wi 3 -i 5 -w 1s -r 1s}, both classes,
 * {@code -prof gc}, JSON results in {@code benchmarks/target/jmh-result.json}. A ratio above 1.0 means labwire is
 * faster than the twin (twin time / labwire time).
 */
public final class Suite {
    private Suite() {
    }

    public static void main(String[] args) throws Exception {
        Path out = null;
        List<String> jmhArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--out")) {
                out = Path.of(args[++i]);
            } else {
                jmhArgs.add(args[i]);
            }
        }
        CommandLineOptions cmd = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        ChainedOptionsBuilder b = new OptionsBuilder().parent(cmd).addProfiler(GCProfiler.class);
        if (cmd.getIncludes().isEmpty()) {
            b.include(FramerBenchmark.class.getName()).include(ConnectionBenchmark.class.getName());
        }
        if (!cmd.getForkCount().hasValue()) {
            b.forks(1);
        }
        if (!cmd.getWarmupIterations().hasValue()) {
            b.warmupIterations(3);
        }
        if (!cmd.getMeasurementIterations().hasValue()) {
            b.measurementIterations(5);
        }
        if (!cmd.getWarmupTime().hasValue()) {
            b.warmupTime(TimeValue.seconds(1));
        }
        if (!cmd.getMeasurementTime().hasValue()) {
            b.measurementTime(TimeValue.seconds(1));
        }
        if (!cmd.getResult().hasValue()) {
            Path json = Path.of("benchmarks", "target", "jmh-result.json");
            if (Files.isDirectory(json.getParent())) {
                b.resultFormat(ResultFormatType.JSON).result(json.toString());
            }
        }
        String before = Machine.loadAverage();
        Collection<RunResult> results = new Runner(b.build()).run();
        String report = report(results, before, Machine.loadAverage());
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report);
        }
    }

    private record Row(double nsPerOp, double nsError, double bytesPerOp) {
    }

    static String report(Collection<RunResult> results, String loadBefore, String loadAfter) throws IOException {
        Map<String, Row> rows = new HashMap<>();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            String framing = r.getParams().getParam("framing");
            String key = framing == null ? method : framing + "/" + method;
            Result<?> p = r.getPrimaryResult();
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            if (alloc == null) {
                alloc = r.getSecondaryResults().get("·gc.alloc.rate.norm");
            }
            rows.put(key, new Row(p.getScore(), p.getScoreError(), alloc == null ? Double.NaN : alloc.getScore()));
        }
        StringBuilder s = new StringBuilder();
        s.append(Machine.describe()).append('\n');
        s.append("load average before: ").append(loadBefore).append("; after: ").append(loadAfter).append("\n\n");
        s.append("### Framers (per frame; ratio = twin time / labwire time, above 1.0 = labwire faster)\n\n");
        s.append("| case | frames/op | labwire ns/frame | netty ns/frame | nettyCopy ns/frame | nettyChannel ns/frame | labwire MB/s "
                + "| ratio vs netty | vs nettyCopy | vs nettyChannel | labwire B/frame | netty B/frame | nettyCopy B/frame | nettyChannel B/frame "
                + "| labwireDirect ns/frame | labwireDirect vs netty | labwireView ns/frame | labwireView vs netty | labwireView B/frame |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (FramingCase c : FramingCase.values()) {
            Row l = rows.get(c + "/labwire");
            Row n = rows.get(c + "/netty");
            Row ny = rows.get(c + "/nettyCopy");
            Row nc = rows.get(c + "/nettyChannel");
            Row ld = rows.get(c + "/labwireDirect");
            Row lv = rows.get(c + "/labwireView");
            if (l == null && n == null && ny == null && nc == null) {
                continue;
            }
            int f = c.framesPerOp();
            s.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c, f,
                    perFrame(l, f), perFrame(n, f), perFrame(ny, f), perFrame(nc, f),
                    l == null ? "-" : String.format(Locale.ROOT, "%.0f", c.payloadBytesPerOp() * 1e3 / l.nsPerOp / 1.048576),
                    ratio(n, l), ratio(ny, l), ratio(nc, l), bytes(l, f), bytes(n, f), bytes(ny, f), bytes(nc, f),
                    perFrame(ld, f), ratio(n, ld), perFrame(lv, f), ratio(n, lv), bytes(lv, f)));
        }
        s.append("\n### Connection: one request-reply exchange in the core (no I/O)\n\n");
        s.append("| benchmark | ns/exchange | ± | bytes allocated/exchange |\n|---|---:|---:|---:|\n");
        for (String m : List.of("exchange", "exchangeAsClient", "pipelined64")) {
            Row r = rows.get(m);
            if (r != null) {
                s.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.0f |\n", m, r.nsPerOp, r.nsError, r.bytesPerOp));
            }
        }
        return s.toString();
    }

    private static String perFrame(Row r, int frames) {
        return r == null ? "-" : String.format(Locale.ROOT, frames > 100 ? "%.2f" : "%.0f", r.nsPerOp / frames);
    }

    private static String bytes(Row r, int frames) {
        return r == null || Double.isNaN(r.bytesPerOp) ? "-" : String.format(Locale.ROOT, "%.1f", r.bytesPerOp / frames);
    }

    private static String ratio(Row twin, Row labwire) {
        return twin == null || labwire == null ? "-" : String.format(Locale.ROOT, "%.2f", twin.nsPerOp / labwire.nsPerOp);
    }
}
