package dev.labwire.mock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A real terminal server for tests: Debian's {@code ser2net} (4.x, {@code apt-get install -y ser2net}) serving a serial
 * device, such as a {@link MockInstrument#pty()}'s {@link MockInstrument#devicePath()}, on a loopback TCP port, either
 * with RFC 2217 ({@code telnet(rfc2217)}) or raw. The port stays the same across {@link #stop()} and {@link #start()},
 * so a client sees a terminal server restart. ser2net opens the device at 9600 8N1 (no modem control lines: its
 * {@code local} option) when a client connects; an RFC 2217 client then sets what it asks for.
 *
 * <pre>{@code
 * try (MockInstrument mock = MockInstrument.pty(); Ser2net ts = Ser2net.rfc2217(mock.devicePath())) {
 *     BlockingClient c = BlockingClient.open(ts.endpoint() + "?baud=19200");
 *     ...
 *     assertThat(Ser2net.stty(mock.devicePath())).contains("speed 19200 baud");
 * }
 * }</pre>
 *
 * <p>Failures: {@link IllegalStateException} when ser2net is not installed (check {@link #available()}), and
 * {@link UncheckedIOException} when it does not start listening within 5 s (its output is in the message).
 */
public final class Ser2net implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/ser2net");
    private static final Duration START = Duration.ofSeconds(5);

    private final boolean rfc2217;
    private final int port;
    private final Path dir;
    private Process process;

    private Ser2net(Path device, boolean rfc2217) throws IOException {
        this.rfc2217 = rfc2217;
        this.dir = Files.createTempDirectory("labwire-ser2net-");
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            this.port = s.getLocalPort();
        }
        String accepter = (rfc2217 ? "telnet(rfc2217),tcp," : "tcp,") + "127.0.0.1," + port;
        Files.writeString(dir.resolve("ser2net.yaml"), "connection: &con0\n"
                + "  accepter: " + accepter + "\n"
                + "  connector: serialdev," + device + ",9600n81,local\n"
                + "  options:\n"
                + "    kickolduser: true\n", StandardCharsets.US_ASCII);
    }

    /** Whether {@code /usr/sbin/ser2net} is installed. */
    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** ser2net serving {@code device} with RFC 2217 on a free loopback port, started and listening. */
    public static Ser2net rfc2217(Path device) {
        return make(device, true);
    }

    /** ser2net serving {@code device} raw (no Telnet) on a free loopback port, started and listening. */
    public static Ser2net raw(Path device) {
        return make(device, false);
    }

    private static Ser2net make(Path device, boolean rfc2217) {
        if (!available()) {
            throw new IllegalStateException("ser2net is not installed: apt-get install -y ser2net");
        }
        try {
            Ser2net s = new Ser2net(device, rfc2217);
            s.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The TCP port it listens on. */
    public int port() {
        return port;
    }

    /** {@code rfc2217://127.0.0.1:<port>} or {@code tcp://127.0.0.1:<port>}: append {@code ?baud=...} as needed. */
    public String endpoint() {
        return (rfc2217 ? "rfc2217://" : "tcp://") + "127.0.0.1:" + port;
    }

    /** Starts ser2net (again) and waits until it listens. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        Path log = dir.resolve("ser2net.log");
        process = new ProcessBuilder(BINARY.toString(), "-n", "-d", "-c", dir.resolve("ser2net.yaml").toString(),
                "-P", dir.resolve("ser2net.pid").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + START.toNanos();
        while (!listening()) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new IOException("ser2net did not listen on 127.0.0.1:" + port + " within " + START.toSeconds()
                        + " s:\n" + Files.readString(log));
            }
            try {
                process.waitFor(10, TimeUnit.MILLISECONDS);   // a bounded wait on the process, not a sleep
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while ser2net started", e);
            }
        }
    }

    /** Stops ser2net (SIGTERM, then SIGKILL after 5 s): its clients see their connection end. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Whether a socket listens on 127.0.0.1 at {@link #port()} ({@code /proc/net/tcp}, state 0A). */
    private boolean listening() throws IOException {
        String local = String.format(Locale.ROOT, "0100007F:%04X", port);
        List<String> lines = Files.readAllLines(Path.of("/proc/net/tcp"));
        for (String l : lines) {
            String[] f = l.trim().split("\\s+");
            if (f.length > 3 && f[1].equals(local) && f[3].equals("0A")) {
                return true;
            }
        }
        return false;
    }

    /** The output of {@code stty -a -F <device>}: the line settings of a tty as the kernel holds them. */
    public static String stty(Path device) {
        try {
            Process p = new ProcessBuilder("stty", "-a", "-F", device.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            p.waitFor(5, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops ser2net and removes its files. */
    @Override
    public void close() {
        stop();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }

    @Override
    public String toString() {
        return "ser2net " + endpoint();
    }
}
