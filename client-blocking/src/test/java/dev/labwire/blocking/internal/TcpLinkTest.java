package dev.labwire.blocking.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.endpoint.Endpoint;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The NIO TCP link on its own: what an untimed read does when its thread is interrupted, and close(). */
class TcpLinkTest {

    /**
     * An untimed read (the reader thread's) behaves as a java.net read did: an interrupt neither ends it nor makes it
     * spin (an interrupted thread's select returns at once); it returns the bytes when they come, with the interrupt
     * still set for its owner to see.
     */
    @Test
    void anInterruptedUntimedReadWaitsWithoutSpinningAndKeepsTheInterrupt() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpLink link = TcpLink.open(new Endpoint.Tcp("127.0.0.1", server.getLocalPort()), ConnectionConfig.DEFAULT, c -> { });
            try (Socket peer = server.accept()) {
                CompletableFuture<String> got = new CompletableFuture<>();
                CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
                Thread reader = new Thread(() -> {
                    try {
                        byte[] buf = new byte[64];
                        int n = link.read(buf);
                        interruptKept.complete(Thread.currentThread().isInterrupted());
                        got.complete(new String(buf, 0, n, StandardCharsets.US_ASCII));
                    } catch (Throwable t) {
                        got.completeExceptionally(t);
                    }
                }, "tcp-link-test-reader");
                reader.start();
                awaitWaiting(reader);
                reader.interrupt();

                // a measuring window, not a wait for a condition: a spinning read burns most of it on its CPU
                Path stat = taskStat("tcp-link-test-r");
                long cpu0 = cpuTicks(stat);
                long wall0 = System.nanoTime();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
                long wall = System.nanoTime() - wall0;
                long cpu = (cpuTicks(stat) - cpu0) * 10_000_000L; // clock ticks of 10 ms (USER_HZ 100)
                assertThat(got).isNotDone();
                assertThat(cpu).as("reader CPU in %d ms of an interrupted wait", wall / 1_000_000).isLessThan(wall / 5);

                OutputStream out = peer.getOutputStream();
                out.write("1.25\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo("1.25\n");
                assertThat(interruptKept.get(5, TimeUnit.SECONDS)).isTrue();
            } finally {
                link.close();
            }
        }
    }

    /** close() ends an untimed read waiting for bytes at once, with an exception. */
    @Test
    void closeEndsAWaitingRead() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpLink link = TcpLink.open(new Endpoint.Tcp("127.0.0.1", server.getLocalPort()), ConnectionConfig.DEFAULT, c -> { });
            try (Socket peer = server.accept()) {
                CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                    try {
                        return link.read(new byte[16]);
                    } catch (java.io.IOException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                long t0 = System.nanoTime();
                link.close();
                assertThat(read).failsWithin(5, TimeUnit.SECONDS);
                assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
            }
        }
    }

    /** /proc/self/task/<tid>/stat of the thread whose (15-character) name is {@code comm}: its CPU time, Linux only. */
    private static Path taskStat(String comm) throws java.io.IOException {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String name;
                try {
                    name = Files.readString(t.resolve("comm")).strip();
                } catch (java.nio.file.NoSuchFileException ended) {
                    continue; // another thread of this JVM ended between the listing and the read
                }
                if (name.equals(comm)) {
                    return t.resolve("stat");
                }
            }
        }
        throw new AssertionError("no thread named " + comm + " in /proc/self/task");
    }

    /** utime + stime of a /proc task, in clock ticks (fields 14 and 15, counted after the name in parentheses). */
    private static long cpuTicks(Path stat) throws java.io.IOException {
        String s = Files.readString(stat);
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** Until {@code t} is inside its read (native wait: RUNNABLE, with a TcpLink frame on top of the select). */
    private static void awaitWaiting(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getMethodName().startsWith("select") && e.getClassName().contains("Selector")) {
                    return;
                }
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("the reader never waited in its selector: " + java.util.Arrays.toString(t.getStackTrace()));
    }
}
