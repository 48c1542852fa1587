package dev.labwire.blocking.internal;

import dev.labwire.core.Overflow;
import dev.labwire.core.internal.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * Driver settings that are not the core's: the pushed-frame queues and the on-connect hook's deadline.
 *
 * @param pushedCapacity frames each pushed-frame queue holds (the poll queue, each consumer's), at least 1
 * @param pushedOverflow what a full pushed-frame queue does
 * @param hookTimeout    how long an on-connect hook may run before it counts as failed
 */
public record DriverOptions(int pushedCapacity, Overflow pushedOverflow, Duration hookTimeout) {
    /** 1024 frames, {@link Overflow#DROP_OLDEST}, 10 s. */
    public static final DriverOptions DEFAULT = new DriverOptions(1024, Overflow.DROP_OLDEST, Duration.ofSeconds(10));

    public DriverOptions {
        if (pushedCapacity < 1) {
            throw new IllegalArgumentException("pushedQueueCapacity must be at least 1: " + pushedCapacity);
        }
        Objects.requireNonNull(pushedOverflow, "pushedOverflow");
        Durations.positive("hookTimeout", hookTimeout);
    }
}
