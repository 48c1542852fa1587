package dev.labwire.netty;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.netty.internal.Call;
import dev.labwire.netty.internal.NettyDriver;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * How a {@link NettyClient} starts, beyond the settings its builder holds: the user's {@link AsyncHook} turned into
 * the driver's hook (an {@link AsyncHookSession} whose requests go ahead of every user request on the hook's link),
 * and {@link NettyClient#openAndAwait}'s wait for the first link, which closes the client when that fails.
 *
 * <p>Separate from {@code NettyClient}, whose public calls and builder are its API and their documentation; nothing
 * here is visible to users. Static, stateless.
 */
final class ClientStart {
    private ClientStart() {
    }

    /** {@link NettyClient#openAndAwait}: opens, waits for the first link, and on failure closes before failing. */
    static CompletableFuture<NettyClient> openAndAwait(String endpoint, ConnectionConfig config, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        NettyClient c = NettyClient.open(endpoint, config);
        CompletableFuture<NettyClient> result = new CompletableFuture<>();
        c.ready(timeout).whenComplete((ready, failure) -> {
            if (failure == null) {
                result.complete(ready);
            } else {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                c.close().whenComplete((v, e) -> result.completeExceptionally(cause));
            }
        });
        return result;
    }

    /** The driver's hook that runs {@code hook} with a session whose requests belong to the hook's link. */
    static NettyDriver.Hook hookAdapter(AsyncHook hook) {
        return (driver, gen) -> hook.onConnect(new AsyncHookSession() {
            @Override
            public CompletableFuture<String> query(String command) {
                return driver.requestHook(Request.query(command), gen, Call.TEXT);
            }

            @Override
            public CompletableFuture<Void> write(String command) {
                return driver.requestHook(Request.write(command), gen, r -> null);
            }

            @Override
            public CompletableFuture<Event.Reply> request(Request request) {
                return driver.requestHook(Objects.requireNonNull(request, "request"), gen, Call.REPLY);
            }
        });
    }
}
