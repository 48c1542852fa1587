package dev.labwire.bench.e2e;

import com.fazecast.jSerialComm.SerialPort;
import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Serial round trips over pty pairs made by {@code socat} (a null-modem cable with no baud-rate delay): labwire
 * {@link BlockingClient} on {@code serial:<pty>?baud=115200} against a hand-written jSerialComm loop (semi-blocking
 * reads, the reply cut at {@code \n}). Each client has its own pair (a port opens once per JVM); the far ends
 * are answered by one responder thread each, reading and writing the pty as a plain file, as instrument-mock does.
 */
final class SerialBench {
    private final Loopback b;

    SerialBench(Loopback b) {
        this.b = b;
    }

    void run() throws Exception {
        try (Pty labwirePty = Pty.start(); Pty rawPty = Pty.start()) {
            labwirePty.answer();
            rawPty.answer();
            Map<String, Loopback.Contender> cs = new LinkedHashMap<>();
            try (RawSerial raw = new RawSerial(rawPty.device().toString(), Loopback.COMMAND);
                 BlockingClient labwire = BlockingClient.open("serial:" + labwirePty.device() + "?baud=115200", ConnectionConfig.DEFAULT)
                         .awaitReady(Duration.ofSeconds(10))) {
                cs.put("raw jSerialComm", Loopback.sequential(raw::query));
                cs.put("labwire blocking", Loopback.sequential(() -> labwire.query(Loopback.COMMAND)));
                Map<String, List<Report.Sample>> r = b.interleave(cs);
                b.report.line("### Serial round trips over a socat pty pair (115200 baud set; ptys do not pace bytes)");
                b.report.line("");
                b.latencyTable(r);
                b.ratio(r, "labwire blocking", "raw jSerialComm");
                b.report.line("");
            }
        }
    }

    /** The hand-written jSerialComm client: write the command, read until {@code \n}. */
    private static final class RawSerial implements AutoCloseable {
        private final SerialPort port;
        private final byte[] command;
        private final byte[] buf = new byte[4096];
        private int r;
        private int w;

        RawSerial(String path, String command) throws IOException {
            port = SerialPort.getCommPort(path);
            port.setComPortParameters(115200, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
            port.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
            port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, 1000, 0);
            if (!port.openPort()) {
                throw new IOException("cannot open " + path + ": error " + port.getLastErrorCode());
            }
            this.command = (command + "\n").getBytes(StandardCharsets.ISO_8859_1);
        }

        String query() throws IOException {
            if (port.writeBytes(command, command.length) != command.length) {
                throw new IOException("short write");
            }
            int scan = r;
            while (true) {
                for (int i = scan; i < w; i++) {
                    if (buf[i] == '\n') {
                        String line = new String(buf, r, i - r, StandardCharsets.ISO_8859_1);
                        r = i + 1;
                        if (r == w) {
                            r = 0;
                            w = 0;
                        }
                        return line;
                    }
                }
                if (r > 0) {
                    System.arraycopy(buf, r, buf, 0, w - r);
                    w -= r;
                    r = 0;
                }
                scan = w;
                int n = port.readBytes(buf, buf.length - w, w);
                if (n < 0) {
                    throw new IOException("read failed: error " + port.getLastErrorCode());
                }
                w += n;
            }
        }

        @Override
        public void close() {
            port.closePort();
        }
    }

    /** A socat pty pair: {@code device} for the client, {@code far} answered by {@link #answer()}. */
    static final class Pty implements AutoCloseable {
        private final Path dir;
        private final Process socat;
        private FileChannel in;
        private FileChannel out;
        private Thread responder;

        private Pty(Path dir, Process socat) {
            this.dir = dir;
            this.socat = socat;
        }

        static Pty start() throws Exception {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "labwire-bench-pty-");
            Process p = new ProcessBuilder("socat", "-d", "-d", "pty,raw,echo=0,link=" + dir.resolve("device"),
                    "pty,raw,echo=0,link=" + dir.resolve("far")).redirectErrorStream(true).start();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            Thread log = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.contains("starting data transfer loop")) {
                            ready.complete(null);
                        }
                    }
                } catch (IOException e) {
                    // socat ended
                }
                ready.completeExceptionally(new IOException("socat ended before it was ready"));
            }, "socat-log");
            log.setDaemon(true);
            log.start();
            ready.get(10, TimeUnit.SECONDS);
            return new Pty(dir, p);
        }

        Path device() {
            return dir.resolve("device");
        }

        /** The far end, for a test that plays the instrument itself (instead of {@link #answer()}). */
        Path far() {
            return dir.resolve("far");
        }

        void answer() throws IOException {
            in = FileChannel.open(dir.resolve("far"), StandardOpenOption.READ);
            out = FileChannel.open(dir.resolve("far"), StandardOpenOption.WRITE);
            responder = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(4096);
                try {
                    while (true) {
                        buf.clear();
                        int n = in.read(buf);
                        if (n < 0) {
                            return;
                        }
                        int lines = 0;
                        for (int i = 0; i < n; i++) {
                            lines += buf.get(i) == '\n' ? 1 : 0;
                        }
                        if (lines > 0) {
                            ByteBuffer reply = ByteBuffer.allocate(lines * ReplyServer.REPLY.length);
                            for (int i = 0; i < lines; i++) {
                                reply.put(ReplyServer.REPLY);
                            }
                            reply.flip();
                            while (reply.hasRemaining()) {
                                out.write(reply);
                            }
                        }
                    }
                } catch (IOException e) {
                    // the pair went away
                }
            }, "pty-responder " + dir);
            responder.setDaemon(true);
            responder.start();
        }

        @Override
        public void close() {
            socat.destroy();
            try {
                socat.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (FileChannel c : new FileChannel[] {in, out}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (IOException e) {
                    // closing is all we wanted
                }
            }
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a leftover folder in /tmp is harmless
            }
        }
    }
}
