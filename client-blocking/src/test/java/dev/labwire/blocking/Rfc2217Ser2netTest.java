package dev.labwire.blocking;

import dev.labwire.testsupport.clients.Rfc2217Ser2netScenarios;

/** The shared {@link Rfc2217Ser2netScenarios} on the blocking client and bus: ser2net and pyserial's server. */
class Rfc2217Ser2netTest extends Rfc2217Ser2netScenarios {
    Rfc2217Ser2netTest() {
        super(BlockingClients.INSTANCE);
    }
}
