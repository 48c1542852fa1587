package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import io.netty.util.concurrent.BlockingOperationException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 8: {@code join()}/{@code get()} on an unfinished future of the client from a callback on its own
 * event loop, or on a dependent stage from a callback on its callback executor, throws at once
 * (BlockingOperationException, saying what to do) instead of wedging the client and its close() for good. A call's own
 * future and close()'s complete on the loop, so a callback on the executor may wait for them: that ends by the call's
 * deadline.
 */
class SelfDeadlockTest {

    /**
     * What a blocking wait inside a callback ran into, for each way of waiting: all throw on the loop; on the callback
     * executor ({@code onExecutor}) only the wait for a dependent stage does, the others get their value.
     */
    private static void check(NettyClient c, boolean onExecutor) throws Exception {
        try {
            checkWaits(c, onExecutor);
        } finally {
            c.close().get(5, TimeUnit.SECONDS); // a client left open would keep the default group for later tests
        }
    }

    private static void checkWaits(NettyClient c, boolean onExecutor) throws Exception {
        c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
        List<Function<NettyClient, Object>> waits = List.of(
                x -> x.query("*IDN?").join(),
                x -> get(x.query("*IDN?")),
                x -> x.queryNumber("*OPC?").thenApply(v -> v * 2).join(), // a dependent stage too
                x -> x.close().join()); // last: it closes the client, and close() must still complete
        for (Function<NettyClient, Object> wait : waits) {
            boolean dependent = waits.indexOf(wait) == 2;
            if (waits.indexOf(wait) == waits.size() - 1) {
                assertThat(c.query("*IDN?").get(5, TimeUnit.SECONDS)).as("the client still works").isEqualTo(NettyClientContract.IDN);
            }
            // the mock holds *ESR? for 100 ms, so the callback is attached before the reply comes and runs on the
            // client's thread; attached to a future already done, it would run right here on the test thread
            CompletableFuture<String> slow = c.query("*ESR?");
            assertThat(slow.isDone()).as("the slow query is still pending when its callback is attached").isFalse();
            CompletableFuture<Object> inCallback = slow.thenApply(esr -> wait.apply(c));
            // watch, never wait in get(): a thread waiting in get() when the query completes may run the thenApply
            // itself (the JDK lets either thread run it), and then the wait inside is not on the client's thread
            Await.until(Configs.WAIT, inCallback::isDone, "the callback ended");
            if (onExecutor && !dependent) {
                // completes on the loop: the wait ends with the value (close(): null) while the executor waits
                Object value = inCallback.get(5, TimeUnit.SECONDS);
                assertThat(value).isEqualTo(waits.indexOf(wait) == 3 ? null : NettyClientContract.IDN);
                continue;
            }
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> inCallback.get(5, TimeUnit.SECONDS), "throws at once instead of waiting forever");
            assertThat(e.getCause()).isInstanceOf(BlockingOperationException.class)
                    .hasMessageContaining("would wait forever").hasMessageContaining("thenCompose");
        }
        c.close().get(5, TimeUnit.SECONDS);
    }

    private static MockInstrument slowEsr() {
        MockInstrument mock = MockInstrument.tcp().scpi();
        mock.dictionary().delay(Pattern.compile("\\*ESR\\?"), Duration.ofMillis(100));
        return mock;
    }

    private static Object get(CompletableFuture<?> f) {
        try {
            return f.get(1, TimeUnit.MINUTES);
        } catch (InterruptedException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void waitingOnTheEventLoopThrowsAtOnce() throws Exception {
        try (MockInstrument mock = slowEsr()) {
            check(NettyClient.open(mock.endpoint(), Configs.fast().build()), false);
        }
    }

    @Test
    void waitingOnTheCallbackExecutorThrowsAtOnceOnlyForADependentStage() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (MockInstrument mock = slowEsr()) {
            check(NettyClient.builder(mock.endpoint()).config(Configs.fast().build()).callbackExecutor(pool).build(), true);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void waitingOnAnotherThreadStillWorks() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            NettyClient c = NettyClient.open(mock.endpoint(), Configs.fast().build());
            CompletableFuture<String> q = c.query("*IDN?");
            assertThat(q.join()).isEqualTo(NettyClientContract.IDN);
            assertThat(c.query("*IDN?").thenApply(String::length).get(5, TimeUnit.SECONDS)).isPositive();
            c.close().get(5, TimeUnit.SECONDS);
        }
    }
}
