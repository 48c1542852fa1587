package dev.labwire.testsupport.pty;

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
 * A pty made by {@code socat}, its end a symlink {@link #a()} in a fresh folder under /tmp; the other side is either a
 * second pty {@link #b()} ({@link #pair()}: bytes written to one end come out of the other, like a null-modem cable) or
 * a TCP connection ({@link #toTcp}: a serial device that is really a test server, so a serial test can watch the
 * "device" side; when the pty's reader stops reading, the pty buffer fills, socat stops reading the socket and the
 * server's writes block). The factories return once socat reports its transfer loop running (10 s at most, else an
 * {@link IllegalStateException} with socat's log).
 */
public final class SocatPty implements AutoCloseable {

    public static final String SOCAT_MISSING = "socat is not installed (apt-get install -y socat); pty tests skipped";

    private final Path dir;
    private final Process socat;

    private SocatPty(Path dir, Process socat) {
        this.dir = dir;
        this.socat = socat;
    }

    /** Whether a {@code socat} executable is on the PATH. */
    public static boolean available() {
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

    /** Two connected ptys, {@link #a()} and {@link #b()}. */
    public static SocatPty pair() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "labwire-pty-");
        return start(dir, "pty,raw,echo=0,link=" + dir.resolve("b"));
    }

    /** A pty at {@link #a()} wired to {@code tcp://127.0.0.1:port}. */
    public static SocatPty toTcp(int port) throws IOException {
        return start(Files.createTempDirectory(Path.of("/tmp"), "labwire-pty-"), "tcp:127.0.0.1:" + port);
    }

    private static SocatPty start(Path dir, String other) throws IOException {
        Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + dir.resolve("a"), other)
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
        SocatPty pty = new SocatPty(dir, p);
        try {
            ready.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            pty.close();
            throw new IllegalStateException("socat did not start its transfer loop within 10 s; log:\n" + log, e);
        } catch (InterruptedException e) {
            pty.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (!Files.exists(pty.a()) || other.startsWith("pty") && !Files.exists(pty.b())) {
            pty.close();
            throw new IllegalStateException("socat is ready but the links are missing; log:\n" + log);
        }
        return pty;
    }

    /** The pty's end (of a pair: one of the two). */
    public Path a() {
        return dir.resolve("a");
    }

    /** The other end of a {@link #pair()}. */
    public Path b() {
        return dir.resolve("b");
    }

    /** Ends socat with SIGTERM (it removes the links) and waits for it to exit. */
    public void terminate() throws InterruptedException {
        socat.destroy();
        if (!socat.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("socat did not exit within 10 s of SIGTERM");
        }
    }

    /** Ends socat with SIGKILL (the links stay behind, dangling) and waits for it to exit. */
    public void kill() throws InterruptedException {
        socat.destroyForcibly();
        if (!socat.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("socat did not exit within 10 s of SIGKILL");
        }
    }

    /** Ends socat and removes the folder; idempotent. */
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
