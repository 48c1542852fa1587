package dev.labwire.mock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The sessions of one {@link MockInstrument}: those open now (pushes and {@code resume()} reach them), those started
 * and not yet joined (its {@code close()} waits for their threads), and the counts of connections and restarts that
 * tests wait for ({@code awaitConnections}, {@code awaitRestarts}).
 *
 * <p>Separate from {@code MockInstrument}, whose public methods script what the instrument answers, because this is
 * the bookkeeping its links share across threads (accept and pty threads add sessions, session threads remove
 * themselves, test threads wait on the counts). Thread-safe.
 */
final class SessionTable {
    private final Set<Session> sessions = new CopyOnWriteArraySet<>();
    private final List<Session> ended = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Object counts = new Object();   // notified when connections or restarts go up
    private int restarts;                           // guarded by counts

    /** Counts {@code s} as a connection, keeps it to join on close, and starts it as an open session. */
    void start(Session s) {
        countConnection();
        synchronized (ended) {
            ended.removeIf(e -> e.isClosed() && !e.isAlive());
            ended.add(s);
        }
        sessions.add(s);
        s.start();
    }

    /** One more connection (also one closed as soon as accepted). */
    void countConnection() {
        synchronized (counts) {
            connections.incrementAndGet();
            counts.notifyAll();
        }
    }

    /** One more restart. */
    void countRestart() {
        synchronized (counts) {
            restarts++;
            counts.notifyAll();
        }
    }

    int connectionCount() {
        return connections.get();
    }

    int restartCount() {
        synchronized (counts) {
            return restarts;
        }
    }

    /** Sessions open now. */
    int openCount() {
        return sessions.size();
    }

    boolean hasSessions() {
        return !sessions.isEmpty();
    }

    void sessionEnded(Session s) {
        sessions.remove(s);
    }

    void closeSessions() {
        for (Session s : sessions) {
            s.close();
        }
    }

    /** Sends {@code bytes} (not copied) to every open session, between replies. */
    void push(byte[] bytes) {
        for (Session s : sessions) {
            s.push(bytes);
        }
    }

    /** Ends a stall on every open session. */
    void resume() {
        for (Session s : sessions) {
            s.resume();
        }
    }

    /** Every session started and not yet found ended, for {@link #join}. */
    List<Session> started() {
        synchronized (ended) {
            return new ArrayList<>(ended);
        }
    }

    /** Waits for the threads of {@code all}, up to 5 s each. */
    static void join(List<Session> all) throws InterruptedException {
        for (Session s : all) {
            s.join(5000);
        }
    }

    void awaitRestarts(int n, Duration timeout, Supplier<String> endpoint) {
        await(n, timeout, "restarts", () -> restarts, endpoint);
    }

    void awaitConnections(int n, Duration timeout, Supplier<String> endpoint) {
        await(n, timeout, "connections", connections::get, endpoint);
    }

    private void await(int n, Duration timeout, String what, IntSupplier count, Supplier<String> endpoint) {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (counts) {
            while (count.getAsInt() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("mock instrument " + endpoint.get() + ": " + count.getAsInt() + " "
                            + what + ", not " + n + ", within " + timeout.toMillis() + " ms");
                }
                try {
                    java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(counts, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + n + " " + what, e);
                }
            }
        }
    }
}
