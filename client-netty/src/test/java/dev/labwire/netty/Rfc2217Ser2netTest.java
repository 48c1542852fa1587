package dev.labwire.netty;

import dev.labwire.testsupport.clients.Rfc2217Ser2netScenarios;

/** The shared {@link Rfc2217Ser2netScenarios} on the Netty client and bus: ser2net and pyserial's server. */
class Rfc2217Ser2netTest extends Rfc2217Ser2netScenarios {
    Rfc2217Ser2netTest() {
        super(NettyClients.INSTANCE);
    }
}
