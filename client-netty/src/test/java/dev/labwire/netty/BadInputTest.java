package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.testsupport.clients.BadInputScenarios;
import org.junit.jupiter.api.Test;

/**
 * The shared {@link BadInputScenarios} on the Netty client (a bad argument is thrown at the call, not put in the
 * future; what depends on the config, like an oversized reply, comes from the future), and its builder's own knobs.
 */
class BadInputTest extends BadInputScenarios {
    BadInputTest() {
        super(NettyClients.INSTANCE);
    }

    @Test
    void absurdBuilderSettingsAndNullsFailWhenTheyAreMade() {
        NettyClient c = ((NettyClients.Client) client).client();
        assertThatThrownBy(() -> c.ready(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NettyClient.builder(mock.endpoint()).pushedBufferSize(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1");
        assertThatThrownBy(() -> NettyClient.builder(mock.endpoint()).config(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NettyClient.builder(mock.endpoint()).eventLoopGroup(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> NettyClient.builder(mock.endpoint()).callbackExecutor(null)).isInstanceOf(NullPointerException.class);
    }
}
