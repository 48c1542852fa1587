package dev.labwire.netty;

import static dev.labwire.netty.NettyClientContract.await;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The Netty client and bus behind the shared scenarios of {@code dev.labwire.testsupport.clients}: each call waits for
 * its future ({@link NettyClientContract#await}: at most 30 s, so a call that never ends fails the test instead of
 * hanging it) and throws what the future failed with, unwrapped.
 */
final class NettyClients implements Clients {
    static final NettyClients INSTANCE = new NettyClients();

    private NettyClients() {
    }

    @Override
    public String name() {
        return "netty";
    }

    @Override
    public Client open(String endpoint, ConnectionConfig config, BiConsumer<State, Throwable> listener) {
        return new Client(NettyClient.builder(endpoint).config(config).listener(listener::accept).build());
    }

    @Override
    public Client openAndAwait(String endpoint, ConnectionConfig config, Duration timeout) {
        return new Client(await(NettyClient.openAndAwait(endpoint, config, timeout)));
    }

    /** Its hook chains the steps' futures on the event loop, never waiting. */
    @Override
    public Client openWithHook(String endpoint, ConnectionConfig config, BiConsumer<State, Throwable> listener,
            List<String> steps, List<String> answers) {
        return new Client(NettyClient.builder(endpoint).config(config).listener(listener::accept).onConnect(s -> {
            CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
            for (String step : steps) {
                done = step.endsWith("?") ? done.thenCompose(v -> s.query(step)).thenAccept(answers::add)
                        : done.thenCompose(v -> s.write(step));
            }
            return done;
        }).build());
    }

    /** Its hook throws on its first run and returns a stage that fails later on its second. */
    @Override
    public Client openWithHookFailingTwice(String endpoint, ConnectionConfig config, BiConsumer<State, Throwable> listener,
            AtomicInteger runs) {
        return new Client(NettyClient.builder(endpoint).config(config).listener(listener::accept).onConnect(s -> {
            int run = runs.incrementAndGet();
            if (run == 1) {
                throw new IllegalStateException("not configured yet, run " + run); // thrown
            }
            if (run == 2) { // or a stage that fails later
                return s.query("*IDN?").thenCompose(idn -> CompletableFuture.failedFuture(
                        new IllegalStateException("not configured yet, run " + run)));
            }
            return s.write("VOLT 1");
        }).build());
    }

    @Override
    public Client openRfc2217(String endpoint, Rfc2217Options options) {
        return new Client(NettyClient.builder(endpoint).rfc2217Options(options).build());
    }

    @Override
    public Bus openBus(String endpoint, BusConfig config, BiConsumer<State, Throwable> listener) {
        return new Bus(NettyBus.builder(endpoint).config(config).listener(listener::accept).build());
    }

    /**
     * A {@link NettyClient} as a {@link TestClient}; {@link #client()} for its own calls (futures, publishers). When
     * {@code argumentsAtTheCall}, a bad argument must be thrown by the call itself: an IllegalArgumentException or
     * NullPointerException that comes through the future fails the test.
     */
    record Client(NettyClient client, boolean argumentsAtTheCall) implements TestClient {
        Client(NettyClient client) {
            this(client, false);
        }

        @Override
        public Client refusingBadArgumentsAtTheCall() {
            return new Client(client, true);
        }

        private <T> T get(CompletableFuture<T> future) {
            if (!argumentsAtTheCall) {
                return await(future);
            }
            try {
                return await(future);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new AssertionError("a bad argument must be thrown at the call, not through the future", e);
            }
        }

        @Override
        public Client awaitReady(Duration timeout) {
            get(client.ready(timeout));
            return this;
        }

        @Override
        public String query(String command) {
            return get(client.query(command));
        }

        @Override
        public String query(String command, Duration timeout) {
            return get(client.query(command, timeout));
        }

        @Override
        public void write(String command) {
            get(client.write(command));
        }

        @Override
        public double queryNumber(String command) {
            return get(client.queryNumber(command));
        }

        @Override
        public double[] queryNumbers(String command) {
            return get(client.queryNumbers(command));
        }

        @Override
        public List<String> queryLines(String command, int count) {
            return get(client.queryLines(command, count));
        }

        @Override
        public List<String> queryLinesUntil(String command, String marker) {
            return get(client.queryLinesUntil(command, marker));
        }

        @Override
        public byte[] queryBlock(String command) {
            return get(client.queryBlock(command));
        }

        @Override
        public BinaryValues queryBinaryValues(String command, ValueType type, ByteOrder order) {
            return get(client.queryBinaryValues(command, type, order));
        }

        @Override
        public BinaryValues queryBinaryValues(String command, ValueType type, ByteOrder order, int maxLength, Duration timeout) {
            return get(client.queryBinaryValues(command, type, order, maxLength, timeout));
        }

        @Override
        public double[] queryAsciiValues(String command) {
            return get(client.queryAsciiValues(command));
        }

        @Override
        public Event.Reply request(Request request) {
            return get(client.request(request));
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
            get(client.close());
        }
    }

    /** A {@link NettyBus} as a {@link TestBus}; {@link #bus()} for its own calls. */
    record Bus(NettyBus bus) implements TestBus {
        @Override
        public Bus awaitReady(Duration timeout) {
            await(bus.ready(timeout));
            return this;
        }

        @Override
        public NettyClients.Device device(String address) {
            return new NettyClients.Device(bus.device(address));
        }

        @Override
        public NettyClients.Device device(int address) {
            return new NettyClients.Device(bus.device(address));
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
            await(bus.close());
        }

        @Override
        public String toString() {
            return bus.toString();
        }
    }

    /** A {@link NettyBusDevice} as a {@link TestBus.Device}. */
    record Device(NettyBusDevice device) implements TestBus.Device {
        @Override
        public String query(String command) {
            return await(device.query(command));
        }

        @Override
        public String query(String command, Duration timeout) {
            return await(device.query(command, timeout));
        }

        @Override
        public void write(String command) {
            await(device.write(command));
        }

        @Override
        public Event.Reply request(Request request) {
            return await(device.request(request));
        }

        @Override
        public int readStatusByte() {
            return await(device.readStatusByte());
        }

        @Override
        public void trigger() {
            await(device.trigger());
        }

        @Override
        public void clear() {
            await(device.clear());
        }
    }
}
