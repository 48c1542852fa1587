package dev.labwire.testsupport.clients;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline (tests never sleep for a fixed time to wait for something). */
public final class Await {
    private Await() {
    }

    public static void until(Duration deadline, BooleanSupplier condition, String what) {
        until(deadline, condition, () -> what);
    }

    /** As above; {@code what} is asked when the deadline passed, so it may describe the state then. */
    public static void until(Duration deadline, BooleanSupplier condition, Supplier<String> what) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + deadline + ": " + what.get());
            }
            LockSupport.parkNanos(2_000_000); // poll interval of the condition, not a wait for it
        }
    }
}
