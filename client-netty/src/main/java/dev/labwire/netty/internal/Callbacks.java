package dev.labwire.netty.internal;

import dev.labwire.core.LocalProtocolException;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two thread hops of a client: onto its event loop (every touch of the core), and out to user code
 * (futures, listeners, the hook), which runs inline on the loop or, one task at a time in order, on the
 * user's callback executor.
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

    /**
     * Whether the calling thread is one the client needs to complete its futures: its event loop, or its callback
     * executor while it runs one of the client's callbacks. Waiting there for an unfinished future waits forever.
     */
    boolean isOwnThread() {
        return loop.inEventLoop() || (user != null && user.runsOnCurrentThread());
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

    /** Fails {@code f} where user code runs ({@link Call#fail} for a call). */
    void fail(CompletableFuture<?> f, Throwable t) {
        deliver(() -> Call.fail(f, t));
    }

    /** Completes {@code c} with {@code reply} where user code runs; on the loop without a task object. */
    void succeed(Call<?> c, dev.labwire.core.Event.Reply reply) {
        if (user == null) {
            try {
                c.succeed(reply);
            } catch (RuntimeException | Error e) {
                LOG.warn("{}: a callback threw", name, e);
            }
        } else {
            user.execute(() -> c.succeed(reply));
        }
    }

    /** As {@link #succeed(Call, dev.labwire.core.Event.Reply)} with a reply of one frame, made only if the call needs it. */
    void succeed(Call<?> c, long id, dev.labwire.core.Request request, dev.labwire.core.frame.Frame frame) {
        if (user == null) {
            try {
                c.succeed(id, request, frame);
            } catch (RuntimeException | Error e) {
                LOG.warn("{}: a callback threw", name, e);
            }
        } else {
            user.execute(() -> c.succeed(id, request, frame));
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
