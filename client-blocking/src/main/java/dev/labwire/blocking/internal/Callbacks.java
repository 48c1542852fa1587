package dev.labwire.blocking.internal;

import dev.labwire.core.Overflow;
import dev.labwire.core.internal.HandOff;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's one callback thread and its bounded queues: one {@link Channel} per state listener or pushed-frame
 * consumer, each a {@link HandOff} with its own {@link Overflow} policy, served in turn (one item per channel per
 * round, so one busy stream cannot starve a listener). User code runs here, never under the driver's lock, one call
 * at a time. A slow consumer costs at most its channel's capacity in memory; what its channel drops is counted
 * ({@link #dropped()}) and logged at WARN at most once per {@link #REPORT_INTERVAL_NANOS} per channel.
 *
 * <p>Lock order: the driver's lock, then this one (offers come from the driver's drain loop); the callback thread
 * holds neither while user code runs, so user code may call the client, blocking calls included.
 */
final class Callbacks {
    private static final Logger LOG = LoggerFactory.getLogger(Callbacks.class);
    static final long REPORT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final List<Channel<?>> channels = new ArrayList<>();
    private final Thread thread;
    private long droppedByClosedChannels;
    private int next;
    private boolean closed;
    private boolean abandoned; // close ran out of time with user code running here: deliver nothing more

    /** One bounded queue of items for one consumer; {@link #offer} from any thread. */
    final class Channel<T> implements AutoCloseable {
        private final String what;
        private final HandOff<T> queue;
        private final Consumer<? super T> sink;
        private boolean open = true;

        private Channel(String what, int capacity, Overflow policy, Consumer<? super T> sink) {
            this.what = what;
            this.queue = new HandOff<>(capacity, policy);
            this.sink = sink;
        }

        /** Queues {@code item} for the consumer under the channel's policy; a FAIL overflow ends the channel. */
        void offer(T item) {
            lock.lock();
            try {
                if (!open || closed) {
                    return;
                }
                queue.offer(item);
                long n = queue.dropsToReport(System.nanoTime(), REPORT_INTERVAL_NANOS);
                if (n > 0) {
                    LOG.warn("{}: {} too slow: {} {} dropped ({} in all, policy {}, capacity reached)", name, what, n,
                            n == 1 ? "item" : "items", queue.dropped(), queue.policy());
                }
                if (queue.failed()) {
                    LOG.warn("{}: {} overflowed under Overflow.FAIL: unsubscribed after {} items", name, what,
                            queue.offered() - queue.dropped());
                    closeLocked();
                }
                work.signal();
            } finally {
                lock.unlock();
            }
        }

        /** Stops delivery; items still queued are dropped (counted). Idempotent. */
        @Override
        public void close() {
            lock.lock();
            try {
                closeLocked();
            } finally {
                lock.unlock();
            }
        }

        private void closeLocked() {
            if (open) {
                open = false;
                queue.clear();
                channels.remove(this);
                droppedByClosedChannels += queue.dropped();
            }
        }

        /** Takes one item and runs the consumer with it outside the lock; called by the callback thread. */
        private Runnable takeLocked() {
            T item = queue.poll();
            return item == null ? null : () -> sink.accept(item);
        }
    }

    Callbacks(String name) {
        this.name = name;
        this.thread = Threads.daemon(this::run, "labwire-callbacks " + name);
        thread.start();
    }

    /** A new channel of {@code capacity} items under {@code policy}, delivering to {@code sink}. */
    <T> Channel<T> channel(String what, int capacity, Overflow policy, Consumer<? super T> sink) {
        Channel<T> c = new Channel<>(what, capacity, policy, sink);
        lock.lock();
        try {
            if (!closed) {
                channels.add(c);
            }
        } finally {
            lock.unlock();
        }
        return c;
    }

    /** Items dropped by every channel so far, closed channels included. */
    long dropped() {
        lock.lock();
        try {
            long n = droppedByClosedChannels;
            for (Channel<?> c : channels) {
                n += c.queue.dropped();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** True on the callback thread itself. */
    boolean isCallbackThread() {
        return Thread.currentThread() == thread;
    }

    /**
     * Refuses new items and ends the thread once the items queued now are delivered (a listener hears CLOSED);
     * returns the thread, which the client waits for within its close budget. Channels closed before (pushed-frame
     * consumers, at close) deliver nothing more.
     */
    Thread close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        return thread;
    }

    /**
     * Close ran out of its budget while a consumer or listener still runs here: nothing queued is delivered any more,
     * and the thread is interrupted, so that user code blocked in an interruptible wait (a full queue, a sleep, a latch)
     * returns and the thread ends instead of staying blocked for ever after close. Never interrupts the calling thread.
     */
    void abandon() {
        lock.lock();
        try {
            abandoned = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        if (thread != Thread.currentThread()) {
            thread.interrupt();
        }
    }

    private void run() {
        while (true) {
            Runnable r;
            lock.lock();
            try {
                while (abandoned || (r = nextLocked()) == null) {
                    if (abandoned) {
                        return;
                    }
                    if (closed) {
                        return; // every queue is empty
                    }
                    work.awaitUninterruptibly();
                }
            } finally {
                lock.unlock();
            }
            try {
                r.run();
            } catch (Throwable t) { // a consumer's bug must not end the thread that serves every other consumer
                LOG.warn("{}: a listener or consumer threw", name, t);
            }
        }
    }

    /** The next item round-robin over the channels, or null when all are empty. */
    private Runnable nextLocked() {
        for (int i = 0; i < channels.size(); i++) {
            Channel<?> c = channels.get((next + i) % channels.size());
            Runnable r = c.takeLocked();
            if (r != null) {
                next = (next + i + 1) % channels.size();
                return r;
            }
        }
        return null;
    }
}
