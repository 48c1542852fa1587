package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MockInstrument behind a socat pty pair, driven through the device end as plain file channels. */
class MockInstrumentPtyTest {

    private MockInstrument mock;
    private FileChannel in;
    private FileChannel out;

    @BeforeEach
    void start() throws IOException {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        mock = MockInstrument.pty().scpi();
        openDevice();
    }

    private void openDevice() throws IOException {
        in = FileChannel.open(mock.devicePath(), StandardOpenOption.READ);
        out = FileChannel.open(mock.devicePath(), StandardOpenOption.WRITE);
    }

    private void closeDevice() throws IOException {
        in.close();
        out.close();
    }

    @AfterEach
    void stop() throws IOException {
        if (mock != null) {
            closeDevice();
            mock.close();
            assertThat(Files.exists(mock.devicePath())).isFalse();
        }
    }

    private void send(String command) throws IOException {
        out.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.ISO_8859_1)));
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (in.read(one) < 0) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
            b.write(one.get(0));
            if (one.get(0) == '\n') {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within 5 s: " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }

    @Test
    void answersOverThePtyAndRecordsCommands() throws IOException {
        assertThat(mock.endpoint()).isEqualTo("serial:" + mock.devicePath());
        send("VOLT 2.5");
        send("VOLT?");
        assertThat(readLine()).isEqualTo("2.5\n");
        mock.push("STAT 1");
        assertThat(readLine()).isEqualTo("STAT 1\n");
        assertThat(mock.commands()).containsExactly("VOLT 2.5", "VOLT?");
        assertThatThrownBy(mock::port).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void stopRemovesTheDevicePathAndRestartMakesItAgain() throws IOException {
        Path device = mock.devicePath();
        mock.stop();
        await(() -> !Files.exists(device), "the device path vanishes");
        closeDevice();
        mock.restart();
        assertThat(device).exists();
        openDevice();
        send("*OPC?");
        assertThat(readLine()).isEqualTo("1\n");
        assertThat(mock.connectionCount()).isEqualTo(2);
    }

    @Test
    void aLateEchoComesBackOverThePtyBeforeTheReply() throws IOException {
        mock.echo(true).echoDelay(Duration.ofMillis(300));
        long t0 = System.nanoTime();
        send("*OPC?");
        assertThat(readLine()).isEqualTo("*OPC?\n");
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(300_000_000L);
        assertThat(readLine()).isEqualTo("1\n");
    }

    @Test
    void closeAfterDestroysThePairUntilRestart() throws IOException {
        mock.enqueue(MockReply.line("PARTIAL").closeAfter(4));
        send("HALF?");
        ByteBuffer got = ByteBuffer.allocate(16);
        try {
            while (in.read(got) > 0) {
                // collect the part of the reply that was sent, until the hang-up
            }
        } catch (IOException hangUp) {
            // a pty whose other side vanished reads as an I/O error (EIO)
        }
        // the kernel may drop what was still in flight at the hang-up, but never sends more than 4 bytes
        assertThat("PART").startsWith(new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII));
        await(() -> !Files.exists(mock.devicePath()), "the device path vanishes");
        closeDevice();
        mock.restart();
        openDevice();
        send("*OPC?");
        assertThat(readLine()).isEqualTo("1\n");
    }
}
