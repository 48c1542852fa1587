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

    /** Waits up to 3 s for {@code t} to end; nothing for null or the current thread. */
    static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(TimeUnit.SECONDS.toMillis(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
