package dev.labwire.bench.e2e;

import com.fazecast.jSerialComm.SerialPort;
import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.frame.Frame;
import dev.labwire.netty.NettyClient;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * A streaming board at a real baud rate (issue 17, workload 3). A pty cannot pace bytes, so the far end of a socat
 * pty pair is written by a paced writer: a 40-byte status frame every 25 ms (the furnace example's rate), each byte
 * at its 115200-baud time (10 bits, 86.8 µs). Reported per client: the latency from the frame's last byte leaving
 * the writer to the frame reaching the program (what the client adds over the wire time), and the JVM's CPU time
 * per frame minus the writer thread's (the client's cost). Contenders, interleaved: a hand-written jSerialComm read
 * loop cutting lines, labwire blocking ({@code onPushed}), labwire Netty ({@code pushed()}).
 */
final class PacedSerialBench {
    static final int BAUD = 115_200;
    static final long BYTE_NANOS = 10L * 1_000_000_000L / BAUD;
    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(25);
    private static final int MAX_FRAMES = 1 << 20;

    private final Loopback b;

    PacedSerialBench(Loopback b) {
        this.b = b;
    }

    void run() throws Exception {
        Map<String, Loopback.Contender> cs = new LinkedHashMap<>();
        cs.put("raw jSerialComm", seconds -> measure(seconds, (path, sink) -> {
            SerialPort port = SerialPort.getCommPort(path);
            port.setComPortParameters(BAUD, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
            port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, 100, 0);
            if (!port.openPort()) {
                throw new IOException("cannot open " + path);
            }
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[4096];
                StringBuilder line = new StringBuilder();
                while (port.isOpen()) {
                    int n = port.readBytes(buf, buf.length);
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            sink.accept(line.toString());
                            line.setLength(0);
                        } else {
                            line.append((char) (buf[i] & 0xFF));
                        }
                    }
                }
            }, "raw-serial-reader");
            reader.setDaemon(true);
            reader.start();
            return port::closePort;
        }));
        cs.put("labwire blocking", seconds -> measure(seconds, (path, sink) -> {
            BlockingClient c = BlockingClient.open("serial:" + path + "?baud=" + BAUD, config()).awaitReady(Duration.ofSeconds(10));
            AutoCloseable sub = c.onPushed(f -> sink.accept(f.asString()));
            return () -> {
                sub.close();
                c.close();
            };
        }));
        cs.put("labwire Netty", seconds -> measure(seconds, (path, sink) -> {
            NettyClient c = NettyClient.open("serial:" + path + "?baud=" + BAUD, config());
            c.ready(Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
            c.pushed().subscribe(new Flow.Subscriber<Frame>() {
                private Flow.Subscription s;

                public void onSubscribe(Flow.Subscription s) {
                    this.s = s;
                    s.request(Long.MAX_VALUE);
                }

                public void onNext(Frame f) {
                    sink.accept(f.asString());
                }

                public void onError(Throwable t) {
                }

                public void onComplete() {
                }
            });
            return () -> c.close().get(10, TimeUnit.SECONDS);
        }));
        Map<String, List<Report.Sample>> r = b.interleave(cs);
        b.report.line("### A board streaming 40-byte frames every 25 ms at 115200 baud (paced writer on a socat pty)");
        b.report.line("");
        b.report.line("| client | frames/s | latency after the last byte, p50 µs | p99 µs | max µs | JVM CPU per frame, writer excluded (µs) | load avg |");
        b.report.line("|---|---:|---:|---:|---:|---:|---|");
        r.forEach((n, s) -> b.report.line("| " + n + " | " + Report.f1(Report.median(s, Report.Sample::perSecond)) + " | "
                + Report.f1(Report.median(s, Report.Sample::p50us)) + " | " + Report.f1(Report.median(s, Report.Sample::p99us))
                + " | " + Report.f1(Report.median(s, Report.Sample::maxUs)) + " | "
                + Report.f1(Report.median(s, Report.Sample::bytesPerCall) / 1000) + " | " + Report.loads(s) + " |"));
        b.report.line("");
        b.report.line("The wire time of one frame at 115200 baud is " + Report.f1(40 * BYTE_NANOS / 1000.0)
                + " µs; latency here is counted from its last byte.");
        b.report.line("");
    }

    private static ConnectionConfig config() {
        return ConnectionConfig.builder()
                .classifier(FrameClassifier.pushedIfStartsWith("STAT:".getBytes(StandardCharsets.US_ASCII))).build();
    }

    interface Opener {
        AutoCloseable open(String path, Consumer<String> sink) throws Exception;
    }

    /**
     * A fresh pty pair and client, {@code seconds} of paced frames; the sample's {@code bytesPerCall} field carries
     * the CPU nanoseconds per frame (the report divides by 1000).
     */
    private static Report.Sample measure(double seconds, Opener opener) throws Exception {
        try (SerialBench.Pty pty = SerialBench.Pty.start();
             FileChannel far = FileChannel.open(pty.far(), StandardOpenOption.WRITE)) {
            AtomicLongArray lastByteAt = new AtomicLongArray(MAX_FRAMES);
            Histogram latency = Report.histogram();
            long[] received = {0};
            Consumer<String> sink = line -> {
                long now = System.nanoTime();
                int seq = Integer.parseInt(line.substring(5, 13));
                long sent = lastByteAt.get(seq);
                synchronized (latency) {
                    if (sent > 0) {
                        latency.recordValue(Math.max(0, now - sent));
                    }
                    received[0]++;
                }
            };
            AutoCloseable client = opener.open(pty.device().toString(), sink);
            try {
                int frames = (int) (seconds * 1e9 / PERIOD_NANOS);
                com.sun.management.OperatingSystemMXBean os =
                        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long writerCpu0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                long cpu0 = os.getProcessCpuTime();
                long start = System.nanoTime();
                long next = start;
                ByteBuffer one = ByteBuffer.allocate(1);
                for (int seq = 1; seq <= frames; seq++) {
                    byte[] frame = String.format("STAT:%08d,+1.234567E+00,+2.500E+01\n", seq).getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < frame.length; i++) {
                        long due = next + i * BYTE_NANOS;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        one.clear();
                        one.put(frame[i]).flip();
                        far.write(one);
                    }
                    lastByteAt.set(seq, System.nanoTime());
                    next += PERIOD_NANOS;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (System.nanoTime() < deadline) {
                    synchronized (latency) {
                        if (received[0] >= frames) {
                            break;
                        }
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
                long took = System.nanoTime() - start;
                long cpu = os.getProcessCpuTime() - cpu0
                        - (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - writerCpu0);
                synchronized (latency) {
                    if (received[0] < frames) {
                        throw new IllegalStateException(received[0] + " of " + frames + " frames arrived");
                    }
                    Report.Sample s = Report.Sample.of(received[0] / (took / 1e9), latency);
                    return new Report.Sample(s.perSecond(), s.p50us(), s.p99us(), s.p999us(), s.maxUs(),
                            cpu / (double) received[0], s.load());
                }
            } finally {
                client.close();
            }
        }
    }
}
