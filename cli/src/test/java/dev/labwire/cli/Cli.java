package dev.labwire.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code labwire} command as a separate process, as a user would: from the test class path
 * ({@code java -cp ... dev.labwire.cli.Main}) or from the runnable jar ({@code java -jar}).
 */
final class Cli {

    /** What a finished run left: exit code, standard output, standard error. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final List<String> launcher;

    private Cli(List<String> launcher) {
        this.launcher = launcher;
    }

    /** The command from the test class path. */
    static Cli classPath() {
        return new Cli(List.of(java(), "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
    }

    /** The command from the runnable jar. */
    static Cli jar(Path jar) {
        return new Cli(List.of(java(), "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    List<String> command(String... args) {
        List<String> c = new ArrayList<>(launcher);
        c.addAll(List.of(args));
        return c;
    }

    /** Runs to the end (the test fails after 30 s), {@code stdin} (may be null: none) as standard input. */
    Result run(String stdin, String... args) throws IOException, InterruptedException {
        Process p = start(args);
        CompletableFuture<String> out = drain(p, true);
        CompletableFuture<String> err = drain(p, false);
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("labwire " + String.join(" ", args) + " did not end within 30 s");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    /** Starts the command and leaves it running. */
    Process start(String... args) throws IOException {
        return new ProcessBuilder(command(args)).start();
    }

    /**
     * Stdout and stderr are drained at once, each on a thread of its own: a JDK 25 with one common-pool thread
     * (two CPUs) runs default async tasks one after the other, so a process that filled its stderr pipe while
     * its stdout was drained would never end.
     */
    private static final java.util.concurrent.Executor OWN_THREAD = task -> {
        Thread t = new Thread(task, "cli-test-reader");
        t.setDaemon(true);
        t.start();
    };

    static CompletableFuture<String> drain(Process p, boolean stdout) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String((stdout ? p.getInputStream() : p.getErrorStream()).readAllBytes(),
                        StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }, OWN_THREAD);
    }

    /** The first line of a running process's standard output, waiting up to 20 s. */
    static String firstLine(Process p) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
            } catch (IOException e) {
                return null;
            }
        }, OWN_THREAD);
        return line.get(20, TimeUnit.SECONDS);
    }
}
