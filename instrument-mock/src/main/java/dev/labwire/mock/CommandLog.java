package dev.labwire.mock;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The commands a mock received, bounded: the last {@code limit} are kept, older ones fall out and are counted.
 * The kept commands are the taken ones followed by the untaken ones; the oldest fall out first, so an untaken
 * command falls out only when every taken one has, and one count covers both {@link #all()} and {@link #take}.
 */
final class CommandLog {

    /** The default number of commands kept. */
    static final int DEFAULT_LIMIT = 10_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<String> taken = new ArrayDeque<>();
    private final ArrayDeque<String> untaken = new ArrayDeque<>();
    private int limit = DEFAULT_LIMIT;
    private long received;
    private long dropped;

    /** Keeps at most {@code limit} commands from now on, dropping the oldest at once if there are more. */
    void limit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the command log must keep at least 1 command: " + limit);
        }
        lock.lock();
        try {
            this.limit = limit;
            trim();
        } finally {
            lock.unlock();
        }
    }

    int limit() {
        lock.lock();
        try {
            return limit;
        } finally {
            lock.unlock();
        }
    }

    void add(String command) {
        lock.lock();
        try {
            untaken.addLast(command);
            received++;
            trim();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void trim() {
        while (taken.size() + untaken.size() > limit) {
            (taken.isEmpty() ? untaken : taken).removeFirst();
            dropped++;
        }
    }

    /** The oldest untaken command, waiting up to {@code timeout}; null when none came. */
    String take(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (untaken.isEmpty()) {
                if (left <= 0) {
                    return null;
                }
                left = arrived.awaitNanos(left);
            }
            String c = untaken.removeFirst();
            taken.addLast(c);
            return c;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The oldest untaken command, waiting up to 5 s ({@link MockInstrument#takeCommand()}).
     *
     * @throws IllegalStateException when none came within 5 s, naming the last ones (or the thread was interrupted)
     */
    String takeWithinFiveSeconds() {
        try {
            String c = take(Duration.ofSeconds(5));
            if (c == null) {
                throw new IllegalStateException("no command reached the mock within 5 s; the last ones: "
                        + newest(20));
            }
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a command", e);
        }
    }

    /** Every kept command, oldest first. */
    List<String> all() {
        return newest(Integer.MAX_VALUE);
    }

    /** The newest {@code n} kept commands, oldest first. */
    List<String> newest(int n) {
        lock.lock();
        try {
            List<String> all = new ArrayList<>(taken.size() + untaken.size());
            all.addAll(taken);
            all.addAll(untaken);
            return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
        } finally {
            lock.unlock();
        }
    }

    long received() {
        lock.lock();
        try {
            return received;
        } finally {
            lock.unlock();
        }
    }

    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }
}
