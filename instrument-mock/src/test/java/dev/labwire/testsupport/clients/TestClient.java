package dev.labwire.testsupport.clients;

import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.scpi.BinaryValues;
import dev.labwire.core.scpi.ValueType;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
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

    void write(String command);

    double queryNumber(String command);

    double[] queryNumbers(String command);

    List<String> queryLines(String command, int count);

    List<String> queryLinesUntil(String command, String marker);

    byte[] queryBlock(String command);

    BinaryValues queryBinaryValues(String command, ValueType type, ByteOrder order);

    BinaryValues queryBinaryValues(String command, ValueType type, ByteOrder order, int maxLength, Duration timeout);

    double[] queryAsciiValues(String command);

    Event.Reply request(Request request);

    State state();

    String endpoint();

    AutoCloseable onPortState(Consumer<Event.PortState> listener);

    /**
     * This client, where a bad argument (IllegalArgumentException, NullPointerException) must be thrown by the call
     * itself (an asynchronous client could also fail the call's future with it; the blocking client has only one way).
     */
    default TestClient refusingBadArgumentsAtTheCall() {
        return this;
    }

    /** Closes the client and waits for it to be closed. */
    @Override
    void close();
}
