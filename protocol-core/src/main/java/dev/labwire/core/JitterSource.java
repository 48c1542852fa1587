package dev.labwire.core;

/**
 * Where the reconnect jitter comes from: uniform numbers in [0, 1). Injectable so that tests see a fixed
 * schedule. The default is a {@link java.util.SplittableRandom} seeded per connection.
 */
@FunctionalInterface
public interface JitterSource {
    /** The next uniform number in [0, 1). */
    double nextUnit();

    /** Always {@code value}; {@code 0.5} gives the backoff without jitter. */
    static JitterSource fixed(double value) {
        if (!(value >= 0.0 && value < 1.0)) {
            throw new IllegalArgumentException("jitter unit must be within [0, 1): " + value);
        }
        return () -> value;
    }
}
