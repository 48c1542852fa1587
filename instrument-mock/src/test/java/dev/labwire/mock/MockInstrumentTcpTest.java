package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** MockInstrument over loopback TCP, driven by plain sockets. */
class MockInstrumentTcpTest {

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private Socket connect(MockInstrument mock) throws IOException {
        Socket s = track(new Socket("127.0.0.1", mock.port()));
        s.setSoTimeout(5000);
        return s;
    }

    private static void send(Socket s, String command) throws IOException {
        s.getOutputStream().write((command + "\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Reads through the next \n (included). */
    private static String readLine(Socket s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        for (int c; (c = in.read()) != -1; ) {
            b.write(c);
            if (c == '\n') {
                break;
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** The connection ends: end of stream, or a reset when it was dropped before it was accepted. */
    private static void assertLinkEnds(Socket s) throws IOException {
        try {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        } catch (java.net.SocketException e) {
            assertThat(e).hasMessageContaining("reset");
        }
    }

    private static byte[] readN(Socket s, int n) throws IOException {
        return s.getInputStream().readNBytes(n);
    }

    @Test
    void scriptedRepliesComeFirstThenTheResponderThenTheDictionary() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        mock.enqueue("scripted");
        mock.responder(cmd -> cmd.equals("WHO?") ? MockReply.line("responder") : null);
        Socket s = connect(mock);
        send(s, "WHO?");
        assertThat(readLine(s)).isEqualTo("scripted\n");
        send(s, "WHO?");
        assertThat(readLine(s)).isEqualTo("responder\n");
        send(s, "*IDN?\r");
        assertThat(readLine(s)).isEqualTo(ScpiDictionary.DEFAULT_IDENTITY + "\n");
        assertThat(mock.takeCommand()).isEqualTo("WHO?");
        assertThat(mock.commands()).containsExactly("WHO?", "WHO?", "*IDN?");
        assertThat(mock.endpoint()).isEqualTo("tcp://127.0.0.1:" + mock.port());
        assertThatThrownBy(mock::devicePath).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theScpiDictionaryKeepsSettingsAndQueuesErrors() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        Socket s = connect(mock);
        send(s, "volt 5");
        send(s, "VOLT?");
        assertThat(readLine(s)).isEqualTo("5\n");
        assertThat(mock.dictionary().get("Volt")).isEqualTo("5");
        send(s, "NOPE?");
        send(s, "SYST:ERR?");
        assertThat(readLine(s)).isEqualTo("-113,\"Undefined header\"\n");
        send(s, "SYST:ERR?");
        assertThat(readLine(s)).isEqualTo("+0,\"No error\"\n");
        send(s, "DATA? 3");
        assertThat(readN(s, 7)).containsExactly('#', '1', '3', 0, 1, 2, '\n');
        send(s, "ECHO? a b");
        assertThat(readLine(s)).isEqualTo("a b\n");
        send(s, "*RST");
        send(s, "*OPC?");
        assertThat(readLine(s)).isEqualTo("1\n");
        assertThat(mock.dictionary().get("VOLT")).isNull();
    }

    @Test
    void aDelayedReplyComesAfterItsDelayAndRepliesKeepTheirOrder() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp());
        mock.enqueue(MockReply.line("slow").delay(Duration.ofMillis(300)));
        mock.enqueue("fast");
        Socket s = connect(mock);
        long t0 = System.nanoTime();
        send(s, "A?");
        send(s, "B?");
        assertThat(readLine(s)).isEqualTo("slow\n");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(readLine(s)).isEqualTo("fast\n");
    }

    @Test
    void oneByteAtATimeArrivesInSeparateWritesAndThenChains() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp());
        mock.enqueue(MockReply.line("abc").oneByteAtATime(Duration.ofMillis(30)).then(MockReply.line("second")));
        Socket s = connect(mock);
        long t0 = System.nanoTime();
        send(s, "X?");
        assertThat(readLine(s)).isEqualTo("abc\n");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(90));
        assertThat(readLine(s)).isEqualTo("second\n");
    }

    @Test
    void closeAfterSendsPartOfTheReplyThenDropsTheConnectionButKeepsListening() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp());
        mock.enqueue(MockReply.line("PARTIAL").closeAfter(4));
        Socket s = connect(mock);
        send(s, "X?");
        assertThat(s.getInputStream().readAllBytes()).isEqualTo("PART".getBytes(StandardCharsets.US_ASCII));
        Socket again = connect(mock);
        mock.enqueue("back");
        send(again, "X?");
        assertThat(readLine(again)).isEqualTo("back\n");
        assertThat(mock.connectionCount()).isEqualTo(2);
    }

    @Test
    void halfCloseEndsTheStreamAfterTheReply() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp());
        mock.enqueue(MockReply.line("bye").halfClose());
        Socket s = connect(mock);
        send(s, "X?");
        assertThat(s.getInputStream().readAllBytes()).isEqualTo("bye\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void garbageHasNoNewlineBeforeItsEndAndIsRepeatable() {
        byte[] g = MockReply.garbage(100).bytes();
        assertThat(g).hasSize(101).contains('\r');
        assertThat(g[100]).isEqualTo((byte) '\n');
        for (int i = 0; i < 100; i++) {
            assertThat(g[i]).isNotEqualTo((byte) '\n');
        }
        assertThat(MockReply.garbage(100).bytes()).isEqualTo(g);
        assertThatThrownBy(() -> MockReply.garbage(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MockReply.line("x").delay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(MockReply.none().bytes()).isEmpty();
        assertThat(MockReply.line("a").delay(Duration.ofMillis(5)).toString()).contains("\"a\\n\"").contains("delay 5 ms");
    }

    @Test
    void aStallAnswersNothingUntilResumedOrANewConnection() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        mock.enqueue(MockReply.stall());
        Socket s = connect(mock);
        s.setSoTimeout(300);
        send(s, "HANG?");
        send(s, "*OPC?");
        assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        Socket fresh = connect(mock);
        send(fresh, "*OPC?");
        assertThat(readLine(fresh)).isEqualTo("1\n");
        mock.resume();
        s.setSoTimeout(5000);
        send(s, "*OPC?");
        assertThat(readLine(s)).isEqualTo("1\n");
        assertThat(mock.commands()).containsExactly("HANG?", "*OPC?", "*OPC?", "*OPC?");
    }

    @SuppressWarnings("try") // a resource held open for the body's duration, never referenced
    @Test
    void pushesGoToEveryConnectionAndNeverInsideAReply() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp());
        Socket a = connect(mock);
        Socket b = connect(mock);
        mock.enqueue(MockReply.line("reply").oneByteAtATime(Duration.ofMillis(20)));
        send(a, "X?");
        assertThat(mock.takeCommand()).isEqualTo("X?");
        // a push while the reply trickles out waits for the reply to end
        mock.push("PUSH");
        assertThat(readLine(a)).isIn("reply\n", "PUSH\n");
        AtomicInteger n = new AtomicInteger();
        try (AutoCloseable stream = track(mock.pushEvery(Duration.ofMillis(5), () -> "S" + n.incrementAndGet()))) {
            List<String> got = new ArrayList<>();
            while (got.size() < 5) {
                String line = readLine(b);
                if (line.startsWith("S")) {
                    got.add(line);
                }
            }
            assertThat(got.get(4)).isEqualTo("S" + (Integer.parseInt(got.get(0).trim().substring(1)) + 4) + "\n");
        }
    }

    @Test
    void stopRefusesConnectionsAndRestartServesTheSamePortAgain() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        int port = mock.port();
        Socket s = connect(mock);
        mock.stop();
        assertLinkEnds(s);
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        mock.restart();
        assertThat(mock.port()).isEqualTo(port);
        Socket again = connect(mock);
        send(again, "*OPC?");
        assertThat(readLine(again)).isEqualTo("1\n");
        mock.disconnect();
        assertLinkEnds(again);
    }

    @Test
    void closeEndsEveryMockThread() throws Exception {
        MockInstrument mock = MockInstrument.tcp().scpi();
        Socket s = connect(mock);
        AutoCloseable stream = mock.pushEvery(Duration.ofMillis(10), () -> "S");
        send(s, "*OPC?");
        assertThat(readLine(s)).isIn("1\n", "S\n");
        mock.close();
        mock.close();
        stream.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("mock-")
                && t.getName().contains(":" + mock.port()) && t.isAlive());
        assertThatThrownBy(mock::restart).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> MockInstrument.tcp(70000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBusMockRoutesByAddressPrefixesRepliesAndEchoes() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp());
        mock.busDevice("A").dictionary().set("FLOW", "+1.5");
        mock.busDevice("AB").responder(cmd -> MockReply.line("long " + cmd));
        mock.busDevice("C").silent(true);
        Socket s = connect(mock);
        send(s, "AFLOW?");
        assertThat(readLine(s)).isEqualTo("A+1.5\n");
        send(s, "ABX?");
        assertThat(readLine(s)).isEqualTo("ABlong X?\n");
        send(s, "CFLOW?");
        send(s, "ZFLOW?");
        for (String expected : List.of("AFLOW?", "ABX?", "CFLOW?", "ZFLOW?")) {
            assertThat(mock.takeCommand()).isEqualTo(expected); // all read before echo goes on
        }
        mock.echo(true);
        send(s, "A*OPC?");
        assertThat(readLine(s)).isEqualTo("A*OPC?\n");
        assertThat(readLine(s)).isEqualTo("A1\n");
        assertThat(mock.busDevice("C").commands()).containsExactly("FLOW?");
        assertThat(mock.busDevice("A").commands()).containsExactly("FLOW?", "*OPC?");
    }

    @Test
    void closeOnAcceptClosesTheNextConnectionsAtOnceAndCountsThem() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        mock.closeOnAccept(2);
        assertLinkEnds(connect(mock));
        assertLinkEnds(connect(mock));
        Socket s = connect(mock);
        send(s, "*IDN?");
        assertThat(readLine(s)).startsWith("LABWIRE");
        assertThat(mock.connectionCount()).isEqualTo(3);
        assertThatThrownBy(() -> mock.closeOnAccept(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @Test
    void aGreetingComesFirstOnEveryConnectionAndCommandsAreAnsweredAfterIt() throws Exception {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        mock.greeting(MockReply.line("Welcome", "\r\n").delay(Duration.ofMillis(50)));
        for (int i = 0; i < 2; i++) {
            Socket s = connect(mock);
            send(s, "*IDN?"); // read before the greeting went out: answered after it
            assertThat(readLine(s)).isEqualTo("Welcome\r\n");
            assertThat(readLine(s)).startsWith("LABWIRE");
        }
    }
}
