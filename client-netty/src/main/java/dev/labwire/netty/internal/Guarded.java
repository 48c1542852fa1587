package dev.labwire.netty.internal;

import io.netty.util.concurrent.BlockingOperationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A future of one client that refuses to be waited for where it can never complete: {@code join()} and
 * {@code get()} (with or without a timeout) of an incomplete future called on the client's own event loop, or
 * inside one of its callbacks on its callback executor, throw {@link BlockingOperationException} at once
 * instead of wedging the client (and {@code close()}) for good, as Netty's own futures do. The message says what
 * to do instead. A completed future answers anywhere. Dependents made from it ({@code thenApply},
 * {@code thenCompose}, ...) are guarded the same way.
 *
 * @param <T> the value
 */
public class Guarded<T> extends CompletableFuture<T> {
    private final Callbacks owner;

    /** @param owner the client's threads; null for a future that is never guarded (tests) */
    Guarded(Callbacks owner) {
        this.owner = owner;
    }

    private void checkMayWait(String how) {
        if (owner != null && !isDone() && owner.isOwnThread()) {
            throw new BlockingOperationException(how + " on an unfinished future of client " + owner.name() + " from "
                    + Thread.currentThread().getName() + ", a thread that must run to complete it: it would wait forever. "
                    + "Chain the next step instead (thenApply, thenCompose, whenComplete), or give the client a "
                    + "callbackExecutor and wait on another thread");
        }
    }

    @Override
    public T join() {
        checkMayWait("join()");
        return super.join();
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        checkMayWait("get()");
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        checkMayWait("get(timeout)");
        return super.get(timeout, unit);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new Guarded<>(owner);
    }
}
