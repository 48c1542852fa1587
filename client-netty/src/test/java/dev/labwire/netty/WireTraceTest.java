package dev.labwire.netty;

import dev.labwire.testsupport.clients.WireTraceScenarios;

/** The shared {@link WireTraceScenarios} on the Netty client (TCP on Netty channels, serial through the port bridge) and bus. */
class WireTraceTest extends WireTraceScenarios {
    WireTraceTest() {
        super(NettyClients.INSTANCE);
    }
}
