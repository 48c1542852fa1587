package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.mock.MockInstrument;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Many threads share one client; every reply carries the token of its own request. */
class ConcurrencyTest {
    private MockInstrument mock;

    @BeforeEach
    void start() {
        mock = MockInstrument.tcp().scpi();
    }

    @AfterEach
    void stop() {
        mock.close();
    }

    /** 50 platform threads x 1,000 queries, strict (1 in flight) and pipelined (8 in flight). */
    @ParameterizedTest(name = "maxInFlight={0}")
    @ValueSource(ints = {1, 8})
    void fiftyThreadsTimesAThousandQueriesEachGetTheirOwnReply(int maxInFlight) throws Exception {
        ConnectionConfig config = ConnectionConfig.builder().maxInFlight(maxInFlight).defaultTimeout(Duration.ofSeconds(30)).build();
        try (BlockingClient c = BlockingClient.open(mock.endpoint(), config)) {
            ExecutorService pool = Executors.newFixedThreadPool(50);
            long mismatches = hammer(c, pool, 50, 1000);
            assertThat(mismatches).isZero();
            assertThat(mock.commandCount()).isEqualTo(50_000);
        }
    }

    /** The same on virtual threads (JDK 21+; CI runs this class on Temurin 25 as well): no pinning, no deadlock. */
    @Test
    void virtualThreadsShareOneClient() throws Exception {
        Method factory;
        try {
            factory = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
        } catch (NoSuchMethodException e) {
            assumeTrue(false, "virtual threads need JDK 21+, this is " + Runtime.version());
            return;
        }
        ExecutorService pool = (ExecutorService) factory.invoke(null);
        try (BlockingClient c = BlockingClient.open(mock.endpoint(), ConnectionConfig.builder().maxInFlight(4)
                .defaultTimeout(Duration.ofSeconds(30)).build())) {
            assertThat(hammer(c, pool, 1000, 20)).isZero();
            assertThat(mock.commandCount()).isEqualTo(20_000);
        }
    }

    /**
     * 64 threads on one pipelined client (half of them virtual on JDK 21+), where every 75th query is answered 120 ms
     * late against a 40 ms timeout, so that late answers arrive while other calls are on the wire, and writes are
     * corked while woken callers return (BlockingDriver): every answer reaches its own caller, and every call ends
     * by its deadline plus a second of slack. The device answers every query in order
     * ({@code EVERY_REQUEST_ANSWERED}): the PyVISA-py failure, where the late answer to a timed-out query comes back as
     * the answer to the next one, under load. The core fails the calls written behind a timed-out one and
     * resynchronises the link (their replies cannot be told apart); none gets another call's reply.
     */
    @Test
    void manyThreadsWithLateAnswersInTheMixEachGetTheirOwnReplyByTheirDeadline() throws Exception {
        mock.close();
        mock = MockInstrument.tcp().responder(cmd -> {
            if (cmd.startsWith("ECHO? ")) {
                return dev.labwire.mock.MockReply.line(cmd.substring(6));
            }
            if (cmd.startsWith("LATE? ")) {
                return dev.labwire.mock.MockReply.line(cmd.substring(6)).delay(Duration.ofMillis(120));
            }
            return null;
        });
        ExecutorService platform = Executors.newFixedThreadPool(32);
        ExecutorService virtual = virtualThreadsOrNull();
        ExecutorService second = virtual != null ? virtual : Executors.newFixedThreadPool(32);
        Duration late = Duration.ofMillis(40);
        AtomicLong wrong = new AtomicLong();
        AtomicLong overdue = new AtomicLong();
        AtomicLong timedOut = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        AtomicLong fastTimedOut = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong slowAnswered = new AtomicLong();
        try (BlockingClient c = BlockingClient.open(mock.endpoint(), ConnectionConfig.builder().maxInFlight(64)
                .pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).defaultTimeout(Duration.ofSeconds(10)).build()).awaitReady(Duration.ofSeconds(10))) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int thread = t;
                done.add((t % 2 == 0 ? platform : second).submit(() -> {
                    for (int i = 0; i < 150; i++) {
                        String token = thread + ":" + i;
                        boolean slow = (i + thread) % 75 == 0;
                        long start = System.nanoTime();
                        long allowed = (slow ? late : Duration.ofSeconds(10)).plusSeconds(1).toNanos();
                        try {
                            String reply = slow ? c.request(dev.labwire.core.Request.query("LATE? " + token).withTimeout(late)).text()
                                    : c.query("ECHO? " + token);
                            if (!reply.equals(token)) {
                                wrong.incrementAndGet();
                            }
                            answered.incrementAndGet();
                            if (slow) {
                                slowAnswered.incrementAndGet();
                            }
                        } catch (dev.labwire.core.RequestTimeoutException e) {
                            if (slow) {
                                timedOut.incrementAndGet();
                            } else {
                                fastTimedOut.incrementAndGet();
                            }
                        } catch (dev.labwire.core.RemoteProtocolException | dev.labwire.core.LinkDownException e) {
                            refused.incrementAndGet(); // written behind a timed-out call, or sent while resynchronising
                        }
                        if (System.nanoTime() - start > allowed) {
                            overdue.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            platform.shutdownNow();
            second.shutdownNow();
        }
        assertThat(wrong).as("replies handed to a caller they do not answer").hasValue(0);
        assertThat(overdue).as("calls that outlived their deadline plus 1 s").hasValue(0);
        assertThat(slowAnswered).as("answers that came 120 ms late to a 40 ms call").hasValue(0);
        assertThat(timedOut.get()).as("calls answered 120 ms late against 40 ms that timed out").isPositive();
        assertThat(fastTimedOut).as("10 s calls that timed out").hasValue(0);
        assertThat(answered.get()).as("calls answered").isPositive();
        assertThat(answered.get() + timedOut.get() + refused.get()).isEqualTo(64 * 150);
    }

    private static ExecutorService virtualThreadsOrNull() {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** Runs {@code threads x each} token queries; returns how many replies did not carry their own token. */
    private static long hammer(BlockingClient c, ExecutorService pool, int threads, int each) throws Exception {
        AtomicLong bad = new AtomicLong();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    String token = thread + ":" + i;
                    if (!c.query("ECHO? " + token).equals(token)) {
                        bad.incrementAndGet();
                    }
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        return bad.get();
    }
}
