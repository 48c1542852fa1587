package dev.labwire.netty;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ready() and openAndAwait fail at once, naming the endpoint and the cause, when the first connect attempt failed for
 * good; real parts only. The wait is 30 s and the test gives the future 20 s: completing with the "failed for good"
 * message is the proof that it did not wait for the timeout.
 */
class FailFastConnectTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    private final List<NettyClient> clients = new ArrayList<>();
    private final List<MockInstrument> mocks = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (NettyClient c : clients) {
            c.close().get(10, TimeUnit.SECONDS);
        }
        for (MockInstrument m : mocks) {
            m.close();
        }
    }

    private static ConnectionConfig config() {
        return ConnectionConfig.builder().connectTimeout(Duration.ofSeconds(2))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.2)).build();
    }

    private NettyClient track(NettyClient c) {
        clients.add(c);
        return c;
    }

    /** The future's failure, unwrapped; fails the test when it does not fail within 20 s. */
    private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("still waiting after 20 s: the first failure did not end the wait", e);
        }
        throw new AssertionError("completed instead of failing");
    }

    private static int closedLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRefusedTcpPortFailsAtOnceSayingRefused() throws Exception {
        String endpoint = "tcp://127.0.0.1:" + closedLoopbackPort();
        NettyClient c = track(NettyClient.open(endpoint, config()));
        assertThat(failure(c.ready(LONG))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining(endpoint).hasMessageContaining("connection refused")
                .hasMessageContaining("failed for good").hasCauseInstanceOf(ConnectException.class);
        assertThat(failure(c.ready(LONG))).hasMessageContaining("connection refused"); // while it keeps retrying
    }

    @Test
    void openAndAwaitFailsAndClosesTheClient() throws Exception {
        String endpoint = "tcp://127.0.0.1:" + closedLoopbackPort();
        assertThat(failure(NettyClient.openAndAwait(endpoint, config(), LONG))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining(endpoint).hasMessageContaining("connection refused");
    }

    @Test
    void openAndAwaitCompletesWithAReadyClient() throws Exception {
        MockInstrument mock = MockInstrument.tcp().scpi();
        mocks.add(mock);
        NettyClient c = track(NettyClient.openAndAwait(mock.endpoint(), config(), LONG).get(20, TimeUnit.SECONDS));
        assertThat(c.state()).isEqualTo(State.READY);
    }

    @Test
    void aMissingSerialDeviceFailsAtOnceSayingNoSuchPort() throws Exception {
        NettyClient c = track(NettyClient.open("serial:/dev/ttyLABWIRE-MISSING-16", config()));
        assertThat(failure(c.ready(LONG))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("/dev/ttyLABWIRE-MISSING-16").hasMessageContaining("no such port")
                .hasCauseInstanceOf(SerialPortException.class);
    }

    @Test
    void aPtyHeldByAnotherClientFailsAtOnceSayingBusy() throws Exception {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        MockInstrument mock = MockInstrument.pty().scpi();
        mocks.add(mock);
        track(NettyClient.openAndAwait(mock.endpoint(), config(), LONG).get(20, TimeUnit.SECONDS));
        NettyClient second = track(NettyClient.open(mock.endpoint(), config()));
        assertThat(failure(second.ready(LONG))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining(mock.devicePath().toString()).hasMessageContaining("port busy");
    }

    @Test
    void aDeviceWithoutPermissionFailsAtOnceSayingPermissionDenied(@TempDir Path dir) throws Exception {
        Path device = Files.createFile(dir.resolve("ttyLOCKED"));
        Files.setPosixFilePermissions(device, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(device), "running as root: a mode 000 file can be opened anyway");
        NettyClient c = track(NettyClient.open("serial:" + device, config()));
        assertThat(failure(c.ready(LONG))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining(device.toString()).hasMessageContaining("permission denied");
    }
}
