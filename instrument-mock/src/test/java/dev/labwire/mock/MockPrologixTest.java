package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.bus.Prologix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fake Prologix adapter, fed the Prologix manual's byte examples by hand and labwire's Prologix codec over a
 * real loopback socket.
 */
class MockPrologixTest {
    private MockPrologix adapter;
    private Socket socket;
    private InputStream in;

    @BeforeEach
    void start() throws IOException {
        adapter = MockPrologix.tcp()
                .instrument(5, cmd -> cmd.equals("*IDN?") ? MockReply.line("ACME,DMM,5") : null)
                .instrument(7, cmd -> cmd.equals("*IDN?") ? MockReply.line("ACME,PSU,7")
                        : cmd.equals("VOLT?") ? MockReply.line("+1.0E+01") : null)
                .instrument(9, cmd -> null);
        socket = new Socket("127.0.0.1", adapter.port());
        socket.setSoTimeout(2000);
        in = socket.getInputStream();
    }

    @AfterEach
    void stop() throws IOException {
        socket.close();
        adapter.close();
    }

    private void send(byte[] b) throws IOException {
        socket.getOutputStream().write(b);
        socket.getOutputStream().flush();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            o.write(b);
            if (b == '\n') {
                break;
            }
        }
        return o.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    /** Manual 7.1: the escaped example reaches the instrument as the original binary data. */
    @Test
    void theManualsEscapedBinaryExampleArrivesUnescaped() throws IOException {
        send("++eos 3\n++addr 9\n".getBytes(StandardCharsets.US_ASCII));
        send(bytes(0, 1, 2, 27, 13, 3, 27, 10, 4, 27, 27, 5, 27, 43, 6, '\n'));
        send("++ver\n".getBytes(StandardCharsets.US_ASCII));   // answered after the data line was taken
        assertThat(readLine()).startsWith("Prologix GPIB-ETHERNET");
        assertThat(adapter.received(9)).singleElement().isEqualTo(bytes(0, 1, 2, 13, 3, 10, 4, 27, 5, 43, 6));
    }

    @Test
    void queriesThroughTheCodecReachTheirOwnAddress() throws IOException {
        Prologix.Selector sel = new Prologix.Selector();
        send(Prologix.setup(Duration.ofMillis(500)));
        send(sel.query(5, "*IDN?\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(readLine()).isEqualTo("ACME,DMM,5\n");
        send(sel.write(7, "VOLT 1E+1\n".getBytes(StandardCharsets.US_ASCII)));
        send(sel.query(7, "VOLT?\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(readLine()).isEqualTo("+1.0E+01\n");     // the write made nothing talk: no stale reply first
        send(sel.query(7, "*IDN?\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(readLine()).isEqualTo("ACME,PSU,7\n");
        assertThat(adapter.received(7)).extracting(b -> new String(b, StandardCharsets.ISO_8859_1))
                .containsExactly("VOLT 1E+1\n", "VOLT?\n", "*IDN?\n");   // '+' and LF escaped, nothing appended
        assertThat(adapter.log()).filteredOn(l -> l.startsWith("++addr")).containsExactly("++addr 5", "++addr 7");
    }

    @Test
    void serialPollReadsTheStatusByte() throws IOException {
        adapter.statusByte(9, 0x50);
        send(Prologix.spoll(9));
        assertThat(Prologix.statusByte(readLine().getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x50);
    }

    @Test
    void everyByteValueReachesTheInstrument() throws IOException {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        Prologix.Selector sel = new Prologix.Selector();
        send(Prologix.setup(Duration.ofMillis(100)));
        send(sel.write(9, all));
        send("++ver\n".getBytes(StandardCharsets.US_ASCII));
        readLine();
        assertThat(adapter.received(9)).singleElement().isEqualTo(all);
    }

    @Test
    void anAddressWithNoInstrumentAnswersNothingAndTheNextQueryStillWorks() throws IOException {
        Prologix.Selector sel = new Prologix.Selector();
        send(Prologix.setup(Duration.ofMillis(100)));
        send(sel.query(12, "*IDN?\n".getBytes(StandardCharsets.US_ASCII)));
        socket.setSoTimeout(300);
        boolean quiet;
        try {
            quiet = in.read() < 0;
        } catch (SocketTimeoutException e) {
            quiet = true;
        }
        assertThat(quiet).isTrue();
        socket.setSoTimeout(2000);
        send(sel.query(5, "*IDN?\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(readLine()).isEqualTo("ACME,DMM,5\n");
    }

    /** A GPIB-USB is a serial port: the same bytes through a pty pair (a blocking read: bounded by the timeout). */
    @Test
    @org.junit.jupiter.api.Timeout(20)
    void asAGpibUsbOnAPty() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(MockInstrument.socatAvailable(), "socat is not installed");
        try (MockPrologix usb = MockPrologix.pty().instrument(22, cmd -> cmd.equals("*IDN?") ? MockReply.line("ACME,SCOPE,22") : null);
             java.io.FileOutputStream out = new java.io.FileOutputStream(usb.devicePath().toFile());
             java.io.FileInputStream pin = new java.io.FileInputStream(usb.devicePath().toFile())) {
            assertThat(usb.endpoint()).isEqualTo("serial:" + usb.devicePath());
            Prologix.Selector sel = new Prologix.Selector();
            out.write(Prologix.setup(Duration.ofMillis(200)));
            out.write(sel.query(22, "*IDN?\n".getBytes(StandardCharsets.US_ASCII)));
            out.flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            for (int b; got.size() < 14 && (b = pin.read()) >= 0; ) {
                got.write(b);
            }
            assertThat(got.toString(StandardCharsets.ISO_8859_1)).isEqualTo("ACME,SCOPE,22\n");
            assertThat(usb.log()).contains("++addr 22", "22 < *IDN?\n");
        }
    }

    /** A ++read that finds nothing holds the adapter for ++read_tmo_ms; a reply delayed less than that is waited for. */
    @Test
    void aReadWaitsUpToTheReadTimeoutThenGivesUp() throws IOException {
        MockPrologix slow = MockPrologix.tcp().instrument(3, cmd -> MockReply.line("LATE").delay(Duration.ofMillis(150)));
        try (slow; Socket s = new Socket("127.0.0.1", slow.port())) {
            s.setSoTimeout(5000);
            socket.close();
            socket = s;
            in = s.getInputStream();
            send("++read_tmo_ms 300\n++addr 12\n++read eoi\n++addr\n".getBytes(StandardCharsets.US_ASCII));
            long t0 = System.nanoTime();
            assertThat(readLine()).isEqualTo("12\r\n");          // nothing from the empty address, after its timeout
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
            send("++addr 3\n++eos 3\nX\n++read eoi\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine()).isEqualTo("LATE\n");           // 150 ms late, within the 300 ms read timeout
            send("++read_tmo_ms 50\nY\n++read eoi\n++ver\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine()).startsWith("Prologix");        // 150 ms is past 50 ms: the read gave up
            send("++read_tmo_ms 1000\n++read eoi\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine()).isEqualTo("LATE\n");           // the late reply waited for the next ++read
        }
    }

    /** restart(): connections drop, the next one starts with the power-on settings; the instruments keep theirs. */
    @Test
    void restartDropsConnectionsAndResetsTheAdapter() throws IOException {
        send("++addr 7\n++eos 3\n++addr\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readLine()).isEqualTo("7\r\n");
        int before = adapter.connectionCount();
        adapter.restart();
        assertThat(in.read()).isEqualTo(-1);
        socket.close();
        socket = new Socket("127.0.0.1", adapter.port());
        socket.setSoTimeout(2000);
        in = socket.getInputStream();
        send("++addr\n++eos\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readLine()).isEqualTo("0\r\n");
        assertThat(readLine()).isEqualTo("0\r\n");
        assertThat(adapter.connectionCount()).isEqualTo(before + 1);
    }
}
