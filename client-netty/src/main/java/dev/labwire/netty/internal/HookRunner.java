package dev.labwire.netty.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a client's on-connect hook for one link and reports how it ended, exactly once per run, to the driver
 * ({@link NettyDriver#hookEnded}) on the event loop: its stage completed (normally or not), the hook threw
 * (anything at all, an {@link AssertionError} included), returned null, or did not end within its deadline
 * (then the failure is a {@link TimeoutException} naming the deadline). A stage that completes after its run
 * ended is ignored. So a hook can never hold the link in {@code ON_CONNECT}: the driver renews the link with
 * the config's backoff. Event loop only, except the hook itself, which runs where callbacks run.
 */
final class HookRunner {
    private final NettyDriver.Hook hook;
    private final NettyDriver driver;
    private final EventLoop loop;
    private final Callbacks callbacks;
    private final Duration timeout;
    private ScheduledFuture<?> timer;
    private long running = -1; // the generation whose run has not ended yet, or -1

    HookRunner(NettyDriver.Hook hook, NettyDriver driver, EventLoop loop, Callbacks callbacks, Duration timeout) {
        this.hook = hook;
        this.driver = driver;
        this.loop = loop;
        this.callbacks = callbacks;
        this.timeout = timeout;
    }

    /** Starts the hook for link {@code gen}; a run still going for an older link is forgotten. */
    void start(long gen) {
        stop();
        running = gen;
        timer = loop.schedule(() -> ended(gen, new TimeoutException("the on-connect hook of " + callbacks.name()
                + " did not complete within " + dev.labwire.core.internal.Durations.show(timeout) + " (hookTimeout)")),
                dev.labwire.core.internal.Durations.nanos(timeout), TimeUnit.NANOSECONDS);
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
            stage.whenComplete((v, ex) -> callbacks.onLoop(() -> ended(gen, ex)));
        });
    }

    /** Forgets the run in progress, if any (the link went, the client closes). */
    void stop() {
        running = -1;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void ended(long gen, Throwable failure) {
        if (gen != running) {
            return; // ended already (timed out, then completed), or a run of an older link
        }
        stop();
        driver.hookEnded(gen, failure);
    }
}
