package dev.labwire.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The broker goes away (stopped) or stalls (SIGSTOP) under a gateway and a RemoteInstrument, and they are closed. */
class BrokerOutageTest {

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void closedDuringABrokerOutageTheyStayClosedWhenTheBrokerComesBack() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        AtomicLong n = new AtomicLong();
        try (Mosquitto broker = Mosquitto.start(); MockInstrument dev = MockInstrument.tcp().scpi()) {
            dev.responder(cmd -> cmd.startsWith("SLOW? ") ? MockReply.line(cmd.substring(6)).delay(Duration.ofMillis(300))
                    : null);
            MqttGateway gw = MqttGateway.builder(broker.broker()).gatewayId("gw-out")
                    .instrument(InstrumentSpec.of("dev", dev.endpoint())
                            .withStream(new Stream("t", "T:", Duration.ZERO, null))).start(Duration.ofSeconds(10));
            RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "dev").clientId("remote-out").build();
            GatewayTestSupport.awaitStatus(broker, "dev", "online");
            assertThat(r.query("*IDN?")).startsWith("LABWIRE");
            assertThat(dev.takeCommand(Duration.ofSeconds(5))).isEqualTo("*IDN?");
            CompletableFuture<String> outstanding;
            long grown;
            try (AutoCloseable flood = dev.pushFlood(() -> "T:" + n.incrementAndGet())) {
                long h0 = StalledBrokerTest.heapAfterGc();
                outstanding = r.queryAsync("SLOW? out", Duration.ofMillis(1500));
                assertThat(dev.takeCommand(Duration.ofSeconds(5))).isEqualTo("SLOW? out");
                long s0 = System.nanoTime();
                broker.stop(); // the reply comes while the broker is gone
                long f0 = gw.streamFrames();
                Throwable failure = outstanding.handle((v, e) -> e.getCause()).get(5, TimeUnit.SECONDS);
                long endedMs = millisSince(s0);
                StalledBrokerTest.parkFor(Duration.ofSeconds(1));
                grown = StalledBrokerTest.heapAfterGc() - h0;
                System.out.printf("broker stopped: the outstanding call (1,500 ms) ended %d ms after the stop: %s;"
                        + " %d frames streamed in the outage, heap %+d KiB%n", endedMs, failure, gw.streamFrames() - f0,
                        grown / 1024);
                assertThat(failure).isInstanceOf(RequestTimeoutException.class).hasMessageContaining("connection to the broker");
                assertThat(endedMs).isLessThan(1_500 + 200);
                assertThat(grown).isLessThan(16L << 20);
            }
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> r.query("*IDN?", Duration.ofSeconds(2))).isInstanceOf(LinkDownException.class)
                    .hasMessageContaining("broker");
            assertThat(millisSince(t0)).as("a call while the broker is gone").isLessThan(2_200);
            t0 = System.nanoTime();
            gw.close();
            r.close();
            long closeMs = millisSince(t0);
            assertThat(closeMs).as("close of gateway and RemoteInstrument during the outage").isLessThan(3_000);
            int logBefore = broker.log().length();
            broker.launch();
            // nothing of theirs may reconnect: their backoff (100 ms doubling) would have them back within 2 s
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            List<String> reconnected = List.of();
            while (reconnected.isEmpty() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(50_000_000L);
                reconnected = broker.log().substring(logBefore).lines().filter(l -> l.contains("New client connected"))
                        .filter(l -> l.contains(" as gw-out") || l.contains(" as remote-out")).toList();
            }
            System.out.printf("closed during an outage: close %d ms; connections to the broker since it came back: %s%n",
                    closeMs, reconnected);
            assertThat(reconnected).as("connections to the restarted broker").isEmpty();
        }
    }

    @Test
    void closeWhileTheBrokerIsStalledTakesBoundedTimeWhateverTheInstrumentsAndTheWillSaysOffline() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        try (Mosquitto broker = Mosquitto.start(); MockInstrument dev = MockInstrument.tcp().scpi()) {
            MqttGateway.Builder b = MqttGateway.builder(broker.broker()).gatewayId("gw-frozen");
            for (int i = 0; i < 3; i++) b.instrument(InstrumentSpec.of("dev" + i, dev.endpoint()));
            MqttGateway gw = b.start(Duration.ofSeconds(10));
            for (int i = 0; i < 3; i++) GatewayTestSupport.awaitStatus(broker, "dev" + i, "online");
            broker.freeze();
            long t0 = System.nanoTime();
            try {
                gw.close();
            } finally {
                broker.thaw();
            }
            long closeMs = millisSince(t0);
            System.out.printf("gateway of 3 instruments closed while the broker is stalled: %d ms%n", closeMs);
            assertThat(closeMs).isLessThan(6_000);
            for (int i = 0; i < 3; i++) GatewayTestSupport.awaitStatus(broker, "dev" + i, "offline");
        }
    }
}
