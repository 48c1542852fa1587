package dev.labwire.core;

import java.time.Duration;
import java.util.Objects;

/**
 * The reconnect schedule: exponential backoff with jitter and a cap. The delay before reconnect attempt
 * {@code n} (1 = the first retry after a loss or failure) is
 * {@code min(max, initial * multiplier^(n-1))}, then multiplied by a random factor in
 * {@code [1 - jitter, 1 + jitter]} so that many clients of one rebooted device server do not retry in
 * lock step. Defaults ({@link #DEFAULT}): 100 ms initial, 10 s cap, multiplier 2, jitter 0.2.
 *
 * @param initial    first delay, positive
 * @param max        cap, at least {@code initial}
 * @param multiplier growth per attempt, at least 1
 * @param jitter     relative spread, 0 (none) to 1
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {
    /** 100 ms, doubling, capped at 10 s, jitter 0.2. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 2.0, 0.2);

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial backoff must be positive: " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max backoff " + max + " is below initial " + initial);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number >= 1: " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be within [0, 1]: " + jitter);
        }
    }

    /** Exponential backoff from {@code initial} to {@code max}, doubling, jitter 0.2. */
    public static Backoff exponential(Duration initial, Duration max) {
        return new Backoff(initial, max, 2.0, 0.2);
    }

    /** The delay in nanoseconds before attempt {@code attempt} (1-based), given a uniform {@code unit} in [0, 1). */
    public long delayNanos(int attempt, double unit) {
        double base = initial.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, max.toNanos());
        double factor = 1.0 + jitter * (2.0 * unit - 1.0);
        return Math.max(1L, (long) (capped * factor));
    }
}
