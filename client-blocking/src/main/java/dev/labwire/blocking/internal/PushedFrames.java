package dev.labwire.blocking.internal;

import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Overflow;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.internal.Durations;
import dev.labwire.core.internal.HandOff;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The frames a device pushed: a bounded poll queue read by {@link #poll} and one bounded callback channel per
 * consumer, all under the same {@link Overflow} policy and capacity. The poll queue is guarded by the driver's lock.
 * Under {@link Overflow#FAIL} a full poll queue makes the next {@link #poll} throw once (then the stream restarts
 * with the next frame), and a full consumer channel unsubscribes its consumer.
 */
final class PushedFrames {
    private final ReentrantLock lock;
    private final Condition available;
    private final int capacity;
    private final Overflow policy;
    private final Callbacks callbacks;
    private final HandOff<Frame> queue;
    private final List<Callbacks.Channel<Frame>> consumers = new CopyOnWriteArrayList<>();
    private boolean closed;
    private int subscriptions; // numbers consumers for log lines

    PushedFrames(ReentrantLock lock, int capacity, Overflow policy, Callbacks callbacks) {
        this.lock = lock;
        this.available = lock.newCondition();
        this.capacity = capacity;
        this.policy = policy;
        this.callbacks = callbacks;
        this.queue = new HandOff<>(capacity, policy);
    }

    /** Called with the lock held: queues {@code f} for pollers and hands it to every consumer's channel. */
    void addLocked(Frame f) {
        queue.offer(f);
        available.signalAll();
        for (Callbacks.Channel<Frame> c : consumers) {
            c.offer(f);
        }
    }

    /** Called with the lock held: wakes every poller, which then return null; consumers get nothing more. */
    void closeLocked() {
        closed = true;
        available.signalAll();
        for (Callbacks.Channel<Frame> c : consumers) {
            c.close();
        }
        consumers.clear();
    }

    /** The oldest queued frame, waiting up to {@code timeout}; null when none came or the client closed. */
    Frame poll(Duration timeout, String name) {
        long end = Durations.deadline(System.nanoTime(), timeout);
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (queue.failed()) {
                    queue.recover();
                    throw new LocalProtocolException("pushed frames from " + name + " overflowed the poll queue ("
                            + capacity + " frames, Overflow.FAIL; " + queue.dropped() + " dropped in all): frames were"
                            + " lost; the stream restarts with the next frame");
                }
                long left = end - System.nanoTime();
                if (closed || left <= 0) {
                    return null;
                }
                available.awaitNanos(left);
            }
            return queue.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for a pushed frame from " + name);
        } finally {
            lock.unlock();
        }
    }

    /** Frames dropped from the poll queue. */
    long dropped() {
        lock.lock();
        try {
            return queue.dropped();
        } finally {
            lock.unlock();
        }
    }

    /** A consumer of every frame from now on, through its own bounded channel; after close it gets nothing. */
    AutoCloseable subscribe(Consumer<Frame> consumer) {
        Callbacks.Channel<Frame> c;
        lock.lock();
        try {
            c = callbacks.channel("pushed-frame consumer #" + (++subscriptions), capacity, policy, consumer);
            if (closed) {
                c.close();
            } else {
                consumers.add(c);
            }
        } finally {
            lock.unlock();
        }
        return () -> {
            consumers.remove(c);
            c.close();
        };
    }
}
