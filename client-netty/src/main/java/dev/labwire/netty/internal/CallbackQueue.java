package dev.labwire.netty.internal;

import dev.labwire.core.Overflow;
import dev.labwire.core.internal.HandOff;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer's bounded queue of items on their way from the event loop to user code (a state listener, a
 * pushed-frame subscriber): the core's {@link HandOff} with its {@link Overflow} policy, as in the blocking client.
 * What it drops is added to the client's count ({@link Callbacks#dropped()}) and logged at WARN at most once per
 * {@link #REPORT_INTERVAL_NANOS} per queue (at DEBUG for a queue whose dropping is its purpose, a latest-value one).
 *
 * <p>Without a callback executor, {@link #deliver} runs user code at once on the loop: a slow consumer holds up the
 * loop, and with it the reads that bring more items. With one, items leave in batches of at most {@link #BATCH}, one
 * batch at a time: the next batch leaves only once the executor has run the last one and said so on the loop. So a
 * slow executor holds at most {@code capacity + BATCH} items of this queue, never one task per item; the policy
 * deals with the rest.
 *
 * <p>Event loop only, except {@link #stop()} and {@link #isClosed()}.
 *
 * @param <T> the item type
 */
final class CallbackQueue<T> {
    private static final Logger LOG = LoggerFactory.getLogger(CallbackQueue.class);
    /** Drops of one queue are logged at most once per 10 s (the first at once). */
    static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** The most items one task on the callback executor runs. */
    static final int BATCH = 64;

    /**
     * A consumer's signal for an item: {@link #apply} makes the task the callback executor runs; {@link #runNow} runs
     * the same signal at once on the loop, without a task object (a pushed frame's way when callbacks run on the loop).
     */
    interface Sink<T> extends Function<T, Runnable> {
        /** Runs the signal for {@code item} now; the default runs the task {@link #apply} makes. */
        default void runNow(T item) {
            apply(item).run();
        }
    }

    private final Callbacks callbacks;
    private final Executor user; // callbacks.userExecutor(), fixed for the client's life: read per item without its owner
    private final String what;
    private final HandOff<T> queue;
    private final boolean warn;
    private final int capacity;
    private boolean batchOut;
    private boolean delivering;
    private volatile boolean closed;

    /**
     * @param what     the consumer, for log lines ("state listener #1")
     * @param capacity at least 1 ({@link Overflow#KEEP_LATEST} holds one item whatever it says)
     * @param warn     true to log drops at WARN, false for DEBUG
     */
    CallbackQueue(Callbacks callbacks, String what, int capacity, Overflow policy, boolean warn) {
        this.callbacks = callbacks;
        this.user = callbacks.userExecutor();
        this.what = what;
        this.queue = new HandOff<>(capacity, policy);
        this.capacity = policy == Overflow.KEEP_LATEST ? 1 : capacity;
        this.warn = warn;
    }

    /**
     * Queues {@code item} under the policy; drops are counted and reported. Returns false when it was refused: the
     * queue is closed, or {@link Overflow#FAIL} overflowed ({@link #failed()}), which the consumer must be told of.
     */
    boolean offer(T item) {
        if (closed) {
            return false;
        }
        long before = queue.dropped();
        boolean queued = queue.offer(item);
        counted(before);
        if (queue.dropped() == 0) {
            return queued; // nothing ever dropped: nothing to report, and no clock read per item
        }
        long n = queue.dropsToReport(System.nanoTime(), REPORT_INTERVAL_NANOS);
        if (n > 0 && !queue.failed()) { // a FAIL overflow is reported by the queue's owner, which ends the stream
            String format = "{}: {} too slow: {} dropped ({} in all, Overflow.{}, capacity {})";
            Object[] args = {callbacks.name(), what, n, queue.dropped(), queue.policy(), capacity};
            if (warn) {
                LOG.warn(format, args);
            } else {
                LOG.debug(format, args);
            }
        }
        return queued;
    }

    /** True after an {@link Overflow#FAIL} overflow. */
    boolean failed() {
        return queue.failed();
    }

    /** Items waiting (not those of a batch already handed to the executor). */
    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Items this queue dropped or refused, those cleared at {@link #close()} included. */
    long dropped() {
        return queue.dropped();
    }

    /** True while a batch handed to the callback executor has not been run yet: {@link #deliver} hands out nothing. */
    boolean busy() {
        return batchOut;
    }

    /** Delivers nothing more: a batch out stops before its next item. Any thread (a signal that threw). */
    void stop() {
        closed = true;
    }

    /** As {@link #stop()}, and waiting items are dropped (counted). */
    void close() {
        closed = true;
        long before = queue.dropped();
        queue.clear();
        counted(before);
    }

    /** True once {@link #stop()} or {@link #close()} was called (any thread). */
    boolean isClosed() {
        return closed;
    }

    /**
     * Takes up to {@code max} items and runs, where user code runs, what {@code signal} makes of each (made on the loop,
     * when the item is taken). Inline on the loop one item at a time (a re-entrant call takes nothing; the outer one
     * goes on); on the executor as one batch, after which {@code whenIdle} runs on the loop. Takes nothing while a
     * batch is out. A signal that throws is logged and the next one runs.
     *
     * @return the number of items taken
     */
    long deliver(long max, Function<? super T, Runnable> signal, Runnable whenIdle) {
        if (user == null) {
            if (delivering) {
                return 0;
            }
            delivering = true;
            long taken = 0;
            try {
                for (T item; taken < max && !closed && (item = queue.poll()) != null; ) {
                    taken++;
                    runNow(signal, item);
                }
            } finally {
                delivering = false;
            }
            return taken;
        }
        if (batchOut || closed || queue.isEmpty() || max <= 0) {
            return 0;
        }
        int n = (int) Math.min(Math.min(max, BATCH), queue.size());
        Runnable[] batch = new Runnable[n];
        for (int i = 0; i < n; i++) {
            batch[i] = signal.apply(queue.poll());
        }
        batchOut = true;
        user.execute(() -> {
            for (Runnable r : batch) {
                if (closed) {
                    break;
                }
                run(r);
            }
            callbacks.onLoop(() -> {
                batchOut = false;
                whenIdle.run();
            });
        });
        return n;
    }

    /** Delivers every item, now and after each batch: for a consumer without demand (a listener). */
    void deliverAll(Function<? super T, Runnable> signal) {
        deliver(Long.MAX_VALUE, signal, () -> deliverAll(signal));
    }

    @SuppressWarnings("unchecked")
    private void runNow(Function<? super T, Runnable> signal, T item) {
        try {
            if (signal instanceof Sink<?> sink) {
                ((Sink<? super T>) sink).runNow(item);
            } else {
                signal.apply(item).run();
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: {} threw", callbacks.name(), what, e);
        }
    }

    private void run(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: {} threw", callbacks.name(), what, e);
        }
    }

    private void counted(long before) {
        long d = queue.dropped() - before;
        if (d > 0) {
            callbacks.countDropped(d);
        }
    }
}
