package dev.labwire.netty.internal;

import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Overflow;
import dev.labwire.core.frame.Frame;
import dev.labwire.netty.LatestFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pushed-frame streams of one client, confined to its event loop (subscriber calls from other threads
 * hop onto it). Each subscriber has its own bounded {@link CallbackQueue}; two kinds of subscription:
 * <ul>
 *   <li><b>every frame</b> ({@link #all()}): frames wait in the subscriber's queue until requested. When
 *       any queue holds {@code highWater} frames the hub asks the driver to stop reading the link
 *       ({@link #wantsPause()}); it reads again once every queue is down to half of that. So the device's flow
 *       control or the OS buffer holds the rest. Reading stops between reads only, so what one read brought in
 *       still comes: the queue holds at most {@code capacity} frames, and at that limit the {@link Overflow}
 *       policy decides ({@link Overflow#DROP_OLDEST} drops the oldest, {@link Overflow#KEEP_LATEST} keeps one frame
 *       and so never pauses reading, {@link Overflow#FAIL} ends the subscription with
 *       {@code onError(LocalProtocolException)}); drops are counted ({@link Callbacks#dropped()}) and logged.</li>
 *   <li><b>latest value</b> ({@link #latest()}): one slot per subscriber ({@link Overflow#KEEP_LATEST}); a newer
 *       frame replaces an unseen one and is counted in the item ({@link LatestFrame}) and the client's count, and
 *       logged at DEBUG only: that is what it is for. Never pauses reading.</li>
 * </ul>
 * With a callback executor, frames go to it in batches, one batch out per subscriber at a time, so a slow executor
 * never holds more than a batch beyond the queue ({@link CallbackQueue}).
 * Frames that come while nobody subscribes are dropped and counted ({@link #droppedUnclaimed()}).
 * Signals follow the Reactive Streams rules: serial, {@code onSubscribe} first, {@code request(n <= 0)}
 * is an {@code onError(IllegalArgumentException)} (rule 3.9), a subscriber that throws is cancelled.
 */
public final class PushHub {
    private static final Logger LOG = LoggerFactory.getLogger(PushHub.class);

    private final Callbacks callbacks;
    private final int highWater;
    private final int capacity;
    private final Overflow policy;
    private final Runnable onBufferChange;
    private final List<Sub<?>> subs = new ArrayList<>();
    /** {@link #subs} as an array, made again whenever it changes: what a frame is handed to, without a copy per frame. */
    private Sub<?>[] current = new Sub<?>[0];
    private boolean completed;
    private int maxBuffered;
    private int subscriptions; // numbers subscribers for log lines
    private volatile long droppedUnclaimed;

    /**
     * @param callbacks      where subscriber signals run, in order (the loop, or the user's executor)
     * @param highWater      frames an every-frame subscriber may have waiting before reading pauses
     * @param capacity       the most frames an every-frame subscriber's queue holds; {@code policy} decides beyond
     * @param onBufferChange told (on the loop) when a queue shrank, so that reading may resume
     */
    PushHub(Callbacks callbacks, int highWater, int capacity, Overflow policy, Runnable onBufferChange) {
        this.callbacks = callbacks;
        this.highWater = highWater;
        this.capacity = capacity;
        this.policy = Objects.requireNonNull(policy, "policy");
        this.onBufferChange = onBufferChange;
    }

    /** Every pushed frame, with backpressure on the link and the overflow policy beyond it. */
    public Flow.Publisher<Frame> all() {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            callbacks.onLoop(() -> subscribe(new Sub<Frame>(subscriber, "pushed() subscriber #" + (++subscriptions),
                    capacity, policy, true) {
                @Override
                Frame item(Frame f) {
                    return f;
                }
            }));
        };
    }

    /** The newest pushed frame whenever asked, with a count of those overwritten unseen. */
    public Flow.Publisher<LatestFrame> latest() {
        return subscriber -> {
            Objects.requireNonNull(subscriber, "subscriber");
            callbacks.onLoop(() -> subscribe(new Sub<LatestFrame>(subscriber, "latest() subscriber #" + (++subscriptions),
                    1, Overflow.KEEP_LATEST, false) {
                private long droppedBefore;

                @Override
                LatestFrame item(Frame f) {
                    long total = items.dropped();
                    LatestFrame item = new LatestFrame(f, total - droppedBefore, total);
                    droppedBefore = total;
                    return item;
                }

                @Override
                int buffered() {
                    return 0;
                }
            }));
        };
    }

    /** Pushed frames that came while no stream had a subscriber. */
    public long droppedUnclaimed() {
        return droppedUnclaimed;
    }

    private void subscribe(Sub<?> sub) {
        if (!completed) {
            subs.add(sub);
            current = subs.toArray(new Sub<?>[0]);
        }
        sub.signal(() -> sub.subscriber.onSubscribe(sub));
        if (completed && !sub.cancelled) {
            sub.terminate();
        }
    }

    /**
     * A frame was pushed (on the loop). Does not call {@code onBufferChange}: the caller weighs the queues once after the
     * frame ({@link #wantsPause()}), as it must anyway for a frame that stays queued.
     */
    void onFrame(Frame frame) {
        Sub<?>[] current = this.current;
        if (current.length == 0) { // the array, not the list: one object less to fetch per frame
            droppedUnclaimed++; // single writer: the event loop
            return;
        }
        for (Sub<?> s : current) { // a snapshot: a subscriber may cancel (or another subscribe) from onNext
            if (s.cancelled) {
                continue;
            }
            if (!s.items.offer(frame) && s.items.failed()) {
                s.overflowed();
                continue;
            }
            s.emit(false);
            maxBuffered = Math.max(maxBuffered, s.buffered());
        }
    }

    /** The most frames any every-frame subscriber ever had waiting (on the loop; for memory-bound checks). */
    int maxBufferedSeen() {
        return maxBuffered;
    }

    /** True when some every-frame subscriber has {@code highWater} frames waiting. */
    boolean wantsPause() {
        for (Sub<?> s : current) {
            if (s.buffered() >= highWater) {
                return true;
            }
        }
        return false;
    }

    /** True when every every-frame subscriber is down to half the high-water mark. */
    boolean mayResume() {
        for (Sub<?> s : current) {
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

    /** One subscription; all fields confined to the event loop, except what {@link CallbackQueue} says. */
    private abstract class Sub<T> implements Flow.Subscription {
        final Flow.Subscriber<? super T> subscriber;
        final CallbackQueue<Frame> items;
        private final String what;
        private final CallbackQueue.Sink<Frame> onNext;
        private final Runnable emitAgain = this::emit; // after a batch on the executor: tells onBufferChange
        private long demand;
        private boolean cancelled;
        private boolean emitting;

        Sub(Flow.Subscriber<? super T> subscriber, String what, int capacity, Overflow policy, boolean warn) {
            this.subscriber = subscriber;
            this.what = what;
            this.items = new CallbackQueue<>(callbacks, what, capacity, policy, warn);
            this.onNext = new CallbackQueue.Sink<>() {
                @Override
                public Runnable apply(Frame f) {
                    T item = item(f);
                    return guarded(() -> subscriber.onNext(item));
                }

                @Override
                public void runNow(Frame f) { // on the loop: no task object per frame
                    T item = item(f);
                    try {
                        subscriber.onNext(item);
                    } catch (RuntimeException | Error e) {
                        threw(e);
                    }
                }
            };
        }

        /** What the subscriber gets for {@code f}, made on the loop as it leaves the queue. */
        abstract T item(Frame f);

        /** Frames held that count toward the high-water mark. */
        int buffered() {
            return items.size();
        }

        @Override
        public void request(long n) {
            callbacks.onLoop(() -> {
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
            items.stop(); // at once: a batch on the executor delivers nothing more
            callbacks.onLoop(this::drop);
        }

        private void drop() {
            if (!cancelled) {
                cancelled = true;
                removed();
                items.close();
                onBufferChange.run();
            }
        }

        /** Overflow.FAIL: the subscriber learns it lost frames, and the subscription ends. */
        void overflowed() {
            LOG.warn("{}: {} overflowed its queue ({} frames, Overflow.FAIL); ending it with onError", callbacks.name(), what, capacity);
            drop();
            signal(() -> subscriber.onError(new LocalProtocolException("pushed frames from " + callbacks.name() + " overflowed the queue of "
                    + what + " (" + capacity + " frames, Overflow.FAIL; " + items.dropped() + " not delivered): frames were lost; "
                    + "subscribe again to go on")));
        }

        /** Hands out items while there is demand; reentrant calls (request from onNext) just add demand. */
        void emit() {
            emit(true);
        }

        /** As {@link #emit()}; {@code onBufferChange} is told of items taken only when {@code notify}. */
        void emit(boolean notify) {
            if (emitting) {
                return;
            }
            emitting = true;
            boolean took = false;
            try {
                for (long n; !cancelled && demand > 0 && !items.isEmpty() && (n = items.deliver(demand, onNext, emitAgain)) > 0; ) {
                    demand -= n;
                    took = true;
                }
                if (!cancelled && completed && items.isEmpty() && !items.busy()) {
                    terminate();
                }
            } finally {
                emitting = false;
            }
            if (took && notify) {
                onBufferChange.run();
            }
        }

        void terminate() {
            cancelled = true;
            removed();
            signal(subscriber::onComplete);
        }

        /** Runs a subscriber method where callbacks run; a subscriber that throws is cancelled (rule 2.13). */
        void signal(Runnable r) {
            callbacks.deliver(guarded(r));
        }

        private Runnable guarded(Runnable r) {
            return () -> {
                try {
                    r.run();
                } catch (RuntimeException | Error e) {
                    threw(e);
                }
            };
        }

        private void threw(Throwable e) {
            LOG.warn("{}: {} threw; cancelling it", callbacks.name(), what, e);
            cancel();
        }

        private void removed() {
            subs.remove(this);
            current = subs.toArray(new Sub<?>[0]);
        }
    }
}
