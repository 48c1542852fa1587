package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.mock.MockInstrument;
import dev.labwire.netty.internal.DefaultGroup;
import dev.labwire.testsupport.clients.Await;
import dev.labwire.testsupport.clients.LeakScenarios;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shared {@link LeakScenarios} on the Netty client, where the last close also lets go of the library's default
 * event loop group (and serial readers and writers, the event loops' selectors), and closes in every stuck state.
 */
class FdAndThreadLeakTest extends LeakScenarios {
    FdAndThreadLeakTest() {
        super(NettyClients.INSTANCE);
    }

    @Override
    protected void assumeNoOtherClient() {
        assumeTrue(DefaultGroup.users() == 0, "another client holds the default group");
    }

    @Override
    protected void assertSharedResourcesReleased() {
        assertThat(DefaultGroup.users()).isZero();
    }

    /**
     * Issue 15's new paths: clients closed while their connect hangs (a black hole), while their hook never completes,
     * and while their peer reads nothing with writes backed up, then left to the 2 s close bound.
     */
    @Test
    void clientsClosedInEveryStuckStateLeaveNoThreadsAndNoFileDescriptors() throws Exception {
        try (dev.labwire.mock.BlackHole hole = dev.labwire.mock.FaultProxy.blackHole();
             MockInstrument mock = MockInstrument.tcp().scpi();
             java.net.ServerSocket deaf = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertRoundsLeakNothing(() -> stuckRound(hole, mock, deaf), 3);
        }
    }

    @SuppressWarnings("try") // a resource held open for the body's duration, never referenced
    private static void stuckRound(dev.labwire.mock.BlackHole hole, MockInstrument mock, java.net.ServerSocket deaf) throws Exception {
        NettyClient connecting = NettyClient.open(hole.endpoint(), ConnectionConfig.builder().connectTimeout(Duration.ofSeconds(30)).build());
        NettyClient hooked = NettyClient.builder(mock.endpoint()).config(FAST)
                .onConnect(s -> new java.util.concurrent.CompletableFuture<>()).build();
        NettyClient flooded = NettyClient.builder("tcp://127.0.0.1:" + deaf.getLocalPort()).config(FAST).writeBufferHighWater(1024).build();
        try (java.net.Socket peer = deaf.accept()) { // and never reads
            flooded.ready(WAIT).get(10, TimeUnit.SECONDS);
            String big = "DATA " + "x".repeat(60_000);
            for (int i = 0; i < 200; i++) {
                flooded.write(big, Duration.ofMillis(500));
            }
            Await.until(WAIT, () -> !flooded.driver().diagnostics().writable().join(), "the flooded link stops taking bytes");
            Await.until(WAIT, () -> hooked.state() == dev.labwire.core.State.ON_CONNECT, "the hook runs");
            for (NettyClient c : List.of(connecting, hooked, flooded)) {
                c.close().get(3, TimeUnit.SECONDS);
            }
        }
    }
}
