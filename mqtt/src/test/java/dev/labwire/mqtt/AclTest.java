package dev.labwire.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * mosquitto with a password file (mosquitto_passwd -b) and the ACL from docs/MQTT.md: only named clients may write an
 * instrument's request topic, anyone logged in may read status; an unauthorised request never reaches the instrument.
 */
class AclTest {
    /** The ACL of docs/MQTT.md, "Who may do what" (kept in step by docsShowTheAclThisTestRuns). */
    static final String ACL = String.join("\n",
            "# everyone logged in: read status and values, and the replies to their own client id",
            "pattern read labwire/+/status",
            "pattern read labwire/+/value/#",
            "pattern read labwire/reply/%c",
            "",
            "# the gateway: requests in, status/values/replies out",
            "user gateway",
            "topic read labwire/+/req",
            "topic write labwire/+/status",
            "topic write labwire/+/value/#",
            "topic write labwire/reply/#",
            "",
            "# alice may use the power supply",
            "user alice",
            "topic write labwire/psu/req",
            "",
            "# mallory may only look",
            "user mallory",
            "");

    @Test
    void onlyNamedClientsReachTheInstrument() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        try (Mosquitto broker = Mosquitto.start(new String[] {"gateway", "gw-secret", "alice", "alice-pw",
                "mallory", "mallory-pw"}, ACL);
             MockInstrument psu = MockInstrument.tcp().scpi()) {
            psu.responder(cmd -> cmd.startsWith("ECHO? ") ? MockReply.line(cmd.substring(6)) : null);
            Broker base = broker.broker();
            // anonymous and wrong-password logins are refused: the gateway needs its credentials
            assertThatThrownBy(() -> MqttGateway.builder(base).instrument(InstrumentSpec.of("psu", psu.endpoint()))
                    .start(Duration.ofSeconds(5))).isInstanceOf(IllegalStateException.class).hasMessageContaining("127.0.0.1");
            try (MqttGateway gw = MqttGateway.builder(base.withCredentials("gateway", "gw-secret"))
                    .instrument(InstrumentSpec.of("psu", psu.endpoint())).start(Duration.ofSeconds(10))) {
                GatewayTestSupport.awaitStatus(broker, "psu", "online", "-u", "mallory", "-P", "mallory-pw");
                // mallory, through RemoteInstrument: the broker refuses the publish
                try (RemoteInstrument m = RemoteInstrument.builder(base.withCredentials("mallory", "mallory-pw"), "psu")
                        .clientId("mallory-1").build()) {
                    assertThatThrownBy(() -> m.query("ECHO? mallory-remote", Duration.ofSeconds(2)))
                            .isInstanceOf(RemoteInstrumentException.class)
                            .satisfies(e -> assertThat(((RemoteInstrumentException) e).kind()).isEqualTo("broker_refused"));
                }
                // mallory, through mosquitto_pub (an independent client) with a response topic she may read
                String out = Mosquitto.run(List.of("mosquitto_pub", "-V", "mqttv5", "-h", "127.0.0.1", "-p",
                        String.valueOf(broker.port), "-u", "mallory", "-P", "mallory-pw", "-i", "mallory-2", "-q", "1",
                        "-t", "labwire/psu/req", "-D", "publish", "response-topic", "labwire/reply/mallory-2",
                        "-m", "{\"v\":1,\"op\":\"write\",\"cmd\":\"ECHO? mallory-pub\"}"), Duration.ofSeconds(10));
                // alice, after both: served, so everything sent before her request has been dealt with
                try (RemoteInstrument a = RemoteInstrument.builder(base.withCredentials("alice", "alice-pw"), "psu")
                        .clientId("alice-1").build()) {
                    assertThat(a.query("ECHO? alice")).isEqualTo("alice");
                }
                assertThat(psu.commands()).contains("ECHO? alice")
                        .noneMatch(c -> c.contains("mallory"));
                assertThat(gw.served()).isEqualTo(1);
                assertThat(out).as("mosquitto_pub by mallory").isNotNull();
            }
        }
    }

    @Test
    void docsShowTheAclThisTestRuns() throws Exception {
        Path doc = Path.of("..", "docs", "MQTT.md");
        assertThat(Files.readString(doc)).contains(ACL.strip());
    }

}
