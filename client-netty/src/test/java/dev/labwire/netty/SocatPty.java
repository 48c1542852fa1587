package dev.labwire.netty;

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
 * A pty whose other side {@code socat} connects to a TCP server: a serial device that is really a test
 * server, so a serial test can watch the "device" side with {@link LineServer}'s counters. When the pty's
 * reader stops reading, the pty buffer fills, socat stops reading the socket and the server's writes block.
 */
final class SocatPty implements AutoCloseable {
    private final Path dir;
    private final Process socat;

    private SocatPty(Path dir, Process socat) {
        this.dir = dir;
        this.socat = socat;
    }

    static boolean available() {
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

    /** A pty at {@link #path()} wired to {@code tcp://127.0.0.1:port}; returns once socat moves bytes. */
    static SocatPty toTcp(int port) throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "labwire-netty-pty-");
        Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + dir.resolve("tty"),
                "tcp:127.0.0.1:" + port).redirectErrorStream(true).start();
        StringBuffer log = new StringBuffer();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.append(line).append('\n');
                    if (line.contains("starting data transfer loop")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // the process ended; ready reports it
            }
            ready.completeExceptionally(new IllegalStateException("socat ended:\n" + log));
        }, "socat-log");
        reader.setDaemon(true);
        reader.start();
        SocatPty pty = new SocatPty(dir, p);
        try {
            ready.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            pty.close();
            throw new IllegalStateException("socat did not start within 10 s; log:\n" + log, e);
        } catch (InterruptedException e) {
            pty.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return pty;
    }

    Path path() {
        return dir.resolve("tty");
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
