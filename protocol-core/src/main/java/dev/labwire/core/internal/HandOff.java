package dev.labwire.core.internal;

import dev.labwire.core.Overflow;

/**
 * A bounded first-in first-out hand-off from a driver's I/O side to a slower consumer (a poller, a callback
 * thread, a stream subscriber), with an {@link Overflow} policy and counters. Memory is bounded by
 * {@code capacity} items whatever the producer does.
 *
 * <p>Not thread-safe: the driver guards it (its lock, or its event loop). No clock either: reports of drops are
 * rate-limited with the driver's {@code nowNanos}:
 * <pre>{@code
 * if (!queue.offer(frame)) { ... }                          // refused: FAIL and full, or failed already
 * long n = queue.dropsToReport(now, REPORT_INTERVAL);       // > 0 at most once per interval
 * if (n > 0) log.warn("{} frames dropped for a slow consumer ({} in all)", n, queue.dropped());
 * }</pre>
 *
 * @param <T> the item type
 */
public final class HandOff<T> {
    private final Object[] ring;
    private final Overflow policy;
    private int head;
    private int size;
    private long offered;
    private long dropped;
    private long unreported;
    private long lastReport;
    private boolean reportedOnce;
    private boolean failed;

    /**
     * @param capacity at least 1; {@link Overflow#KEEP_LATEST} keeps one item whatever the capacity
     * @throws IllegalArgumentException when {@code capacity} is below 1
     * @throws NullPointerException     when {@code policy} is null
     */
    public HandOff(int capacity, Overflow policy) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        if (policy == null) {
            throw new NullPointerException("policy is null");
        }
        this.policy = policy;
        this.ring = new Object[policy == Overflow.KEEP_LATEST ? 1 : capacity];
    }

    /**
     * Hands {@code item} over. {@link Overflow#DROP_OLDEST} and {@link Overflow#KEEP_LATEST} always accept it,
     * dropping older items as they say; {@link Overflow#FAIL} refuses it when full and stays {@link #failed()}
     * (refusing every item) until {@link #recover()}. Every item not accepted or dropped counts in {@link #dropped()}.
     *
     * @return true when {@code item} was queued
     */
    public boolean offer(T item) {
        if (item == null) {
            throw new NullPointerException("item is null");
        }
        offered++;
        if (failed) {
            drop(1);
            return false;
        }
        if (size == ring.length) {
            if (policy == Overflow.FAIL) {
                failed = true;
                drop(1);
                return false;
            }
            ring[head] = null; // DROP_OLDEST, and KEEP_LATEST's single slot
            head = (head + 1) % ring.length;
            size--;
            drop(1);
        }
        ring[(head + size) % ring.length] = item;
        size++;
        return true;
    }

    /** The oldest queued item, removed, or null when none. */
    @SuppressWarnings("unchecked")
    public T poll() {
        if (size == 0) {
            return null;
        }
        T t = (T) ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        return t;
    }

    /** Removes every queued item (they count as dropped) and keeps the counters. */
    public void clear() {
        drop(size);
        while (poll() != null) {
            // drained
        }
    }

    /** True after an overflow under {@link Overflow#FAIL}, until {@link #recover()}. */
    public boolean failed() {
        return failed;
    }

    /** After the consumer was told of a failure: queued items are dropped and the queue accepts items again. */
    public void recover() {
        clear();
        failed = false;
    }

    /** Items waiting. */
    public int size() {
        return size;
    }

    /** True when no item waits. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** The policy. */
    public Overflow policy() {
        return policy;
    }

    /** Items ever offered. */
    public long offered() {
        return offered;
    }

    /** Items dropped or refused so far (never reset). */
    public long dropped() {
        return dropped;
    }

    /**
     * Drops not reported yet, when a report is due: the first drop is reported at once, later ones at most once per
     * {@code intervalNanos}. Returns 0 when nothing is due; otherwise the count, and starts a new interval.
     */
    public long dropsToReport(long nowNanos, long intervalNanos) {
        if (unreported == 0 || reportedOnce && nowNanos - lastReport < intervalNanos) {
            return 0;
        }
        long n = unreported;
        unreported = 0;
        lastReport = nowNanos;
        reportedOnce = true;
        return n;
    }

    private void drop(long n) {
        dropped += n;
        unreported += n;
    }
}
