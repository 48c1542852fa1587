package dev.labwire.netty.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A look at a {@link NettyDriver}'s link and streams, taken on its event loop, for tests and backpressure checks: each
 * method returns a future completed on the loop (failed when the loop is shut down). Any thread; not for callbacks
 * running on the loop to wait for.
 */
public final class Diagnostics {
    private final Callbacks callbacks;
    private final Links links;
    private final PushHub hub;

    Diagnostics(Callbacks callbacks, Links links, PushHub hub) {
        this.callbacks = callbacks;
        this.links = links;
        this.hub = hub;
    }

    private <T> CompletableFuture<T> snapshot(Supplier<T> onLoop) {
        CompletableFuture<T> f = new CompletableFuture<>();
        callbacks.onLoop(() -> f.complete(onLoop.get()), f);
        return f;
    }

    /** Whether reading is paused for backpressure. */
    public CompletableFuture<Boolean> readingPaused() {
        return snapshot(links::readingPaused);
    }

    /** Whether the open link reads now (the channel's auto-read, the serial reader); false without a link. */
    public CompletableFuture<Boolean> linkReading() {
        return snapshot(links::reading);
    }

    /** Whether the open link takes bytes now (below its write high-water mark); false without a link. */
    public CompletableFuture<Boolean> writable() {
        return snapshot(links::writable);
    }

    /** Outbound bytes the open link holds that are not on the wire yet; 0 without a link. */
    public CompletableFuture<Long> unsentBytes() {
        return snapshot(links::unsentBytes);
    }

    /** The most pushed frames one subscriber ever had waiting. */
    public CompletableFuture<Integer> maxPushedBuffered() {
        return snapshot(hub::maxBufferedSeen);
    }
}
