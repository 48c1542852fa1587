package dev.labwire.blocking.internal;

import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Who reads a TCP link: callers read their own replies (leader/follower), the reader thread reads when nobody calls.
 *
 * <p>Theory of operation. A reply read by the reader thread and handed to the waiting caller costs two thread
 * wake-ups per round trip (the reader, then the caller) where a hand-written java.net client has one: it is blocked
 * in {@code read} itself (docs/BENCHMARKS.md, "Causes and fixes"). So on a TCP link one thread at a time holds the
 * link's <em>read role</em> ({@link LinkIo}), and a caller waiting for its reply takes it when it is free:
 * <pre>
 *   caller: submit, write its own request, then until its call ended:
 *     role free (or handed to it)  -> read the socket itself: select (min(left to its deadline, 20 ms)), read;
 *                                     bytes go to the driver under the lock exactly as from the reader thread,
 *                                     which ends its call and those of other callers (pipelined replies)
 *     role held by another         -> park, queued; woken by its call's ending or by the role handed to it
 *   its call ended, or its deadline passed, or it was interrupted: gives the role back, and it is offered on at
 *   once ({@link #offerLocked}): to the first queued caller, else to the reader thread if a caller that may not
 *   read waits, else nobody (after IDLE_NANOS the reader thread watches the link and takes the role only when input
 *   comes while it is still free)
 * </pre>
 * Callers that may not read wait for their ending as before: virtual threads (not tried yet with the NIO link: a
 * virtual thread waiting in a selector holds its carrier), serial links (their reader thread always reads), and calls
 * that expect no reply (a write ends when its bytes are out, which a reading caller would not see until its read ends;
 * a write the device acknowledges, {@code ConnectionConfig.writeAcknowledgement}, awaits its answer as a query does).
 *
 * <p>Bounds. A reading caller's read ends by its own deadline (its call is ended then by the driver thread), and at
 * least every {@link #SLICE_NANOS}; an interrupt ends its wait in the selector at once, and it cancels its call as
 * a waiting one does. A read error or end of stream drops the link through the same
 * sink calls as on the reader thread; {@code close()} closes the socket, which ends the read at once. Every caller
 * is queued at most once, and leaves the queue when its call ends: the queue is bounded by the callers waiting.
 *
 * <p>Everything here is guarded by the driver's lock, except the waiting and reading in {@link #awaitReading}.
 */
final class ReadRole {
    /**
     * How long the read role stays free before the reader thread watches the link for input (taking the role only
     * when input comes while it is still free): 2 ms. Long enough that a caller sending
     * its next request right after the last reply (within microseconds) finds the role free and never wakes the reader
     * thread; short enough that a pushed frame or an end of stream arriving when nobody calls is seen soon (within
     * {@link #HELD_RECHECK_NANOS} plus this after the last call).
     */
    static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /**
     * How often the reader thread looks again while a caller holds the role: 20 ms. Each busy client's reader thread
     * wakes 50 times a second (at 2 ms, 100 busy blocking clients on two CPUs woke 50,000 times a second and halved
     * their throughput); a pushed frame or an end of stream after the last call is seen within about 22 ms.
     */
    static final long HELD_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    /** The longest single wait of a reading caller before it looks at its call again (20 ms). */
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final BlockingDriver d;
    private final boolean tcp;
    private final ArrayDeque<Calls.Call> queue = new ArrayDeque<>(); // parked callers that may read, first come first
    // callers waiting for a reply that may not read (virtual threads); raised under the lock (it may make the reader
    // thread take the role), lowered without it (one fewer never asks anything of the role)
    private final java.util.concurrent.atomic.AtomicInteger blind = new java.util.concurrent.atomic.AtomicInteger();
    // with the lock held, while a reading caller hands what it read to the driver: callers to wake once it let go of
    // the lock (woken under the lock, each would run at once on a busy CPU only to wait for the lock: a convoy)
    private boolean deferWakes;
    private final java.util.ArrayList<Thread> toWake = new java.util.ArrayList<>();
    private final java.util.ArrayList<Calls.Call> toComplete = new java.util.ArrayList<>(); // and their endings:
    private final java.util.ArrayList<Event> endings = new java.util.ArrayList<>();
    private final LinkIo.AfterDelivery<Calls.Call> afterCallerRead = this::afterCallerReadLocked; // made once

    /**
     * What a thread that handed received bytes to the driver does once it let go of the lock: completes the calls of
     * callers waiting without reading (virtual threads: completing under the lock woke each on its carrier only for it
     * to wait for the lock) and wakes the parked reading callers ({@link #deferLocked}).
     */
    record Deferred(Calls by, Calls.Call[] calls, Event[] endings, Thread[] wake) {
        void run() {
            for (int i = 0; i < calls.length; i++) {
                by.complete(calls[i], endings[i]);
            }
            for (Thread t : wake) {
                LockSupport.unpark(t);
            }
        }
    }

    /**
     * With the lock held, before a delivery of received bytes: until {@link #endDeferLocked}, wake-ups of parked
     * callers and the completion of calls whose callers wait without reading are put off until the lock is let go.
     */
    void deferLocked() {
        deferWakes = true;
    }

    /** With the lock held: stops deferring; what to do after letting go of the lock ({@link Deferred#run}), or null. */
    Deferred endDeferLocked() {
        deferWakes = false;
        if (toWake.isEmpty() && toComplete.isEmpty()) {
            return null;
        }
        Deferred later = new Deferred(d.calls, toComplete.toArray(new Calls.Call[0]), endings.toArray(new Event[0]),
                toWake.toArray(new Thread[0]));
        toWake.clear();
        toComplete.clear();
        endings.clear();
        return later;
    }

    /**
     * With the lock held: whether the completion of {@code c} with {@code e} is put off until the lock is let go (true
     * only while deferring, for a caller that waits without reading: nothing it does depends on the lock first).
     */
    boolean deferCompletionLocked(Calls.Call c, Event e) {
        if (!deferWakes || !c.waitsBlind()) {
            return false;
        }
        toComplete.add(c);
        endings.add(e);
        return true;
    }
    private long callerReads; // reads by callers, reads by reader threads, roles handed to a queued caller (tests, logs)
    private long readerReads;
    private long handOffs;

    ReadRole(BlockingDriver d, boolean tcp) {
        this.d = d;
        this.tcp = tcp;
    }

    /** What this driver's links were read by so far. */
    record Stats(long callerReads, long readerReads, long handOffs) {
    }

    Stats stats() {
        d.lock.lock();
        try {
            return new Stats(callerReads, readerReads, handOffs);
        } finally {
            d.lock.unlock();
        }
    }

    /** With the lock held: a reader thread read once. */
    void readerReadLocked() {
        readerReads++;
    }

    /** Whether {@code c} ends by an answer of the device: a query, or a write the device acknowledges. */
    private boolean awaitsAnswer(Calls.Call c) {
        return c.request().expect() != Expect.nothing() || d.config.acknowledges(c.request());
    }

    /** Whether the caller of {@code c} may read the link while it waits for it: a platform thread, on TCP, for a reply. */
    boolean mayRead(Calls.Call c) {
        return tcp && awaitsAnswer(c) && !c.virtual();
    }

    /**
     * A caller that may not read starts waiting for {@code c} (takes the lock): while it waits, a free role goes to
     * the reader thread at once. False when it need not be counted (not TCP, or no reply expected).
     */
    boolean blindWaitLocking(Calls.Call c, boolean watch) {
        if (!tcp || !awaitsAnswer(c)) {
            return false;
        }
        d.lock.lock();
        try {
            blind.incrementAndGet();
            offerLocked();
            if (watch && d.calls.watchLocked(c)) {
                d.pump.timersChangedLocked(); // the driver thread may now have to look earlier
            }
        } finally {
            d.lock.unlock();
        }
        return true;
    }

    /** The caller counted by {@link #blindWaitLocking} stopped waiting. */
    void blindDone() {
        blind.decrementAndGet();
    }

    /**
     * With the lock held: if the current link's role is free, hands it to the first queued caller (woken), else to
     * the reader thread when a caller that may not read waits; else leaves it free.
     */
    void offerLocked() {
        LinkIo io = d.pump.ioLocked();
        if (io == null || !io.freeLocked()) {
            return;
        }
        Calls.Call next = queue.poll();
        if (next != null) {
            next.queued = false;
            next.granted = true;
            handOffs++;
            io.grantLocked(next);
            wakeLocked(next.parked);
        } else if (blind.get() > 0) {
            io.grantReaderLocked();
        }
    }

    /** With the lock held, when call {@code c} ended: its caller leaves the queue and is woken if parked. */
    void endedLocked(Calls.Call c) {
        if (c.queued) {
            queue.remove(c);
            c.queued = false;
        }
        Thread t = c.parked;
        if (t != null) {
            c.parked = null;
            wakeLocked(t);
        }
    }

    /** With the lock held: wakes {@code t} now, or once the lock is let go during a reading caller's delivery. */
    private void wakeLocked(Thread t) {
        if (t == null) {
            return;
        }
        if (deferWakes) {
            toWake.add(t);
        } else {
            LockSupport.unpark(t);
        }
    }

    /**
     * Waits for {@code c} to end, reading the link whenever this caller holds the read role; returns the ending
     * event, or throws as {@link Calls#await} does (cancelled when interrupted, a labwire bug past the slack).
     */
    Event awaitReading(Calls.Call c) {
        Thread me = Thread.currentThread();
        boolean holding = false; // this caller holds the role of some link (it gives it back before it returns)
        boolean parkedEver = false;
        try {
            while (true) {
                if (c.future().isDone()) {
                    return c.future().getNow(null);
                }
                LinkIo io;
                long left;
                d.lock.lock();
                try {
                    if (c.future().isDone()) {
                        return c.future().getNow(null);
                    }
                    if (me.isInterrupted()) {
                        throw d.calls.cancel(c); // the finally gives the role back
                    }
                    left = c.deadline() - System.nanoTime();
                    io = d.pump.ioLocked();
                    if (left > 0 && io != null && io.takeLocked(c)) {
                        holding = true;
                        leaveQueueLocked(c);
                    } else {
                        if (io != null && io.releaseLocked(c)) { // past its deadline: the driver thread ends the call
                            offerLocked();
                        }
                        io = null;
                        c.parked = me;
                        parkedEver = true;
                        if (left <= 0) {
                            leaveQueueLocked(c); // it only waits for its ending now
                            c.parked = me;
                        } else if (!c.queued) {
                            queue.add(c);
                            c.queued = true;
                        }
                    }
                } finally {
                    d.lock.unlock();
                }
                if (io == null) {
                    if (left <= -Calls.slackNanos()) {
                        throw d.calls.noEnding(c);
                    }
                    LockSupport.parkNanos(this, left > 0 ? left : left + Calls.slackNanos());
                    continue;
                }
                holding = readOnce(c, io, left);
            }
        } finally {
            // also when the call ended meanwhile: the role may have been handed to this caller (offerLocked) just
            // as its call ended, and must be given back and offered on, or nobody would read the link again
            // a caller whose call ended while it waited was taken out of the queue and un-marked by that ending
            // (endedLocked), and can no longer be handed the role: it leaves without the lock unless it was handed
            // the role before (granted: seen here through the future's completion, which came after)
            if (holding || parkedEver && !(c.future().isDone() && !c.granted)) {
                d.lock.lock();
                try {
                    leaveQueueLocked(c);
                    c.parked = null;
                    LinkIo io = d.pump.ioLocked();
                    if (io != null && io.releaseLocked(c)) {
                        offerLocked();
                    }
                } finally {
                    d.lock.unlock();
                }
            }
        }
    }

    /** One read by the caller of {@code c} holding the role of {@code io}; true while it still holds the role. */
    private boolean readOnce(Calls.Call c, LinkIo io, long left) {
        int n = 0;
        Throwable err = null;
        try {
            n = io.readAsCaller(millis(Math.min(left, SLICE_NANOS)));
        } catch (IOException | RuntimeException e) {
            err = e;
        }
        return io.deliverRead(n, err, c, afterCallerRead);
    }

    /** A reading caller after its read: it reads again while its call has not ended, else lets go of the role. */
    private boolean afterCallerReadLocked(LinkIo io, boolean open, Calls.Call c) {
        callerReads++;
        if (open && !c.future().isDone()) {
            return true; // keep reading: a slice ended, or other callers' replies came
        }
        if (io.releaseLocked(c)) {
            offerLocked();
        }
        return false;
    }

    private void leaveQueueLocked(Calls.Call c) {
        c.parked = null;
        if (c.queued) {
            queue.remove(c);
            c.queued = false;
        }
    }

    /** {@code nanos} (positive) in whole milliseconds, rounded up: a read never ends before the deadline it serves. */
    private static int millis(long nanos) {
        long ms = (nanos + 999_999) / 1_000_000;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }
}
