package dev.labwire.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Overflow;
import dev.labwire.core.frame.Frame;
import dev.labwire.netty.LatestFrame;
import dev.labwire.testsupport.clients.Await;
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
        return new PushHub(new Callbacks(loop, null, "test"), highWater, 100_000, Overflow.DROP_OLDEST, bufferChanges::incrementAndGet);
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
    void subscribersThatCancelOrSubscribeFromOnNextChangeOnlyLaterFrames() throws Exception {
        // the hub hands a frame to a snapshot of its subscribers: changes made from onNext apply from the next frame
        PushHub hub = hub(100);
        Probe<Frame> later = new Probe<>();
        Probe<Frame> last = new Probe<>();
        List<String> first = new CopyOnWriteArrayList<>();
        hub.all().subscribe(new Flow.Subscriber<>() {
            Flow.Subscription s;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                this.s = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Frame item) {
                first.add(item.asString());
                hub.all().subscribe(later); // subscribed on the loop, at once
                s.cancel();                 // no frame after this one
            }

            @Override
            public void onError(Throwable t) {
                first.add("error " + t);
            }

            @Override
            public void onComplete() {
                first.add("complete");
            }
        });
        subscribe(hub.all(), last);
        last.subscription.get().request(Long.MAX_VALUE);
        onLoop(() -> null);
        push(hub, "a");
        later.subscription.get().request(Long.MAX_VALUE);
        push(hub, "b", "c");
        assertThat(first).containsExactly("a");
        assertThat(later.signals).containsExactly("subscribed", "b", "c");
        assertThat(last.signals).containsExactly("subscribed", "a", "b", "c");
        assertThat(hub.droppedUnclaimed()).isZero();
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
            PushHub hub = new PushHub(new Callbacks(loop, pool, "test"), 100_000, 100_000, Overflow.DROP_OLDEST, () -> { });
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
            Await.until(java.time.Duration.ofSeconds(10), () -> seen.size() == 2001, "all frames and completion");
            assertThat(seen.subList(0, 2000)).containsExactly(frames);
            assertThat(seen.get(2000)).isEqualTo("complete");
            assertThat(threads).allSatisfy(t -> assertThat(t).startsWith("pool-"));
        } finally {
            pool.shutdownNow();
        }
    }

    /** An executor that runs nothing until the test says: a callback thread as slow as the test likes. */
    static final class Manual implements java.util.concurrent.Executor {
        final java.util.Queue<Runnable> tasks = new java.util.concurrent.ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }
    }

    /** Runs the manual executor's tasks and the loop's hops back until neither has anything left. */
    private void runAll(Manual m) throws Exception {
        do {
            for (Runnable r; (r = m.tasks.poll()) != null; ) {
                r.run();
            }
            onLoop(() -> null);
        } while (!m.tasks.isEmpty());
    }

    private PushHub hub(Callbacks callbacks, int capacity, Overflow policy) {
        return new PushHub(callbacks, 1_000_000, capacity, policy, () -> { });
    }

    @Test
    void dropOldestKeepsTheNewestFramesAndCountsTheRest() throws Exception {
        Callbacks callbacks = new Callbacks(loop, null, "test");
        PushHub hub = hub(callbacks, 3, Overflow.DROP_OLDEST);
        Probe<Frame> p = new Probe<>();
        subscribe(hub.all(), p);
        push(hub, "a", "b", "c", "d", "e");
        p.subscription.get().request(10);
        onLoop(() -> null);
        assertThat(p.signals).containsExactly("subscribed", "c", "d", "e");
        assertThat(callbacks.dropped()).isEqualTo(2);
    }

    @Test
    void failEndsTheSubscriptionWithAnErrorSayingFramesWereLost() throws Exception {
        Callbacks callbacks = new Callbacks(loop, null, "test");
        PushHub hub = hub(callbacks, 3, Overflow.FAIL);
        Probe<Frame> p = new Probe<>();
        subscribe(hub.all(), p);
        push(hub, "a", "b", "c", "d", "e");
        assertThat(p.signals).hasSize(2);
        assertThat(p.signals.get(1)).isInstanceOf(dev.labwire.core.LocalProtocolException.class)
                .satisfies(t -> assertThat(((Throwable) t).getMessage()).contains("Overflow.FAIL").contains("3 frames"));
        assertThat(hub.droppedUnclaimed()).isEqualTo(1); // "e": the failed subscriber is gone
        assertThat(callbacks.dropped()).isEqualTo(4);    // "d" refused, "a" "b" "c" never delivered
        p.subscription.get().request(5);
        onLoop(() -> null);
        assertThat(p.signals).hasSize(2);
    }

    @Test
    void aSlowCallbackExecutorHoldsOneBatchAndTheQueueNotATaskPerFrame() throws Exception {
        Manual slow = new Manual();
        Callbacks callbacks = new Callbacks(loop, slow, "test");
        PushHub hub = hub(callbacks, 100, Overflow.DROP_OLDEST);
        List<String> seen = new CopyOnWriteArrayList<>();
        hub.all().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Frame item) {
                seen.add(item.asString());
            }

            @Override
            public void onError(Throwable t) {
                seen.add(t.toString());
            }

            @Override
            public void onComplete() {
            }
        });
        runAll(slow); // onSubscribe: unbounded demand
        String[] frames = new String[10_000];
        java.util.Arrays.setAll(frames, i -> Integer.toString(i));
        push(hub, frames);
        assertThat(slow.tasks).hasSize(1); // the serial executor's one batch runner, nothing per frame
        runAll(slow);
        // "0" left at once in a batch of its own; then the queue kept the newest 100
        assertThat(seen).hasSize(101).startsWith("0").endsWith("9999");
        assertThat(seen.subList(1, 101)).containsExactlyElementsOf(java.util.Arrays.asList(frames).subList(9900, 10_000));
        assertThat(callbacks.dropped()).isEqualTo(10_000 - 101);
    }

    @Test
    void aSlowCallbackExecutorGetsTheLatestFrameWhenItIsFree() throws Exception {
        Manual slow = new Manual();
        Callbacks callbacks = new Callbacks(loop, slow, "test");
        PushHub hub = hub(callbacks, 100, Overflow.DROP_OLDEST);
        Probe<LatestFrame> p = new Probe<>();
        subscribe(hub.latest(), p);
        runAll(slow);
        p.subscription.get().request(Long.MAX_VALUE);
        push(hub, "s1", "s2", "s3", "s4");
        runAll(slow);
        assertThat(p.signals).containsExactly("subscribed", new LatestFrame(Frame.of("s1"), 0, 0),
                new LatestFrame(Frame.of("s4"), 2, 2));
        assertThat(callbacks.dropped()).isEqualTo(2);
    }

    @Test
    void keepLatestOnEveryFrameStreamNeverAsksForAPause() throws Exception {
        PushHub hub = new PushHub(new Callbacks(loop, null, "test"), 2, 1024, Overflow.KEEP_LATEST, () -> { });
        Probe<Frame> p = new Probe<>();
        subscribe(hub.all(), p);
        push(hub, "a", "b", "c");
        assertThat(onLoop(hub::wantsPause)).isFalse();
        p.subscription.get().request(5);
        onLoop(() -> null);
        assertThat(p.signals).containsExactly("subscribed", "c");
    }
}
