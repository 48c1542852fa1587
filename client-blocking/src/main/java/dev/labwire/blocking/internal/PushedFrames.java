package dev.labwire.blocking.internal;

import dev.labwire.core.frame.Frame;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The frames a device pushed: a bounded queue (the oldest dropped and counted when full) read by
 * {@link #poll}, and consumers told of every frame through the driver's callback thread. Guarded by the
 * driver's lock.
 */
final class PushedFrames {
    private final ReentrantLock lock;
    private final Condition available;
    private final int capacity;
    private final Consumer<Runnable> callbacks;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private final List<Consumer<Frame>> consumers = new CopyOnWriteArrayList<>();
    private long dropped;
    private boolean closed;

    PushedFrames(ReentrantLock lock, int capacity, Consumer<Runnable> callbacks) {
        this.lock = lock;
        this.available = lock.newCondition();
        this.capacity = capacity;
        this.callbacks = callbacks;
    }

    /** Called with the lock held: queues {@code f} and hands it to every consumer. */
    void addLocked(Frame f) {
        if (queue.size() >= capacity) {
            queue.pollFirst();
            dropped++;
        }
        queue.addLast(f);
        available.signalAll();
        for (Consumer<Frame> c : consumers) {
            callbacks.accept(() -> c.accept(f));
        }
    }

    /** Called with the lock held: wakes every poller, which then return null. */
    void closeLocked() {
        closed = true;
        available.signalAll();
    }

    /** The oldest queued frame, waiting up to {@code timeout}; null when none came or the client closed. */
    Frame poll(Duration timeout, String name) {
        long end = dev.labwire.core.internal.Durations.deadline(System.nanoTime(), timeout);
        lock.lock();
        try {
            while (queue.isEmpty()) {
                long left = end - System.nanoTime();
                if (closed || left <= 0) {
                    return null;
                }
                available.awaitNanos(left);
            }
            return queue.pollFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for a pushed frame from " + name);
        } finally {
            lock.unlock();
        }
    }

    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    AutoCloseable subscribe(Consumer<Frame> consumer) {
        consumers.add(consumer);
        return () -> consumers.remove(consumer);
    }
}
