package dev.labwire.mock;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serial side of a {@link MockInstrument}: a pty pair made by {@code socat}, like a null-modem cable. The
 * client opens {@code <dir>/device} as a serial port; the mock reads and writes {@code <dir>/mock}. Stopping
 * ends socat with SIGTERM, which removes both links (an unplugged USB adapter); starting makes them again
 * under the same names.
 */
final class PtySide implements LinkSide {

    private static final Logger log = LoggerFactory.getLogger(PtySide.class);

    private static final long DRAIN_NANOS = 20_000_000L;

    private final MockInstrument owner;
    private final Path dir;
    private Process socat;
    private Session session;
    private int starts;

    PtySide(MockInstrument owner) throws IOException {
        this.owner = owner;
        this.dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "labwire-mock-");
    }

    /** Whether a {@code socat} executable is on the PATH. */
    static boolean socatAvailable() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "socat"))) {
                return true;
            }
        }
        return false;
    }

    Path devicePath() {
        return dir.resolve("device");
    }

    @Override
    public synchronized void start() throws IOException {
        if (socat != null) {
            return;
        }
        Path device = devicePath();
        Path mock = dir.resolve("mock");
        Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + device,
                "pty,raw,echo=0,link=" + mock).redirectErrorStream(true).start();
        StringBuffer socatLog = new StringBuffer();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread logReader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    socatLog.append(line).append('\n');
                    if (line.contains("starting data transfer loop")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // socat ended
            }
            ready.completeExceptionally(new IOException("socat ended before it was ready:\n" + socatLog));
        }, "mock-socat-log " + dir);
        logReader.setDaemon(true);
        logReader.start();
        try {
            ready.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            kill(p);
            throw new IOException("socat did not make the pty pair within 10 s; its log:\n" + socatLog, e);
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting socat", e);
        }
        FileChannel in;
        FileChannel out;
        try {
            // two channels: a FileChannel serialises read and write on one position lock, so a blocked read
            // on a shared channel would hold every reply back
            in = FileChannel.open(mock, StandardOpenOption.READ);
        } catch (IOException e) {
            kill(p);
            throw new IOException("cannot open the mock end " + mock + " of the pty pair: " + e.getMessage(), e);
        }
        try {
            out = FileChannel.open(mock, StandardOpenOption.WRITE);
        } catch (IOException e) {
            in.close();
            kill(p);
            throw new IOException("cannot open the mock end " + mock + " of the pty pair: " + e.getMessage(), e);
        }
        socat = p;
        starts++;
        session = owner.startSession(new PtyWire(in, out), "pty " + device + "#" + starts);
        log.debug("mock instrument serving {} (socat pid {})", device, p.pid());
    }

    @Override
    public void stop() {
        Process p;
        Session s;
        synchronized (this) {
            p = socat;
            s = session;
            socat = null;
            session = null;
        }
        if (p == null) {
            return;
        }
        p.destroy(); // SIGTERM: socat removes its links, as a vanished /dev node
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                kill(p);
            }
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
        }
        if (s != null) {
            s.close();
        }
    }

    @Override
    public void restart() throws IOException {
        stop();
        start();
    }

    @Override
    public void disconnect() throws IOException {
        stop();
        start();
    }

    @Override
    public void dropLink(Session s) {
        // let socat move the bytes already written before the pair goes (a hang-up discards what is in flight)
        java.util.concurrent.locks.LockSupport.parkNanos(DRAIN_NANOS);
        stop();
    }

    @Override
    public void halfClose(Session s) {
        stop();
    }

    @Override
    public String endpoint() {
        return "serial:" + devicePath();
    }

    /** Stops and removes the folder. */
    void delete() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log.debug("leftover folder {}: {}", dir, e.toString());
        }
    }

    private static void kill(Process p) {
        p.destroyForcibly();
        try {
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The mock end of the pty pair as a session's wire. */
    private static final class PtyWire implements Session.Wire {
        private final FileChannel in;
        private final FileChannel out;

        PtyWire(FileChannel in, FileChannel out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public int read(byte[] buf) throws IOException {
            return in.read(ByteBuffer.wrap(buf));
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
        }

        @Override
        public void shutdownOutput() throws IOException {
            throw new IOException("a pty has no half-close");
        }

        @Override
        public void close() {
            for (FileChannel c : new FileChannel[] {in, out}) {
                try {
                    c.close();
                } catch (IOException e) {
                    // closing is all we wanted
                }
            }
        }
    }
}
