package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.FrameClassifier;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.frame.Frame;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A {@link NettyClient#pushed()} subscriber that blocks in its callback on the client's callback executor holds
 * that executor, and with it every later callback; but not the calls: each call's future completes on the event
 * loop, so a thread waiting in {@code get()} wakes by the call's deadline, and {@code close()} completes within its
 * bound. Before, the completions waited behind the blocked subscriber (red team: 6 of 6 queries with a 1 s timeout
 * not completed 5 s later, {@code close().join()} not after 10 s), whatever the pool size, since the client's
 * callbacks run one at a time.
 */
class BlockedCallbackExecutorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** What a call may take past its timeout here: the loop's wake-up and the hop back, on a busy machine. */
    private static final Duration SLACK = Duration.ofMillis(500);
    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(2);

    @Test
    void aSubscriberBlockedOnAOneThreadExecutorHoldsNoCallNorClose() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            check(executor);
        } finally {
            shutDown(executor);
        }
    }

    @Test
    void theSameOnAPoolOfFour() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        try {
            check(executor);
        } finally {
            shutDown(executor);
        }
    }

    /** The same for a state listener that blocks in its first call (CONNECTING): ready(), a call and close() end on time. */
    @Test
    void aListenerBlockedOnTheExecutorHoldsNoReadyNoCallNorClose() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            NettyClient c = NettyClient.builder(mock.endpoint()).config(Configs.fast().build()).callbackExecutor(executor)
                    .listener((state, cause) -> {
                        blocked.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }).build();
            try {
                assertThat(blocked.await(10, TimeUnit.SECONDS)).as("the listener blocks").isTrue();
                assertThat(c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS)).isSameAs(c);
                long start = System.nanoTime();
                assertThat(c.query("*IDN?", TIMEOUT).get(TIMEOUT.plus(SLACK).toMillis(), TimeUnit.MILLISECONDS))
                        .isEqualTo(NettyClientContract.IDN);
                assertThat(System.nanoTime() - start).isLessThan(TIMEOUT.plus(SLACK).toNanos());
                c.close().get(CLOSE_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(release.getCount()).as("the listener was blocked throughout").isEqualTo(1);
            } finally {
                release.countDown();
                c.close().get(10, TimeUnit.SECONDS);
            }
        } finally {
            shutDown(executor);
        }
    }

    private static void check(ExecutorService executor) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            // *ESR? answers after 5 s: its call ends by its 1 s timeout instead
            mock.dictionary().delay(Pattern.compile("\\*ESR\\?"), Duration.ofSeconds(5));
            NettyClient c = NettyClient.builder(mock.endpoint())
                    .config(Configs.fast().classifier(FrameClassifier.pushedIfStartsWith("STAT:".getBytes(StandardCharsets.US_ASCII))).build())
                    .callbackExecutor(executor).build();
            try {
                c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
                BlockingSubscriber subscriber = new BlockingSubscriber(release);
                c.pushed().subscribe(subscriber);
                Await.until(Configs.WAIT, () -> subscriber.subscribed, "the subscriber was subscribed");
                // a round trip first: READY means connected, not that the mock has taken the connection for its pushes
                // (JDK 25 under load: 3 pushes sent before that reached nobody, and the test waited 10 s)
                assertThat(c.query("*IDN?", Configs.WAIT).get(10, TimeUnit.SECONDS)).isEqualTo(NettyClientContract.IDN);
                for (int i = 0; i < 3; i++) {
                    mock.push("STAT:" + i);
                }
                Await.until(Configs.WAIT, () -> subscriber.blocked.getCount() == 0, "the subscriber blocks in onNext");

                List<CompletableFuture<String>> calls = new ArrayList<>();
                long start = System.nanoTime();
                for (int i = 0; i < 5; i++) {
                    calls.add(c.query("*IDN?", TIMEOUT));
                }
                calls.add(c.query("*ESR?", TIMEOUT)); // last: its late reply is owed to no call after it
                List<String> seen = new ArrayList<>();
                int late = 0;
                for (CompletableFuture<String> call : calls) {
                    long waitNanos = start + TIMEOUT.plus(SLACK).toNanos() - System.nanoTime();
                    String outcome;
                    try {
                        outcome = "answered " + call.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
                    } catch (ExecutionException e) {
                        outcome = e.getCause() instanceof RequestTimeoutException ? "timed out" : "failed " + e.getCause();
                    } catch (TimeoutException e) {
                        outcome = "NOT DONE";
                        late++;
                    }
                    seen.add(outcome + " after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
                }
                boolean stillBlocked = subscriber.blocked.getCount() == 0 && release.getCount() == 1;

                long closeStart = System.nanoTime();
                String close;
                try {
                    c.close().get(CLOSE_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
                    close = "done after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart) + " ms";
                } catch (TimeoutException e) {
                    close = "NOT DONE after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart) + " ms";
                }
                System.out.printf("%s: calls %s; close() %s%n", executor, seen, close);
                assertThat(stillBlocked).as("the subscriber was blocked throughout").isTrue();
                assertThat(late).as("calls not done within %s + %s of the call, while the subscriber blocks: %s",
                        TIMEOUT, SLACK, seen).isZero();
                assertThat(close).as("close() within %s while the subscriber blocks", CLOSE_WITHIN).startsWith("done");
                assertThat(seen.subList(0, 5)).allMatch(s -> s.startsWith("answered " + NettyClientContract.IDN), "answered");
                assertThat(seen.get(5)).startsWith("timed out");
            } finally {
                release.countDown();
                c.close().get(10, TimeUnit.SECONDS); // once released, the close completes in any case
            }
        }
    }

    private static void shutDown(ExecutorService executor) throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).as("the callback executor ends").isTrue();
    }

    /** Takes every frame, and blocks in the first {@code onNext} until {@code release} opens. */
    private static final class BlockingSubscriber implements Flow.Subscriber<Frame> {
        final CountDownLatch blocked = new CountDownLatch(1);
        private final CountDownLatch release;
        volatile boolean subscribed;

        BlockingSubscriber(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
            subscribed = true;
        }

        @Override
        public void onNext(Frame item) {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }
    }
}
