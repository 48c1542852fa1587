package dev.labwire.blocking;

import dev.labwire.testsupport.clients.WireTraceScenarios;

/** The shared {@link WireTraceScenarios} on the blocking client and bus. */
class WireTraceTest extends WireTraceScenarios {
    WireTraceTest() {
        super(BlockingClients.INSTANCE);
    }
}
