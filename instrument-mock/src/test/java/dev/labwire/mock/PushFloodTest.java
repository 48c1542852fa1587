package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A device that pushes lines as fast as the link takes them, and waits when the client stops reading. */
class PushFloodTest {

    private static final String PAD = " " + "x".repeat(100);

    private final Loopback net = new Loopback();

    @AfterEach
    void closeAll() throws Exception {
        net.close();
    }

    @Test
    void aFloodDeliversEveryLineInOrderWaitsForASlowConsumerAndStopsWhenClosed() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp());
        AtomicLong made = new AtomicLong();
        AtomicLong lastMadeAt = new AtomicLong(System.nanoTime());
        // started before any client: it must wait for one without making lines
        AutoCloseable flood = net.track(mock.pushFlood(() -> {
            lastMadeAt.set(System.nanoTime());
            return "L" + made.getAndIncrement() + PAD;
        }));
        Socket s = net.track(new Socket());
        s.setReceiveBufferSize(16 * 1024); // a fixed, small window: the link fills up sooner
        s.connect(new InetSocketAddress("127.0.0.1", mock.port()), 5000);
        s.setSoTimeout(5000);
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        for (int i = 0; i < 20_000; i++) {
            assertThat(in.readLine()).isEqualTo("L" + i + PAD);
        }

        // the client stops reading: the flood must stop making lines instead of piling them up
        Loopback.await(Duration.ofSeconds(20), () -> System.nanoTime() - lastMadeAt.get() > 200_000_000L,
                "the flood waits for the full link");
        long outstanding = (made.get() - 20_000) * (PAD.length() + 8);
        assertThat(outstanding).as("bytes made but not read").isLessThan(64L << 20);

        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("closed: " + e);
            }
        }, "test-flood-reader");
        reader.setDaemon(true);
        reader.start();
        flood.close();
        long total = made.get();
        mock.push("MARK");
        for (long i = 20_000; i < total; i++) {
            assertThat(lines.poll(5, TimeUnit.SECONDS)).isEqualTo("L" + i + PAD);
        }
        assertThat(lines.poll(5, TimeUnit.SECONDS)).as("nothing after the flood was closed").isEqualTo("MARK");
        assertThat(made.get()).isEqualTo(total);
        s.close();
        reader.join(5000);
    }

    @Test
    void aFloodUsesTheReplyTerminatorAndEndsWithTheMock() throws Exception {
        MockInstrument mock = MockInstrument.tcp().replyTerminator("\r\n");
        mock.pushFlood(() -> "F");
        Socket s = net.connect(mock.port());
        assertThat(s.getInputStream().readNBytes(6)).containsExactly('F', '\r', '\n', 'F', '\r', '\n');
        mock.close();
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().equals("mock-flood " + mock.endpoint()) && t.isAlive());
        assertThatThrownBy(() -> mock.pushFlood(() -> "F")).isInstanceOf(IllegalStateException.class);
    }
}
