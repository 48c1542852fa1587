package dev.labwire.netty.internal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The callers of {@link NettyDriver#ready} waiting for the link to become ready: each completes when it does, or
 * fails on its own timer, or when the client closes. Event loop only.
 */
final class ReadyWaiters {
    private final List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private final EventLoop loop;
    private final Callbacks callbacks;

    ReadyWaiters(EventLoop loop, Callbacks callbacks) {
        this.loop = loop;
        this.callbacks = callbacks;
    }

    /** Waits with {@code f} for {@link #ready()}; after {@code timeout} it fails with what {@code timedOut} makes. */
    void add(CompletableFuture<Void> f, Duration timeout, Supplier<Throwable> timedOut) {
        waiting.add(f);
        ScheduledFuture<?> t = loop.schedule(() -> {
            if (waiting.remove(f)) {
                callbacks.fail(f, timedOut.get());
            }
        }, dev.labwire.core.internal.Durations.nanos(timeout), TimeUnit.NANOSECONDS);
        f.whenComplete((v, e) -> t.cancel(false));
    }

    /** The link is ready: every waiter completes. */
    void ready() {
        for (CompletableFuture<Void> w : waiting) {
            callbacks.deliver(() -> w.complete(null));
        }
        waiting.clear();
    }

    /** The client closed: every waiter fails with {@code cause}. */
    void fail(Throwable cause) {
        for (CompletableFuture<Void> w : List.copyOf(waiting)) {
            callbacks.fail(w, cause);
        }
        waiting.clear();
    }
}
