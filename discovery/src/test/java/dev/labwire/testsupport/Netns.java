package dev.labwire.testsupport;

import static org.junit.jupiter.api.Assumptions.abort;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A network namespace of the test's own holding only {@code lo}, with multicast on and a 224.0.0.0/4 route, so mDNS
 * never leaves it. Processes are started inside with {@code ip netns exec}. {@link #close()} ends them and deletes
 * the namespace. Shared with the CLI's tests through this module's test-jar. When the namespace cannot be made (no root, no {@code ip}), the test is aborted with the reason.
 */
public final class Netns implements AutoCloseable {
    private static final AtomicInteger seq = new AtomicInteger();

    public final String name = "labwire-t" + ProcessHandle.current().pid() + "-" + seq.incrementAndGet();
    private final List<Child> children = new ArrayList<>();

    public Netns() {
        String why = run("ip", "netns", "add", name);
        if (why != null) {
            abort("cannot make a network namespace for the multicast test (needs root and iproute2): " + why);
        }
        for (String[] cmd : List.of(new String[] {"ip", "link", "set", "lo", "up"},
                new String[] {"ip", "link", "set", "lo", "multicast", "on"},
                new String[] {"ip", "route", "add", "224.0.0.0/4", "dev", "lo"})) {
            String[] full = new String[cmd.length + 4];
            full[0] = "ip";
            full[1] = "netns";
            full[2] = "exec";
            full[3] = name;
            System.arraycopy(cmd, 0, full, 4, cmd.length);
            why = run(full);
            if (why != null) {
                close();
                abort("cannot set up lo for multicast in the test's namespace: " + why);
            }
        }
    }

    /** Starts {@code cmd} inside the namespace; its stdout lines are collected. */
    public Child start(String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        Child c = new Child(new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        children.add(c);
        return c;
    }

    @Override
    public void close() {
        for (Child c : children) {
            c.process.destroyForcibly();
            try {
                c.process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        run("ip", "netns", "delete", name);
    }

    /** Runs {@code cmd} inside the namespace to its end: null when it exited 0, else what went wrong. */
    public String exec(String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        return run(full.toArray(String[]::new));
    }

    /** Runs {@code cmd} inside the namespace to its end and returns what it printed (stdout and stderr). */
    public String output(String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    /** null when {@code cmd} ran and exited 0, else what went wrong. */
    /**
     * The mDNS publisher both modules' discovery tests run inside a namespace ({@code publish_services.py}, python3
     * with python3-zeroconf: it registers the services given as JSON and prints {@code registered N}), copied from
     * this test-jar to a temporary file so that a test in another module can run it by path.
     */
    public static java.nio.file.Path publishServicesScript() {
        try (java.io.InputStream in = Netns.class.getResourceAsStream("publish_services.py")) {
            if (in == null) {
                throw new IllegalStateException("publish_services.py is not beside " + Netns.class.getName());
            }
            java.nio.file.Path script = java.nio.file.Files.createTempFile("publish_services", ".py");
            script.toFile().deleteOnExit();
            java.nio.file.Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return script;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot copy publish_services.py to a temporary file", e);
        }
    }

    public static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", cmd) + ": did not end";
            }
            return p.exitValue() == 0 ? null : String.join(" ", cmd) + ": exit " + p.exitValue() + " " + out;
        } catch (IOException e) {
            return String.join(" ", cmd) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** A process in the namespace and the lines it printed. */
    public static final class Child {
        public final Process process;
        public final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        public final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());

        Child(Process p) {
            this.process = p;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        all.add(l);
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "netns-child-stdout");
            t.setDaemon(true);
            t.start();
        }

        /** The first line (not yet taken) that matches, waiting until {@code timeoutMs}; fails naming what came. */
        public String await(Predicate<String> match, long timeoutMs, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (true) {
                long left = deadline - System.nanoTime();
                String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (l == null) {
                    throw new AssertionError("no " + what + " within " + timeoutMs + " ms; the process printed "
                            + all + (process.isAlive() ? "" : " and exited " + process.exitValue()));
                }
                if (match.test(l)) {
                    return l;
                }
            }
        }

        public void closeInput() throws IOException {
            process.getOutputStream().close();
        }
    }
}
