package dev.labwire.blocking.internal;

import java.util.concurrent.TimeUnit;

/** The driver's thread helpers. */
final class Threads {
    private Threads() {
    }

    /** A daemon thread named {@code name} running {@code r}, not started. */
    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Waits for each of {@code threads} to end until {@code deadlineNanos} ({@link System#nanoTime()} scale) at the
     * latest; skips nulls and the current thread. Keeps the caller's interrupt status.
     */
    static void joinAll(long deadlineNanos, Thread... threads) {
        boolean interrupted = false;
        for (Thread t : threads) {
            if (t == null || t == Thread.currentThread()) {
                continue;
            }
            while (t.isAlive()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
                } catch (InterruptedException e) {
                    interrupted = true; // close() still ends its threads; the interrupt is kept for the caller
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
