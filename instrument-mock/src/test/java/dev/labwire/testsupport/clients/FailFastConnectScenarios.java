package dev.labwire.testsupport.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
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
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waiting for READY (and openAndAwait) fails at once, naming the endpoint and the cause, when the first connect
 * attempt failed for good; real parts only: a closed loopback port, a missing device path, a pty held by another
 * client, a file nobody may open. The wait is 30 s and every failure must come within 20 s: that, and the "failed for
 * good" message rather than "not ready within 30 s", is the proof that it did not wait. Each client module runs these
 * through its {@link Clients}.
 */
public abstract class FailFastConnectScenarios extends ClientScenarios {
    protected static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration AT_ONCE = Duration.ofSeconds(20);
    private final List<AutoCloseable> open = new ArrayList<>();

    protected FailFastConnectScenarios(Clients clients) {
        super(clients);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    protected static ConnectionConfig config() {
        return ConnectionConfig.builder().connectTimeout(Duration.ofSeconds(2))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.2)).build();
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    protected static int closedLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** What {@code call} fails with; fails the test when it does not fail, or not within 20 s. */
    private static Throwable failure(ThrowingCallable call) {
        long t0 = System.nanoTime();
        Throwable t = catchThrowable(call);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the first failure ended the wait").isLessThan(AT_ONCE);
        assertThat(t).as("failed instead of completing").isNotNull();
        return t;
    }

    @Test
    public void aRefusedTcpPortFailsAtOnceSayingRefused() throws IOException {
        String endpoint = "tcp://127.0.0.1:" + closedLoopbackPort();
        TestClient c = track(clients().open(endpoint, config()));
        assertThat(failure(() -> c.awaitReady(LONG))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining(endpoint).hasMessageContaining("connection refused")
                .hasMessageContaining("failed for good").hasMessageNotContaining("within")
                .hasCauseInstanceOf(ConnectException.class);
        // the client keeps retrying in the background, and a second wait fails at once too
        assertThat(failure(() -> c.awaitReady(LONG))).hasMessageContaining("connection refused");
    }

    /**
     * A host name that does not resolve ({@code .invalid} is reserved never to resolve, RFC 2606; no network is
     * needed, and resolvers answer it at once) fails the first wait at once, and both the failure and its
     * UnknownHostException name the host and the port. The blocking client's TCP link gave a bare
     * {@code java.net.UnknownHostException} (no message at all) and its VXI-11 channels one naming the host only.
     */
    @Test
    public void anUnknownHostFailsAtOnceNamingTheHostAndThePort() {
        String host = "labwire-no-such-host.invalid";
        String[][] cases = {
            {"tcp://" + host + ":5025", "to connect to port 5025 for tcp://" + host + ":5025"},
            {"vxi11://" + host + "/inst0", "to connect to port 111 for channel 1 of vxi11://" + host + ":111/inst0"},
            {"hislip://" + host + "/hislip0", "to connect to port 4880 for tcp://" + host + ":4880"},
        };
        for (String[] c : cases) {
            TestClient client = track(clients().open(c[0], config()));
            Throwable t = failure(() -> client.awaitReady(LONG));
            assertThat(t).as(c[0]).isInstanceOf(LinkDownException.class).hasMessageContaining("unknown host")
                    .hasMessageContaining("failed for good");
            Throwable unknown = t;
            while (unknown != null && !(unknown instanceof java.net.UnknownHostException)) {
                unknown = unknown.getCause();
            }
            assertThat(unknown).as("an UnknownHostException in the cause chain of %s", t).isNotNull();
            assertThat(unknown).hasMessage("cannot resolve host " + host + " " + c[1]);
            assertThat(t).as("the failure the user sees says it too").hasMessageContaining(unknown.getMessage());
            Throwable call = failure(() -> client.query("*IDN?", Duration.ofMillis(500)));
            assertThat(call).as("a call made meanwhile").isInstanceOf(LinkDownException.class)
                    .hasMessageContaining("cannot resolve host " + host + " to connect to port");
        }
    }

    @Test
    public void openAndAwaitFailsAndClosesTheClient() throws IOException {
        String endpoint = "tcp://127.0.0.1:" + closedLoopbackPort();
        assertThat(failure(() -> clients().openAndAwait(endpoint, config(), LONG))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining(endpoint).hasMessageContaining("connection refused");
        // closed: none of the client's threads (named after the endpoint) is left retrying
        Await.until(Duration.ofSeconds(5), () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().contains(endpoint)), "the failed clients' threads end");
    }

    @Test
    public void openAndAwaitReturnsAReadyClient() {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        TestClient c = track(clients().openAndAwait(mock.endpoint(), config(), LONG));
        assertThat(c.state()).isEqualTo(State.READY);
        assertThat(c.query("*IDN?")).isNotEmpty();
    }

    @Test
    public void onceReadyAWaitRidesOutRefusals() {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        TestClient c = track(clients().openAndAwait(mock.endpoint(), config(), LONG));
        mock.stop();
        Await.until(Duration.ofSeconds(10), () -> c.state() != State.READY, "the client sees the instrument go");
        assertThatThrownBy(() -> c.awaitReady(Duration.ofMillis(300))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("not ready within");
        mock.restart();
        c.awaitReady(Duration.ofSeconds(10));
    }

    @Test
    public void aMissingSerialDeviceFailsAtOnceSayingNoSuchPort() throws ClassNotFoundException {
        // serial-transport is on the client modules' class path, not on instrument-mock's
        Class<? extends Throwable> serialPortException =
                Class.forName("dev.labwire.serial.SerialPortException").asSubclass(Throwable.class);
        TestClient c = track(clients().open("serial:/dev/ttyLABWIRE-MISSING-16", config()));
        assertThat(failure(() -> c.awaitReady(LONG))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("/dev/ttyLABWIRE-MISSING-16").hasMessageContaining("no such port")
                .hasCauseInstanceOf(serialPortException);
    }

    @Test
    public void aPtyHeldByAnotherClientFailsAtOnceSayingBusy() {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        MockInstrument mock = track(MockInstrument.pty().scpi());
        track(clients().openAndAwait(mock.endpoint(), config(), LONG));
        TestClient second = track(clients().open(mock.endpoint(), config()));
        assertThat(failure(() -> second.awaitReady(LONG))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining(mock.devicePath().toString()).hasMessageContaining("port busy")
                .hasMessageContaining("failed for good");
    }

    @Test
    public void aDeviceWithoutPermissionFailsAtOnceSayingPermissionDenied(@TempDir Path dir) throws IOException {
        Path device = Files.createFile(dir.resolve("ttyLOCKED"));
        Files.setPosixFilePermissions(device, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(device), "running as root: a mode 000 file can be opened anyway");
        TestClient c = track(clients().open("serial:" + device, config()));
        assertThat(failure(() -> c.awaitReady(LONG))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining(device.toString()).hasMessageContaining("permission denied");
    }
}
