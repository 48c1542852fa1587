package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import dev.labwire.serial.SerialPortException;
import dev.labwire.testsupport.clients.Await;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * awaitReady and openAndAwait fail at once, naming the endpoint and the cause, when the first connect attempt failed
 * for good; real parts only: a closed loopback port, a missing device path, a pty held by another client, a file
 * nobody may open. The wait is 30 s: ending with the "failed for good" message, not "not ready within 30 s", is the
 * proof that it did not wait.
 */
class FailFastConnectTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static ConnectionConfig config() {
        return ConnectionConfig.builder().connectTimeout(Duration.ofSeconds(2))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.2)).build();
    }

    private BlockingClient track(BlockingClient c) {
        open.add(c);
        return c;
    }

    private static int closedLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRefusedTcpPortFailsAtOnceSayingRefused() throws IOException {
        String endpoint = "tcp://127.0.0.1:" + closedLoopbackPort();
        BlockingClient c = track(BlockingClient.open(endpoint, config()));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.awaitReady(LONG)).isInstanceOf(LinkDownException.class)
                .hasMessageContaining(endpoint).hasMessageContaining("connection refused")
                .hasMessageContaining("failed for good").hasMessageNotContaining("within")
                .hasCauseInstanceOf(ConnectException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(LONG);
        // the client keeps retrying in the background, and a second wait fails at once too
        assertThatThrownBy(() -> c.awaitReady(LONG)).hasMessageContaining("connection refused");
    }

    @Test
    void openAndAwaitThrowsAndClosesTheClient() throws IOException {
        String endpoint = "tcp://127.0.0.1:" + closedLoopbackPort();
        assertThatThrownBy(() -> BlockingClient.openAndAwait(endpoint, config(), LONG))
                .isInstanceOf(LinkDownException.class).hasMessageContaining(endpoint)
                .hasMessageContaining("connection refused");
        assertThatThrownBy(() -> BlockingClient.builder(endpoint).config(config()).buildAndAwait(LONG))
                .isInstanceOf(LinkDownException.class).hasMessageContaining("connection refused");
        // closed: none of the client's threads (named after the endpoint) is left retrying
        Await.until(Duration.ofSeconds(5), () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().contains(endpoint)), "the failed clients' threads end");
    }

    @Test
    void openAndAwaitReturnsAReadyClient() {
        MockInstrument mock = MockInstrument.tcp().scpi();
        open.add(mock);
        BlockingClient c = track(BlockingClient.openAndAwait(mock.endpoint(), config(), LONG));
        assertThat(c.state()).isEqualTo(State.READY);
        assertThat(c.query("*IDN?")).isNotEmpty();
    }

    @Test
    void onceReadyAWaitRidesOutRefusals() {
        MockInstrument mock = MockInstrument.tcp().scpi();
        open.add(mock);
        BlockingClient c = track(BlockingClient.openAndAwait(mock.endpoint(), config(), LONG));
        mock.stop();
        Await.until(Duration.ofSeconds(10), () -> c.state() != State.READY, "the client sees the instrument go");
        assertThatThrownBy(() -> c.awaitReady(Duration.ofMillis(300))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("not ready within");
        mock.restart();
        c.awaitReady(Duration.ofSeconds(10));
    }

    @Test
    void aMissingSerialDeviceFailsAtOnceSayingNoSuchPort() {
        String endpoint = "serial:/dev/ttyLABWIRE-MISSING-16";
        BlockingClient c = track(BlockingClient.open(endpoint, config()));
        assertThatThrownBy(() -> c.awaitReady(LONG)).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("/dev/ttyLABWIRE-MISSING-16").hasMessageContaining("no such port")
                .hasCauseInstanceOf(SerialPortException.class);
    }

    @Test
    void aPtyHeldByAnotherClientFailsAtOnceSayingBusy() {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        MockInstrument mock = MockInstrument.pty().scpi();
        open.add(mock);
        track(BlockingClient.openAndAwait(mock.endpoint(), config(), LONG));
        BlockingClient second = track(BlockingClient.open(mock.endpoint(), config()));
        assertThatThrownBy(() -> second.awaitReady(LONG)).isInstanceOf(LinkDownException.class)
                .hasMessageContaining(mock.devicePath().toString()).hasMessageContaining("port busy")
                .hasMessageContaining("failed for good");
    }

    @Test
    void aDeviceWithoutPermissionFailsAtOnceSayingPermissionDenied(@TempDir Path dir) throws IOException {
        Path device = Files.createFile(dir.resolve("ttyLOCKED"));
        Files.setPosixFilePermissions(device, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(device), "running as root: a mode 000 file can be opened anyway");
        BlockingClient c = track(BlockingClient.open("serial:" + device, config()));
        assertThatThrownBy(() -> c.awaitReady(LONG)).isInstanceOf(LinkDownException.class)
                .hasMessageContaining(device.toString()).hasMessageContaining("permission denied");
    }
}
