package dev.labwire.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Requests another client publishes on the request topic that no well-behaved caller would send. */
class HostileRequestTest {

    @Test
    void hostileRequestsGetAnErrorOrAreDroppedAndTheGatewayKeepsServing() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        try (Mosquitto broker = Mosquitto.start(); MockInstrument dev = MockInstrument.tcp().scpi()) {
            dev.responder(cmd -> cmd.startsWith("ECHO? ") ? MockReply.line(cmd.substring(6)) : null);
            try (MqttGateway gw = MqttGateway.builder(broker.broker()).gatewayId("gw-hostile").maxPayloadBytes(1024)
                    .instrument(InstrumentSpec.of("dev", dev.endpoint())).start(Duration.ofSeconds(10));
                 RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "dev").build()) {
                GatewayTestSupport.awaitStatus(broker, "dev", "online");
                Mqtt5AsyncClient evil = MqttClient.builder().useMqttVersion5().identifier("evil").serverHost("127.0.0.1")
                        .serverPort(broker.port).buildAsync();
                evil.connect().get(5, TimeUnit.SECONDS);
                BlockingQueue<Mqtt5Publish> got = new LinkedBlockingQueue<>();
                evil.publishes(MqttGlobalPublishFilter.SUBSCRIBED, got::add);
                evil.subscribeWith().topicFilter("test/evil").qos(MqttQos.AT_LEAST_ONCE).send().get(5, TimeUnit.SECONDS);
                long commands0 = dev.commandCount();
                // the gateway's own request topic as the response topic: its error reply must not come back as a request
                long dropped0 = gw.dropped();
                evil.publish(Mqtt5Publish.builder().topic("labwire/dev/req").payload("garbage".getBytes(StandardCharsets.UTF_8))
                        .qos(MqttQos.AT_LEAST_ONCE).responseTopic("labwire/dev/req").build()).get(5, TimeUnit.SECONDS);
                // JSON nested 5,000 deep within maxPayloadBytes... of 1024: 500 deep
                evil.publish(Mqtt5Publish.builder().topic("labwire/dev/req")
                        .payload(("[".repeat(500) + "]".repeat(500)).getBytes(StandardCharsets.UTF_8))
                        .qos(MqttQos.AT_LEAST_ONCE).responseTopic("test/evil").build()).get(5, TimeUnit.SECONDS);
                Mqtt5Publish deep = got.poll(5, TimeUnit.SECONDS);
                assertThat(deep).isNotNull();
                String deepReply = new String(deep.getPayloadAsBytes(), StandardCharsets.UTF_8);
                // a payload of 200 KiB: above what the gateway announced as its Maximum Packet Size; the broker drops it
                evil.publish(Mqtt5Publish.builder().topic("labwire/dev/req").payload(new byte[200 << 10])
                        .qos(MqttQos.AT_LEAST_ONCE).responseTopic("test/evil").build()).get(5, TimeUnit.SECONDS);
                // 2,000 bad requests as fast as the client sends them, then a good call
                long rejected0 = gw.rejected();
                for (int i = 0; i < 2_000; i++) {
                    evil.publish(Mqtt5Publish.builder().topic("labwire/dev/req").payload(("{\"v\":1,\"op\":\"query\",\"cmd\":\"\"," + i)
                            .getBytes(StandardCharsets.UTF_8)).qos(MqttQos.AT_MOST_ONCE).responseTopic("test/evil").build());
                }
                long t0 = System.nanoTime();
                String good = r.query("ECHO? still-serving", Duration.ofSeconds(5));
                long goodMs = (System.nanoTime() - t0) / 1_000_000;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (gw.rejected() - rejected0 < 2_000 && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
                }
                System.out.printf("hostile requests: own request topic as response topic: dropped +%d; 500-deep JSON: %s;"
                        + " flood: %d of 2,000 rejected, a good call answered in %d ms; "
                        + "commands that reached the instrument: %s%n", gw.dropped() - dropped0, deepReply,
                        gw.rejected() - rejected0, goodMs,
                        dev.commands().subList((int) Math.min(commands0, dev.commands().size()), dev.commands().size()));
                assertThat(good).isEqualTo("still-serving");
                assertThat(deepReply).contains("bad_request");
                assertThat(gw.rejected() - rejected0).isEqualTo(2_000);
                evil.disconnect().get(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * mosquitto passes on a request whose response topic holds a wildcard (MQTT 5 forbids it: [MQTT-3.3.2-14]); the
     * HiveMQ client refuses the packet and drops the gateway's request connection, which reconnects. Replies to the
     * requests the instrument was working on meanwhile must still reach their callers.
     */
    @Test
    void aResponseTopicWithAWildcardCostsNoOtherCallerItsReply() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        try (Mosquitto broker = Mosquitto.start(); MockInstrument dev = MockInstrument.tcp().scpi()) {
            dev.responder(cmd -> cmd.startsWith("SLOW? ") ? MockReply.line(cmd.substring(6)).delay(Duration.ofMillis(30))
                    : null);
            try (MqttGateway gw = MqttGateway.builder(broker.broker()).gatewayId("gw-wild")
                    .instrument(InstrumentSpec.of("dev", dev.endpoint())).start(Duration.ofSeconds(10));
                 RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "dev").build()) {
                GatewayTestSupport.awaitStatus(broker, "dev", "online");
                List<java.util.concurrent.CompletableFuture<String>> calls = new java.util.ArrayList<>();
                for (int i = 0; i < 40; i++) calls.add(r.queryAsync("SLOW? s" + i, Duration.ofSeconds(4)));
                assertThat(dev.takeCommand(Duration.ofSeconds(5))).isEqualTo("SLOW? s0"); // the gateway has them all
                String out = Mosquitto.run(List.of("mosquitto_pub", "-V", "mqttv5", "-h", "127.0.0.1", "-p",
                        String.valueOf(broker.port), "-t", "labwire/dev/req", "-q", "1", "-D", "publish",
                        "response-topic", "test/#", "-m", "{\"v\":1,\"op\":\"query\",\"cmd\":\"SLOW? wild\"}"),
                        Duration.ofSeconds(10));
                int answered = 0;
                List<String> failures = new java.util.ArrayList<>();
                for (int i = 0; i < calls.size(); i++) {
                    try {
                        if (calls.get(i).get(6, TimeUnit.SECONDS).equals("s" + i)) answered++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        failures.add("s" + i + ": " + e.getCause().getClass().getSimpleName());
                    }
                }
                boolean dropped = broker.log().contains("Received DISCONNECT from gw-wild");
                System.out.printf("wildcard response topic: mosquitto_pub %s; gateway connection dropped: %s; %d of 40"
                        + " calls answered, failed: %s; the wild one reached the instrument: %s%n",
                        out.isBlank() ? "ok" : out.strip(), dropped, answered, failures, dev.commands().contains("SLOW? wild"));
                assertThat(answered).isEqualTo(40);
                assertThat(r.query("SLOW? after", Duration.ofSeconds(4))).isEqualTo("after");
            }
        }
    }
}
