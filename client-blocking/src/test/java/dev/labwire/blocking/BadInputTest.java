package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.testsupport.clients.BadInputScenarios;
import org.junit.jupiter.api.Test;

/** The shared {@link BadInputScenarios} on the blocking client, and its builder's own knobs. */
class BadInputTest extends BadInputScenarios {
    BadInputTest() {
        super(BlockingClients.INSTANCE);
    }

    @Test
    void absurdBuilderSettingsFailWhenTheyAreMade() {
        assertThatThrownBy(() -> BlockingClient.builder(mock.endpoint()).pushedQueueCapacity(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
