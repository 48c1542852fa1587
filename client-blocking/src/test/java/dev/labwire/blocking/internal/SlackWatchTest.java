package dev.labwire.blocking.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.mock.MockInstrument;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The last guard of "every call ends by its deadline plus the slack": a call that nothing ends (what a labwire bug
 * would leave; here a call the core never heard of) still releases its caller 2 s ({@link Calls#slackNanos()}) after
 * its deadline. A platform thread waits with a timed park; a virtual thread waits without a time bound (a timed park
 * of a virtual thread costs a scheduler timer per call) and is released by the driver thread's slack watch.
 */
class SlackWatchTest {
    private MockInstrument mock;
    private BlockingDriver d;

    @BeforeEach
    void start() {
        mock = MockInstrument.tcp().scpi();
        d = new BlockingDriver(Endpoint.parse(mock.endpoint()), ConnectionConfig.DEFAULT, null, DriverOptions.DEFAULT);
        d.start();
        d.awaitReady(Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        d.close();
        mock.close();
    }

    @Test
    @Timeout(30)
    void aPlatformThreadWhoseCallNeverEndsIsReleasedAtItsDeadlinePlusTheSlack() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            releasedAtDeadlinePlusSlack(pool);
        } finally {
            pool.shutdownNow();
        }
    }

    /** JDK 21+ (CI runs this class on Temurin 25 as well). */
    @Test
    @Timeout(30)
    void aVirtualThreadWhoseCallNeverEndsIsReleasedAtItsDeadlinePlusTheSlack() throws Exception {
        ExecutorService pool;
        try {
            pool = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (NoSuchMethodException e) {
            assumeTrue(false, "virtual threads need JDK 21+, this is " + Runtime.version());
            return;
        }
        try {
            releasedAtDeadlinePlusSlack(pool);
            // and a watched call that ends normally meanwhile leaves the watch consistent: the next calls are answered
            assertThat(pool.submit(() -> d.request(Request.query("*IDN?")).text()).get(10, TimeUnit.SECONDS))
                    .contains("MOCK");
        } finally {
            pool.shutdownNow();
        }
    }

    private void releasedAtDeadlinePlusSlack(ExecutorService pool) throws Exception {
        Duration timeout = Duration.ofMillis(100);
        Calls.Call c;
        long start = System.nanoTime();
        d.lock.lock();
        try {
            // tracked, never sent: the core will never end it
            c = d.calls.trackLocked(Request.query("*IDN?").withTimeout(timeout), Long.MAX_VALUE / 2, start);
        } finally {
            d.lock.unlock();
        }
        Future<?> waiting = pool.submit(() -> d.calls.await(c));
        // meanwhile the client works as usual: other callers' calls end normally
        for (int i = 0; i < 20; i++) {
            assertThat(pool.submit(() -> d.request(Request.query("*IDN?")).text()).get(10, TimeUnit.SECONDS))
                    .contains("MOCK");
        }
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RequestTimeoutException.class);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long slackMs = TimeUnit.NANOSECONDS.toMillis(Calls.slackNanos());
        assertThat(tookMs).as("released after its deadline plus the slack")
                .isBetween(timeout.toMillis() + slackMs - 20, timeout.toMillis() + slackMs + 1_000);
    }
}
