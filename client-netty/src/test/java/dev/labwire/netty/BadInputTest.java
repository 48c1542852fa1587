package dev.labwire.netty;

import static dev.labwire.netty.NettyClientContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.mock.MockInstrument;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input through the public API, as for the blocking client: a clear exception (at the call, or for
 * what depends on the config, from the future), nothing reaches the instrument, the client stays usable.
 */
class BadInputTest {
    private MockInstrument mock;
    private NettyClient client;

    @BeforeEach
    void start() {
        mock = MockInstrument.tcp().scpi();
        client = NettyClient.open(mock.endpoint(), ConnectionConfig.builder().maxFrameLength(128).build());
    }

    @AfterEach
    void stop() throws Exception {
        client.close().get(10, TimeUnit.SECONDS);
        mock.close();
    }

    @Test
    void nullEmptyAndTerminatorCommandsAreRefusedBeforeAnythingIsSent() {
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
        assertThatThrownBy(() -> client.ready(null)).isInstanceOf(NullPointerException.class);
        assertThat(await(client.query("*OPC?"))).isEqualTo("1");
        assertThat(mock.commands()).containsExactly("*OPC?");
    }

    @Test
    void absurdSettingsFailWhenTheyAreMadeNamingTheValue() {
        assertThatThrownBy(() -> NettyClient.open("serial:/dev/ttyUSB0?baud=0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baud");
        assertThatThrownBy(() -> NettyClient.open("serial:/dev/ttyUSB0?parity=purple"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("purple");
        assertThatThrownBy(() -> NettyClient.open("tcp://host:99999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99999");
        assertThatThrownBy(() -> NettyClient.open("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NettyClient.open((String) null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoint is null").hasMessageContaining("allowed: tcp://");
        assertThatThrownBy(() -> NettyClient.builder(mock.endpoint()).pushedBufferSize(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1");
        assertThatThrownBy(() -> NettyClient.builder(mock.endpoint()).config(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NettyClient.builder(mock.endpoint()).eventLoopGroup(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NettyClient.builder(mock.endpoint()).callbackExecutor(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anOversizedReplyIsAClearErrorAndMemoryStaysBounded() {
        mock.enqueue("y".repeat(1_000_000));
        assertThatThrownBy(() -> await(client.query("HUGE?"))).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("128");
        assertThat(await(client.query("ECHO? after"))).isEqualTo("after");
    }
}
