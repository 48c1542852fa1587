package dev.labwire.core.internal;

import java.time.Duration;

/**
 * Keeps an on-connect hook run to its own link and its deadline, the same way in both drivers. Each new link gets a
 * generation; a hook run started for one generation counts only while that link lives and the run has not ended or
 * expired, so a hook that ends late (after a timeout, after its link dropped) changes nothing. The hook's failure is
 * kept for the link-down cause, so that calls queued meanwhile fail with it as their cause.
 *
 * <pre>{@code
 * long gen = guard.newLink();                   // the core said ON_CONNECT on a fresh link
 * guard.start(gen, now, hookTimeout);           // then run the hook (a thread, a future)
 * ... the hook ended:   if (guard.finish(gen, failure)) { failure == null ? conn.hookDone(now) : conn.hookFailed(failure, now); }
 * ... the timer fired:  if (guard.expire(now)) conn.hookFailed(timeoutException, now);   // and stop the hook
 * ... CloseLink came:   Throwable cause = guard.takeFailure();  // the hook's failure, or null
 * }</pre>
 *
 * Not thread-safe: the driver guards it. No clock: times are the driver's {@code nowNanos}.
 */
public final class HookGuard {
    private long generation;
    private boolean running;
    private long deadline = Long.MAX_VALUE;
    private Throwable failure;

    /** A new link came up: earlier runs stop counting. Returns its generation. */
    public long newLink() {
        generation++;
        running = false;
        deadline = Long.MAX_VALUE;
        return generation;
    }

    /** The link is gone: the running hook, if any, stops counting. */
    public void linkGone() {
        generation++;
        running = false;
        deadline = Long.MAX_VALUE;
    }

    /** The current link's generation. */
    public long generation() {
        return generation;
    }

    /** A hook run for link {@code gen} starts now, due within {@code timeout}. */
    public void start(long gen, long nowNanos, Duration timeout) {
        if (gen != generation) {
            return;
        }
        running = true;
        failure = null;
        deadline = Durations.deadline(nowNanos, timeout);
    }

    /** True while the run for {@code gen} counts: its link lives, it has not ended and not expired. */
    public boolean isCurrent(long gen) {
        return running && gen == generation;
    }

    /**
     * The run for {@code gen} ended, {@code failure} null when it succeeded. Returns true when it still counted (the
     * driver then tells the core); false when it came too late and must change nothing.
     */
    public boolean finish(long gen, Throwable failure) {
        if (!isCurrent(gen)) {
            return false;
        }
        running = false;
        deadline = Long.MAX_VALUE;
        this.failure = failure;
        return true;
    }

    /** When the run's deadline passed at {@code nowNanos}: it stops counting and true is returned, once. */
    public boolean expire(long nowNanos) {
        if (!running || nowNanos - deadline < 0) {
            return false;
        }
        running = false;
        deadline = Long.MAX_VALUE;
        return true;
    }

    /** Records why the hook failed when the driver decided it (a timeout); {@link #takeFailure()} returns it. */
    public void failed(Throwable cause) {
        this.failure = cause;
    }

    /** The running hook's deadline in {@code nowNanos} terms, {@link Long#MAX_VALUE} when none runs. */
    public long deadlineNanos() {
        return deadline;
    }

    /** The last run's failure, once (null when it succeeded or was taken). */
    public Throwable takeFailure() {
        Throwable f = failure;
        failure = null;
        return f;
    }
}
