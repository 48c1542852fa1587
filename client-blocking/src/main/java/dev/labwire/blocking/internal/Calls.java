package dev.labwire.blocking.internal;

import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.internal.Deadlines;
import dev.labwire.core.internal.Durations;
import dev.labwire.core.internal.Outcomes;
import dev.labwire.core.frame.Frame;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls callers wait on, by the core's request id, and how they end. Guarded by the driver's lock, except
 * {@link #await}, which waits outside it.
 *
 * <p><b>Writes end when their bytes are out.</b> The core ends a request expecting nothing as soon as its bytes are
 * handed to the driver; the driver holds that reply until the writer reports the batch holding them written, fails
 * it if the link breaks first, and times it out at the caller's deadline (the bytes may still go out; the link is
 * renewed only if the write then makes no progress for a while: {@link Pump}, stuck writer).
 *
 * <p><b>An interrupted call is withdrawn</b> when its bytes have not gone out ({@code LinkMachine.cancel}): it never
 * reaches the device. One already written ends at once; its late reply goes to the stale-reply policy.
 */
final class Calls {
    private static final Logger LOG = LoggerFactory.getLogger(Calls.class);
    private static final long SLACK_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** One caller's request: {@code batchAtSubmit} is the last batch gathered before it was sent. */
    static final class Call {
        private final long id;
        private final Request request;
        private final Duration timeout;
        private final long deadline;
        private final long batchAtSubmit;
        private final boolean virtual; // its caller (the thread that sent it and waits for it) is a virtual thread
        private final CompletableFuture<Event> future = new CompletableFuture<>();
        // guarded by the driver's lock, kept by ReadRole: the caller parked waiting for the read role or its ending
        Thread parked;
        boolean queued; // in ReadRole's queue of callers that may read
        boolean granted; // was handed the read role by another (ReadRole#offerLocked), under the lock
        // whether its caller counts in Calls#returning (see there): NOT_AWAITED -> AWAITED (the caller waits) ->
        // WOKEN (ended while awaited: counted) -> LEFT (its await returned; uncounted if it was WOKEN)
        private volatile int await;
        private volatile boolean blind; // its caller waits for the ending without reading (awaitEnding)
        boolean watched; // under the lock: its caller, a virtual thread, waits without a time bound (Calls#watchLocked)

        final Batch batch; // null for one request; else the batch this call stands for (id -1, request its first)

        Call(long id, Request request, Duration timeout, long deadline, long batchAtSubmit, boolean virtual) {
            this(id, request, timeout, deadline, batchAtSubmit, virtual, null);
        }

        Call(long id, Request request, Duration timeout, long deadline, long batchAtSubmit, boolean virtual, Batch batch) {
            this.batch = batch;
            this.id = id;
            this.request = request;
            this.timeout = timeout;
            this.deadline = deadline;
            this.batchAtSubmit = batchAtSubmit;
            this.virtual = virtual;
        }

        long id() {
            return id;
        }

        Request request() {
            return request;
        }

        Duration timeout() {
            return timeout;
        }

        long deadline() {
            return deadline;
        }

        long batchAtSubmit() {
            return batchAtSubmit;
        }

        CompletableFuture<Event> future() {
            return future;
        }

        /** Whether its caller, the thread that sent it and waits for it, is a virtual thread (asked once, when sent). */
        boolean virtual() {
            return virtual;
        }

        /** Whether its caller waits in {@link Calls#awaitEnding} (the future's completion wakes it). */
        boolean waitsBlind() {
            return blind;
        }
    }

    private static final int NOT_AWAITED = 0;
    private static final int AWAITED = 1;
    private static final int WOKEN = 2;
    private static final int LEFT = 3;
    private static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<Call> AWAIT =
            java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(Call.class, "await");

    private final BlockingDriver d;
    /**
     * Callers whose call ended while they waited and whose wait has not returned yet: they are about to run (woken
     * by that ending), and a caller of a busy client usually sends its next request right then. A request sent while
     * this is above zero waits a little for them before its bytes go out, so that their requests go in the same write
     * ({@link BlockingDriver}, write corking). Exact: each such caller adds one when its call ends and takes it away
     * when its wait returns, whichever way it returns.
     */
    private final java.util.concurrent.atomic.AtomicInteger returning = new java.util.concurrent.atomic.AtomicInteger();
    /**
     * The earliest time by which a watched call (its caller a virtual thread waiting without a time bound) may have
     * outlived its deadline plus {@link #SLACK_NANOS}; {@link Long#MAX_VALUE} when none is watched. Kept lazily: a call
     * that ended leaves it as it was, and {@link #checkSlackLocked} recomputes it when it is due.
     */
    private long slackDue = Long.MAX_VALUE;
    private final LongTable<Call> byId = new LongTable<>();
    /**
     * Batches whose requests are found by their consecutive ids ({@link Batch#pendingId}) rather than by an entry
     * each in {@link #byId}: one per caller waiting in {@code queryAll}, each left when its last request ends.
     */
    private final java.util.ArrayList<Batch> ranged = new java.util.ArrayList<>();
    private final Map<Long, Long> heldUntilBatch = new LinkedHashMap<>(); // write id -> batch that must be out first
    private final Map<Long, Event.Reply> held = new HashMap<>();
    private final Deadlines heldDeadlines = new Deadlines();

    Calls(BlockingDriver d) {
        this.d = d;
    }

    /** With the lock held, on the caller's thread (which later {@link #await}s it): {@code r}, sent as {@code id}, is tracked. */
    Call trackLocked(Request r, long id, long now) {
        Duration timeout = r.timeout() != null ? r.timeout() : d.config.defaultTimeout();
        Call c = new Call(id, r, timeout, Durations.deadline(now, timeout), d.pump.gatheredLocked(),
                Threads.isVirtual(Thread.currentThread()));
        byId.put(id, c);
        return c;
    }

    Call getLocked(long id) {
        return find(id);
    }

    /** With the lock held: the entries of the table of calls plus the batches found by range (tests: nothing leaks). */
    int trackedLocked() {
        return byId.size() + ranged.size();
    }

    /**
     * With the lock held, on the caller's thread (which later {@link #awaitTexts}s it): a batch of {@code rs}, each with
     * the default timeout counted from {@code now}; {@link #sentLocked} tracks each request as the core accepts it.
     */
    Batch batchLocked(Request[] rs, long now) {
        Duration timeout = d.config.defaultTimeout();
        return new Batch(rs, timeout, Durations.deadline(now, timeout), d.pump.gatheredLocked(),
                Threads.isVirtual(Thread.currentThread()));
    }

    /** With the lock held: the core accepted every request of {@code b}, the first as {@code first} ({@code sendAll}). */
    void sentAllLocked(Batch b, long first) {
        b.sentAllLocked(first);
        if (b.sent() > 0) {
            ranged.add(b);
        }
    }

    /**
     * The call waiting for request {@code id}: a batch found by its range of ids, else a single call's (or a batch's)
     * by the table; null when nobody waits for it (ended, given up, or unknown).
     */
    private Call find(long id) {
        for (int i = 0, n = ranged.size(); i < n; i++) { // first: ids are unique either way, and most replies are a batch's
            Batch b = ranged.get(i);
            if (b.pendingId(id)) {
                return b.call;
            }
        }
        return byId.get(id);
    }

    /**
     * Ends call {@code id} with its one-frame reply {@code frame} (handed over by the core without an event object): a
     * request of a batch keeps the frame, any other call gets the {@link Event.Reply} it always got.
     */
    void replyLocked(long id, Request request, Frame frame, long gathered, long written) {
        Call c = find(id);
        if (c == null) {
            return;
        }
        if (c.batch != null) {
            endInBatchLocked(c, id, frame);
        } else {
            endLocked(id, new Event.Reply(id, request, java.util.List.of(frame)), gathered, written);
        }
    }

    /** The request {@code id} of batch call {@code c} ended with {@code ending}; the batch ends with its last request. */
    private void endInBatchLocked(Call c, long id, Object ending) {
        if (c.batch.endLocked(id, ending)) {
            ranged.remove(c.batch);
            completeLocked(c, BATCH_ENDED);
        }
    }

    /** What a batch's call is completed with when its last request ended (the endings are in the {@link Batch}). */
    private static final Event BATCH_ENDED = Event.NeedData.INSTANCE;

    /** Ends call {@code id} with {@code e}; a reply to a write whose batch {@code gathered} is not out yet is held. */
    void endLocked(long id, Event e, long gathered, long written) {
        Call c = find(id);
        if (c == null) {
            return;
        }
        if (c.batch != null) { // a batch's requests all expect a reply: none is held
            endInBatchLocked(c, id, e);
            return;
        }
        if (e instanceof Event.Reply r && r.frames().isEmpty() && r.request().expect() == Expect.nothing() && written < gathered) {
            heldUntilBatch.put(id, gathered);
            held.put(id, r);
            heldDeadlines.put(id, c.deadline());
            return;
        }
        byId.remove(id);
        completeLocked(c, e);
    }

    /**
     * With the lock held: {@code c} ends with {@code e}, now or, during a delivery of received bytes to a caller
     * waiting without reading, just after the lock is let go ({@link ReadRole.Deferred}); a parked caller is woken.
     */
    private void completeLocked(Call c, Event e) {
        if (!d.role.deferCompletionLocked(c, e)) {
            complete(c, e);
        }
        d.role.endedLocked(c);
    }

    /** Completes {@code c} with {@code e}; its caller, if it waits, is counted returning from then on. */
    void complete(Call c, Event e) {
        if (AWAIT.compareAndSet(c, AWAITED, WOKEN)) {
            returning.incrementAndGet();
        }
        c.future().complete(e);
    }

    /**
     * With the lock held: the caller of {@code c}, a virtual thread, waits for its ending without a time bound (a
     * timed park of a virtual thread costs a scheduler timer, set and cancelled, at each call: about half a thread
     * switch and 3-5 µs a call with 64 of them, docs/BENCHMARKS.md). The driver thread ends its wait instead if it
     * outlives its deadline plus the slack ({@link #checkSlackLocked}). True when a new, earlier check is due.
     */
    boolean watchLocked(Call c) {
        c.watched = true;
        long due = slackDeadline(c);
        if (due - slackDue < 0 || slackDue == Long.MAX_VALUE) {
            slackDue = due;
            return true;
        }
        return false;
    }

    /** When the driver thread must next look for watched calls past their slack ({@link Long#MAX_VALUE}: never). */
    long slackDueLocked() {
        return slackDue;
    }

    /**
     * With the lock held, by the driver thread once {@link #slackDueLocked()} passed: every watched call past its
     * deadline plus the slack stops being waited for (its caller gets {@link #noEnding}); the next due time is
     * recomputed from the calls still watched.
     */
    void checkSlackLocked(long now) {
        if (slackDue == Long.MAX_VALUE || now - slackDue < 0) {
            return;
        }
        long[] next = {Long.MAX_VALUE};
        java.util.function.Consumer<Call> check = c -> {
            if (!c.watched) {
                return;
            }
            long due = slackDeadline(c);
            if (now - due >= 0) {
                c.future().completeExceptionally(new NoEnding());
            } else if (due - next[0] < 0 || next[0] == Long.MAX_VALUE) {
                next[0] = due;
            }
        };
        byId.forEachValue(check);
        for (Batch b : ranged) {
            check.accept(b.call);
        }
        slackDue = next[0];
    }

    private static long slackDeadline(Call c) {
        long due = c.deadline() + SLACK_NANOS;
        return due - c.deadline() < 0 ? Long.MAX_VALUE - 1 : due; // a deadline near the end of time
    }

    /** Why a watched call's wait was ended by the driver thread (a labwire bug: {@link #noEnding}). */
    private static final class NoEnding extends RuntimeException {
        NoEnding() {
            super(null, null, false, false);
        }
    }

    /** How many woken callers have not returned from their wait yet (see {@link #returning}); no lock needed. */
    int returning() {
        return returning.get();
    }

    /** Batch {@code seq} is out: writes held for it (or an earlier one) end. */
    void wroteLocked(long seq) {
        for (Iterator<Map.Entry<Long, Long>> it = heldUntilBatch.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Long> h = it.next();
            if (h.getValue() <= seq) {
                it.remove();
                heldDeadlines.remove(h.getKey());
                release(h.getKey(), held.remove(h.getKey()));
            }
        }
    }

    /** The link broke before their bytes were out: every held write fails with {@code cause}. */
    void failHeldLocked(Throwable cause) {
        for (Long id : heldUntilBatch.keySet().toArray(new Long[0])) {
            heldDeadlines.remove(id);
            heldUntilBatch.remove(id);
            Event.Reply r = held.remove(id);
            release(id, new Event.Failed(id, r.request(), d.closed
                    ? new LocalProtocolException("client " + d.name + " closed before its bytes were out")
                    : new IOException("its bytes did not all go out before the link broke: " + cause, cause)));
        }
    }

    /** The earliest deadline of a held write, {@link Long#MAX_VALUE} when none. */
    long nextDeadlineLocked() {
        return heldDeadlines.earliest();
    }

    /**
     * Times out held writes whose deadline passed, each told {@code detail} of its timeout (its bytes are still being
     * written); returns the longest timeout among them, null when none expired (the driver then arms its stuck-writer
     * check, {@link Pump}).
     */
    Duration expireLocked(long now, java.util.function.Function<Duration, String> detail) {
        Duration[] longest = {null};
        heldDeadlines.expire(now, id -> {
            heldUntilBatch.remove(id);
            Event.Reply r = held.remove(id);
            Call c = byId.get(id);
            Duration timeout = c == null ? d.config.defaultTimeout() : c.timeout();
            if (longest[0] == null || timeout.compareTo(longest[0]) > 0) {
                longest[0] = timeout;
            }
            release(id, new Event.Timeout(id, r.request(), true, detail.apply(timeout)));
        });
        return longest[0];
    }

    private void release(long id, Event e) {
        Call c = byId.remove(id);
        if (c != null) {
            completeLocked(c, e);
        }
    }

    /**
     * Waits for {@code c} to end, outside the lock; a reply is returned, anything else thrown. A caller that may read
     * the link ({@link ReadRole#mayRead}) reads it itself while nobody else does; others wait for the ending.
     */
    Event.Reply await(Call c) {
        CompletableFuture<Event> f = c.future();
        if (f.isDone() && !f.isCompletedExceptionally() && f.getNow(null) instanceof Event.Reply done) {
            return done; // ended before its caller waited (queryAll's later calls): nothing to count, nobody to wake
        }
        Event e;
        AWAIT.set(c, AWAITED);
        try {
            e = d.role.mayRead(c) ? d.role.awaitReading(c) : awaitEnding(c);
        } finally {
            if (AWAIT.getAndSet(c, LEFT) == WOKEN) {
                returning.decrementAndGet();
            }
        }
        if (e instanceof Event.Reply reply) {
            return reply;
        }
        d.lock.lock();
        try {
            throw Outcomes.failure(c.request(), e, c.timeout(), d.name, d.state, d.lastDownCause, d.closed);
        } finally {
            d.lock.unlock();
        }
    }

    /**
     * Waits for every request of {@code b} to end, as {@link #await} waits for one call (reading the link itself when
     * it may); returns their one-line replies as text, in order, or throws the failure of the first request (in list
     * order) that failed, later failures attached as suppressed. An interrupt cancels every request not ended yet
     * ({@link #cancel}); the batch then throws the first failure, or the {@link CancellationException} when every
     * request had ended with a reply.
     */
    java.util.List<String> awaitTexts(Batch b) {
        Call c = b.call;
        RuntimeException cancelled = null;
        if (!c.future().isDone()) {
            AWAIT.set(c, AWAITED);
            try {
                if (d.role.mayRead(c)) {
                    d.role.awaitReading(c);
                } else {
                    awaitEnding(c);
                }
            } catch (CancellationException ce) {
                cancelled = ce; // every request not ended was cancelled (cancel): each has its ending now
            } finally {
                if (AWAIT.getAndSet(c, LEFT) == WOKEN) {
                    returning.decrementAndGet();
                }
            }
        }
        String[] texts = new String[b.sent()];
        RuntimeException first = null;
        for (int i = 0; i < texts.length; i++) {
            Object o = b.ending(i);
            if (o instanceof Frame f) {
                texts[i] = f.asString();
            } else if (o instanceof Event.Reply r) {
                texts[i] = r.text();
            } else {
                RuntimeException x = o instanceof RuntimeException re ? re : batchFailure(b, i, (Event) o);
                if (first == null) {
                    first = x;
                } else {
                    first.addSuppressed(x);
                }
            }
        }
        if (first == null && cancelled != null) {
            throw cancelled;
        }
        if (first != null) {
            throw first;
        }
        return java.util.List.of(texts);
    }

    private RuntimeException batchFailure(Batch b, int i, Event e) {
        d.lock.lock();
        try {
            return Outcomes.failure(b.request(i), e, b.call.timeout(), d.name, d.state, d.lastDownCause, d.closed);
        } finally {
            d.lock.unlock();
        }
    }

    /** The caller of batch {@code b} was interrupted: every request of it not ended yet is withdrawn or given up. */
    private CancellationException cancelBatch(Batch b) {
        d.lock.lock();
        try {
            long now = System.nanoTime();
            CancellationException first = null;
            for (int i = 0; i < b.sent(); i++) {
                if (!b.pendingLocked(i)) {
                    continue;
                }
                long id = b.id(i);
                String text = "\"" + b.request(i).text() + "\"";
                CancellationException x = new CancellationException(d.machine.cancel(id, now)
                        ? "interrupted before " + text + " was sent: withdrawn, it never reaches " + d.name
                        : "interrupted after " + text + " was sent to " + d.name + ": its reply, if it comes, is discarded"
                                + " by the stale-reply policy");
                b.endLocked(id, x);
                if (first == null) {
                    first = x;
                }
            }
            ranged.remove(b);
            d.pump.drainLocked();
            return first != null ? first : new CancellationException("interrupted after every request of the batch to "
                    + d.name + " had ended");
        } finally {
            d.lock.unlock();
        }
    }

    /** Waits for the ending of {@code c} without reading (a virtual thread, a serial link, a write). */
    private Event awaitEnding(Call c) {
        c.blind = true;
        boolean virtual = c.virtual();
        boolean counted = !c.future().isDone() && d.role.blindWaitLocking(c, virtual);
        try {
            if (counted && virtual) {
                return c.future().get(); // watched: the driver thread ends this wait past the slack (watchLocked)
            }
            long slack = Durations.nanos(c.timeout()) > Long.MAX_VALUE - SLACK_NANOS ? Long.MAX_VALUE
                    : Durations.nanos(c.timeout()) + SLACK_NANOS;
            return c.future().get(slack, TimeUnit.NANOSECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw cancel(c);
        } catch (TimeoutException te) {
            throw noEnding(c);
        } catch (ExecutionException ee) {
            if (ee.getCause() instanceof NoEnding) {
                throw noEnding(c);
            }
            throw new IllegalStateException(ee.getCause());
        } finally {
            if (counted) {
                d.role.blindDone();
            }
        }
    }

    /** The call's ending did not come within its timeout plus {@link #SLACK_NANOS}. */
    RuntimeException noEnding(Call c) {
        LOG.error("{}: no ending event for {} within its timeout plus slack; this is a labwire bug", d.name, c.request());
        return new RequestTimeoutException(c.request(), c.timeout(), true);
    }

    /** How long past its deadline a caller waits for an ending before {@link #noEnding}. */
    static long slackNanos() {
        return SLACK_NANOS;
    }

    /** The caller of {@code c} was interrupted: withdraws the request if it was not written yet. */
    CancellationException cancel(Call c) {
        if (c.batch != null) {
            return cancelBatch(c.batch);
        }
        String text = "\"" + c.request().text() + "\"";
        d.lock.lock();
        try {
            if (c.future().isDone() && !held.containsKey(c.id())) {
                return new CancellationException("interrupted after " + text + " had ended");
            }
            byId.remove(c.id());
            if (heldUntilBatch.remove(c.id()) != null) {
                held.remove(c.id());
                heldDeadlines.remove(c.id());
                return new CancellationException("interrupted while " + text + " was being written to " + d.name
                        + ": it may reach the device");
            }
            boolean withdrawn = d.machine.cancel(c.id(), System.nanoTime());
            d.pump.drainLocked();
            return new CancellationException(withdrawn
                    ? "interrupted before " + text + " was sent: withdrawn, it never reaches " + d.name
                    : "interrupted after " + text + " was sent to " + d.name + ": its reply, if it comes, is discarded"
                            + " by the stale-reply policy");
        } finally {
            d.lock.unlock();
        }
    }
}
