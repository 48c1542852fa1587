package dev.labwire.bench.e2e;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/** Collects the figures of a run as markdown, printed as they come and kept for {@code --out}. */
final class Report {
    private final StringBuilder text = new StringBuilder();

    /** One measured interval of one contender. */
    record Sample(double perSecond, double p50us, double p99us, double p999us, double maxUs, double bytesPerCall, String load,
                  double cpuUsPerCall, double switchesPerCall) {
        Sample(double perSecond, double p50us, double p99us, double p999us, double maxUs, double bytesPerCall, String load) {
            this(perSecond, p50us, p99us, p999us, maxUs, bytesPerCall, load, Double.NaN, Double.NaN);
        }

        /**
         * This sample with the process CPU time and the thread switches per call: {@code cpuNanos} and {@code switches}
         * over {@code seconds} at this rate.
         */
        Sample withCpu(long cpuNanos, long switches, double seconds) {
            double calls = perSecond * seconds;
            return new Sample(perSecond, p50us, p99us, p999us, maxUs, bytesPerCall, load, cpuNanos / 1e3 / calls,
                    switches < 0 ? Double.NaN : switches / calls);
        }

        static Sample of(double perSecond, Histogram h) {
            return new Sample(perSecond, us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(99)),
                    us(h.getValueAtPercentile(99.9)), us(h.getMaxValue()), Double.NaN, Machine.loadAverage());
        }

        static Sample rate(double perSecond) {
            return rate(perSecond, Double.NaN);
        }

        static Sample rate(double perSecond, double bytesPerCall) {
            return new Sample(perSecond, Double.NaN, Double.NaN, Double.NaN, Double.NaN, bytesPerCall, Machine.loadAverage());
        }
    }

    /** CPU time of this whole process so far, in nanoseconds (all threads, kernel time included). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Context switches of every thread of this process so far (voluntary and not, from /proc/self/task/N/status);
     * -1 where /proc is not there.
     */
    static long processSwitches() {
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return -1;
        }
        long n = 0;
        for (java.io.File t : tasks) {
            try {
                for (String line : java.nio.file.Files.readAllLines(new java.io.File(t, "status").toPath())) {
                    if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                        n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
        return n;
    }

    /** Bytes allocated so far by the thread {@code id} (HotSpot's per-thread counter). */
    static long allocatedBytes(long threadId) {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getThreadAllocatedBytes(threadId);
    }

    static Histogram histogram() {
        return new Histogram(60_000_000_000L, 3); // up to 60 s in ns, 3 significant digits
    }

    static double us(long nanos) {
        return nanos / 1000.0;
    }

    void line(String s) {
        System.out.println(s);
        System.out.flush();
        text.append(s).append('\n');
    }

    String text() {
        return text.toString();
    }

    static double median(List<Sample> samples, ToDoubleFunction<Sample> f) {
        List<Double> v = new ArrayList<>();
        for (Sample s : samples) {
            v.add(f.applyAsDouble(s));
        }
        Collections.sort(v);
        int n = v.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    static double min(List<Sample> samples, ToDoubleFunction<Sample> f) {
        return samples.stream().mapToDouble(f).min().orElse(Double.NaN);
    }

    static double max(List<Sample> samples, ToDoubleFunction<Sample> f) {
        return samples.stream().mapToDouble(f).max().orElse(Double.NaN);
    }

    static String loads(List<Sample> samples) {
        return samples.isEmpty() ? "" : samples.get(0).load() + " .. " + samples.get(samples.size() - 1).load();
    }

    static String f0(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }

    static String f1(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    static String f2(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
