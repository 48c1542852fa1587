package dev.labwire.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Overflow;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A listener's bounded queue on its own: what a slow callback executor holds, what it drops, in what order. */
class CallbackQueueTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final PushHubTest.Manual slow = new PushHubTest.Manual();
    private final List<Integer> seen = new CopyOnWriteArrayList<>();
    private final Function<Integer, Runnable> record = i -> () -> seen.add(i);

    @AfterEach
    void stop() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private <T> T onLoop(Callable<T> c) throws Exception {
        return loop.submit(c).get(5, TimeUnit.SECONDS);
    }

    private void runAll() throws Exception {
        do {
            for (Runnable r; (r = slow.tasks.poll()) != null; ) {
                r.run();
            }
            onLoop(() -> null);
        } while (!slow.tasks.isEmpty());
    }

    @Test
    void aSlowExecutorHoldsOneBatchAndTheQueueDropsTheOldest() throws Exception {
        Callbacks callbacks = new Callbacks(loop, slow, "test");
        CallbackQueue<Integer> q = new CallbackQueue<>(callbacks, "state listener #1", 256, Overflow.DROP_OLDEST, true);
        onLoop(() -> {
            for (int i = 0; i < 100_000; i++) {
                q.offer(i);
                q.deliverAll(record);
            }
            return null;
        });
        assertThat(slow.tasks).hasSize(1);
        assertThat(onLoop(q::size)).isEqualTo(256);
        runAll();
        assertThat(seen).hasSize(1 + 256).startsWith(0).endsWith(99_999);
        assertThat(seen.subList(1, 257)).isSorted().first().isEqualTo(100_000 - 256);
        assertThat(callbacks.dropped()).isEqualTo(100_000 - 257);
    }

    @Test
    void onTheLoopItemsGoOutAtOnceAndAThrowingConsumerDoesNotStopTheNext() throws Exception {
        Callbacks callbacks = new Callbacks(loop, null, "test");
        CallbackQueue<Integer> q = new CallbackQueue<>(callbacks, "state listener #1", 2, Overflow.DROP_OLDEST, true);
        onLoop(() -> {
            for (int i = 0; i < 5; i++) {
                q.offer(i);
                q.deliverAll(n -> n == 2 ? () -> {
                    throw new IllegalStateException("listener bug (expected by the test)");
                } : record.apply(n));
            }
            return null;
        });
        assertThat(seen).containsExactly(0, 1, 3, 4);
        assertThat(callbacks.dropped()).isZero();
    }

    @Test
    void batchesKeepTheOrderAndAStoppedQueueDeliversNothingMoreNotEvenTheRestOfItsBatch() throws Exception {
        Callbacks callbacks = new Callbacks(loop, slow, "test");
        CallbackQueue<Integer> q = new CallbackQueue<>(callbacks, "state listener #1", 1000, Overflow.DROP_OLDEST, true);
        Function<Integer, Runnable> recordUntil30 = i -> () -> {
            seen.add(i);
            if (i == 30) {
                q.stop(); // on the executor's thread, in the middle of the batch 1..64
            }
        };
        onLoop(() -> {
            for (int i = 0; i < 200; i++) {
                q.offer(i);
                q.deliverAll(recordUntil30);
            }
            return null;
        });
        runAll();
        assertThat(seen).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(0, 30).boxed().toList());
        assertThat(onLoop(() -> q.offer(200))).isFalse();
    }
}
