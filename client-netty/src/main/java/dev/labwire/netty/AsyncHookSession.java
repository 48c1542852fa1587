package dev.labwire.netty;

import dev.labwire.core.Event;
import dev.labwire.core.Request;
import java.util.concurrent.CompletableFuture;

/**
 * What an {@link AsyncHook} talks through: requests sent ahead of every user request, on the link the
 * hook was started for. Once that link is gone, or after the hook's stage completed, its calls fail with
 * {@link dev.labwire.core.LinkDownException} or {@link dev.labwire.core.LocalProtocolException}. Futures
 * complete like the client's own (see {@link NettyClient}).
 */
public interface AsyncHookSession {
    /** Sends {@code command} and completes with the one-line reply. */
    CompletableFuture<String> query(String command);

    /** Sends {@code command}, expecting no reply; completes once the bytes are handed to the link. */
    CompletableFuture<Void> write(String command);

    /** Sends any request and completes with its reply. */
    CompletableFuture<Event.Reply> request(Request request);
}
