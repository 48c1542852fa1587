package dev.labwire.mock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A pair of connected pseudo-terminals made by {@code socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B}: what is
 * written to one end is read from the other, as over a null-modem cable. For tests that put a program of their own (a
 * Python Modbus server, {@code mbpoll}) on one end and labwire on the other. {@link #open()} waits until socat is
 * ready (10 s at most, else an {@link UncheckedIOException} with socat's log); {@link #close()} ends socat and removes
 * the links. Needs {@code socat} on the PATH ({@link MockInstrument#socatAvailable()}).
 */
public final class PtyPair implements AutoCloseable {
    private final Path dir;
    private final Process socat;

    private PtyPair(Path dir, Process socat) {
        this.dir = dir;
        this.socat = socat;
    }

    /** Makes the pair in a fresh temporary folder. */
    public static PtyPair open() {
        try {
            Path dir = Files.createTempDirectory("labwire-pty");
            Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + dir.resolve("a"),
                    "pty,raw,echo=0,link=" + dir.resolve("b")).redirectErrorStream(true).start();
            StringBuffer logText = new StringBuffer();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        logText.append(line).append('\n');
                        if (line.contains("starting data transfer loop")) {
                            ready.complete(null);
                        }
                    }
                } catch (IOException e) {
                    // socat ended
                }
                ready.completeExceptionally(new IOException("socat ended before it was ready:\n" + logText));
            }, "pty-pair-log " + dir);
            t.setDaemon(true);
            t.start();
            try {
                ready.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                p.destroyForcibly();
                throw new IOException("socat did not make the pty pair within 10 s; its log:\n" + logText, e);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting socat", e);
            }
            return new PtyPair(dir, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The end for labwire: a symlink to the pty device. */
    public Path clientPath() {
        return dir.resolve("a");
    }

    /** The other end, for the peer program. */
    public Path peerPath() {
        return dir.resolve("b");
    }

    /** Ends socat (both ends see the link go) and removes the links; idempotent. */
    @Override
    public void close() {
        socat.destroyForcibly();
        try {
            socat.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(dir.resolve("a"));
            Files.deleteIfExists(dir.resolve("b"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover temp folder harms nothing
        }
    }

    @Override
    public String toString() {
        return "PtyPair[" + clientPath() + " <-> " + peerPath() + "]";
    }
}
