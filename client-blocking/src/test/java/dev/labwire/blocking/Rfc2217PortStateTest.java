package dev.labwire.blocking;

import dev.labwire.testsupport.clients.Rfc2217PortStateScenarios;

/** The shared {@link Rfc2217PortStateScenarios} on the blocking client and bus. */
class Rfc2217PortStateTest extends Rfc2217PortStateScenarios {
    Rfc2217PortStateTest() {
        super(BlockingClients.INSTANCE);
    }
}
