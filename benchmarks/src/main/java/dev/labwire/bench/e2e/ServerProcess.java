package dev.labwire.bench.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ReplyServer} in a child JVM, for the figures that must see the client alone: heap and threads per
 * connection, client CPU time, and file descriptors (10,000 connections need 10,000 on each side). The child
 * inherits the CPU affinity, so under {@code taskset -c 1} both processes share CPU 1.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static ServerProcess start(int threads) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "-Xmx2g", "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"),
                ReplyServer.class.getName(), Integer.toString(threads));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        String line = r.readLine();
        if (line == null || !line.startsWith("PORT ")) {
            p.destroyForcibly();
            throw new IOException("server process did not report its port: " + line);
        }
        return new ServerProcess(p, Integer.parseInt(line.substring(5).trim()));
    }

    int port() {
        return port;
    }

    /** CPU time the server process used so far, in nanoseconds. */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos()).orElse(-1L);
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // the server ends when its stdin closes
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
