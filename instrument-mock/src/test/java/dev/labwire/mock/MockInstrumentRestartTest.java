package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** restart() while running and after stop(), its counter and the waits on it, with plain sockets. */
class MockInstrumentRestartTest {

    private final Loopback loop = new Loopback();

    @AfterEach
    void closeAll() throws Exception {
        loop.close();
    }

    private static void assertDropped(Socket s) throws Exception {
        try {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (SocketException e) {
            assertThat(e).hasMessageContaining("reset");
        }
    }

    @Test
    void restartWhileRunningDropsEveryClientKeepsThePortAndTheStateAndCounts() throws Exception {
        MockInstrument mock = loop.track(MockInstrument.tcp().scpi());
        int port = mock.port();
        Socket a = loop.connect(port);
        Socket b = loop.connect(port);
        Loopback.send(a, "VOLT 5");
        Loopback.send(a, "*OPC?");
        assertThat(Loopback.readLine(a)).isEqualTo("1\n");
        mock.awaitConnections(2, Duration.ofSeconds(5));
        assertThat(mock.restartCount()).isZero();

        mock.restart();

        assertThat(mock.restartCount()).isEqualTo(1);
        assertDropped(a);
        assertDropped(b);
        Loopback.await(Duration.ofSeconds(5), () -> mock.openConnections() == 0, "both sessions ended");
        assertThat(mock.port()).isEqualTo(port);
        Socket c = loop.connect(port);
        mock.awaitConnections(3, Duration.ofSeconds(5));
        Loopback.send(c, "VOLT?");
        assertThat(Loopback.readLine(c)).as("the instrument's settings survive").isEqualTo("5\n");
        assertThat(mock.openConnections()).isEqualTo(1);
    }

    @Test
    void restartAfterStopStillComesBackOnTheSamePortAndCounts() throws Exception {
        MockInstrument mock = loop.track(MockInstrument.tcp().scpi());
        int port = mock.port();
        mock.stop();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        mock.restart();
        mock.restart(); // while running now: nothing to drop, still counted
        assertThat(mock.restartCount()).isEqualTo(2);
        Socket s = loop.connect(port);
        Loopback.send(s, "*OPC?");
        assertThat(Loopback.readLine(s)).isEqualTo("1\n");
    }

    @Test
    void awaitRestartsWakesForRestartsOnAnotherThreadAndTimesOutWithTheCount() throws Exception {
        MockInstrument mock = loop.track(MockInstrument.tcp());
        Thread chaos = new Thread(() -> {
            for (int i = 0; i < 3; i++) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                mock.restart();
            }
        });
        chaos.start();
        mock.awaitRestarts(3, Duration.ofSeconds(5));
        chaos.join();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> mock.awaitRestarts(4, Duration.ofMillis(200)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("3 restarts, not 4, within 200 ms");
        assertThat(System.nanoTime() - t0).isBetween(190_000_000L, 2_000_000_000L);
        assertThatThrownBy(() -> mock.awaitConnections(1, Duration.ofMillis(50)))
                .hasMessageContaining("0 connections, not 1");
        mock.close();
        assertThatThrownBy(mock::restart).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void restartWhileRunningOnAPtyMakesThePairAgainUnderTheSamePath() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(MockInstrument.socatAvailable(), "socat not installed");
        MockInstrument mock = loop.track(MockInstrument.pty());
        java.nio.file.Path path = mock.devicePath();
        assertThat(mock.connectionCount()).isEqualTo(1);
        mock.restart();
        assertThat(mock.restartCount()).isEqualTo(1);
        assertThat(mock.connectionCount()).isEqualTo(2);
        assertThat(mock.devicePath()).isEqualTo(path);
        assertThat(java.nio.file.Files.exists(path)).isTrue();
    }
}
