package dev.labwire.serial;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Two connected ptys made by {@code socat}: bytes written to one end come out of the other, like a null-modem
 * cable. The ends are symlinks {@code a} and {@code b} in a fresh folder under /tmp.
 */
final class PtyPair implements AutoCloseable {

    static final String SOCAT_MISSING = "socat is not installed (apt-get install -y socat); pty tests skipped";

    private final Path dir;
    private final Process socat;
    private final StringBuffer log;

    private PtyPair(Path dir, Process socat, StringBuffer log) {
        this.dir = dir;
        this.socat = socat;
        this.log = log;
    }

    /** Whether a {@code socat} executable is on the PATH. */
    static boolean socatAvailable() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "socat"))) {
                return true;
            }
        }
        return false;
    }

    /** Starts socat and returns once it reports its transfer loop running, i.e. both links exist. */
    static PtyPair start() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "labwire-pty-");
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + a, "pty,raw,echo=0,link=" + b)
                .redirectErrorStream(true).start();
        StringBuffer log = new StringBuffer();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.append(line).append('\n');
                    if (line.contains("starting data transfer loop")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // the process ended; ready below reports it
            }
            ready.completeExceptionally(new IllegalStateException("socat ended before it was ready:\n" + log));
        }, "socat-log");
        reader.setDaemon(true);
        reader.start();
        PtyPair pair = new PtyPair(dir, p, log);
        try {
            ready.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            pair.close();
            throw new IllegalStateException("socat did not start its transfer loop within 10 s; log:\n" + log, e);
        } catch (InterruptedException e) {
            pair.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (!Files.exists(a) || !Files.exists(b)) {
            pair.close();
            throw new IllegalStateException("socat is ready but the links are missing; log:\n" + log);
        }
        return pair;
    }

    Path a() {
        return dir.resolve("a");
    }

    Path b() {
        return dir.resolve("b");
    }

    /** Ends socat with SIGTERM (it removes the links) and waits for it to exit. */
    void terminate() throws InterruptedException {
        socat.destroy();
        if (!socat.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("socat did not exit within 10 s of SIGTERM");
        }
    }

    /** Ends socat with SIGKILL (the links stay behind, dangling) and waits for it to exit. */
    void kill() throws InterruptedException {
        socat.destroyForcibly();
        if (!socat.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("socat did not exit within 10 s of SIGKILL");
        }
    }

    String log() {
        return log.toString();
    }

    @Override
    public void close() {
        socat.destroyForcibly();
        try {
            socat.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a leftover folder in /tmp is harmless
        }
    }
}
