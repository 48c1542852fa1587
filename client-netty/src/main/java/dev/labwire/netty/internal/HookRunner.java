package dev.labwire.netty.internal;

import dev.labwire.core.internal.Durations;
import dev.labwire.core.internal.HookGuard;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a client's on-connect hook once per link, guarded by the core's {@link HookGuard} as in the blocking client,
 * and reports how it ended, exactly once per run, to the driver ({@link NettyDriver#hookEnded}) on the event loop: its
 * stage completed (normally or not), the hook threw (anything at all, an {@link AssertionError} included), returned
 * null, or did not end within its deadline (then the failure is a {@link TimeoutException} naming the deadline). A
 * stage that completes after its run ended, or after its link is gone, changes nothing. So a hook can never hold the
 * link in {@code ON_CONNECT}: the driver renews the link with the config's backoff, and the hook's failure (kept by
 * the guard, {@link #takeFailure()}) is the link-down cause that calls queued meanwhile fail with. Event loop only,
 * except the hook itself, which runs where callbacks run.
 */
final class HookRunner {
    private final NettyDriver.Hook hook;
    private final NettyDriver driver;
    private final EventLoop loop;
    private final Callbacks callbacks;
    private final Duration timeout;
    private final HookGuard guard = new HookGuard();
    private ScheduledFuture<?> timer;

    HookRunner(NettyDriver.Hook hook, NettyDriver driver, EventLoop loop, Callbacks callbacks, Duration timeout) {
        this.hook = hook;
        this.driver = driver;
        this.loop = loop;
        this.callbacks = callbacks;
        this.timeout = timeout;
    }

    /** A new link is up: runs of older links stop counting. */
    void newLink() {
        guard.newLink();
    }

    /** True while the run for link {@code gen} counts: its requests may go out. */
    boolean isCurrent(long gen) {
        return guard.isCurrent(gen);
    }

    /** The link is ON_CONNECT: starts the hook for it, due within the hook timeout. */
    void start() {
        cancelTimer();
        long gen = guard.generation();
        guard.start(gen, System.nanoTime(), timeout);
        armTimer(gen);
        callbacks.deliver(() -> {
            CompletionStage<Void> stage;
            try {
                stage = hook.run(driver, gen);
                if (stage == null) {
                    throw new NullPointerException("the on-connect hook returned null instead of a CompletionStage");
                }
            } catch (Throwable t) { // an AssertionError from a check in the hook must not leave the link in ON_CONNECT
                callbacks.onLoop(() -> ended(gen, t));
                return;
            }
            if (stage instanceof Guarded<Void> g) {
                g.whenDoneInline((v, ex) -> callbacks.onLoop(() -> ended(gen, ex))); // not behind other callbacks
            } else {
                stage.whenComplete((v, ex) -> callbacks.onLoop(() -> ended(gen, ex)));
            }
        });
    }

    /** The link left ON_CONNECT (ready, down) or the client closes: the run in progress, if any, stops counting. */
    void stop() {
        guard.linkGone();
        cancelTimer();
    }

    /** Why the last run failed, once (null when it succeeded or was taken): the link-down cause. */
    Throwable takeFailure() {
        return guard.takeFailure();
    }

    private void armTimer(long gen) {
        long delay = guard.deadlineNanos() - System.nanoTime();
        timer = loop.schedule(() -> onTimer(gen), Math.max(0, delay), TimeUnit.NANOSECONDS);
    }

    private void onTimer(long gen) {
        timer = null;
        if (guard.expire(System.nanoTime())) {
            TimeoutException e = new TimeoutException("the on-connect hook of " + callbacks.name()
                    + " did not complete within " + Durations.show(timeout) + " (hookTimeout)");
            guard.failed(e);
            driver.hookEnded(e);
        } else if (guard.isCurrent(gen)) {
            armTimer(gen); // the timer came a little early
        }
    }

    private void ended(long gen, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (guard.finish(gen, cause)) {
            cancelTimer();
            driver.hookEnded(cause);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
