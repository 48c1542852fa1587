package dev.labwire.bench.e2e;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** What the figures were measured on, and what else was running: read from /proc and the JVM. */
public final class Machine {
    private Machine() {
    }

    /** The 1, 5 and 15 minute load averages, as {@code uptime} prints them. */
    public static String loadAverage() {
        String s = read("/proc/loadavg");
        String[] p = s.trim().split("\\s+");
        return p.length >= 3 ? p[0] + " " + p[1] + " " + p[2] : "?";
    }

    /** The CPUs this process may run on ({@code taskset}), e.g. "1" or "0-1". */
    public static String cpusAllowed() {
        return field("/proc/self/status", "Cpus_allowed_list:");
    }

    /** The soft limit on open files ({@code ulimit -n}). */
    public static String openFileLimit() {
        for (String line : read("/proc/self/limits").split("\n")) {
            if (line.startsWith("Max open files")) {
                String[] p = line.substring("Max open files".length()).trim().split("\\s+");
                return p[0] + " (hard " + p[1] + ")";
            }
        }
        return "?";
    }

    /** One line: JVM, GC, CPUs, CPU model. */
    public static String describe() {
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining("+"));
        return "JVM " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + "; GC " + gcs + "; max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB"
                + "; availableProcessors " + Runtime.getRuntime().availableProcessors()
                + "; Cpus_allowed_list " + cpusAllowed() + "; " + cpuModel()
                + "; open files limit " + openFileLimit();
    }

    /** Heap in use after a few full collections, in bytes. */
    public static long usedHeapAfterGc() {
        MemoryMXBean m = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            best = Math.min(best, m.getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    private static String cpuModel() {
        String m = field("/proc/cpuinfo", "model name");
        return m.startsWith(":") ? m.substring(1).trim() : m;
    }

    private static String field(String file, String name) {
        for (String line : read(file).split("\n")) {
            if (line.startsWith(name)) {
                return line.substring(name.length()).trim();
            }
        }
        return "?";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            return "";
        }
    }
}
