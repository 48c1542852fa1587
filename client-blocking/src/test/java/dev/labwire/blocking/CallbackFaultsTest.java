package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 15, items 5, 7 and 8: user code the client calls (consumers, listeners, the on-connect hook) cannot grow
 * memory without bound, wedge the link in ON_CONNECT, or deadlock the client, over real loopback sockets.
 */
@Timeout(60)
class CallbackFaultsTest {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackFaultsTest.class);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String IDN = "LABWIRE,MOCK-INSTRUMENT,SN0001,1.0";
    private static final ConnectionConfig FAST = ConnectionConfig.builder()
            .defaultTimeout(Duration.ofSeconds(3))
            .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.2)).build();

    private static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @SuppressWarnings("try") // a resource held open for the body's duration, never referenced
    @Test
    void aDeviceFloodingASlowConsumerKeepsTheHeapBounded() throws Exception {
        ConnectionConfig cfg = FAST.toBuilder()
                .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build();
        String padding = "y".repeat(200);
        AtomicLong seq = new AtomicLong();
        AtomicLong consumed = new AtomicLong();
        try (MockInstrument mock = MockInstrument.tcp().scpi();
             BlockingClient c = BlockingClient.open(mock.endpoint(), cfg)) {
            assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
            c.onPushed(f -> {
                consumed.incrementAndGet();
                LockSupport.parkNanos(1_000_000); // a consumer that needs 1 ms a frame: slower than the link
            });
            long before = heapAfterGc();
            long start = System.nanoTime();
            try (AutoCloseable flood = mock.pushFlood(() -> "STAT " + seq.incrementAndGet() + " " + padding)) {
                Await.until(WAIT, () -> seq.get() > 10_000, "the flood runs");
                long floodEnd = start + Duration.ofSeconds(5).toNanos();
                while (System.nanoTime() - floodEnd < 0) {
                    // the client must still answer while flooded
                    assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
                    LockSupport.parkNanos(100_000_000); // pacing of the probe queries, not a wait for a condition
                }
            }
            long growth = heapAfterGc() - before;
            LOG.info("flood: {} frames pushed in 5 s, {} consumed, {} dropped for the consumer, heap growth after GC {} KiB",
                    seq.get(), consumed.get(), c.droppedCallbacks(), growth / 1024);
            assertThat(c.droppedCallbacks()).as("the slow consumer's drops are counted").isPositive();
            assertThat(growth).as("heap growth after GC").isLessThan(32L * 1024 * 1024);
        }
    }

    @Test
    void aHookThatThrowsAnErrorRenewsTheLinkAndFailsWaitingCallsWithItAsCause() {
        AtomicInteger runs = new AtomicInteger();
        List<State> states = new CopyOnWriteArrayList<>();
        try (MockInstrument mock = MockInstrument.tcp().scpi();
             BlockingClient c = BlockingClient.builder(mock.endpoint()).config(FAST)
                     .listener((s, cause) -> states.add(s))
                     .onConnect(s -> {
                         runs.incrementAndGet();
                         throw new AssertionError("not the instrument this test expects");
                     }).build()) {
            Throwable t = catchThrowable(() -> c.query("*IDN?", Duration.ofMillis(1_000)));
            LOG.info("hook throwing AssertionError: {} runs in 1 s; the query failed with {}", runs.get(), LinkFaultsTest.brief(t));
            assertThat(t).isInstanceOf(LinkDownException.class).hasCauseInstanceOf(AssertionError.class)
                    .hasMessageContaining("not the instrument");
            assertThat(runs.get()).as("the link is renewed and the hook run again").isGreaterThanOrEqualTo(2);
            int onConnect = states.indexOf(State.ON_CONNECT);
            assertThat(states.subList(onConnect, states.size())).as("ON_CONNECT is left").contains(State.DOWN);
            assertThat(mock.connectionCount()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aHookPastItsDeadlineIsInterruptedAndTheLinkRenewed() {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        try (MockInstrument mock = MockInstrument.tcp().scpi();
             BlockingClient hung = BlockingClient.builder(mock.endpoint()).config(FAST)
                     .hookTimeout(Duration.ofMillis(300))
                     .onConnect(s -> {
                         s.write("SYST:REM");
                         try {
                             new CountDownLatch(1).await(); // a hook that never ends
                         } catch (InterruptedException e) {
                             interrupted.incrementAndGet();
                         }
                     }).build();
             BlockingClient slowOnce = BlockingClient.builder(mock.endpoint()).config(FAST)
                     .hookTimeout(Duration.ofMillis(300))
                     .onConnect(s -> {
                         if (runs.incrementAndGet() == 1) {
                             new CountDownLatch(1).await();
                         }
                     }).build()) {
            long start = System.nanoTime();
            Throwable t = catchThrowable(() -> hung.query("*IDN?", Duration.ofMillis(1_000)));
            LOG.info("hung hook: the query failed after {} ms with {}", LinkFaultsTest.millisSince(start), LinkFaultsTest.brief(t));
            assertThat(t).isInstanceOf(LinkDownException.class).hasCauseInstanceOf(TimeoutException.class)
                    .hasMessageContaining("hookTimeout");
            Await.until(WAIT, () -> interrupted.get() >= 1, "the hung hook was interrupted");
            assertThat(slowOnce.query("*IDN?", WAIT)).as("the next link's hook succeeds").isEqualTo(IDN);
            assertThat(runs.get()).isEqualTo(2);
        }
    }

    @Test
    void blockingCallsFromCallbacksWorkAndFromTheHookFailAtOnce() throws Exception {
        AtomicReference<BlockingClient> self = new AtomicReference<>();
        CountDownLatch built = new CountDownLatch(1);
        AtomicReference<Object> fromListener = new AtomicReference<>();
        AtomicReference<Throwable> fromHook = new AtomicReference<>();
        AtomicLong hookCallMs = new AtomicLong();
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            BlockingClient c = BlockingClient.builder(mock.endpoint()).config(FAST)
                    .listener((s, cause) -> {
                        if (s == State.READY && fromListener.get() == null) {
                            try {
                                fromListener.set(self.get().query("*IDN?", WAIT)); // on the callback thread
                            } catch (RuntimeException e) {
                                fromListener.set(e);
                            }
                        }
                    })
                    .onConnect(s -> {
                        built.await();
                        if (fromHook.get() == null) {
                            long start = System.nanoTime();
                            try {
                                self.get().query("*IDN?"); // the client itself, not the session: would wait for the hook
                            } catch (RuntimeException e) {
                                hookCallMs.set(LinkFaultsTest.millisSince(start));
                                fromHook.set(e);
                                throw e;
                            }
                        }
                    }).build();
            self.set(c);
            built.countDown();
            Await.until(WAIT, () -> fromListener.get() != null, "the listener's query ended");
            LOG.info("from the listener: {}; from the hook: {} after {} ms", fromListener.get(), LinkFaultsTest.brief(fromHook.get()),
                    hookCallMs.get());
            assertThat(fromListener.get()).isEqualTo(IDN);
            assertThat(fromHook.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("HookSession");
            assertThat(hookCallMs.get()).as("fails at once").isLessThan(1_000L);
            c.close();
        }
    }

    @Test
    void closeFromAConsumerOnTheCallbackThreadReturnsPromptly() throws Exception {
        ConnectionConfig cfg = FAST.toBuilder()
                .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build();
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            BlockingClient c = BlockingClient.open(mock.endpoint(), cfg);
            assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
            CountDownLatch closed = new CountDownLatch(1);
            AtomicLong closeMs = new AtomicLong();
            c.onPushed(f -> {
                long start = System.nanoTime();
                c.close();
                closeMs.set(LinkFaultsTest.millisSince(start));
                closed.countDown();
            });
            mock.push("STAT bye");
            assertThat(closed.await(5, java.util.concurrent.TimeUnit.SECONDS)).as("close() from the consumer returned").isTrue();
            LOG.info("close() from a consumer on the callback thread took {} ms", closeMs.get());
            assertThat(closeMs.get()).isLessThan(1_000L);
            assertThat(c.state()).isEqualTo(State.CLOSED);
        }
    }
    /**
     * A consumer stuck in an interruptible wait (a full queue to a GUI, a latch nobody counts down) when the client is
     * closed: close() still returns within its budget, the consumer's wait is interrupted and the callback thread ends,
     * and nothing more is delivered. Before, the thread stayed blocked for ever after close (a leaked thread per client,
     * red team: "labwire-callbacks tcp://..." alive after close()).
     */
    @Test
    void closeInterruptsAConsumerStuckInAWaitAndTheCallbackThreadEnds() throws Exception {
        ConnectionConfig cfg = FAST.toBuilder()
                .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build();
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            BlockingClient c = BlockingClient.open(mock.endpoint(), cfg);
            assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            AtomicLong calls = new AtomicLong();
            c.onPushed(f -> {
                calls.incrementAndGet();
                entered.countDown();
                try {
                    new CountDownLatch(1).await(); // never counted down
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            });
            mock.push("STAT 1");
            mock.push("STAT 2"); // queued behind the stuck one: never delivered once closed
            assertThat(entered.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            Thread callbackThread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("labwire-callbacks")).filter(Thread::isAlive).findFirst().orElseThrow();
            long start = System.nanoTime();
            c.close();
            assertThat(LinkFaultsTest.millisSince(start)).isLessThan(2_500L);
            assertThat(interrupted.await(5, java.util.concurrent.TimeUnit.SECONDS)).as("the stuck consumer was interrupted").isTrue();
            callbackThread.join(5_000);
            assertThat(callbackThread.isAlive()).as("the callback thread ended").isFalse();
            assertThat(calls.get()).isEqualTo(1);
        }
    }
}
