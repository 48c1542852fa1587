package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 7: an on-connect hook that throws anything, fails, or never completes cannot hold the link in
 * ON_CONNECT: the link is renewed with backoff (the mock sees new connections), and a call made meanwhile fails
 * within its timeout with an exception whose cause is the hook's failure.
 */
class HookFailureTest {

    /** Runs a client with {@code hook}; returns the cause the waiting query failed with. */
    private static Throwable runWith(AsyncHook hook, Duration hookTimeout) throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            List<State> states = new CopyOnWriteArrayList<>();
            NettyClient c = NettyClient.builder(mock.endpoint()).config(Configs.fast().build()).onConnect(hook)
                    .hookTimeout(hookTimeout).listener((s, cause) -> states.add(s)).build();
            try {
                Await.until(Configs.WAIT, () -> mock.connectionCount() >= 3, () -> "the link is renewed again and again: "
                        + mock.connectionCount() + " connections, states " + states);
                assertThat(states).containsSubsequence(State.ON_CONNECT, State.DOWN, State.CONNECTING, State.ON_CONNECT, State.DOWN);
                CompletableFuture<String> q = c.query("*IDN?", Duration.ofMillis(700));
                ExecutionException e = assertThrows(ExecutionException.class, () -> q.get(10, TimeUnit.SECONDS));
                assertThat(e.getCause()).isInstanceOf(LinkDownException.class);
                assertThat(mock.commands()).doesNotContain("*IDN?");
                return e.getCause().getCause();
            } finally {
                long start = System.nanoTime();
                c.close().get(5, TimeUnit.SECONDS);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            }
        }
    }

    @Test
    void aHookThatThrowsAnAssertionErrorRenewsTheLink() throws Exception {
        AssertionError failure = new AssertionError("wrong instrument");
        Throwable cause = runWith(s -> {
            throw failure;
        }, Duration.ofSeconds(10));
        assertThat(cause).isSameAs(failure);
    }

    @Test
    void aHookWhoseStageFailsRenewsTheLink() throws Exception {
        IllegalStateException failure = new IllegalStateException("no remote mode");
        Throwable cause = runWith(s -> s.write("SYST:REM").thenRun(() -> {
            throw failure;
        }), Duration.ofSeconds(10));
        assertThat(cause).isSameAs(failure);
    }

    @Test
    void aHookThatNeverCompletesEndsAtItsDeadline() throws Exception {
        AtomicReference<CompletableFuture<Void>> never = new AtomicReference<>();
        Throwable cause = runWith(s -> {
            never.set(new CompletableFuture<>());
            return never.get();
        }, Duration.ofMillis(200));
        assertThat(cause).isInstanceOf(TimeoutException.class).hasMessageContaining("did not complete within 200 ms");
    }
}
