package dev.labwire.mock;

import dev.labwire.core.hislip.LockResult;
import java.util.HashSet;
import java.util.Set;

/**
 * The locks of a {@link MockHislip} server, shared by its sessions (IVI-6.1 section 6.5, with VISA's lock
 * semantics): one exclusive lock, and at most one named shared lock held by any number of sessions. A session may
 * take the exclusive lock when no other session holds the exclusive lock or the shared lock, and the shared lock
 * (of the same name as its current holders) when no other session holds the exclusive lock. A request that
 * cannot be granted waits up to its timeout; asking again for a lock already held, or releasing a lock not held,
 * is an error. A session that ends drops its locks. While a session holds the exclusive lock, the Data, DataEnd and
 * Trigger messages of every other session are held until it is released ({@link #awaitAccess}); a shared lock holds
 * nobody back.
 */
final class HislipLocks {

    private int exclusive = -1;                       // session id, -1: none
    private String sharedName;                        // null: no shared lock
    private final Set<Integer> shared = new HashSet<>();
    private int held;                                 // sessions waiting in awaitAccess

    /** Asks for the exclusive lock ({@code name} empty) or the shared lock {@code name}; waits up to the timeout. */
    synchronized LockResult request(int session, String name, long timeoutMillis) throws InterruptedException {
        boolean wantExclusive = name.isEmpty();
        if (wantExclusive ? exclusive == session : shared.contains(session)) {
            return LockResult.ERROR;
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!grantable(session, name)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return LockResult.FAILURE;
            }
            wait(Math.max(1, left / 1_000_000L));
        }
        if (wantExclusive) {
            exclusive = session;
        } else {
            sharedName = name;
            shared.add(session);
        }
        return LockResult.SUCCESS;
    }

    private boolean grantable(int session, String name) {
        boolean otherExclusive = exclusive >= 0 && exclusive != session;
        if (name.isEmpty()) {
            return !otherExclusive && (shared.isEmpty() || shared.equals(Set.of(session)));
        }
        return !otherExclusive && (sharedName == null || sharedName.equals(name));
    }

    /** Releases the session's exclusive lock if it holds it, else its shared lock. */
    synchronized LockResult release(int session) {
        if (exclusive == session) {
            exclusive = -1;
            notifyAll();
            return LockResult.SUCCESS;
        }
        if (shared.remove(session)) {
            if (shared.isEmpty()) {
                sharedName = null;
            }
            notifyAll();
            return LockResult.SUCCESS_SHARED;
        }
        return LockResult.ERROR;
    }

    /**
     * Waits while another session holds the exclusive lock (IVI-6.1 6.5: the server does not act on a client's
     * Data, DataEnd or Trigger while another client holds the exclusive lock; they are held, not refused, until it is
     * released). Returns false when {@code gone} says the waiting session ended meanwhile.
     */
    synchronized boolean awaitAccess(int session, java.util.function.BooleanSupplier gone) throws InterruptedException {
        while (exclusive >= 0 && exclusive != session) {
            if (gone.getAsBoolean()) {
                return false;
            }
            held++;
            try {
                wait(50);
            } finally {
                held--;
            }
        }
        return !gone.getAsBoolean();
    }

    /** Sessions whose sync messages wait for another session's exclusive lock now. */
    synchronized int heldSessions() {
        return held;
    }

    /** Drops every lock of an ended session. */
    synchronized void drop(int session) {
        if (exclusive == session) {
            exclusive = -1;
        }
        if (shared.remove(session) && shared.isEmpty()) {
            sharedName = null;
        }
        notifyAll();
    }

    synchronized boolean exclusiveGranted() {
        return exclusive >= 0;
    }

    /** Sessions holding the exclusive or the shared lock. */
    synchronized int holders() {
        Set<Integer> all = new HashSet<>(shared);
        if (exclusive >= 0) {
            all.add(exclusive);
        }
        return all.size();
    }

    /** The session holding the exclusive lock, -1 if none. */
    synchronized int exclusiveHolder() {
        return exclusive;
    }
}
