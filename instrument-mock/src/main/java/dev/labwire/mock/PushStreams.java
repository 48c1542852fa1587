package dev.labwire.mock;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pushed streams of a {@link MockInstrument}: periodic ones on one scheduler thread, and floods on a thread
 * each. A push writes under each connection's write lock like any push, so a flood goes as fast as the link
 * takes it and no faster: when the client stops reading, the write blocks and nothing piles up in the mock.
 */
final class PushStreams {

    private static final Logger log = LoggerFactory.getLogger(PushStreams.class);
    private static final long FLOOD_STOP_WAIT_MILLIS = 1000;

    private final MockInstrument owner;
    private final Set<Flood> floods = new CopyOnWriteArraySet<>();   // not yet seen ended
    /** Floods wait on it for a client. Never held while calling out: the link sides call in with their locks. */
    private final Object clientCame = new Object();
    private ScheduledThreadPoolExecutor scheduler;   // guarded by this
    private boolean closed;                          // guarded by this

    PushStreams(MockInstrument owner) {
        this.owner = owner;
    }

    AutoCloseable every(Duration period, Supplier<String> next) {
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("push period must be positive: " + period);
        }
        String threadName = "mock-push " + owner.endpoint();
        ScheduledFuture<?> task;
        synchronized (this) {
            checkOpen();
            if (scheduler == null) {
                ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, threadName);
                    t.setDaemon(true);
                    return t;
                });
                p.setRemoveOnCancelPolicy(true);
                scheduler = p;
            }
            task = scheduler.scheduleAtFixedRate(() -> {
                if (owner.sessions().hasSessions()) {
                    owner.push(next.get());
                }
            }, 0, period.toNanos(), TimeUnit.NANOSECONDS);
        }
        return () -> task.cancel(false);
    }

    AutoCloseable flood(Supplier<String> next) {
        Objects.requireNonNull(next, "next");
        Flood f = new Flood(next, "mock-flood " + owner.endpoint());
        synchronized (this) {
            checkOpen();
            floods.add(f);
        }
        f.thread.start();
        return f;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("mock instrument is closed");
        }
    }

    /** A connection came: wakes the floods waiting for one. */
    void sessionStarted() {
        synchronized (clientCame) {
            clientCame.notifyAll();
        }
    }

    /** Stops every stream; a flood blocked on a full link ends when its link closes. */
    void stop() {
        ScheduledThreadPoolExecutor p;
        synchronized (this) {
            closed = true;
            p = scheduler;
        }
        for (Flood f : floods) {
            f.stop();
        }
        if (p != null) {
            p.shutdownNow();
        }
    }

    /** Waits for the stream threads to end, after {@link #stop()} and after the links are closed. */
    void await() throws InterruptedException {
        ScheduledThreadPoolExecutor p;
        synchronized (this) {
            p = scheduler;
        }
        if (p != null) {
            p.awaitTermination(5, TimeUnit.SECONDS);
        }
        for (Flood f : floods) {
            f.thread.join(5000);
            if (!f.thread.isAlive()) {
                floods.remove(f);
            }
        }
    }

    /** One flood: a thread that pushes {@code next.get()} while a client is connected, until closed. */
    private final class Flood implements AutoCloseable {
        private final Supplier<String> next;
        private final Thread thread;
        private volatile boolean stopped;

        Flood(Supplier<String> next, String threadName) {
            this.next = next;
            this.thread = new Thread(this::run, threadName);
            thread.setDaemon(true);
        }

        private void run() {
            try {
                while (awaitClient()) {
                    owner.push(next.get());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.warn("mock push flood on {} ended: its supplier failed: {}", owner.endpoint(), e.toString());
            }
        }

        /** Waits while nobody is connected; false once stopped. */
        private boolean awaitClient() throws InterruptedException {
            synchronized (clientCame) {
                while (!stopped && !owner.sessions().hasSessions()) {
                    clientCame.wait(100); // a connection notifies; the timeout only guards a missed one
                }
                return !stopped;
            }
        }

        void stop() {
            synchronized (clientCame) {
                stopped = true;
                clientCame.notifyAll();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
            if (Thread.currentThread() != thread) {
                thread.join(FLOOD_STOP_WAIT_MILLIS);
                if (!thread.isAlive()) {
                    floods.remove(this);
                }
            }
        }
    }
}
