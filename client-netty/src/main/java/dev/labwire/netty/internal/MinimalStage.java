package dev.labwire.netty.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What {@link Guarded#minimalCompletionStage()} gives with a callback executor: as the JDK's minimal stage, whose methods
 * outside {@link CompletionStage} throw {@link UnsupportedOperationException}, its dependents minimal too.
 */
final class MinimalStage<T> extends Guarded.Dependent<T> {
    /** A stage of {@code owner}, completed through {@link #relay}. */
    MinimalStage(Callbacks owner) {
        super(owner);
    }

    void relay(T value, Throwable failure) {
        if (failure == null) {
            super.complete(value);
        } else {
            super.completeExceptionally(failure);
        }
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new MinimalStage<>(owner());
    }

    @Override
    public CompletableFuture<T> toCompletableFuture() {
        Guarded<T> f = new Guarded.Dependent<>(owner());
        whenDoneInline((v, e) -> {
            if (e == null) {
                f.complete(v);
            } else {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static UnsupportedOperationException refused() {
        return new UnsupportedOperationException("a minimal completion stage; toCompletableFuture() for the rest");
    }

    @Override
    public T get() {
        throw refused();
    }

    @Override
    public T get(long timeout, TimeUnit unit) {
        throw refused();
    }

    @Override
    public T getNow(T valueIfAbsent) {
        throw refused();
    }

    @Override
    public T join() {
        throw refused();
    }

    @Override
    public boolean complete(T value) {
        throw refused();
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw refused();
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        throw refused();
    }

    @Override
    public void obtrudeValue(T value) {
        throw refused();
    }

    @Override
    public void obtrudeException(Throwable ex) {
        throw refused();
    }

    @Override
    public boolean isDone() {
        throw refused();
    }

    @Override
    public boolean isCancelled() {
        throw refused();
    }

    @Override
    public boolean isCompletedExceptionally() {
        throw refused();
    }

    @Override
    public int getNumberOfDependents() {
        throw refused();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        throw refused();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        throw refused();
    }

    @Override
    public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        throw refused();
    }

    @Override
    public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        throw refused();
    }
}
