package dev.labwire.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.junit.MockInstrumentExtension;
import dev.labwire.netty.NettyClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MockInstrument as a user's test meets it (issue 16 item 7): the JUnit extension with a device file, queried through
 * the real clients over loopback, and restart() while the clients are connected: both reconnect, on-connect hook
 * replayed, to the same port.
 */
class MockInstrumentUsersTest {

    enum Kind { BLOCKING, NETTY }

    @RegisterExtension
    final MockInstrumentExtension psu = MockInstrumentExtension.tcp()
            .device(Path.of("src/test/resources/devices/psu.yaml"));

    private static ConnectionConfig config() {
        return ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0)).build();
    }

    /** The README's snippet ("A fresh mock per test, a device from a file"), as written there. */
    @Test
    void refusesTooHighAVoltage(MockInstrument mock) {
        try (BlockingClient client = BlockingClient.open(mock.endpoint())) {
            client.write("VOLT 31");
            assertEquals("-222,\"Data out of range\"", client.query("SYST:ERR?"));
            assertEquals("0.000", client.query("VOLT?"));
            int n = mock.connectionCount();
            mock.restart();                                   // drops the client, keeps the port
            mock.awaitConnections(n + 1, Duration.ofSeconds(5));   // the client is back
        }
    }

    @Test
    void aDeviceFileThroughTheBlockingClient(MockInstrument mock) {
        try (BlockingClient client = BlockingClient.open(mock.endpoint(), config())) {
            assertThat(client.query("*IDN?")).isEqualTo("ACME,PSU-1000,SN42,1.2");
            assertThat(client.query("*TST?")).isEqualTo("0");
            assertThat(client.query("MEAS:TEMP? 4")).isEqualTo("+24.5E+00");
            assertThat(client.query("VOLT?")).isEqualTo("0.000");
            client.write("VOLT 12.5");
            client.write("OUTP on");
            assertThat(client.query("VOLT?")).isEqualTo("12.500");
            assertThat(client.query("OUTP?")).isEqualTo("ON");

            client.write("VOLT 31"); // out of range: refused, unanswered, error queued
            assertThat(client.query("VOLT?")).isEqualTo("12.500");
            assertThat(client.query("SYST:ERR?")).isEqualTo("-222,\"Data out of range\"");
            assertThat(client.query("SYST:ERR?")).isEqualTo("+0,\"No error\"");
            assertThatThrownBy(() -> client.query("VOLT? 99", Duration.ofMillis(300)))
                    .as("an unknown query gets no reply").isInstanceOf(RequestTimeoutException.class);
            assertThat(client.query("SYST:ERR?")).isEqualTo("-113,\"Undefined header\"");
            assertThat(mock.dictionary().property("voltage")).isEqualTo("12.5");
        }
    }

    @Test
    void aDeviceFileThroughTheNettyClient(MockInstrument mock) {
        NettyClient client = NettyClient.open(mock.endpoint(), config());
        try {
            RealDeviceFaultsTest.join(client.write("VOLT 7"));
            assertThat(RealDeviceFaultsTest.join(client.query("VOLT?;OUTP?"))).isEqualTo("7.000;OFF");
            RealDeviceFaultsTest.join(client.write("VOLT -1"));
            assertThat(RealDeviceFaultsTest.join(client.query("SYST:ERR?"))).isEqualTo("-222,\"Data out of range\"");
        } finally {
            RealDeviceFaultsTest.join(client.close());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void restartWhileConnectedDropsTheClientWhichReconnectsToTheSamePort(Kind kind) {
        MockInstrument mock = psu.mock();
        int port = mock.port();
        AtomicInteger hooks = new AtomicInteger();
        if (kind == Kind.BLOCKING) {
            try (BlockingClient client = BlockingClient.builder(mock.endpoint()).config(config())
                    .onConnect(session -> hooks.incrementAndGet()).build()) {
                client.write("VOLT 3");
                assertThat(client.query("VOLT?")).isEqualTo("3.000");
                restartAndAwaitTheClient(mock, hooks);
                assertThat(client.query("VOLT?", Duration.ofSeconds(10))).as("settings survive").isEqualTo("3.000");
            }
        } else {
            NettyClient client = NettyClient.builder(mock.endpoint()).config(config())
                    .onConnect(session -> {
                        hooks.incrementAndGet();
                        return java.util.concurrent.CompletableFuture.completedFuture(null);
                    }).build();
            try {
                RealDeviceFaultsTest.join(client.write("VOLT 3"));
                assertThat(RealDeviceFaultsTest.join(client.query("VOLT?"))).isEqualTo("3.000");
                restartAndAwaitTheClient(mock, hooks);
                assertThat(RealDeviceFaultsTest.join(client.query("VOLT?", Duration.ofSeconds(10)))).isEqualTo("3.000");
            } finally {
                RealDeviceFaultsTest.join(client.close());
            }
        }
        assertThat(mock.port()).isEqualTo(port);
    }

    private static void restartAndAwaitTheClient(MockInstrument mock, AtomicInteger hooks) {
        for (int round = 1; round <= 3; round++) {
            int before = mock.connectionCount();
            mock.restart();
            assertThat(mock.restartCount()).isEqualTo(round);
            mock.awaitConnections(before + 1, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (hooks.get() < round + 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(hooks.get()).as("the on-connect hook ran again after restart " + round).isEqualTo(round + 1);
        }
    }
}
