package dev.labwire.blocking;

import dev.labwire.testsupport.clients.PrologixBusScenarios;

/** The shared {@link PrologixBusScenarios} on a {@link BlockingBus}. */
class PrologixBusTest extends PrologixBusScenarios {
    PrologixBusTest() {
        super(BlockingClients.INSTANCE);
    }
}
