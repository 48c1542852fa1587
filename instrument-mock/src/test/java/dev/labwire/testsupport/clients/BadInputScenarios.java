package dev.labwire.testsupport.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.mock.MockHislip;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.Vxi11Options;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input through a client's public API: each gets a clear exception at the call, nothing reaches the instrument,
 * and the client stays usable. Each client module runs these through its {@link Clients} and adds its builder's own
 * knobs.
 */
public abstract class BadInputScenarios extends ClientScenarios {
    /** The mock of the running test (SCPI dictionary on). */
    protected MockInstrument mock;
    /** A client of it with 128-byte frames, refusing bad arguments at the call. */
    protected TestClient client;

    protected BadInputScenarios(Clients clients) {
        super(clients);
    }

    @BeforeEach
    void start() {
        mock = MockInstrument.tcp().scpi();
        client = clients().open(mock.endpoint(), ConnectionConfig.builder().maxFrameLength(128).build())
                .refusingBadArgumentsAtTheCall();
    }

    @AfterEach
    void stop() {
        client.close();
        mock.close();
    }

    @Test
    public void nullEmptyAndTerminatorCommandsAreRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> client.query(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("command");
        assertThatThrownBy(() -> client.write(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("command");
        assertThatThrownBy(() -> client.query("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> client.query("A?\r\nB?")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("terminator");
        assertThatThrownBy(() -> client.query("*IDN?", Duration.ofMillis(-5))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> client.query("*IDN?", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.query("*IDN?", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> client.queryLines("LIST?", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
        assertThatThrownBy(() -> client.request(null)).isInstanceOf(NullPointerException.class);
        assertThat(client.query("*OPC?")).isEqualTo("1");
        assertThat(mock.commands()).containsExactly("*OPC?");
    }

    /**
     * A timeout of 292 years or more ({@code ChronoUnit.FOREVER}) is accepted by the config and the calls, and held at
     * the latest deadline, never an error: as the request timeout, the default timeout and the connect timeout, on
     * every transport whose session keeps its own deadlines (raw TCP, HiSLIP, VXI-11, RFC 2217). Until 2026-12-03 the
     * HiSLIP and VXI-11 sessions threw {@link ArithmeticException} from {@code Duration.toNanos}, and the blocking
     * client's connect from {@code toMillis}.
     */
    @Test
    public void foreverTimeoutsAreHeldNotAnErrorOnEveryTransport() throws Exception {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        ConnectionConfig cfg = ConnectionConfig.builder().defaultTimeout(forever).connectTimeout(forever).build();
        try (MockHislip hislip = MockHislip.serve(mock, 0);
             MockInstrument vxi11 = MockInstrument.vxi11(Vxi11Options.defaults().portmapperPort(0)).scpi();
             FakeRfc2217Server rfc2217 = new FakeRfc2217Server()) {
            Map<String, String> askAndReply = new LinkedHashMap<>();
            askAndReply.put(mock.endpoint(), "*OPC?=1");
            askAndReply.put("hislip://127.0.0.1:" + hislip.port() + "/hislip0", "*OPC?=1");
            askAndReply.put("vxi11://127.0.0.1:" + vxi11.portmapperPort() + "/inst0", "*OPC?=1");
            askAndReply.put("rfc2217://127.0.0.1:" + rfc2217.port(), "PORT?=ok");
            for (Map.Entry<String, String> e : askAndReply.entrySet()) {
                String[] qa = e.getValue().split("=");
                try (TestClient c = clients().open(e.getKey(), cfg)) {
                    c.awaitReady(Duration.ofSeconds(10));
                    assertThat(c.query(qa[0], forever)).as(e.getKey() + " with a FOREVER request timeout").isEqualTo(qa[1]);
                    assertThat(c.query(qa[0])).as(e.getKey() + " with a FOREVER default timeout").isEqualTo(qa[1]);
                }
            }
        }
    }

    @Test
    public void absurdSettingsFailWhenTheyAreMadeNamingTheValue() {
        assertThatThrownBy(() -> ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultTimeout");
        assertThatThrownBy(() -> ConnectionConfig.builder().maxFrameLength(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> ConnectionConfig.builder().maxInFlight(-3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
        assertThatThrownBy(() -> clients().open("serial:/dev/ttyUSB0?baud=0", ConnectionConfig.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baud");
        assertThatThrownBy(() -> clients().open("serial:/dev/ttyUSB0?parity=purple", ConnectionConfig.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("purple");
        assertThatThrownBy(() -> clients().open("tcp://host:99999", ConnectionConfig.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99999");
        assertThatThrownBy(() -> clients().open("", ConnectionConfig.DEFAULT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> clients().open(null, ConnectionConfig.DEFAULT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoint is null").hasMessageContaining("allowed: tcp://");
    }

    @Test
    public void anOversizedReplyIsAClearErrorAndMemoryStaysBounded() {
        mock.enqueue("y".repeat(1_000_000));
        assertThatThrownBy(() -> client.query("HUGE?")).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("128");
        assertThat(client.query("ECHO? after")).isEqualTo("after");
    }

    @Test
    public void anExternalHookFlagWithoutAHookDoesNotStallTheClient() {
        try (TestClient c = clients().open(mock.endpoint(), ConnectionConfig.builder().externalHook(true).build())) {
            assertThat(c.query("*OPC?", Duration.ofSeconds(3))).isEqualTo("1");
        }
    }
}
