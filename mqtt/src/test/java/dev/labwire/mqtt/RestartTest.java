package dev.labwire.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.mock.MockInstrument;
import dev.labwire.mqtt.internal.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Broker restart and gateway death (Last Will), with a real mosquitto and GatewayMain in its own JVM. */
class RestartTest {

    static Map<String, Object> awaitRetained(Mosquitto broker, String topic, String key, String value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Map<String, Object> last = null;
        while (System.nanoTime() < deadline) {
            List<String> lines = broker.sub(topic, 1, 3).stream().filter(l -> l.startsWith("{")).toList();
            if (!lines.isEmpty()) {
                last = Json.parseObject(lines.get(0));
                if (value.equals(last.get(key))) return last;
            }
        }
        throw new AssertionError(topic + " never had " + key + "=" + value + "; last " + last + "\n" + broker.log());
    }

    @Test
    void aKilledGatewayLeavesOfflineThroughItsLastWillAndARestartedOneServesAgain() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        try (Mosquitto broker = Mosquitto.start(); MockInstrument psu = MockInstrument.tcp().scpi()) {
            Path config = Files.createTempFile(broker.dir, "gateway", ".yaml");
            Files.writeString(config, String.join("\n",
                    "broker:",
                    "  host: 127.0.0.1",
                    "  port: " + broker.port,
                    "gateway:",
                    "  id: gw-proc",
                    "instruments:",
                    "  - name: psu",
                    "    endpoint: " + psu.endpoint(),
                    "    timeout: 2s",
                    "    polls:",
                    "      - { name: idn, command: \"*IDN?\", period: 500ms }",
                    ""));
            Process gw = startGateway(config, broker.dir.resolve("gw1.log"));
            try {
                awaitRetained(broker, "labwire/psu/status", "state", "online");
                awaitRetained(broker, "labwire/psu/value/idn", "name", "idn");
                gw.destroyForcibly(); // SIGKILL: no DISCONNECT, so the broker publishes the Will
                assertThat(gw.waitFor(10, TimeUnit.SECONDS)).isTrue();
                Map<String, Object> will = awaitRetained(broker, "labwire/psu/status", "state", "offline");
                assertThat((String) will.get("detail")).contains("gw-proc lost its broker connection");
            } finally {
                gw.destroyForcibly();
            }
            Process gw2 = startGateway(config, broker.dir.resolve("gw2.log"));
            try {
                awaitRetained(broker, "labwire/psu/status", "state", "online");
                try (RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "psu").build()) {
                    assertThat(r.query("*IDN?")).startsWith("LABWIRE");
                }
                gw2.destroy(); // SIGTERM: the shutdown hook publishes "gateway stopped"
                assertThat(gw2.waitFor(15, TimeUnit.SECONDS)).isTrue();
                awaitRetained(broker, "labwire/psu/status", "detail", "gateway stopped");
            } finally {
                gw2.destroyForcibly();
            }
        }
    }

    private static Process startGateway(Path config, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.labwire.mqtt.GatewayMain", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void afterABrokerRestartTheGatewayRepublishesItsRetainedTopicsAndServesAgain() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        try (Mosquitto broker = Mosquitto.start(); MockInstrument psu = MockInstrument.tcp().scpi();
             MqttGateway gw = MqttGateway.builder(broker.broker()).gatewayId("gw-br")
                     .instrument(InstrumentSpec.of("psu", psu.endpoint())
                             .withPoll(new Poll("idn", "*IDN?", Duration.ofSeconds(30), null)))
                     .start(Duration.ofSeconds(10));
             RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "psu").build()) {
            awaitRetained(broker, "labwire/psu/status", "state", "online");
            awaitRetained(broker, "labwire/psu/value/idn", "name", "idn");
            assertThat(r.query("*IDN?")).startsWith("LABWIRE");
            broker.stop(); // persistence off: the restarted broker has no retained messages and no sessions
            broker.launch();
            // the poll's period (30 s) is longer than this test: the value comes back by the republish on reconnect
            awaitRetained(broker, "labwire/psu/status", "state", "online");
            awaitRetained(broker, "labwire/psu/value/idn", "name", "idn");
            // both sides subscribed again: a request is served (retry while the two reconnect)
            assertThat(GatewayTestSupport.idnOnceServedAgain(r)).startsWith("LABWIRE");
        }
    }

    @Test
    void anInstrumentReadsOnlineOnlyOnceTheGatewayTakesItsRequests() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        try (Mosquitto broker = Mosquitto.start(); MockInstrument psu = MockInstrument.tcp().scpi();
             MqttGateway gw = MqttGateway.builder(broker.broker()).gatewayId("gw-order")
                     .instrument(InstrumentSpec.of("psu", psu.endpoint())).start(Duration.ofSeconds(10))) {
            awaitRetained(broker, "labwire/psu/status", "state", "online");
            String log = broker.log();
            int subscribed = log.indexOf("Received SUBSCRIBE from gw-order\n");
            int firstStatus = log.indexOf("Received PUBLISH from gw-order-psu");
            assertThat(subscribed).as("the gateway's subscription").isPositive();
            assertThat(firstStatus).as("its first status publication comes after it").isGreaterThan(subscribed);
        }
    }
}
