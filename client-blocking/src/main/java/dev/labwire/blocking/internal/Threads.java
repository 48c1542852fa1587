package dev.labwire.blocking.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeUnit;

/** The driver's thread helpers. */
final class Threads {
    /** {@code Thread.isVirtual()} (JDK 21+), found without compiling against it; null on older JDKs. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    private Threads() {
    }

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null; // JDK 17-20: every thread is a platform thread
        }
    }

    /** Whether {@code t} is a virtual thread (always false before JDK 21). */
    static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            throw new IllegalStateException("Thread.isVirtual() failed", e);
        }
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
