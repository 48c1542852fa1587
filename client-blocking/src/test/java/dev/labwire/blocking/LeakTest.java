package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.mock.BlackHole;
import dev.labwire.mock.FaultProxy;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import dev.labwire.testsupport.clients.LeakScenarios;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The shared {@link LeakScenarios} on the blocking client, and closes in the states issue 15 added: while a connect
 * hangs, while a write is stuck on a peer that stopped reading, while an on-connect hook hangs past its deadline.
 */
class LeakTest extends LeakScenarios {
    LeakTest() {
        super(BlockingClients.INSTANCE);
    }

    /** One close in each hard state; every close must return within 2.5 s (it is bounded at 2 s). */
    private static void closeInHardStates() {
        try (BlackHole hole = FaultProxy.blackHole()) {
            BlockingClient c = BlockingClient.open(hole.endpoint(), FAST);
            assertThatThrownBy(() -> c.query("*IDN?", Duration.ofMillis(100))).hasMessageContaining("still connecting");
            closeQuickly(c);
        }
        try (MockInstrument mock = MockInstrument.tcp().scpi(); FaultProxy proxy = FaultProxy.to(mock.port()).start()) {
            BlockingClient c = BlockingClient.open(proxy.endpoint(), FAST);
            assertThat(c.query("*IDN?", WAIT)).startsWith("LABWIRE");
            proxy.stopReading(true);
            java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
            String huge = "DATA " + "z".repeat(64 * 1024 * 1024);
            Thread writer = LinkFaultsTest.spawn("stuck write", thrown, () -> c.write(huge, Duration.ofSeconds(30)));
            Await.until(WAIT, LinkFaultsTest::aSocketWriteIsBlocked, "the write blocks on the full window");
            closeQuickly(c);
            Await.until(WAIT, () -> !writer.isAlive(), "the caller of the stuck write returns");
            assertThat(thrown.get()).as("the stuck write failed as closed").isInstanceOf(LocalProtocolException.class)
                    .hasMessageContaining("closed");
            closeQuickly(c);
        }
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            BlockingClient c = BlockingClient.builder(mock.endpoint()).config(FAST).hookTimeout(Duration.ofMillis(100))
                    .onConnect(s -> new CountDownLatch(1).await()).build();
            assertThatThrownBy(() -> c.awaitReady(Duration.ofMillis(300))).isInstanceOf(LinkDownException.class);
            closeQuickly(c);
        }
    }

    private static void closeQuickly(BlockingClient c) {
        long start = System.nanoTime();
        c.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
    }

    @Test
    void closingWhileConnectingWritingOrInAHungHookLeavesNoThreadsAndNoFileDescriptors() throws Exception {
        assertRoundsLeakNothing(LeakTest::closeInHardStates, 3);
    }
}
