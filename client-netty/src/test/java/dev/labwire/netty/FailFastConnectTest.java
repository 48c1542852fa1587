package dev.labwire.netty;

import dev.labwire.testsupport.clients.FailFastConnectScenarios;

/** The shared {@link FailFastConnectScenarios} on the Netty client: ready() and openAndAwait's futures fail at once. */
class FailFastConnectTest extends FailFastConnectScenarios {
    FailFastConnectTest() {
        super(NettyClients.INSTANCE);
    }
}
