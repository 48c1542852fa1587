package dev.labwire.testsupport.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Expect;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.bus.Addressing;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.bus.Checksum;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An RS485 bus of simulated flow controllers behind one socat pty (devices "A", "B" and "C" answer "FLOW? token" with
 * "+address token", so every reply names its source), and a binary bus with CRCs over loopback TCP. Each client module
 * runs these through its {@link Clients}, one call at a time, and adds its own ways of making calls at once.
 */
public abstract class BusScenarios extends ClientScenarios {
    protected static final Duration WAIT = Duration.ofSeconds(5);
    /** Read holding registers 0x006B..0x006D: what {@link CrcDevice} expects after the address. */
    protected static final byte[] READ_HOLDING = {0x03, 0x00, 0x6B, 0x00, 0x03};

    /** The bus of the running test. */
    protected MockInstrument mock;
    private final List<AutoCloseable> open = new ArrayList<>();

    protected BusScenarios(Clients clients) {
        super(clients);
    }

    @BeforeEach
    void start() {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        mock = MockInstrument.pty();
        for (String a : List.of("A", "B", "C")) {
            // a flow controller: "FLOW? <token>" answered with "+<address> <token>", so every reply names its source
            mock.busDevice(a).responder(cmd -> cmd.startsWith("FLOW? ") ? MockReply.line("+" + a + " " + cmd.substring(6)) : null);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (mock != null) {
            mock.close();
        }
    }

    /** Closed after the test. */
    protected <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    /** A READY bus on the pty: ASCII-prefix addresses, 1 ms turnaround, a fast backoff and this connection config. */
    protected TestBus bus(ConnectionConfig.Builder connection) {
        BusConfig cfg = BusConfig.builder().addressing(Addressing.asciiPrefix()).turnaround(Duration.ofMillis(1))
                .connection(connection.backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), 2, 0.2)).build())
                .build();
        return track(clients().openBus(mock.endpoint(), cfg)).awaitReady(WAIT);
    }

    @Test
    public void halfDuplexEchoIsDroppedWhenOnAndAMissingEchoIsAClearError() {
        mock.echo(true);
        TestBus withEcho = bus(ConnectionConfig.builder().echo(ConnectionConfig.Echo.CHECK_AND_DROP));
        assertThat(withEcho.device("A").query("FLOW? 1")).isEqualTo("+A 1");
        assertThat(withEcho.device("B").query("FLOW? 2")).isEqualTo("+B 2");
        withEcho.device("C").write("SP 50"); // ends when its echo is back
        assertThat(withEcho.device("C").query("SP?")).isEqualTo("50");
        withEcho.close();
        mock.echo(false);
        mock.disconnect();
        TestBus expectsEcho = bus(ConnectionConfig.builder().echo(ConnectionConfig.Echo.CHECK_AND_DROP)
                .defaultTimeout(Duration.ofMillis(500)));
        assertThatThrownBy(() -> expectsEcho.device("A").query("FLOW? 3")).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("echo mismatch").hasMessageContaining("FLOW? 3");
    }

    @Test
    public void aReplyFromAnotherAddressIsDiscardedAndNeitherAnswersNorFailsTheCall() {
        TestBus bus = bus(ConnectionConfig.builder());
        mock.enqueue(MockReply.line("B+9.99"));
        assertThatThrownBy(() -> bus.device("A").query("FLOW? 1", Duration.ofMillis(300)))
                .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("FLOW? 1");
        assertThat(bus.device("A").query("FLOW? 2")).isEqualTo("+A 2");
        assertThat(bus.device("B").query("FLOW? 3")).isEqualTo("+B 3");
    }

    @Test
    public void binaryFramesWithCrcOverTcpAndABadChecksumIsAClearError() throws Exception {
        try (CrcDevice device = new CrcDevice()) {
            TestBus bus = track(clients().openBus(device.endpoint(), device.config()));
            // a text address on binary addressing is refused at device(), before anything is sent
            assertThatThrownBy(() -> bus.device("A")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("numeric");
            TestBus.Device mfc = bus.device(0x11);
            assertThat(mfc.request(Request.of(READ_HOLDING, Expect.bytes(4))).frame().toByteArray())
                    .containsExactly(0x03, 0x02, 0x01, 0x40);
            assertThatThrownBy(() -> mfc.request(Request.of(READ_HOLDING, Expect.bytes(4))))
                    .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("CRC-16/MODBUS");
            device.assertServedTwo();
        }
    }

    /**
     * A binary device on loopback TCP (one connection): reads two requests (address, {@link #READ_HOLDING}, CRC-16/MODBUS
     * low byte first) and answers each with 03 02 01 40+round; the second answer's CRC is damaged on the line.
     */
    protected static final class CrcDevice implements AutoCloseable {
        private final Checksum crc = Checksum.crc16Modbus();
        private final ServerSocket server;
        private final Thread thread;
        private final AtomicInteger served = new AtomicInteger();

        public CrcDevice() throws IOException {
            server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "binary-device");
            thread.start();
        }

        private void serve() {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                for (int round = 0; round < 2; round++) {
                    byte[] req = in.readNBytes(8); // address, 03 00 6B 00 03, CRC lo hi
                    crc.verify(req);
                    byte[] reply = crc.append(new byte[] {req[0], 0x03, 0x02, 0x01, (byte) (0x40 + round)});
                    if (round == 1) {
                        reply[reply.length - 1] ^= 0x55; // damaged on the line
                    }
                    out.write(reply);
                    served.incrementAndGet();
                }
            } catch (Exception e) {
                // the test's assertions report what went wrong
            }
        }

        public String endpoint() {
            return "tcp://127.0.0.1:" + server.getLocalPort();
        }

        /** Binary addresses with this CRC, no write terminator, a 2 s timeout. */
        public BusConfig config() {
            return BusConfig.builder().addressing(Addressing.binary(crc))
                    .connection(ConnectionConfig.builder().writeTerminator("").defaultTimeout(Duration.ofSeconds(2)).build())
                    .build();
        }

        /** The device read both requests (each with a good CRC) and answered both. */
        public void assertServedTwo() throws InterruptedException {
            thread.join(5000);
            assertThat(served).hasValue(2);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
