package dev.labwire.testsupport.clients;

import dev.labwire.core.Event;
import dev.labwire.core.State;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One client, blocking or Netty, as the shared scenarios call it: every call waits for its outcome and a failed call
 * throws what the client failed it with ({@code RequestTimeoutException}, {@code RemoteProtocolException}...), not a
 * wrapper, so one assertion serves both clients. Each client module implements it over its own client.
 */
public interface TestClient extends AutoCloseable {

    /** Waits until the link is READY (or fails as the client's own wait does when {@code timeout} passes). */
    TestClient awaitReady(Duration timeout);

    String query(String command);

    String query(String command, Duration timeout);

    byte[] queryBlock(String command);

    State state();

    String endpoint();

    AutoCloseable onPortState(Consumer<Event.PortState> listener);

    /** Closes the client and waits for it to be closed. */
    @Override
    void close();
}
