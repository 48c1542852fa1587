package dev.labwire.testsupport.clients;

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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chaos: many calls share one client whose link runs through a {@link FaultProxy} (delays, byte splits, resets
 * mid-request and mid-reply, stalls longer than the timeout, garbage) while the instrument drops every link now and
 * then. Every request carries a token that the instrument echoes. Counted and asserted: calls that outlive their
 * deadline plus slack (0), replies handed to the wrong request (0), calls ending with neither reply nor declared error
 * (0), and the time back to full service once the faults stop (within the backoff cap). How the calls are made at once
 * is the client's own ({@link #drive}: threads for the blocking client, a window of futures for Netty); everything
 * else is shared.
 *
 * <p>{@code -Dlabwire.chaos.requests=1000000} runs longer; {@code -Dlabwire.chaos.seed=N} replays a fault sequence.
 * Figures go to the log and to {@code target/chaos-<client>-<maxInFlight>.txt}.
 */
public abstract class ChaosScenario extends ClientScenarios {
    protected static final Duration TIMEOUT = Duration.ofMillis(300);
    /** Scheduling slack on a loaded 2-vCPU CI machine: a call must end by its timeout plus this. */
    protected static final Duration SLACK = Duration.ofSeconds(1);
    /** Every UNANSWERED-th request is a query the instrument never answers (SCPI error -113 queued). */
    private static final int UNANSWERED = 700;
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(10), Duration.ofMillis(200), 2, 0.2);
    /** How often the instrument side drops the link while the calls run. */
    protected static final Duration DROP_EVERY = Duration.ofMillis(1500);

    protected ChaosScenario(Clients clients) {
        super(clients);
    }

    /** How the calls are made at once, for the log: "4 threads", "32 outstanding". */
    protected abstract String concurrency(int maxInFlight);

    /**
     * Makes calls {@code 0..requests-1} ({@link Outcomes#command}) on {@code client} the client's own way, reports the
     * end of each to {@link Outcomes#ended}, calls {@code mock.disconnect()} about every {@link #DROP_EVERY} meanwhile,
     * and returns when every call has ended.
     */
    protected abstract void drive(TestClient client, MockInstrument mock, int requests, int maxInFlight, Outcomes outcomes)
            throws Exception;

    /** Where the figures are logged (at INFO). */
    protected Logger figuresLog() {
        return LoggerFactory.getLogger(getClass());
    }

    @ParameterizedTest(name = "maxInFlight {0}")
    @ValueSource(ints = {1, 4, 16})
    public void everyCallEndsInTimeWithItsOwnReplyOrADeclaredError(int maxInFlight) throws Exception {
        int requests = Integer.getInteger("labwire.chaos.requests", 10_000);
        long seed = Long.getLong("labwire.chaos.seed", System.nanoTime());
        String name = clients().name();
        figuresLog().info("chaos ({}): {} requests, {}, maxInFlight {}, seed {} (replay with -Dlabwire.chaos.seed={})",
                name, requests, concurrency(maxInFlight), maxInFlight, seed, seed);
        ConnectionConfig config = ConnectionConfig.builder()
                .framing(max -> LineFramer.lf(max).asciiOnly())
                .defaultTimeout(TIMEOUT)
                .connectTimeout(Duration.ofMillis(500))
                .backoff(BACKOFF)
                .maxInFlight(maxInFlight)
                .staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofMillis(300)))
                .build();
        Outcomes o = new Outcomes();
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
                     .start();
             TestClient client = clients().open(proxy.endpoint(), config)) {
            mock.dictionary().reject(java.util.regex.Pattern.compile("BAD\\? .*"), "-113,\"Undefined header\"");
            drive(client, mock, requests, maxInFlight, o);
            faults = proxy.counts();
            proxy.quiet(true);
            mock.disconnect(); // the last fault: the link drops just as the faults stop
            long q0 = System.nanoTime();
            long deadline = q0 + BACKOFF.max().plusSeconds(5).toNanos();
            while (true) {
                try {
                    if (client.query("ECHO? back", TIMEOUT).equals("back")) {
                        break;
                    }
                } catch (RequestTimeoutException | LinkDownException | RemoteProtocolException e) {
                    assertThat(System.nanoTime() - deadline).as("back to service").isNegative();
                }
            }
            recoveryNanos = System.nanoTime() - q0;
            for (int i = 0; i < 100; i++) {
                assertThat(client.query("ECHO? ok" + i)).isEqualTo("ok" + i);
            }
        }
        long wall = System.nanoTime() - t0;
        String figures = String.format(
                "chaos %s: seed %d, %d requests in %.1f s (%s, maxInFlight %d): %d replies, %d timeouts (%d of them"
                        + " unanswered queries), %d link-down, %d protocol errors; faults injected: %s (total %d); mis-delivered %d,"
                        + " late (> %d ms) %d, lost %d, undeclared %d; slowest call %.0f ms; back to service %.0f ms after the faults"
                        + " stopped",
                name, seed, requests, wall / 1e9, concurrency(maxInFlight), maxInFlight, o.replies.sum(), o.timeouts.sum(),
                o.unanswered.sum(), o.linkDown.sum(), o.protocol.sum(),
                faults, faults.total(), o.misdelivered.sum(), TIMEOUT.plus(SLACK).toMillis(), o.late.sum(), o.lost.sum(),
                o.undeclared.size(), o.slowest.get() / 1e6, recoveryNanos / 1e6);
        figuresLog().info(figures);
        writeFigures(figures, name, maxInFlight);
        assertThat(o.undeclared).as("undeclared failures and mis-deliveries, seed " + seed).isEmpty();
        assertThat(o.misdelivered.sum()).as("replies handed to the wrong request, seed " + seed).isZero();
        assertThat(o.lost.sum()).as("calls ending with neither reply nor error, seed " + seed).isZero();
        assertThat(o.late.sum()).as("calls past deadline + slack, seed " + seed + "; slowest " + o.slowest.get() / 1e6 + " ms")
                .isZero();
        assertThat(o.replies.sum() + o.timeouts.sum() + o.linkDown.sum() + o.protocol.sum())
                .as("calls ending with neither reply nor declared error, seed " + seed).isEqualTo(requests);
        assertThat(faults.total()).as("faults were injected").isPositive();
        assertThat(o.replies.sum()).as("most calls succeed").isGreaterThan(requests * 8L / 10);
    }

    /** What the calls ended with: thread-safe, filled in by {@link #drive}. */
    protected static final class Outcomes {
        final LongAdder unanswered = new LongAdder();
        final LongAdder replies = new LongAdder();
        final LongAdder timeouts = new LongAdder();
        final LongAdder linkDown = new LongAdder();
        final LongAdder protocol = new LongAdder();
        final LongAdder misdelivered = new LongAdder();
        final LongAdder late = new LongAdder();
        final LongAdder lost = new LongAdder();
        final LongAccumulator slowest = new LongAccumulator(Math::max, 0);
        final Map<String, Throwable> undeclared = new ConcurrentHashMap<>();

        /** The command of call {@code i}: "ECHO? t<i>", or every 700th "BAD? t<i>" which the instrument never answers. */
        public static String command(int i) {
            return (bad(i) ? "BAD? " : "ECHO? ") + "t" + i;
        }

        private static boolean bad(int i) {
            return i % UNANSWERED == UNANSWERED - 1;
        }

        /** Call {@code i} ended after {@code tookNanos} with {@code reply}, or with {@code error} (a CompletionException is unwrapped). */
        public void ended(int i, String reply, Throwable error, long tookNanos) {
            slowest.accumulate(tookNanos);
            if (tookNanos > TIMEOUT.plus(SLACK).toNanos()) {
                late.increment();
            }
            String token = "t" + i;
            Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (e == null && bad(i)) {
                misdelivered.increment(); // the instrument never answers it: any reply is another's
                undeclared.putIfAbsent("misdelivered " + token, new AssertionError(token + " got " + reply));
            } else if (e == null && reply == null) {
                lost.increment();
            } else if (e == null && reply.equals(token)) {
                replies.increment();
            } else if (e == null) {
                misdelivered.increment();
                undeclared.putIfAbsent("misdelivered " + token, new AssertionError(token + " got " + reply));
            } else if (e instanceof RequestTimeoutException) {
                timeouts.increment();
                if (bad(i)) {
                    unanswered.increment();
                }
            } else if (e instanceof LinkDownException) {
                linkDown.increment();
            } else if (e instanceof RemoteProtocolException) {
                protocol.increment();
            } else {
                undeclared.putIfAbsent(e.getClass().getName(), e);
            }
        }
    }

    private static void writeFigures(String figures, String name, int maxInFlight) throws IOException {
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("chaos-" + name + "-" + maxInFlight + ".txt"), figures + System.lineSeparator());
        }
    }
}
