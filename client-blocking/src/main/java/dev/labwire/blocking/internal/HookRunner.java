package dev.labwire.blocking.internal;

import dev.labwire.core.State;
import dev.labwire.core.internal.Durations;
import dev.labwire.core.internal.HookGuard;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the user's on-connect hook on its own thread, once per link, guarded by the core's {@link HookGuard}: whatever
 * the hook throws (an {@link AssertionError} included) fails the link, and so does running past its deadline
 * ({@code hookTimeout}; the hook thread is then interrupted). Either way the core renews the link with backoff, and the
 * hook's failure becomes the link-down cause that calls queued meanwhile fail with. A hook that ends after its link
 * is gone, or after its deadline, changes nothing. Guarded by the driver's lock.
 */
final class HookRunner {
    private static final Logger LOG = LoggerFactory.getLogger(HookRunner.class);
    private static final ThreadLocal<HookRunner> RUNNING_ON_THIS_THREAD = new ThreadLocal<>();

    private final BlockingDriver d;
    private final BlockingDriver.Hook hook;
    private final Duration timeout;
    private final HookGuard guard = new HookGuard();
    private Thread thread;

    HookRunner(BlockingDriver d, BlockingDriver.Hook hook, Duration timeout) {
        this.d = d;
        this.hook = hook;
        this.timeout = timeout;
    }

    /** True on a thread running this client's hook. */
    boolean isHookThread() {
        return RUNNING_ON_THIS_THREAD.get() == this;
    }

    boolean isCurrentLocked(long gen) {
        return guard.isCurrent(gen);
    }

    void newLinkLocked() {
        guard.newLink();
    }

    void linkGoneLocked() {
        guard.linkGone();
    }

    /** The link is ON_CONNECT: starts the hook for it. */
    void startLocked(long now) {
        long gen = guard.generation();
        guard.start(gen, now, timeout);
        thread = Threads.daemon(() -> run(gen), "labwire-hook " + d.name);
        thread.start();
    }

    /** The hook's deadline, {@link Long#MAX_VALUE} when none runs. */
    long deadlineLocked() {
        return guard.deadlineNanos();
    }

    /** Fails a hook past its deadline: the link is renewed with a {@link TimeoutException} as its cause. */
    void expireLocked(long now) {
        if (!guard.expire(now)) {
            return;
        }
        TimeoutException ex = new TimeoutException("the on-connect hook of " + d.name + " did not end within "
                + Durations.show(timeout) + " (hookTimeout); it was interrupted and the link is renewed");
        guard.failed(ex);
        LOG.warn("{}: {}", d.name, ex.getMessage());
        d.conn.hookFailed(ex, now);
        thread.interrupt();
    }

    /** Why the hook failed, once: the link-down cause. */
    Throwable takeFailureLocked() {
        return guard.takeFailure();
    }

    /** The client closes: the running hook (if any) stops counting and is interrupted; returns its thread. */
    Thread closeLocked() {
        guard.linkGone();
        if (thread != null) {
            thread.interrupt();
        }
        return thread;
    }

    private void run(long gen) {
        RUNNING_ON_THIS_THREAD.set(this);
        Throwable failure = null;
        try {
            hook.run(d, gen);
        } catch (Throwable t) { // an AssertionError or any Error too: the link must not stay ON_CONNECT
            failure = t;
        }
        d.lock.lock();
        try {
            if (d.closed || !guard.finish(gen, failure) || d.state != State.ON_CONNECT) {
                return;
            }
            long now = System.nanoTime();
            if (failure == null) {
                d.conn.hookDone(now);
            } else {
                LOG.warn("{}: on-connect hook failed; the link will be reopened: {}", d.name, failure.toString());
                d.conn.hookFailed(failure, now);
            }
            d.pump.drainLocked();
        } finally {
            d.lock.unlock();
        }
    }
}
