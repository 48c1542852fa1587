package dev.labwire.netty;

import static dev.labwire.netty.NettyClientContract.await;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.rfc2217.Rfc2217Options;
import dev.labwire.testsupport.clients.Clients;
import dev.labwire.testsupport.clients.TestBus;
import dev.labwire.testsupport.clients.TestClient;
import java.time.Duration;
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
    public Client openRfc2217(String endpoint, Rfc2217Options options) {
        return new Client(NettyClient.builder(endpoint).rfc2217Options(options).build());
    }

    @Override
    public Bus openBus(String endpoint, BusConfig config, BiConsumer<State, Throwable> listener) {
        return new Bus(NettyBus.builder(endpoint).config(config).listener(listener::accept).build());
    }

    /** A {@link NettyClient} as a {@link TestClient}; {@link #client()} for its own calls (futures, publishers). */
    record Client(NettyClient client) implements TestClient {
        @Override
        public Client awaitReady(Duration timeout) {
            await(client.ready(timeout));
            return this;
        }

        @Override
        public String query(String command) {
            return await(client.query(command));
        }

        @Override
        public String query(String command, Duration timeout) {
            return await(client.query(command, timeout));
        }

        @Override
        public byte[] queryBlock(String command) {
            return await(client.queryBlock(command));
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
            await(client.close());
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
