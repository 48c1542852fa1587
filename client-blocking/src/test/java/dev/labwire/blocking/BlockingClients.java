package dev.labwire.blocking;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.rfc2217.Rfc2217Options;
import dev.labwire.core.scpi.BinaryValues;
import dev.labwire.core.scpi.ValueType;
import dev.labwire.testsupport.clients.Clients;
import dev.labwire.testsupport.clients.TestBus;
import dev.labwire.testsupport.clients.TestClient;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** The blocking client and bus behind the shared scenarios of {@code dev.labwire.testsupport.clients}: plain calls. */
final class BlockingClients implements Clients {
    static final BlockingClients INSTANCE = new BlockingClients();

    private BlockingClients() {
    }

    @Override
    public String name() {
        return "blocking";
    }

    @Override
    public Client open(String endpoint, ConnectionConfig config, BiConsumer<State, Throwable> listener) {
        return new Client(BlockingClient.builder(endpoint).config(config).listener(listener::accept).build());
    }

    @Override
    public Client openAndAwait(String endpoint, ConnectionConfig config, Duration timeout) {
        return new Client(BlockingClient.openAndAwait(endpoint, config, timeout));
    }

    @Override
    public Client openWithHook(String endpoint, ConnectionConfig config, BiConsumer<State, Throwable> listener,
            List<String> steps, List<String> answers) {
        return new Client(BlockingClient.builder(endpoint).config(config).listener(listener::accept).onConnect(s -> {
            for (String step : steps) {
                if (step.endsWith("?")) {
                    answers.add(s.query(step));
                } else {
                    s.write(step);
                }
            }
        }).build());
    }

    /** Its hook throws on its first two runs. */
    @Override
    public Client openWithHookFailingTwice(String endpoint, ConnectionConfig config, BiConsumer<State, Throwable> listener,
            AtomicInteger runs) {
        return new Client(BlockingClient.builder(endpoint).config(config).listener(listener::accept).onConnect(s -> {
            if (runs.incrementAndGet() < 3) {
                throw new IllegalStateException("not configured yet, run " + runs.get());
            }
            s.write("VOLT 1");
        }).build());
    }

    @Override
    public Client openRfc2217(String endpoint, Rfc2217Options options) {
        return new Client(BlockingClient.builder(endpoint).rfc2217Options(options).build());
    }

    @Override
    public Bus openBus(String endpoint, BusConfig config, BiConsumer<State, Throwable> listener) {
        return new Bus(BlockingBus.open(endpoint, config, listener::accept));
    }

    /** A {@link BlockingClient} as a {@link TestClient}; {@link #client()} for what only the blocking client has. */
    record Client(BlockingClient client) implements TestClient {
        @Override
        public Client awaitReady(Duration timeout) {
            client.awaitReady(timeout);
            return this;
        }

        @Override
        public String query(String command) {
            return client.query(command);
        }

        @Override
        public String query(String command, Duration timeout) {
            return client.query(command, timeout);
        }

        @Override
        public void write(String command) {
            client.write(command);
        }

        @Override
        public double queryNumber(String command) {
            return client.queryNumber(command);
        }

        @Override
        public double[] queryNumbers(String command) {
            return client.queryNumbers(command);
        }

        @Override
        public List<String> queryLines(String command, int count) {
            return client.queryLines(command, count);
        }

        @Override
        public List<String> queryLinesUntil(String command, String marker) {
            return client.queryLinesUntil(command, marker);
        }

        @Override
        public byte[] queryBlock(String command) {
            return client.queryBlock(command);
        }

        @Override
        public BinaryValues queryBinaryValues(String command, ValueType type, ByteOrder order) {
            return client.queryBinaryValues(command, type, order);
        }

        @Override
        public BinaryValues queryBinaryValues(String command, ValueType type, ByteOrder order, int maxLength, Duration timeout) {
            return client.queryBinaryValues(command, type, order, maxLength, timeout);
        }

        @Override
        public double[] queryAsciiValues(String command) {
            return client.queryAsciiValues(command);
        }

        @Override
        public Event.Reply request(Request request) {
            return client.request(request);
        }

        @Override
        public State state() {
            return client.state();
        }

        @Override
        public String endpoint() {
            return client.endpoint();
        }

        @Override
        public AutoCloseable onPortState(Consumer<Event.PortState> listener) {
            return client.onPortState(listener);
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** A {@link BlockingBus} as a {@link TestBus}. */
    record Bus(BlockingBus bus) implements TestBus {
        @Override
        public Bus awaitReady(Duration timeout) {
            bus.awaitReady(timeout);
            return this;
        }

        @Override
        public BlockingClients.Device device(String address) {
            return new BlockingClients.Device(bus.device(address));
        }

        @Override
        public BlockingClients.Device device(int address) {
            return new BlockingClients.Device(bus.device(address));
        }

        @Override
        public State state() {
            return bus.state();
        }

        @Override
        public String endpoint() {
            return bus.endpoint();
        }

        @Override
        public AutoCloseable onPortState(Consumer<Event.PortState> listener) {
            return bus.onPortState(listener);
        }

        @Override
        public void close() {
            bus.close();
        }

        @Override
        public String toString() {
            return bus.toString();
        }
    }

    /** A {@link BusDevice} as a {@link TestBus.Device}. */
    record Device(BusDevice device) implements TestBus.Device {
        @Override
        public String query(String command) {
            return device.query(command);
        }

        @Override
        public String query(String command, Duration timeout) {
            return device.query(command, timeout);
        }

        @Override
        public void write(String command) {
            device.write(command);
        }

        @Override
        public Event.Reply request(Request request) {
            return device.request(request);
        }

        @Override
        public int readStatusByte() {
            return device.readStatusByte();
        }

        @Override
        public void trigger() {
            device.trigger();
        }

        @Override
        public void clear() {
            device.clear();
        }
    }
}
