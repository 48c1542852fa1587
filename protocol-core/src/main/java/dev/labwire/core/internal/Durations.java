package dev.labwire.core.internal;

import java.time.Duration;

/**
 * Duration and deadline arithmetic that cannot overflow, shared by the core and both drivers. A {@link Duration}
 * may be as long as {@code ChronoUnit.FOREVER.getDuration()}, whose {@code toNanos()} throws; here every
 * duration of 292 years or more counts as {@link Long#MAX_VALUE} nanoseconds, and a deadline that would pass
 * {@code Long.MAX_VALUE} is held at {@link #NEVER}.
 */
public final class Durations {
    /** The latest deadline: a deadline that would overflow is held here. {@code Long.MAX_VALUE} itself means "none". */
    public static final long NEVER = Long.MAX_VALUE - 1;

    private Durations() {
    }

    /** {@code d} in nanoseconds, {@link Long#MAX_VALUE} when it does not fit; {@code d} must not be negative. */
    public static long nanos(Duration d) {
        if (d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) {
            return Long.MAX_VALUE;
        }
        return d.toNanos();
    }

    /** {@code d} in milliseconds, {@link Long#MAX_VALUE} when it does not fit (for messages and APIs in ms). */
    public static long millis(Duration d) {
        if (d.getSeconds() >= Long.MAX_VALUE / 1_000L) {
            return Long.MAX_VALUE;
        }
        return d.toMillis();
    }

    /** {@code now + nanos} ({@code nanos >= 0}), held at {@link #NEVER} where it would overflow. */
    public static long deadline(long now, long nanos) {
        long d = now + nanos;
        if (((now ^ d) & (nanos ^ d)) < 0 || d > NEVER) {
            return NEVER;
        }
        return d;
    }

    /** {@code now + d}, held at {@link #NEVER} where it would overflow. */
    public static long deadline(long now, Duration d) {
        return deadline(now, nanos(d));
    }

    /**
     * Checks a setting that must be positive; names it in the exception.
     *
     * @throws IllegalArgumentException when {@code d} is zero or negative
     * @throws NullPointerException     when {@code d} is null
     */
    public static Duration positive(String setting, Duration d) {
        if (d == null) {
            throw new NullPointerException(setting + " is null");
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(setting + " must be positive: " + d);
        }
        return d;
    }

    /**
     * Checks a setting that may be zero but not negative; names it in the exception.
     *
     * @throws IllegalArgumentException when {@code d} is negative
     * @throws NullPointerException     when {@code d} is null
     */
    public static Duration notNegative(String setting, Duration d) {
        if (d == null) {
            throw new NullPointerException(setting + " is null");
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(setting + " must not be negative: " + d);
        }
        return d;
    }

    /** A duration for messages: "250 ms", "5 s", "forever" for a hundred years and more. */
    public static String show(Duration d) {
        if (d.getSeconds() >= 100L * 365 * 86_400) {
            return "forever";
        }
        long ms = millis(d);
        if (ms >= 10_000 && ms % 1000 == 0) {
            return ms / 1000 + " s";
        }
        return ms + " ms";
    }
}
