package dev.labwire.testsupport.clients;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.State;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.rfc2217.Rfc2217Options;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * Opens the client under test: what a shared scenario's subclass in a client module supplies. Opening does not wait
 * for the link; {@link TestClient#awaitReady} does.
 */
public interface Clients {

    /** "blocking" or "netty": for log lines and figure files. */
    String name();

    /** As the client's builder with this config and state listener ({@code (state, cause)}, cause only on DOWN). */
    TestClient open(String endpoint, ConnectionConfig config, BiConsumer<State, Throwable> listener);

    default TestClient open(String endpoint, ConnectionConfig config) {
        return open(endpoint, config, (state, cause) -> { });
    }

    /**
     * The client's openAndAwait: a client that is READY, or the failure (thrown, unwrapped) once the first connect
     * attempt failed for good or {@code timeout} passed; a client that failed is closed.
     */
    TestClient openAndAwait(String endpoint, ConnectionConfig config, Duration timeout);

    /**
     * As {@link #open(String, ConnectionConfig, BiConsumer)}, with an on-connect hook that runs {@code steps} in order
     * on each new link, in the client's own way: a step ending in '?' is a query whose answer is added to
     * {@code answers}, any other a write.
     */
    TestClient openWithHook(String endpoint, ConnectionConfig config, BiConsumer<State, Throwable> listener,
            List<String> steps, List<String> answers);

    /**
     * As {@link #open(String, ConnectionConfig, BiConsumer)}, with an on-connect hook that counts its runs in
     * {@code runs}, fails its first two (each with a message "not configured yet, run N", each in a way the client's
     * hooks can fail) and then writes "VOLT 1".
     */
    TestClient openWithHookFailingTwice(String endpoint, ConnectionConfig config, BiConsumer<State, Throwable> listener,
            AtomicInteger runs);

    /**
     * As the client's builder with these RFC 2217 session options and the default config; the builder's refusal of
     * options for an endpoint that is not {@code rfc2217://} is thrown as it is.
     */
    TestClient openRfc2217(String endpoint, Rfc2217Options options);

    TestBus openBus(String endpoint, BusConfig config, BiConsumer<State, Throwable> listener);

    default TestBus openBus(String endpoint, BusConfig config) {
        return openBus(endpoint, config, (state, cause) -> { });
    }
}
