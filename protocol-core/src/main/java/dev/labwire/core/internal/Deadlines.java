package dev.labwire.core.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Deadlines a driver keeps itself, next to the core's timer: for example a write whose bytes must go out by the
 * caller's deadline although the core already counts it as done. Keyed by the core's request id; the driver's timer
 * is {@code min(machine.pollTimeoutNanos(), deadlines.earliest())}. Not thread-safe; a handful of entries at a time
 * (a linear scan finds the earliest). No clock: times are the driver's {@code nowNanos}.
 */
public final class Deadlines {
    private final Map<Long, Long> byId = new HashMap<>();
    private long earliest = Long.MAX_VALUE;

    /** Request {@code id} must be done by {@code deadlineNanos}. */
    public void put(long id, long deadlineNanos) {
        byId.put(id, deadlineNanos);
        if (deadlineNanos - earliest < 0 || earliest == Long.MAX_VALUE) {
            earliest = deadlineNanos;
        }
    }

    /** Request {@code id} is done; true when it had a deadline here. */
    public boolean remove(long id) {
        Long d = byId.remove(id);
        if (d != null && d == earliest) {
            rescan();
        }
        return d != null;
    }

    /** The earliest deadline, {@link Long#MAX_VALUE} when none. */
    public long earliest() {
        return earliest;
    }

    /** Removes every id whose deadline is at or before {@code nowNanos} and hands each to {@code expired}. */
    public void expire(long nowNanos, LongConsumer expired) {
        if (earliest == Long.MAX_VALUE || nowNanos - earliest < 0) {
            return;
        }
        long[] due = byId.entrySet().stream().filter(e -> nowNanos - e.getValue() >= 0)
                .mapToLong(Map.Entry::getKey).toArray();
        for (long id : due) {
            byId.remove(id);
        }
        rescan();
        for (long id : due) {
            expired.accept(id);
        }
    }

    /** Number of deadlines held. */
    public int size() {
        return byId.size();
    }

    private void rescan() {
        earliest = Long.MAX_VALUE;
        for (long d : byId.values()) {
            if (earliest == Long.MAX_VALUE || d - earliest < 0) {
                earliest = d;
            }
        }
    }
}
