package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.LinkDownException;
import dev.labwire.testsupport.clients.FailFastConnectScenarios;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The shared {@link FailFastConnectScenarios} on the blocking client, and its builder's buildAndAwait. */
class FailFastConnectTest extends FailFastConnectScenarios {
    FailFastConnectTest() {
        super(BlockingClients.INSTANCE);
    }

    @Test
    void buildAndAwaitThrowsLikeOpenAndAwait() throws IOException {
        String endpoint = "tcp://127.0.0.1:" + closedLoopbackPort();
        assertThatThrownBy(() -> BlockingClient.builder(endpoint).config(config()).buildAndAwait(LONG))
                .isInstanceOf(LinkDownException.class).hasMessageContaining("connection refused");
    }
}
