package dev.labwire.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.frame.Frame;
import dev.labwire.netty.LatestFrame;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The pushed-frame streams on their own, on a plain event loop: Reactive Streams rules, backpressure marks, latest-value mode. */
class PushHubTest {
    private final EventLoop loop = new DefaultEventLoop();
    private final AtomicInteger bufferChanges = new AtomicInteger();

    @AfterEach
    void stop() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private <T> T onLoop(Callable<T> c) throws Exception {
        return loop.submit(c).get(5, TimeUnit.SECONDS);
    }

    private void push(PushHub hub, String... frames) throws Exception {
        onLoop(() -> {
            for (String f : frames) {
                hub.onFrame(Frame.of(f));
            }
            return null;
        });
    }

    /** Subscribes and waits until onSubscribe ran (subscribing hops onto the loop). */
    private <T> void subscribe(Flow.Publisher<T> publisher, Flow.Subscriber<T> s) throws Exception {
        publisher.subscribe(s);
        onLoop(() -> null);
    }

    private PushHub hub(int highWater) {
        return new PushHub(loop, null, highWater, bufferChanges::incrementAndGet, "test");
    }

    /** Records signals; requests nothing by itself. */
    static final class Probe<T> implements Flow.Subscriber<T> {
        final List<Object> signals = new CopyOnWriteArrayList<>();
        final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
            signals.add("subscribed");
        }

        @Override
        public void onNext(T item) {
            signals.add(item instanceof Frame f ? f.asString() : item);
        }

        @Override
        public void onError(Throwable t) {
            signals.add(t);
        }

        @Override
        public void onComplete() {
            signals.add("complete");
        }
    }

    @Test
    void framesWaitForDemandAndComeInOrder() throws Exception {
        PushHub hub = hub(100);
        Probe<Frame> p = new Probe<>();
        subscribe(hub.all(), p);
        push(hub, "a", "b", "c");
        assertThat(p.signals).containsExactly("subscribed");
        p.subscription.get().request(2);
        onLoop(() -> null);
        assertThat(p.signals).containsExactly("subscribed", "a", "b");
        p.subscription.get().request(Long.MAX_VALUE);
        push(hub, "d");
        assertThat(p.signals).containsExactly("subscribed", "a", "b", "c", "d");
    }

    @Test
    void nonPositiveRequestIsAnErrorAndEndsTheSubscription() throws Exception {
        PushHub hub = hub(100);
        Probe<Frame> p = new Probe<>();
        subscribe(hub.all(), p);
        p.subscription.get().request(0);
        push(hub, "a");
        p.subscription.get().request(5);
        onLoop(() -> null);
        assertThat(p.signals).hasSize(2);
        assertThat(p.signals.get(1)).isInstanceOf(IllegalArgumentException.class)
                .satisfies(t -> assertThat(((Throwable) t).getMessage()).contains("3.9").contains("0"));
    }

    @Test
    void aSubscriberThatFallsBehindAsksForAPauseAndCatchingUpResumes() throws Exception {
        PushHub hub = hub(10);
        Probe<Frame> slow = new Probe<>();
        Probe<Frame> fast = new Probe<>();
        subscribe(hub.all(), slow);
        subscribe(hub.all(), fast);
        fast.subscription.get().request(Long.MAX_VALUE);
        for (int i = 0; i < 9; i++) {
            push(hub, "f" + i);
        }
        assertThat(onLoop(hub::wantsPause)).isFalse();
        push(hub, "f9");
        assertThat(onLoop(hub::wantsPause)).isTrue();
        assertThat(onLoop(hub::mayResume)).isFalse();
        slow.subscription.get().request(4);
        assertThat(onLoop(hub::mayResume)).isFalse(); // 6 left, resume at 5
        slow.subscription.get().request(1);
        assertThat(onLoop(hub::mayResume)).isTrue();
        assertThat(bufferChanges.get()).isPositive();
        slow.subscription.get().cancel();
        push(hub, "g");
        assertThat(onLoop(hub::wantsPause)).isFalse();
        assertThat(fast.signals).hasSize(12);
    }

    @Test
    void requestFromOnNextDoesNotRecurse() throws Exception {
        PushHub hub = hub(10_000);
        AtomicInteger depth = new AtomicInteger();
        AtomicInteger maxDepth = new AtomicInteger();
        AtomicInteger seen = new AtomicInteger();
        AtomicReference<Flow.Subscription> sub = new AtomicReference<>();
        hub.all().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                sub.set(s);
            }

            @Override
            public void onNext(Frame item) {
                maxDepth.accumulateAndGet(depth.incrementAndGet(), Math::max);
                seen.incrementAndGet();
                sub.get().request(1);
                depth.decrementAndGet();
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
        String[] frames = new String[5000];
        java.util.Arrays.setAll(frames, i -> "x" + i);
        push(hub, frames);
        sub.get().request(1);
        onLoop(() -> null);
        assertThat(seen).hasValue(5000);
        assertThat(maxDepth).hasValue(1);
    }

    @Test
    void completionDeliversWhatIsBufferedFirst() throws Exception {
        PushHub hub = hub(100);
        Probe<Frame> p = new Probe<>();
        subscribe(hub.all(), p);
        push(hub, "a", "b");
        onLoop(() -> {
            hub.complete();
            return null;
        });
        assertThat(p.signals).containsExactly("subscribed");
        p.subscription.get().request(5);
        onLoop(() -> null);
        assertThat(p.signals).containsExactly("subscribed", "a", "b", "complete");
        Probe<Frame> late = new Probe<>();
        subscribe(hub.all(), late);
        onLoop(() -> null);
        assertThat(late.signals).containsExactly("subscribed", "complete");
    }

    @Test
    void latestKeepsTheNewestAndCountsTheDroppedWithoutAskingForAPause() throws Exception {
        PushHub hub = hub(2);
        Probe<LatestFrame> p = new Probe<>();
        subscribe(hub.latest(), p);
        push(hub, "s1", "s2", "s3", "s4");
        assertThat(onLoop(hub::wantsPause)).isFalse();
        p.subscription.get().request(1);
        onLoop(() -> null);
        assertThat(p.signals).containsExactly("subscribed", new LatestFrame(Frame.of("s4"), 3, 3));
        p.subscription.get().request(1);
        push(hub, "s5");
        push(hub, "s6", "s7");
        p.subscription.get().request(1);
        onLoop(() -> null);
        assertThat(p.signals).endsWith(new LatestFrame(Frame.of("s5"), 0, 3), new LatestFrame(Frame.of("s7"), 1, 4));
    }

    @Test
    void framesWithoutSubscribersAreCounted() throws Exception {
        PushHub hub = hub(10);
        push(hub, "a", "b");
        assertThat(hub.droppedUnclaimed()).isEqualTo(2);
    }

    @Test
    void aThrowingSubscriberIsCancelled() throws Exception {
        PushHub hub = hub(10);
        AtomicInteger calls = new AtomicInteger();
        hub.all().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(10);
            }

            @Override
            public void onNext(Frame item) {
                calls.incrementAndGet();
                throw new IllegalStateException("boom (expected by the test)");
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
        push(hub, "a", "b", "c");
        assertThat(calls).hasValue(1);
        assertThat(hub.droppedUnclaimed()).isEqualTo(2);
    }

    @Test
    void signalsGoThroughTheCallbackExecutorInOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            PushHub hub = new PushHub(loop, new SerialExecutor(pool, "test"), 100_000, () -> { }, "test");
            List<String> seen = new CopyOnWriteArrayList<>();
            List<String> threads = new CopyOnWriteArrayList<>();
            hub.all().subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(Frame item) {
                    seen.add(item.asString());
                    threads.add(Thread.currentThread().getName());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onComplete() {
                    seen.add("complete");
                }
            });
            String[] frames = new String[2000];
            java.util.Arrays.setAll(frames, i -> Integer.toString(i));
            push(hub, frames);
            onLoop(() -> {
                hub.complete();
                return null;
            });
            dev.labwire.netty.Await.until(java.time.Duration.ofSeconds(10), () -> seen.size() == 2001, "all frames and completion");
            assertThat(seen.subList(0, 2000)).containsExactly(frames);
            assertThat(seen.get(2000)).isEqualTo("complete");
            assertThat(threads).allSatisfy(t -> assertThat(t).startsWith("pool-"));
        } finally {
            pool.shutdownNow();
        }
    }
}
