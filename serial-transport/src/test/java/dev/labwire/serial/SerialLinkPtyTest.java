package dev.labwire.serial;

import dev.labwire.core.endpoint.DataBits;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.endpoint.FlowControl;
import dev.labwire.core.endpoint.Parity;
import dev.labwire.core.endpoint.Rs485;
import dev.labwire.core.endpoint.RtsPolarity;
import dev.labwire.core.endpoint.SerialSettings;
import dev.labwire.core.endpoint.StopBits;
import dev.labwire.core.endpoint.UsbId;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.serial.SerialPortException.Reason;
import dev.labwire.testsupport.pty.SocatPty;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real serial I/O through jSerialComm on a pty pair made by socat: end a is a SerialLink, end b a plain file. */
@Timeout(60)
class SerialLinkPtyTest {

    private static final SerialSettings FAST = SerialSettings.builder().baudRate(115200).build();
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private SocatPty pair;

    @BeforeAll
    static void needSocat() {
        assumeTrue(SocatPty.available(), SocatPty.SOCAT_MISSING);
    }

    @BeforeEach
    void startPair() throws IOException {
        pair = SocatPty.pair();
    }

    @AfterEach
    void stopPair() {
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    void bytesPassBothWays() throws Exception {
        try (SerialLink link = SerialLink.open(pair.a().toString(), FAST);
                RandomAccessFile b = new RandomAccessFile(pair.b().toFile(), "rw")) {
            assertThat(link.path()).isEqualTo(pair.a().toString());
            assertThat(link.settings()).isEqualTo(FAST);
            assertThat(link.isOpen()).isTrue();

            b.write("*IDN?\n".getBytes(US_ASCII));
            assertThat(new String(readExactly(link, 6), US_ASCII)).isEqualTo("*IDN?\n");

            byte[] reply = "LABWIRE,PSU,1,0.1\n".getBytes(US_ASCII);
            link.write(reply, 0, reply.length);
            byte[] got = new byte[reply.length];
            b.readFully(got);
            assertThat(got).isEqualTo(reply);
        }
    }

    @Test
    void everyByteValueInBulkBothWaysWithPartialWrites() throws Exception {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + i / 256);
        }
        try (SerialLink link = SerialLink.open(pair.a().toString(), FAST);
                RandomAccessFile b = new RandomAccessFile(pair.b().toFile(), "rw")) {
            // far more than a pty buffers: the writer must loop over partial writes while the reader drains
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    link.write(data, 0, data.length);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] got = new byte[data.length];
            b.readFully(got);
            writer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat(got).isEqualTo(data);

            CompletableFuture<Void> fileWriter = CompletableFuture.runAsync(() -> {
                try {
                    b.write(data);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(readExactly(link, data.length)).isEqualTo(data);
            fileWriter.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void idleReadReturnsZeroWithoutHanging() throws Exception {
        try (SerialLink link = SerialLink.open(pair.a().toString(), FAST)) {
            byte[] buf = new byte[64];
            long start = System.nanoTime();
            int n = link.read(buf, 0, buf.length);
            long elapsed = System.nanoTime() - start;
            assertThat(n).isZero();
            assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(2));
            assertThat(link.read(buf, 0, 0)).isZero();
        }
    }

    @Test
    void peerGoneBySigtermMakesReadThrowDisconnected() throws Exception {
        try (SerialLink link = SerialLink.open(pair.a().toString(), FAST)) {
            pair.terminate();
            SerialPortException e = readUntilFailure(link);
            assertThat(e.reason()).isEqualTo(Reason.DISCONNECTED);
            assertThat(e.getMessage()).startsWith(pair.a() + ": device disconnected: ");
            // a broken link stays broken, for reads and writes alike, but stays open until closed
            assertThatThrownBy(() -> link.read(new byte[1], 0, 1)).isInstanceOfSatisfying(SerialPortException.class,
                    again -> assertThat(again.reason()).isEqualTo(Reason.DISCONNECTED));
            assertThatThrownBy(() -> link.write(new byte[1], 0, 1)).isInstanceOfSatisfying(
                    SerialPortException.class, again -> assertThat(again.reason()).isEqualTo(Reason.DISCONNECTED));
            assertThat(link.isOpen()).isTrue();
        }
    }

    @Test
    void peerGoneBySigkillMakesReadThrowDisconnected() throws Exception {
        try (SerialLink link = SerialLink.open(pair.a().toString(), FAST)) {
            pair.kill();
            assertThat(readUntilFailure(link).reason()).isEqualTo(Reason.DISCONNECTED);
        }
    }

    @Test
    void peerGoneMakesWriteThrowDisconnected() throws Exception {
        try (SerialLink link = SerialLink.open(pair.a().toString(), FAST)) {
            pair.terminate();
            byte[] one = {'x'};
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            SerialPortException failure = null;
            while (failure == null && System.nanoTime() < deadline) {
                try {
                    link.write(one, 0, 1);
                } catch (SerialPortException e) {
                    failure = e;
                }
            }
            assertThat(failure).as("write failure within %s", DEADLINE).isNotNull();
            assertThat(failure.reason()).isEqualTo(Reason.DISCONNECTED);
            assertThat(failure.getMessage()).contains(pair.a().toString()).contains("write failed");
        }
    }

    @Test
    void closeIsIdempotentAndUnblocksAConcurrentRead() throws Exception {
        SerialLink link = SerialLink.open(pair.a().toString(), FAST);
        CountDownLatch reading = new CountDownLatch(1);
        CompletableFuture<IOException> reader = CompletableFuture.supplyAsync(() -> {
            byte[] buf = new byte[64];
            reading.countDown();
            try {
                while (true) {
                    link.read(buf, 0, buf.length);
                }
            } catch (IOException e) {
                return e;
            }
        });
        assertThat(reading.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        link.close();
        IOException ended = reader.get(2, TimeUnit.SECONDS);
        assertThat(ended).isInstanceOfSatisfying(SerialPortException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED));
        assertThat(ended.getMessage()).isEqualTo(pair.a() + ": link is closed (reason CLOSED, native error 0)");

        link.close();
        link.close();
        assertThat(link.isOpen()).isFalse();
        assertThatThrownBy(() -> link.read(new byte[1], 0, 1)).isInstanceOfSatisfying(SerialPortException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED));
        assertThatThrownBy(() -> link.write(new byte[1], 0, 1)).isInstanceOfSatisfying(SerialPortException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.CLOSED));
        // the port is free again
        SerialLink.open(pair.a().toString(), FAST).close();
    }

    @Test
    void missingPathIsNotFound() {
        String missing = pair.a().resolveSibling("nope").toString();
        assertThatThrownBy(() -> SerialLink.open(missing, FAST)).isInstanceOfSatisfying(SerialPortException.class,
                e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
                    assertThat(e.port()).isEqualTo(missing);
                    assertThat(e.getMessage()).isEqualTo(missing
                            + ": cannot open: no such device file (reason NOT_FOUND, native error 0)");
                });
        assertThatThrownBy(() -> SerialLink.open("ttyLABWIRE_NOPE", FAST))
                .isInstanceOfSatisfying(SerialPortException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND));
    }

    @Test
    void secondOpenInThisJvmIsBusyThroughAnySymlink() throws Exception {
        try (SerialLink first = SerialLink.open(pair.a().toString(), FAST)) {
            for (String path : new String[] {pair.a().toString(), pair.a().toRealPath().toString()}) {
                assertThatThrownBy(() -> SerialLink.open(path, FAST)).isInstanceOfSatisfying(
                        SerialPortException.class, e -> {
                            assertThat(e.reason()).isEqualTo(Reason.BUSY);
                            assertThat(e.nativeErrorCode()).isEqualTo(2);
                            assertThat(e.getMessage()).startsWith(path + ": cannot open: already open in this JVM");
                        });
            }
            assertThat(first.isOpen()).isTrue();
        }
    }

    @Test
    void lockHeldByAnotherProcessIsBusy() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/flock")), "util-linux flock not installed");
        Process holder = new ProcessBuilder("/usr/bin/flock", "--exclusive", pair.a().toString(), "-c",
                "echo locked; exec sleep 60").redirectErrorStream(true).start();
        try {
            CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
                try {
                    return new BufferedReader(new InputStreamReader(holder.getInputStream(), US_ASCII)).readLine();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(firstLine.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("locked");
            assertThatThrownBy(() -> SerialLink.open(pair.a().toString(), FAST)).isInstanceOfSatisfying(
                    SerialPortException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.BUSY);
                        assertThat(e.nativeErrorCode()).isEqualTo(11); // EWOULDBLOCK from flock(LOCK_EX|LOCK_NB)
                        assertThat(e.getMessage()).contains(pair.a().toString()).contains("native error 11 EAGAIN");
                    });
        } finally {
            // the shell's sleep inherited the locked descriptor: end it too, and wait until both are gone
            java.util.List<ProcessHandle> children = holder.descendants().toList();
            children.forEach(ProcessHandle::destroyForcibly);
            holder.destroyForcibly();
            for (ProcessHandle child : children) {
                child.onExit().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
            holder.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
        SerialLink.open(pair.a().toString(), FAST).close();
    }

    @Test
    void settingsReachTheTerminal() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/stty")) || Files.isExecutable(Path.of("/usr/bin/stty")),
                "stty not installed");
        // The Linux pty driver (pty_set_termios) forces CS8 and clears PARENB: a pty has no wire, so data bits
        // and parity on/off cannot be seen here. Everything else jSerialComm sets does show up.
        SerialSettings s = SerialSettings.builder().baudRate(57600).dataBits(DataBits.SEVEN).parity(Parity.ODD)
                .stopBits(StopBits.TWO).flowControl(FlowControl.RTS_CTS).build();
        try (SerialLink link = SerialLink.open(pair.a().toString(), s)) {
            assertThat(link.settings()).isEqualTo(s);
            assertThat(words(stty(pair.a()))).contains("57600", "parodd", "cstopb", "crtscts", "istrip", "inpck",
                    "-ixon", "-ixoff", "-icanon", "-echo", "-opost", "-isig", "clocal", "cread", "min = 0", "time = 1");
        }
        SerialSettings x = SerialSettings.builder().parity(Parity.SPACE).flowControl(FlowControl.XON_XOFF).build();
        try (SerialLink link = SerialLink.open(pair.a().toString(), x)) {
            assertThat(link.isOpen()).isTrue();
            assertThat(words(stty(pair.a()))).contains("9600", "cmspar", "-parodd", "-cstopb", "-crtscts", "ixon",
                    "ixoff", "-istrip");
        }
    }

    /** The stty words, plus "min = 0"-style settings, for exact matching. */
    private static java.util.List<String> words(String stty) {
        java.util.List<String> words = new java.util.ArrayList<>(java.util.Arrays.asList(stty.split("[\\s;]+")));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\w+ = \\w+)").matcher(stty);
        while (m.find()) {
            words.add(m.group(1));
        }
        return words;
    }

    @Test
    void onePointFiveStopBitsAreRefusedOnPosix() {
        assumeTrue(!System.getProperty("os.name").startsWith("Windows"));
        SerialSettings s = SerialSettings.builder().dataBits(DataBits.FIVE).stopBits(StopBits.ONE_POINT_FIVE).build();
        assertThatThrownBy(() -> SerialLink.open(pair.a().toString(), s)).isInstanceOfSatisfying(
                SerialPortException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_SETTINGS);
                    assertThat(e.getMessage()).contains("1.5 stop bits exist only on Windows");
                });
    }

    @Test
    void rs485OnAPtyOpensButHasNoEffect() throws Exception {
        // jSerialComm ignores a failing TIOCSRS485; ptys have no RS485 mode, so the link is a plain one
        SerialSettings s = FAST.toBuilder().rs485(Rs485.enabled(RtsPolarity.LOW, Duration.ofMillis(1),
                Duration.ofMillis(2))).build();
        try (SerialLink link = SerialLink.open(pair.a().toString(), s);
                RandomAccessFile b = new RandomAccessFile(pair.b().toFile(), "rw")) {
            link.write(new byte[] {1, 2, 3}, 0, 3);
            byte[] got = new byte[3];
            b.readFully(got);
            assertThat(got).containsExactly(1, 2, 3);
        }
    }

    @Test
    void aRegularFileIsNotASerialPort(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-tty"), "x");
        assertThatThrownBy(() -> SerialLink.open(file.toString(), FAST)).isInstanceOfSatisfying(
                SerialPortException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.OTHER);
                    assertThat(e.nativeErrorCode()).isEqualTo(25);
                    assertThat(e.getMessage()).isEqualTo(file + ": cannot open: not a serial device (not a terminal)"
                            + " (reason OTHER, native error 25 ENOTTY)");
                });
    }

    @Test
    void opensAnEndpointString() throws Exception {
        Endpoint e = Endpoint.parse("serial:" + pair.a() + "?baud=115200&parity=even");
        try (SerialLink link = SerialLink.open((Endpoint.Serial) e);
                RandomAccessFile b = new RandomAccessFile(pair.b().toFile(), "rw")) {
            assertThat(link.settings().parity()).isEqualTo(Parity.EVEN);
            b.write('!');
            assertThat(readExactly(link, 1)).containsExactly('!');
        }
    }

    @Test
    void openByUsbIdentityOfAbsentDeviceIsNotFound() {
        assertThatThrownBy(() -> SerialLink.open(UsbId.parse("fffe:fffd"), FAST)).isInstanceOfSatisfying(
                SerialPortException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
                    assertThat(e.port()).isEqualTo("usb:fffe:fffd");
                });
    }

    private static byte[] readExactly(SerialLink link, int n) throws IOException {
        byte[] buf = new byte[n];
        int got = 0;
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (got < n) {
            if (System.nanoTime() > deadline) {
                fail("only %d of %d bytes within %s", got, n, DEADLINE);
            }
            got += link.read(buf, got, n - got);
        }
        return buf;
    }

    private static SerialPortException readUntilFailure(SerialLink link) {
        byte[] buf = new byte[64];
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                link.read(buf, 0, buf.length);
            } catch (SerialPortException e) {
                return e;
            } catch (IOException e) {
                throw new AssertionError("not a SerialPortException", e);
            }
        }
        throw new AssertionError("read did not fail within " + DEADLINE);
    }

    private static String stty(Path tty) throws IOException, InterruptedException, ExecutionException {
        Process p = new ProcessBuilder("stty", "-F", tty.toString(), "-a").redirectErrorStream(true).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), US_ASCII);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try {
            String text = out.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertThat(p.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("stty output: %s", text).isZero();
            return text;
        } catch (java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new AssertionError("stty did not answer within " + DEADLINE, e);
        }
    }
}
