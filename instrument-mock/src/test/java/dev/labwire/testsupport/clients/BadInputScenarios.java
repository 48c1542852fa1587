package dev.labwire.testsupport.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.mock.MockInstrument;
import java.time.Duration;
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
