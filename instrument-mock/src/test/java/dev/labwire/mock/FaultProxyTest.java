package dev.labwire.mock;

import static dev.labwire.mock.Loopback.readLine;
import static dev.labwire.mock.Loopback.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** FaultProxy's reply-line drops, a peer that stops reading, and the black hole, over real loopback sockets. */
class FaultProxyTest {

    private final Loopback net = new Loopback();

    @AfterEach
    void closeAll() throws Exception {
        net.close();
    }

    @Test
    void theNthReplyLineIsDroppedWholeOnceOverAllConnections() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        FaultProxy proxy = net.track(FaultProxy.to(mock.port()).seed(7).dropReply(2).dropReply(5).start());
        Socket s = net.connect(proxy.port());
        // line 2 ("two\n") is split over two writes and shares its second write with line 3
        mock.enqueue(MockReply.bytes(ascii("one\ntw"))
                .then(MockReply.bytes(ascii("o\nthree\n")).delay(Duration.ofMillis(50))));
        send(s, "X?");
        assertThat(readLine(s)).isEqualTo("one\n");
        assertThat(readLine(s)).isEqualTo("three\n"); // "two" would have come first
        send(s, "ECHO? four");
        send(s, "ECHO? five");
        send(s, "ECHO? six");
        assertThat(readLine(s)).isEqualTo("four\n");
        assertThat(readLine(s)).isEqualTo("six\n");
        assertThat(proxy.counts().drops()).isEqualTo(2);
        assertThat(proxy.counts().total()).isEqualTo(2);
        assertThat(proxy.replyLines()).isEqualTo(6);
        // a new connection does not start the numbering again
        s.close();
        Socket again = net.connect(proxy.port());
        send(again, "ECHO? a");
        send(again, "ECHO? b");
        assertThat(readLine(again)).isEqualTo("a\n");
        assertThat(readLine(again)).isEqualTo("b\n");
        proxy.dropNextReply();
        send(again, "ECHO? c");
        send(again, "ECHO? d");
        assertThat(readLine(again)).isEqualTo("d\n");
        assertThat(proxy.counts().drops()).isEqualTo(3);
        assertThat(proxy.counts().connections()).isEqualTo(2);
        assertThatThrownBy(() -> FaultProxy.to(mock.port()).dropReply(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void droppedRepliesByChanceLeaveTheOtherLinesIntactAndInOrder() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        FaultProxy proxy = net.track(FaultProxy.to(mock.port()).seed(42).dropReplies(0.5).start());
        Socket s = net.connect(proxy.port());
        StringBuilder queries = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            queries.append("ECHO? reply-").append(i).append('\n');
        }
        s.getOutputStream().write(ascii(queries.toString()));
        Loopback.await(Duration.ofSeconds(10), () -> proxy.replyLines() == 200, "200 reply lines reach the proxy");
        proxy.quiet(true);
        send(s, "ECHO? end");
        List<Integer> got = new ArrayList<>();
        for (String line; !(line = readLine(s)).equals("end\n"); ) {
            assertThat(line).matches("reply-\\d+\n");
            got.add(Integer.parseInt(line.substring(6, line.length() - 1)));
        }
        assertThat(got).isSorted().doesNotHaveDuplicates();
        assertThat(got.size() + proxy.counts().drops()).isEqualTo(200);
        assertThat(proxy.counts().drops()).isBetween(50L, 150L);
    }

    @Test
    void countsKeepTheirOldConstructor() {
        FaultProxy.Counts old = new FaultProxy.Counts(1, 2, 3, 4, 5, 6);
        assertThat(old.drops()).isZero();
        assertThat(old.total()).isEqualTo(20);
        assertThat(new FaultProxy.Counts(1, 2, 3, 4, 5, 6, 7).total()).isEqualTo(27);
    }

    @Test
    void aProxyThatStopsReadingBlocksTheClientsWritesUntilItReadsAgainAndLosesNothing() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi().commandLogLimit(100));
        FaultProxy proxy = net.track(FaultProxy.to(mock.port()).start());
        SocketChannel ch = net.track(SocketChannel.open(new InetSocketAddress("127.0.0.1", proxy.port())));
        writeFully(ch, ascii("*OPC?\n"));
        assertThat(readChannelLine(ch)).isEqualTo("1\n");

        proxy.stopReading(true);
        byte[] line = new byte[1024];
        java.util.Arrays.fill(line, (byte) 'x');
        line[line.length - 1] = '\n';
        ByteBuffer chunk = ByteBuffer.allocate(64 * line.length);
        while (chunk.hasRemaining()) {
            chunk.put(line);
        }
        chunk.flip();
        ch.configureBlocking(false);
        long written = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            int n = ch.write(chunk);
            written += n;
            if (n == 0) {
                break; // the send buffer is full and the window closed
            }
            if (!chunk.hasRemaining()) {
                chunk.rewind();
            }
            assertThat(written).as("bytes written to a proxy that stopped reading").isLessThan(512L << 20);
            assertThat(System.nanoTime() - deadline).as("writes block within 30 s").isNegative();
        }
        try (Selector selector = Selector.open()) {
            SelectionKey key = ch.register(selector, SelectionKey.OP_WRITE);
            assertThat(selector.select(300)).as("still not writable after 300 ms").isZero();
            proxy.stopReading(false);
            assertThat(selector.select(10_000)).as("writable once the proxy reads again").isEqualTo(1);
            key.cancel();
            selector.selectNow();
        }
        ch.configureBlocking(true);
        written += writeFully(ch, chunk); // the rest of the last chunk: whole lines only
        assertThat(written % line.length).isZero();
        writeFully(ch, ascii("*OPC?\n"));
        assertThat(readChannelLine(ch)).isEqualTo("1\n");
        assertThat(mock.commandCount()).as("every line reached the mock").isEqualTo(written / line.length + 2);
        assertThat(mock.commands()).endsWith(new String(line, 0, line.length - 1, StandardCharsets.US_ASCII), "*OPC?");
    }

    @Test
    void aConnectToTheBlackHoleTimesOut() throws Exception {
        int port;
        try (BlackHole hole = FaultProxy.blackHole()) {
            port = hole.port();
            assertThat(hole.endpoint()).isEqualTo("tcp://127.0.0.1:" + port);
            for (int i = 0; i < 2; i++) {
                try (Socket s = new Socket()) {
                    long t0 = System.nanoTime();
                    assertThatThrownBy(() -> s.connect(new InetSocketAddress("127.0.0.1", port), 300))
                            .isInstanceOf(SocketTimeoutException.class);
                    long took = System.nanoTime() - t0;
                    assertThat(took).as("connect took %s", Loopback.ms(took)).isGreaterThanOrEqualTo(250_000_000L);
                }
            }
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static int writeFully(SocketChannel ch, byte[] bytes) throws IOException {
        return writeFully(ch, ByteBuffer.wrap(bytes));
    }

    private static int writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        int n = 0;
        while (b.hasRemaining()) {
            n += ch.write(b);
        }
        return n;
    }

    private static String readChannelLine(SocketChannel ch) throws IOException {
        ch.socket().setSoTimeout(5000);
        return Loopback.readLine(ch.socket());
    }
}
