package dev.labwire.core.bus;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The devices of a {@link Bus} that get nothing for a while: one whose request ended without its whole reply (a
 * timeout, a reply that broke off) may still send the rest, so nothing is written to it until {@code lateReplyGrace}
 * after that, while the other devices take their turns. Not thread-safe: the bus owns it.
 */
final class QuietDevices {
    private final Map<Address, Long> until = new HashMap<>();
    private final long graceNanos;

    QuietDevices(long graceNanos) {
        this.graceNanos = graceNanos;
    }

    /** {@code address} gets nothing until {@code now} plus the grace (a grace of 0 keeps nobody quiet). */
    void quiet(Address address, long now) {
        if (graceNanos > 0) {
            long end = now + graceNanos;
            until.put(address, end < now ? Long.MAX_VALUE : end); // saturated
        }
    }

    /** Whether {@code address} is still quiet at {@code now}; a quiet that ended is forgotten. */
    boolean isQuiet(Address address, long now) {
        Long end = until.get(address);
        if (end == null) {
            return false;
        }
        if (end <= now) {
            until.remove(address);
            return false;
        }
        return true;
    }

    /** Forgets every quiet that ended by {@code now}. */
    void expire(long now) {
        until.values().removeIf(end -> end <= now);
    }

    /** When the first quiet of a device that {@code waiting} says has requests waiting ends after {@code now}; else {@code t}. */
    long earliestEnd(long now, long t, Predicate<Address> waiting) {
        for (Map.Entry<Address, Long> q : until.entrySet()) {
            if (q.getValue() > now && waiting.test(q.getKey())) {
                t = Math.min(t, q.getValue());
            }
        }
        return t;
    }

    boolean isEmpty() {
        return until.isEmpty();
    }
}
