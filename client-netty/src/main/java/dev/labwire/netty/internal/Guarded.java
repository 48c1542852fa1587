package dev.labwire.netty.internal;

import io.netty.util.concurrent.BlockingOperationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A future of one client: where its dependents run, and where it refuses to be waited for.
 *
 * <p><b>Where dependents run.</b> A client's own futures (a call's, {@code close()}'s, {@code ready()}'s) complete on
 * its event loop (or on the calling thread: a call refused at once, a {@code cancel}), so a thread waiting in
 * {@code get()} or {@code join()} wakes on time whatever user code does. Without
 * a callback executor their dependents run as the JDK runs them (on the loop, for a dependent registered before the
 * future completed). With one, every dependent registered without an executor ({@code thenApply}, {@code whenComplete},
 * {@code thenCompose}, ... and the stages made from them) runs on the client's serialised callback executor
 * ({@link Callbacks#userExecutor()}) as its {@code ...Async(fn, executor)} twin: one at a time, in the order the loop
 * completed their futures, also when registered after that (the JDK lets a thread waiting in {@code get()} hand some
 * of a future's dependents to the executor itself, so while one waits on that future they may queue a moment after
 * those of the next). A dependent registered with an executor (the {@code ...Async} methods) runs where that says.
 *
 * <p><b>Where it refuses.</b> {@code join()} and {@code get()} (with or without a timeout) of an unfinished future throw
 * {@link BlockingOperationException} at once where waiting can only end at the wait's timeout or never, as Netty's own
 * futures do: on the client's event loop (it completes them), and, inside one of the client's callbacks on its callback
 * executor, for a dependent stage (it completes on that executor, after the callback). The message says what to do
 * instead. A completed future answers anywhere; a call's own future may be waited for in a callback on the executor (it
 * completes on the loop by its deadline, while the executor waits).
 *
 * @param <T> the value
 */
public class Guarded<T> extends CompletableFuture<T> {
    private final Callbacks owner;

    /** @param owner the client's threads; null for a future that is never guarded and runs dependents as the JDK does (tests) */
    Guarded(Callbacks owner) {
        this.owner = owner;
    }

    /**
     * A stage made from another future ({@link #newIncompleteFuture()}): with a callback executor it completes there,
     * not on the loop. A subclass, not a flag: a boolean field would make each such stage 8 bytes larger (24 to 32;
     * one per {@code whenComplete}), and the owner's executor is read per dependent ({@link #user()}) for the same
     * reason: as a field it would make every call's object 56 bytes instead of 48, with or without an executor.
     */
    static class Dependent<T> extends Guarded<T> {
        Dependent(Callbacks owner) {
            super(owner);
        }

        @Override
        boolean isDependent() {
            return true;
        }
    }

    /** True for a stage made from another future ({@link Dependent}). */
    boolean isDependent() {
        return false;
    }

    /** The owner's serialised callback executor, where dependents run; null: where the JDK runs them. */
    private Executor user() {
        return owner == null ? null : owner.userExecutor();
    }

    private void checkMayWait(String how) {
        if (owner == null || isDone()) {
            return;
        }
        if (owner.inEventLoop()) {
            throw new BlockingOperationException(how + " on an unfinished future of client " + owner.name() + " from "
                    + Thread.currentThread().getName() + ", a thread that must run to complete it: it would wait forever. "
                    + "Chain the next step instead (thenApply, thenCompose, whenComplete), or give the client a "
                    + "callbackExecutor and wait on another thread");
        }
        if (isDependent() && owner.inUserCallback()) {
            throw new BlockingOperationException(how + " on an unfinished dependent stage of client " + owner.name()
                    + " inside one of its callbacks on its callback executor: the stage completes there after this callback, "
                    + "so it would wait forever. Chain the next step instead (thenApply, thenCompose, whenComplete), or wait "
                    + "for the call's own future, which completes on the client's event loop");
        }
    }

    /** The client's threads, or null. */
    final Callbacks owner() {
        return owner;
    }

    /** Runs {@code action} when this completes, on the completing thread (the loop, for the client's own futures), never on the callback executor: for the client's own bookkeeping, not user code. */
    void whenDoneInline(BiConsumer<? super T, ? super Throwable> action) {
        super.whenComplete(action);
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
        return new Dependent<>(owner);
    }

    /**
     * As the JDK's: a stage that completes with this one and refuses everything but the {@link CompletionStage} methods;
     * with a callback executor, one whose dependents run there too (the JDK's own would run them on the loop).
     */
    @Override
    public CompletionStage<T> minimalCompletionStage() {
        if (user() == null) {
            return super.minimalCompletionStage();
        }
        MinimalStage<T> m = new MinimalStage<>(owner);
        super.whenComplete(m::relay);
        return m;
    }

    // ------------------------------------------------------------------ dependents: on the callback executor, if any

    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
        Executor user = user();
        return user == null ? super.thenApply(fn) : super.thenApplyAsync(fn, user);
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super T> action) {
        Executor user = user();
        return user == null ? super.thenAccept(action) : super.thenAcceptAsync(action, user);
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        Executor user = user();
        return user == null ? super.thenRun(action) : super.thenRunAsync(action, user);
    }

    @Override
    public <U, V> CompletableFuture<V> thenCombine(CompletionStage<? extends U> other,
                                                   BiFunction<? super T, ? super U, ? extends V> fn) {
        Executor user = user();
        return user == null ? super.thenCombine(other, fn) : super.thenCombineAsync(other, fn, user);
    }

    @Override
    public <U> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends U> other,
                                                      BiConsumer<? super T, ? super U> action) {
        Executor user = user();
        return user == null ? super.thenAcceptBoth(other, action) : super.thenAcceptBothAsync(other, action, user);
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        Executor user = user();
        return user == null ? super.runAfterBoth(other, action) : super.runAfterBothAsync(other, action, user);
    }

    @Override
    public <U> CompletableFuture<U> applyToEither(CompletionStage<? extends T> other, Function<? super T, U> fn) {
        Executor user = user();
        return user == null ? super.applyToEither(other, fn) : super.applyToEitherAsync(other, fn, user);
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends T> other, Consumer<? super T> action) {
        Executor user = user();
        return user == null ? super.acceptEither(other, action) : super.acceptEitherAsync(other, action, user);
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        Executor user = user();
        return user == null ? super.runAfterEither(other, action) : super.runAfterEitherAsync(other, action, user);
    }

    @Override
    public <U> CompletableFuture<U> thenCompose(Function<? super T, ? extends CompletionStage<U>> fn) {
        Executor user = user();
        return user == null ? super.thenCompose(fn) : super.thenComposeAsync(fn, user);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
        Executor user = user();
        return user == null ? super.whenComplete(action) : super.whenCompleteAsync(action, user);
    }

    @Override
    public <U> CompletableFuture<U> handle(BiFunction<? super T, Throwable, ? extends U> fn) {
        Executor user = user();
        return user == null ? super.handle(fn) : super.handleAsync(fn, user);
    }

    @Override
    public CompletableFuture<T> exceptionally(Function<Throwable, ? extends T> fn) {
        Executor user = user();
        return user == null ? super.exceptionally(fn) : super.exceptionallyAsync(fn, user);
    }

    @Override
    public CompletableFuture<T> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<T>> fn) {
        Executor user = user();
        return user == null ? super.exceptionallyCompose(fn) : super.exceptionallyComposeAsync(fn, user);
    }
}
