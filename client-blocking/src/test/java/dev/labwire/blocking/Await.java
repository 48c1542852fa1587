package dev.labwire.blocking;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline (tests never sleep for a fixed time to wait for something). */
final class Await {
    private Await() {
    }

    static void until(Duration deadline, BooleanSupplier condition, String what) {
        until(deadline, condition, () -> what);
    }

    /** As above, with the failure message made when the deadline passed (so that it can show the last value). */
    static void until(Duration deadline, BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + deadline + ": " + what.get());
            }
            LockSupport.parkNanos(2_000_000); // poll interval of the condition, not a wait for it
        }
    }
}
