package dev.labwire.examples;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waits on a Netty client's future in a test the way the blocking client returns: the value, or its failure as it is. */
public final class NettyFutures {
    private NettyFutures() {
    }

    /**
     * The future's value, or its failure thrown as it is (a {@link CompletionException}'s runtime cause unwrapped); a
     * checked failure, or a future not done {@code within}, fails the test with an {@link AssertionError}.
     */
    public static <T> T join(CompletableFuture<T> f, Duration within) {
        try {
            return f.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r instanceof CompletionException && r.getCause() instanceof RuntimeException rc ? rc : r;
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
