package dev.labwire.netty.internal;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.State;
import dev.labwire.core.internal.Durations;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The callers of {@link NettyDriver#ready} waiting for the link to become ready: each completes when it does, or
 * fails on its own timer, or when the client closes, on the loop (dependents run where {@link Guarded} says). Event
 * loop only.
 */
final class ReadyWaiters {
    /** A caller's future and what it completes with. */
    private record Waiter<T>(Guarded<T> future, T value) {
    }

    private final List<Waiter<?>> waiting = new ArrayList<>();
    private final String name;
    private final EventLoop loop;
    private final Callbacks callbacks;

    ReadyWaiters(EventLoop loop, Callbacks callbacks) {
        this.loop = loop;
        this.callbacks = callbacks;
        this.name = callbacks.name();
    }

    /**
     * From any thread: a future that completes when the link is ready (at once when it is), or fails after
     * {@code timeout} with a {@link LinkDownException} naming the state and the last cause, or at once with a
     * {@link LocalProtocolException} when the client is closing, or at once with {@code firstFailure}'s exception
     * when the first connect attempt failed for good. It completes with {@code value}. The suppliers are read on the
     * loop.
     */
    <T> CompletableFuture<T> await(Duration timeout, T value, Supplier<State> state, Supplier<Throwable> lastDownCause,
                                   BooleanSupplier closing, Supplier<LinkDownException> firstFailure) {
        Guarded<T> f = new Guarded<>(callbacks);
        callbacks.onLoop(() -> {
            LinkDownException failed = firstFailure.get();
            if (state.get() == State.READY) {
                callbacks.complete(f, value);
            } else if (closing.getAsBoolean()) {
                callbacks.fail(f, new LocalProtocolException("client " + name + " is closed"));
            } else if (failed != null) {
                callbacks.fail(f, new LinkDownException(failed.getMessage(), failed.getCause()));
            } else {
                add(new Waiter<>(f, value), timeout, () -> {
                    Throwable cause = lastDownCause.get();
                    return new LinkDownException("link to " + name + " not ready within " + Durations.show(timeout) + ": "
                            + state.get() + (cause == null ? "" : " (" + cause + ")"), cause);
                });
            }
        }, f);
        return f;
    }

    /** Waits with {@code w} for {@link #ready()}; after {@code timeout} it fails with what {@code timedOut} makes. */
    private void add(Waiter<?> w, Duration timeout, Supplier<Throwable> timedOut) {
        waiting.add(w);
        ScheduledFuture<?> t = loop.schedule(() -> {
            if (waiting.remove(w)) {
                callbacks.fail(w.future(), timedOut.get());
            }
        }, Durations.nanos(timeout), TimeUnit.NANOSECONDS);
        w.future().whenDoneInline((v, e) -> t.cancel(false)); // not a task on the callback executor
    }

    /** The link is ready: every waiter completes. */
    void ready() {
        for (Waiter<?> w : waiting) {
            complete(w);
        }
        waiting.clear();
    }

    private <T> void complete(Waiter<T> w) {
        callbacks.complete(w.future(), w.value());
    }

    /** The client closed, or its first connect failed for good: every waiter fails with {@code cause}. */
    void fail(Throwable cause) {
        for (Waiter<?> w : List.copyOf(waiting)) {
            callbacks.fail(w.future(), cause);
        }
        waiting.clear();
    }
}
