package dev.labwire.testsupport.clients;

import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import java.time.Duration;
import java.util.function.Consumer;

/** One bus (many addressed devices on one link), blocking or Netty, as the shared scenarios call it; see {@link TestClient}. */
public interface TestBus extends AutoCloseable {

    TestBus awaitReady(Duration timeout);

    Device device(String address);

    Device device(int address);

    State state();

    String endpoint();

    AutoCloseable onPortState(Consumer<Event.PortState> listener);

    /** Closes the bus and waits for it to be closed. */
    @Override
    void close();

    /** One address on the bus; every call waits for its outcome. */
    interface Device {
        String query(String command);

        String query(String command, Duration timeout);

        void write(String command);

        Event.Reply request(Request request);

        int readStatusByte();

        void trigger();

        void clear();
    }
}
