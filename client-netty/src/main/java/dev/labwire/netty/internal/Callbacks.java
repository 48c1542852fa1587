package dev.labwire.netty.internal;

import dev.labwire.core.LocalProtocolException;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two thread hops of a client: onto its event loop (every touch of the core), and out to user code (listeners,
 * subscribers, the hook, the dependents of its futures), which runs inline on the loop or, one task at a time in
 * order, on the user's callback executor. The client's futures themselves complete on the loop either way
 * ({@link #succeed}, {@link #fail}, {@link #complete}), so a blocked callback holds no caller waiting on one: their
 * dependents go to the executor ({@link Guarded}).
 */
final class Callbacks {
    private static final Logger LOG = LoggerFactory.getLogger(Callbacks.class);

    private final EventLoop loop;
    private final SerialExecutor user;
    private final String name;
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();

    /** @param userExecutor where user code runs, or null for the event loop itself */
    Callbacks(EventLoop loop, Executor userExecutor, String name) {
        this.loop = loop;
        this.user = userExecutor == null ? null : new SerialExecutor(userExecutor, "labwire " + name);
        this.name = name;
    }

    /** The serialised user executor, or null when user code runs on the loop. */
    Executor userExecutor() {
        return user;
    }

    /** Items every {@link CallbackQueue} of the client dropped so far (any thread). */
    long dropped() {
        return dropped.get();
    }

    /** A {@link CallbackQueue} dropped {@code n} items. */
    void countDropped(long n) {
        dropped.addAndGet(n);
    }

    /** The client's name (its endpoint), for messages. */
    String name() {
        return name;
    }

    /** Whether the calling thread is the client's event loop. */
    boolean inEventLoop() {
        return loop.inEventLoop();
    }

    /** Whether the calling thread runs one of the client's callbacks on its callback executor now. */
    boolean inUserCallback() {
        return user != null && user.runsOnCurrentThread();
    }

    /** Runs user code: inline on the loop (a throw is logged), or in order on the user's executor. */
    void deliver(Runnable r) {
        if (user == null) {
            try {
                r.run();
            } catch (RuntimeException | Error e) {
                LOG.warn("{}: a callback threw", name, e);
            }
        } else {
            user.execute(r);
        }
    }

    /**
     * Fails {@code f} ({@link Call#fail} for a call) here, on the loop: its dependents run where {@link Guarded} says
     * (inline without a callback executor, a throw logged; else queued to it).
     */
    void fail(CompletableFuture<?> f, Throwable t) {
        try {
            Call.fail(f, t);
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: a callback threw", name, e);
        }
    }

    /** Completes {@code f} with {@code value} here, on the loop, as {@link #fail} fails it. */
    <T> void complete(CompletableFuture<T> f, T value) {
        try {
            f.complete(value);
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: a callback threw", name, e);
        }
    }

    /** Completes {@code c} with {@code reply} here, on the loop, as {@link #fail} fails it; no task object either way. */
    void succeed(Call<?> c, dev.labwire.core.Event.Reply reply) {
        try {
            c.succeed(reply);
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: a callback threw", name, e);
        }
    }

    /** As {@link #succeed(Call, dev.labwire.core.Event.Reply)} with a reply of one frame, made only if the call needs it. */
    void succeed(Call<?> c, long id, dev.labwire.core.Request request, dev.labwire.core.frame.Frame frame) {
        try {
            c.succeed(id, request, frame);
        } catch (RuntimeException | Error e) {
            LOG.warn("{}: a callback threw", name, e);
        }
    }

    /** Runs {@code r} on the loop: at once when already there; dropped when the loop is shut down. */
    void onLoop(Runnable r) {
        onLoop(r, null);
    }

    /** Runs {@code r} on the loop; when the loop refuses it, {@code orFail} fails instead. */
    void onLoop(Runnable r, CompletableFuture<?> orFail) {
        if (loop.inEventLoop()) {
            r.run();
            return;
        }
        try {
            loop.execute(r);
        } catch (RejectedExecutionException e) {
            if (orFail != null) {
                Call.fail(orFail, new LocalProtocolException("the event loop of client " + name + " is shut down"));
            }
        }
    }
}
