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
