package dev.labwire.netty.internal;

import dev.labwire.core.frame.Frame;
import dev.labwire.netty.LatestFrame;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pushed-frame streams of one client, confined to its event loop (subscriber calls from other threads
 * hop onto it). Two kinds of subscription:
 * <ul>
 *   <li><b>every frame</b> ({@link #all()}): frames wait in a per-subscriber queue until requested. When
 *       any queue holds {@code highWater} frames the hub asks the driver to stop reading the link
 *       ({@link #wantsPause()}); it reads again once every queue is down to half of that. So a slow
 *       subscriber costs at most {@code highWater} frames plus what one read brought in, and the device's
 *       flow control or the OS buffer holds the rest.</li>
 *   <li><b>latest value</b> ({@link #latest()}): one slot per subscriber; a newer frame replaces an unseen
 *       one and is counted as dropped. Never pauses reading.</li>
 * </ul>
 * Frames that come while nobody subscribes are dropped and counted ({@link #droppedUnclaimed()}).
 * Signals follow the Reactive Streams rules: serial, {@code onSubscribe} first, {@code request(n <= 0)}
 * is an {@code onError(IllegalArgumentException)} (rule 3.9), a subscriber that throws is cancelled.
 */
public final class PushHub {
    private static final Logger LOG = LoggerFactory.getLogger(PushHub.class);

    private final EventLoop loop;
    private final Executor callbacks;
    private final int highWater;
    private final Runnable onBufferChange;
    private final String name;
    private final List<Sub<?>> subs = new ArrayList<>();
    private boolean completed;
    private int maxBuffered;
    private volatile long droppedUnclaimed;

    /**
     * @param callbacks      where subscriber signals run, in order; null to run them on the event loop
     * @param onBufferChange told (on the loop) when a queue shrank, so that reading may resume
     */
    PushHub(EventLoop loop, Executor callbacks, int highWater, Runnable onBufferChange, String name) {
        this.loop = loop;
        this.callbacks = callbacks;
        this.highWater = highWater;
        this.onBufferChange = onBufferChange;
        this.name = name;
    }

    /** Every pushed frame, with backpressure on the link. */
    public Flow.Publisher<Frame> all() {
        return subscriber -> subscribe(new AllSub(Objects.requireNonNull(subscriber, "subscriber")));
    }

    /** The newest pushed frame whenever asked, with a count of those overwritten unseen. */
    public Flow.Publisher<LatestFrame> latest() {
        return subscriber -> subscribe(new LatestSub(Objects.requireNonNull(subscriber, "subscriber")));
    }

    /** Pushed frames that came while no stream had a subscriber. */
    public long droppedUnclaimed() {
        return droppedUnclaimed;
    }

    private void subscribe(Sub<?> sub) {
        onLoop(() -> {
            if (!completed) {
                subs.add(sub);
            }
            sub.signal(() -> sub.subscriber.onSubscribe(sub));
            if (completed && !sub.cancelled) {
                sub.terminate();
            }
        });
    }

    /** A frame was pushed (on the loop). */
    void onFrame(Frame frame) {
        if (subs.isEmpty()) {
            droppedUnclaimed++; // single writer: the event loop
            return;
        }
        for (Sub<?> s : List.copyOf(subs)) {
            s.offer(frame);
            s.emit();
            maxBuffered = Math.max(maxBuffered, s.buffered());
        }
    }

    /** The most frames any every-frame subscriber ever had waiting (on the loop; for memory-bound checks). */
    int maxBufferedSeen() {
        return maxBuffered;
    }

    /** True when some every-frame subscriber has {@code highWater} frames waiting. */
    boolean wantsPause() {
        for (Sub<?> s : subs) {
            if (s.buffered() >= highWater) {
                return true;
            }
        }
        return false;
    }

    /** True when every every-frame subscriber is down to half the high-water mark. */
    boolean mayResume() {
        for (Sub<?> s : subs) {
            if (s.buffered() > highWater / 2) {
                return false;
            }
        }
        return true;
    }

    /** The client closed: each subscriber gets what it has buffered (as it requests it), then onComplete. */
    void complete() {
        completed = true;
        for (Sub<?> s : List.copyOf(subs)) {
            s.emit();
        }
    }

    private void onLoop(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
            return;
        }
        try {
            loop.execute(r);
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: event loop shut down; stream signal dropped", name);
        }
    }

    /** One subscription; all fields confined to the event loop. */
    private abstract class Sub<T> implements Flow.Subscription {
        final Flow.Subscriber<? super T> subscriber;
        private long demand;
        private boolean cancelled;
        private boolean emitting;

        Sub(Flow.Subscriber<? super T> subscriber) {
            this.subscriber = subscriber;
        }

        abstract void offer(Frame f);

        abstract boolean hasItem();

        abstract T take();

        abstract void clear();

        /** Frames held that count toward the high-water mark. */
        int buffered() {
            return 0;
        }

        @Override
        public void request(long n) {
            onLoop(() -> {
                if (cancelled) {
                    return;
                }
                if (n <= 0) {
                    drop();
                    signal(() -> subscriber.onError(new IllegalArgumentException(
                            "request(n) needs n > 0 (Reactive Streams rule 3.9), got " + n)));
                    return;
                }
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                emit();
            });
        }

        @Override
        public void cancel() {
            onLoop(this::drop);
        }

        private void drop() {
            if (!cancelled) {
                cancelled = true;
                subs.remove(this);
                clear();
                onBufferChange.run();
            }
        }

        /** Hands out items while there is demand; reentrant calls (request from onNext) just add demand. */
        void emit() {
            if (emitting) {
                return;
            }
            emitting = true;
            boolean took = false;
            try {
                while (!cancelled && demand > 0 && hasItem()) {
                    demand--;
                    T item = take();
                    took = true;
                    signal(() -> subscriber.onNext(item));
                }
                if (!cancelled && completed && !hasItem()) {
                    terminate();
                }
            } finally {
                emitting = false;
            }
            if (took) {
                onBufferChange.run();
            }
        }

        void terminate() {
            cancelled = true;
            subs.remove(this);
            signal(subscriber::onComplete);
        }

        /** Runs a subscriber method on the callback thread; a subscriber that throws is cancelled (rule 2.13). */
        void signal(Runnable r) {
            Runnable guarded = () -> {
                try {
                    r.run();
                } catch (RuntimeException | Error e) {
                    LOG.warn("{}: a pushed-frame subscriber threw; cancelling it", name, e);
                    cancel();
                }
            };
            if (callbacks == null) {
                guarded.run();
            } else {
                callbacks.execute(guarded);
            }
        }
    }

    private final class AllSub extends Sub<Frame> {
        private final ArrayDeque<Frame> queue = new ArrayDeque<>();

        AllSub(Flow.Subscriber<? super Frame> s) {
            super(s);
        }

        @Override
        void offer(Frame f) {
            queue.addLast(f);
        }

        @Override
        boolean hasItem() {
            return !queue.isEmpty();
        }

        @Override
        Frame take() {
            return queue.pollFirst();
        }

        @Override
        void clear() {
            queue.clear();
        }

        @Override
        int buffered() {
            return queue.size();
        }
    }

    private final class LatestSub extends Sub<LatestFrame> {
        private Frame latest;
        private long dropped;
        private long totalDropped;

        LatestSub(Flow.Subscriber<? super LatestFrame> s) {
            super(s);
        }

        @Override
        void offer(Frame f) {
            if (latest != null) {
                dropped++;
                totalDropped++;
            }
            latest = f;
        }

        @Override
        boolean hasItem() {
            return latest != null;
        }

        @Override
        LatestFrame take() {
            LatestFrame item = new LatestFrame(latest, dropped, totalDropped);
            latest = null;
            dropped = 0;
            return item;
        }

        @Override
        void clear() {
            latest = null;
        }
    }
}
