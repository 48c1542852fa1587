package dev.labwire.mock;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A second, independent RFC 2217 server for interop tests: pyserial's {@code serial.rfc2217.PortManager} (Debian's
 * {@code python3-serial}) serving a serial device, such as a {@link MockInstrument#pty()}'s
 * {@link MockInstrument#devicePath()}, on a free loopback port, one client at a time. It applies the settings a
 * client sends with pyserial's termios code and answers every one.
 *
 * <p>Failures: {@link IllegalStateException} when {@code /usr/bin/python3} cannot import {@code serial.rfc2217}
 * (check {@link #available()}), {@link UncheckedIOException} when the server does not listen within 10 s.
 */
public final class PyserialRfc2217 implements AutoCloseable {
    private static final String PYTHON = "/usr/bin/python3";

    private final Process process;
    private final Path dir;
    private final int port;

    private PyserialRfc2217(Path device) throws IOException {
        dir = Files.createTempDirectory("labwire-pyserial-");
        Path script = dir.resolve("pyserial_rfc2217.py");
        try (InputStream in = PyserialRfc2217.class.getResourceAsStream("pyserial_rfc2217.py")) {
            if (in == null) {
                throw new IOException("pyserial_rfc2217.py is missing from the instrument-mock jar");
            }
            Files.copy(in, script);
        }
        Path portFile = dir.resolve("port");
        process = new ProcessBuilder(PYTHON, script.toString(), device.toString(), portFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(portFile)) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new IOException("pyserial RFC 2217 server did not start:\n" + Files.readString(dir.resolve("log")));
            }
            try {
                process.waitFor(10, TimeUnit.MILLISECONDS);   // a bounded wait on the process, not a sleep
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        port = Integer.parseInt(Files.readString(portFile).trim());
    }

    /** Whether {@code /usr/bin/python3} has pyserial's RFC 2217 module. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import serial.rfc2217").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A server for {@code device}, listening. */
    public static PyserialRfc2217 start(Path device) {
        if (!available()) {
            throw new IllegalStateException("pyserial is not installed for /usr/bin/python3: apt-get install -y python3-serial");
        }
        try {
            return new PyserialRfc2217(device);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code rfc2217://127.0.0.1:<port>}: append {@code ?baud=...} as needed. */
    public String endpoint() {
        return "rfc2217://127.0.0.1:" + port;
    }

    /** Stops the server and removes its files. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        return "pyserial RFC 2217 server " + endpoint();
    }
}
