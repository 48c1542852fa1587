package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.StaleReplyPolicy;
import dev.labwire.core.frame.LineFramer;
import dev.labwire.mock.FaultProxy;
import dev.labwire.mock.MockInstrument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chaos, the Netty twin of the blocking client's: one client, {@value #WINDOW} calls outstanding at once and
 * {@value #maxInFlight} of them pipelined on the wire, through a {@link FaultProxy} (delays, byte splits,
 * resets mid-request and mid-reply, stalls longer than the timeout, garbage) while the instrument drops every
 * link now and then. Every request carries a token that the instrument echoes. Counted and asserted: calls
 * that outlive their deadline plus slack (0), replies handed to the wrong request (0), calls ending with
 * neither reply nor declared error (0), and the time back to full service once the faults stop.
 *
 * <p>{@code -Dlabwire.chaos.requests=1000000} runs longer; {@code -Dlabwire.chaos.seed=N} replays a fault
 * sequence. Figures go to the log and to {@code target/chaos-netty.txt}.
 */
class ChaosTest {
    private static final Logger TIMINGS = LoggerFactory.getLogger("dev.labwire.netty.timings");
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    /** Scheduling slack on a loaded 2-vCPU CI machine: a call must end by its timeout plus this. */
    private static final Duration SLACK = Duration.ofSeconds(1);
    /** Every UNANSWERED-th request is a query the instrument never answers (SCPI error -113 queued). */
    private static final int UNANSWERED = 700;
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(10), Duration.ofMillis(200), 2, 0.2);
    private static final int WINDOW = 32;

    @ParameterizedTest(name = "maxInFlight {0}")
    @ValueSource(ints = {1, 4, 16})
    void everyCallEndsInTimeWithItsOwnReplyOrADeclaredError(int maxInFlight) throws Exception {
        int requests = Integer.getInteger("labwire.chaos.requests", 10_000);
        long seed = Long.getLong("labwire.chaos.seed", System.nanoTime());
        TIMINGS.info("chaos (netty): {} requests, {} outstanding, {} pipelined, seed {} (replay with -Dlabwire.chaos.seed={})",
                requests, WINDOW, maxInFlight, seed, seed);
        LongAdder unanswered = new LongAdder();
        ConnectionConfig config = ConnectionConfig.builder()
                .framing(max -> LineFramer.lf(max).asciiOnly())
                .defaultTimeout(TIMEOUT)
                .connectTimeout(Duration.ofMillis(500))
                .backoff(BACKOFF)
                .maxInFlight(maxInFlight)
                .staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofMillis(300)))
                .build();
        LongAdder replies = new LongAdder();
        LongAdder timeouts = new LongAdder();
        LongAdder linkDown = new LongAdder();
        LongAdder protocol = new LongAdder();
        LongAdder misdelivered = new LongAdder();
        LongAdder late = new LongAdder();
        LongAccumulator slowest = new LongAccumulator(Math::max, 0);
        Map<String, Throwable> undeclared = new ConcurrentHashMap<>();
        Semaphore window = new Semaphore(WINDOW);
        long recoveryNanos;
        FaultProxy.Counts faults;
        long t0 = System.nanoTime();
        try (MockInstrument mock = MockInstrument.tcp().scpi();
             FaultProxy proxy = FaultProxy.to(mock.port()).seed(seed)
                     .dropReplies(0.0003)
                     .delay(0.01, Duration.ofMillis(3))
                     .splitBytes(0.02)
                     .reset(0.0005)
                     .stall(0.0002, Duration.ofMillis(600))
                     .garbage(0.0005, 12)
                     .start()) {
            mock.dictionary().reject(java.util.regex.Pattern.compile("BAD\\? .*"), "-113,\"Undefined header\"");
            NettyClient client = NettyClient.open(proxy.endpoint(), config);
            try {
                long lastDrop = System.nanoTime();
                for (int i = 0; i < requests; i++) {
                    window.acquire();
                    if (System.nanoTime() - lastDrop > TimeUnit.MILLISECONDS.toNanos(1500)) {
                        mock.disconnect(); // the instrument side restarts now and then
                        lastDrop = System.nanoTime();
                    }
                    String token = "t" + i;
                    boolean bad = i % UNANSWERED == UNANSWERED - 1;
                    long start = System.nanoTime();
                    client.query((bad ? "BAD? " : "ECHO? ") + token).whenComplete((reply, error) -> {
                        long took = System.nanoTime() - start;
                        slowest.accumulate(took);
                        if (took > TIMEOUT.plus(SLACK).toNanos()) {
                            late.increment();
                        }
                        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        if (e == null && bad) { // the instrument never answers it: any reply is another's
                            misdelivered.increment();
                            undeclared.putIfAbsent("misdelivered " + token, new AssertionError(token + " got " + reply));
                        } else if (e == null && token.equals(reply)) {
                            replies.increment();
                        } else if (e == null) {
                            misdelivered.increment();
                            undeclared.putIfAbsent("misdelivered " + token, new AssertionError(token + " got " + reply));
                        } else if (e instanceof RequestTimeoutException) {
                            timeouts.increment();
                            if (bad) {
                                unanswered.increment();
                            }
                        } else if (e instanceof LinkDownException) {
                            linkDown.increment();
                        } else if (e instanceof RemoteProtocolException) {
                            protocol.increment();
                        } else {
                            undeclared.putIfAbsent(e.getClass().getName(), e);
                        }
                        window.release();
                    });
                }
                assertThat(window.tryAcquire(WINDOW, 30, TimeUnit.SECONDS)).as("every call ended").isTrue();
                faults = proxy.counts();
                proxy.quiet(true);
                mock.disconnect(); // the last fault: the link drops just as the faults stop
                long q0 = System.nanoTime();
                long deadline = q0 + BACKOFF.max().plusSeconds(5).toNanos();
                while (true) {
                    try {
                        if (client.query("ECHO? back", TIMEOUT).join().equals("back")) {
                            break;
                        }
                    } catch (CompletionException e) {
                        assertThat(e.getCause()).isInstanceOfAny(RequestTimeoutException.class, LinkDownException.class,
                                RemoteProtocolException.class);
                        assertThat(System.nanoTime() - deadline).as("back to service").isNegative();
                    }
                }
                recoveryNanos = System.nanoTime() - q0;
                for (int i = 0; i < 100; i++) {
                    assertThat(client.query("ECHO? ok" + i).get(5, TimeUnit.SECONDS)).isEqualTo("ok" + i);
                }
            } finally {
                client.close().get(10, TimeUnit.SECONDS);
            }
        }
        long wall = System.nanoTime() - t0;
        String figures = String.format(
                "chaos netty: seed %d, %d requests in %.1f s (%d outstanding, maxInFlight %d): %d replies, %d timeouts (%d of"
                        + " them unanswered queries), %d link-down, %d protocol errors; faults injected: %s (total %d);"
                        + " mis-delivered %d, late (> %d ms) %d, undeclared %d; slowest call %.0f ms; back to service %.0f ms after"
                        + " the faults stopped",
                seed, requests, wall / 1e9, WINDOW, maxInFlight, replies.sum(), timeouts.sum(), unanswered.sum(), linkDown.sum(),
                protocol.sum(),
                faults, faults.total(), misdelivered.sum(), TIMEOUT.plus(SLACK).toMillis(), late.sum(),
                undeclared.size(), slowest.get() / 1e6, recoveryNanos / 1e6);
        TIMINGS.info(figures);
        writeFigures(figures, maxInFlight);
        assertThat(undeclared).as("undeclared failures and mis-deliveries, seed " + seed).isEmpty();
        assertThat(misdelivered.sum()).as("replies handed to the wrong request, seed " + seed).isZero();
        assertThat(late.sum()).as("calls past deadline + slack, seed " + seed + "; slowest " + slowest.get() / 1e6 + " ms").isZero();
        assertThat(replies.sum() + timeouts.sum() + linkDown.sum() + protocol.sum())
                .as("calls ending with neither reply nor declared error, seed " + seed).isEqualTo(requests);
        assertThat(faults.total()).as("faults were injected").isPositive();
        assertThat(replies.sum()).as("most calls succeed").isGreaterThan(requests * 8L / 10);
    }

    private static void writeFigures(String figures, int maxInFlight) throws IOException {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("chaos-netty-" + maxInFlight + ".txt"), figures + System.lineSeparator());
        }
    }
}
