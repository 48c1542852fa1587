package dev.labwire.netty.internal;

import dev.labwire.core.LinkMachine;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.internal.Durations;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link NettyDriver} closes, once: on the loop the core closes (every pending call fails, the last events are
 * handed out), a link still opening is abandoned, the timer and the hook stop, streams complete and {@code ready()}
 * waiters fail; then the close future completes when the link has released its channel, port and threads, or after
 * {@link NettyDriver#CLOSE_BOUND} when it takes longer (the rest is then freed in the background as soon as the link
 * lets go). The close future never fails.
 */
final class Shutdown {
    private static final Logger LOG = LoggerFactory.getLogger(NettyDriver.class); // the driver's log lines, as before

    private final NettyDriver driver;
    private final LinkMachine machine;
    private final EventLoop loop;
    private final Links links;
    private final Callbacks callbacks;
    private final PushHub hub;
    private final ReadyWaiters readyWaiters;
    private final HookRunner hook; // null without one
    private final Runnable onTerminated;
    private final CompletableFuture<Void> closeFuture;
    private boolean closing;   // event loop only
    private boolean finished;  // event loop only
    private volatile boolean closed;

    Shutdown(NettyDriver driver, LinkMachine machine, EventLoop loop, Links links, Callbacks callbacks, PushHub hub,
             ReadyWaiters readyWaiters, HookRunner hook, Runnable onTerminated) {
        this.driver = driver;
        this.machine = machine;
        this.loop = loop;
        this.links = links;
        this.callbacks = callbacks;
        this.hub = hub;
        this.readyWaiters = readyWaiters;
        this.hook = hook;
        this.onTerminated = onTerminated;
        this.closeFuture = new Guarded<>(callbacks);
    }

    /** True once {@link #close} was called (any thread). */
    boolean isClosed() {
        return closed;
    }

    /** True once the loop began closing (event loop only). */
    boolean isClosing() {
        return closing;
    }

    CompletableFuture<Void> close() {
        closed = true;
        try {
            loop.execute(this::closeOnLoop);
        } catch (RejectedExecutionException e) {
            closeFuture.complete(null); // the loop and with it every channel is gone already
        }
        return closeFuture;
    }

    private void closeOnLoop() {
        if (closing) {
            return;
        }
        closing = true;
        machine.close(System.nanoTime());
        driver.drain();
        links.abandonOpening();
        driver.channels().closeAll();
        driver.cancelTimer();
        if (hook != null) {
            hook.stop();
        }
        hub.complete();
        readyWaiters.fail(new LocalProtocolException("client " + callbacks.name() + " is closed"));
        CompletableFuture<Void> released = links.released();
        ScheduledFuture<?> bound = loop.schedule(() -> {
            LOG.debug("{}: the link did not release everything within {}; close() completes, the rest ends in the background",
                    callbacks.name(), Durations.show(NettyDriver.CLOSE_BOUND));
            finish();
        }, Durations.nanos(NettyDriver.CLOSE_BOUND), TimeUnit.NANOSECONDS);
        released.whenComplete((v, e) -> {
            bound.cancel(false);
            try {
                loop.execute(this::finish);
            } catch (RejectedExecutionException rejected) {
                closeFuture.complete(null); // the loop and with it every channel is gone already
            }
        });
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        onTerminated.run(); // first: when close() completes, a default group's shutdown has begun
        callbacks.complete(closeFuture, null); // on the loop: a blocked callback does not hold close()
    }
}
