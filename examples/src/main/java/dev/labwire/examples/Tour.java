package dev.labwire.examples;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.netty.LatestFrame;
import dev.labwire.netty.NettyClient;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * The README's first command: a simulated SCPI power supply on loopback TCP and a simulated USB-serial board
 * streaming a status frame every 25 ms on a pty, driven by both clients, with a transcript and timings.
 * Needs no hardware; without socat it says so and skips the board. Exits 0; takes a few seconds.
 *
 * <p>Run: {@code mvn -q -B install -DskipTests && mvn -q -B -pl examples exec:java}
 */
public final class Tour {
    private static final String IDN = "LABWIRE,MOCK-INSTRUMENT,SN0001,1.0";
    private final PrintStream out;
    private final long t0 = System.nanoTime();

    Tour(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        new Tour(System.out).run();
    }

    private void say(String format, Object... args) {
        out.printf(Locale.ROOT, "[%6.0f ms] %s%n", (System.nanoTime() - t0) / 1e6, String.format(Locale.ROOT, format, args));
    }

    private static double ms(long since) {
        return (System.nanoTime() - since) / 1e6;
    }

    void run() throws Exception {
        out.println("labwire tour: two simulated instruments, the blocking and the Netty client");
        try (MockInstrument psu = MockInstrument.tcp().scpi()) {
            psu.responder(cmd -> switch (cmd) {
                case "MEAS:VOLT?" -> MockReply.line(String.format(Locale.ROOT, "%+.4E",
                        Double.parseDouble(psu.dictionary().get("VOLT") == null ? "0" : psu.dictionary().get("VOLT")) * 0.9998));
                case "CURV?" -> MockReply.block(waveform(2000));
                default -> null;
            });
            say("power supply simulator on %s", psu.endpoint());
            blocking(psu);
            pipelined(psu);
            board();
            reconnect(psu);
            staleReply(psu);
        }
        say("done: every call got its own reply or a clear error");
    }

    private void blocking(MockInstrument psu) {
        out.println("\n-- 1. the blocking client");
        try (BlockingClient c = BlockingClient.open(psu.endpoint())) {
            long t = System.nanoTime();
            say("*IDN?        -> %s  (%.1f ms, including the connect)", c.query("*IDN?"), ms(t));
            t = System.nanoTime();
            c.write("VOLT 5");
            double v = c.queryNumber("MEAS:VOLT?");
            say("VOLT 5; MEAS:VOLT? -> %.4f V  (%.2f ms)", v, ms(t));
            t = System.nanoTime();
            byte[] wave = c.queryBlock("CURV?");
            say("CURV?        -> IEEE 488.2 block of %d bytes, first %d %d %d ...  (%.2f ms)", wave.length,
                    wave[0], wave[1], wave[2], ms(t));
        }
    }

    private void pipelined(MockInstrument psu) throws Exception {
        out.println("\n-- 2. the Netty client: a pipelined batch");
        NettyClient c = NettyClient.open(psu.endpoint(), ConnectionConfig.builder().maxInFlight(16).build());
        try {
            c.ready(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
            long t = System.nanoTime();
            List<CompletableFuture<String>> batch = IntStream.range(0, 1000)
                    .mapToObj(i -> c.query("ECHO? token-" + i)).toList();
            CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            long matched = IntStream.range(0, 1000).filter(i -> batch.get(i).join().equals("token-" + i)).count();
            say("1000 queries, up to 16 on the wire: %.1f ms, %d of 1000 replies matched to their tokens", ms(t), matched);
        } finally {
            c.close().get(5, TimeUnit.SECONDS);
        }
    }

    private void board() throws Exception {
        out.println("\n-- 3. a USB-serial board streaming a status frame every 25 ms (pty pair via socat)");
        if (!MockInstrument.socatAvailable()) {
            say("socat is not installed (apt-get install -y socat): skipping the serial board");
            return;
        }
        try (MockInstrument board = MockInstrument.pty().scpi()) {
            AtomicInteger n = new AtomicInteger();
            NettyClient c = NettyClient.open(board.endpoint() + "?baud=115200", ConnectionConfig.builder()
                    .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build());
            try (AutoCloseable stream = board.pushEvery(Duration.ofMillis(25),
                    () -> String.format(Locale.ROOT, "STAT seq=%d temp=%.2f", n.incrementAndGet(), 21.5 + n.get() % 7 * 0.01))) {
                c.ready(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
                List<String> frames = new CopyOnWriteArrayList<>();
                CountDownLatch twenty = new CountDownLatch(20);
                c.pushed().subscribe(new Flow.Subscriber<Frame>() {
                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        s.request(Long.MAX_VALUE);
                    }

                    @Override
                    public void onNext(Frame f) {
                        frames.add(f.asString());
                        twenty.countDown();
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onComplete() {
                    }
                });
                long t = System.nanoTime();
                String ver = c.query("*IDN?").get(5, TimeUnit.SECONDS);
                say("*IDN? on the same link as the stream -> %s", ver);
                if (!twenty.await(5, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the board's stream did not arrive");
                }
                say("20 status frames in %.0f ms; first \"%s\", last \"%s\"", ms(t), frames.get(0), frames.get(19));
                CompletableFuture<LatestFrame> latest = new CompletableFuture<>();
                c.latest().subscribe(new Flow.Subscriber<LatestFrame>() {
                    private Flow.Subscription sub;

                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        sub = s;
                        s.request(1);
                    }

                    @Override
                    public void onNext(LatestFrame f) {
                        latest.complete(f);
                        sub.cancel();
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onComplete() {
                    }
                });
                say("latest-value monitor: \"%s\"", latest.get(5, TimeUnit.SECONDS).frame().asString());
            } finally {
                c.close().get(5, TimeUnit.SECONDS);
            }
        }
    }

    private void reconnect(MockInstrument psu) throws InterruptedException {
        out.println("\n-- 4. the simulator restarts: reconnect with backoff, the on-connect hook replayed first");
        List<String> states = new CopyOnWriteArrayList<>();
        CountDownLatch down = new CountDownLatch(1);
        try (BlockingClient c = BlockingClient.builder(psu.endpoint())
                .config(ConnectionConfig.builder().backoff(new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1), 2, 0.2)).build())
                .onConnect(s -> {
                    s.write("SYST:REM");
                    s.write("VOLT 12");
                })
                .listener((s, cause) -> {
                    states.add(s.toString());
                    if (s == State.DOWN) {
                        down.countDown();
                    }
                })
                .build()) {
            say("VOLT? -> %s (set by the hook)", c.query("VOLT?"));
            psu.dictionary().set("VOLT", "0"); // the supply forgets its setting when switched off
            long t = System.nanoTime();
            psu.stop();
            say("simulator stopped (connections refused)");
            // a call made before the client has seen the drop would go out on the dying link and fail with
            // LinkDownException (labwire never re-sends a request on its own): wait for the client to see it
            if (!down.await(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the client did not see the link drop");
            }
            psu.restart();
            say("simulator back on the same port");
            String volts = c.query("VOLT?", Duration.ofSeconds(5));
            List<String> cmds = psu.commands();
            say("VOLT? -> %s  (%.0f ms after the stop; the simulator saw %s)", volts, ms(t),
                    cmds.subList(cmds.size() - 3, cmds.size()));
            say("states: %s", String.join(" > ", states));
        }
    }

    private void staleReply(MockInstrument psu) {
        out.println("\n-- 5. a timed-out query and its late reply (the PyVISA-py *OPC?/*IDN? mix-up)");
        try (BlockingClient c = BlockingClient.open(psu.endpoint())) {
            c.awaitReady(Duration.ofSeconds(5));
            psu.enqueue(MockReply.line("1").delay(Duration.ofMillis(600)));
            long t = System.nanoTime();
            try {
                c.query("*OPC?", Duration.ofMillis(200));
                throw new IllegalStateException("*OPC? should have timed out");
            } catch (RequestTimeoutException e) {
                say("*OPC? (timeout 200 ms, the answer comes after 600 ms) -> %s after %.0f ms",
                        e.getClass().getSimpleName(), ms(t));
            }
            String idn = c.query("*IDN?");
            say("*IDN? -> %s  (the late \"1\" was discarded, not handed to *IDN?)", idn);
            if (!idn.equals(IDN) || c.state() != State.READY) {
                throw new IllegalStateException("mix-up: " + idn);
            }
        }
    }

    private static byte[] waveform(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) Math.round(100 * Math.sin(2 * Math.PI * i / 250));
        }
        return b;
    }
}
