package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.State;
import dev.labwire.mock.FaultProxy;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stuck-writer rule of the blocking driver: a call whose bytes had not all gone out by its deadline just times
 * out; the link is renewed only when the write in progress then makes no progress for 1 s (or the call's timeout if
 * longer). Both sides, on real loopback sockets: a peer that reads slowly but steadily never has its link renewed; a
 * peer that stops reading ({@link FaultProxy#stopReading}) has it renewed, no sooner than 1 s after the last byte it
 * took and in bounded time.
 */
@Timeout(60)
class StuckWriterTest {
    private static final Logger LOG = LoggerFactory.getLogger(StuckWriterTest.class);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ConnectionConfig FAST = ConnectionConfig.builder()
            .defaultTimeout(Duration.ofSeconds(3))
            .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.2)).build();

    /** A loopback peer that reads about 2 MiB/s (16 KiB, then a pause of 8 ms) through a 64 KiB receive buffer. */
    static final class SlowReader implements AutoCloseable {
        final ServerSocket server = new ServerSocket();
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicLong received = new AtomicLong();
        final StringBuilder tail = new StringBuilder(); // the last bytes received, guarded by itself
        final Thread thread;

        SlowReader() throws IOException {
            server.setReceiveBufferSize(64 * 1024); // inherited by accepted sockets: a small, fixed window
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(this::serve, "slow reader");
            thread.setDaemon(true);
            thread.start();
        }

        String endpoint() {
            return "tcp://127.0.0.1:" + server.getLocalPort();
        }

        private void serve() {
            try {
                while (true) {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    Thread t = new Thread(() -> read(s), "slow reader conn");
                    t.setDaemon(true);
                    t.start();
                }
            } catch (IOException e) {
                // closed
            }
        }

        private void read(Socket s) {
            byte[] buf = new byte[16 * 1024];
            try (s; InputStream in = s.getInputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    received.addAndGet(n);
                    synchronized (tail) {
                        tail.append(new String(buf, Math.max(0, n - 64), Math.min(n, 64), StandardCharsets.ISO_8859_1));
                        if (tail.length() > 256) {
                            tail.delete(0, tail.length() - 256);
                        }
                    }
                    LockSupport.parkNanos(8_000_000); // the pace of a slow peer, not a wait for a condition
                }
            } catch (IOException e) {
                // the client closed
            }
        }

        String tail() {
            synchronized (tail) {
                return tail.toString();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void aSlowButSteadyPeerIsNeverRenewedAndAShortCallJustTimesOut() throws Exception {
        try (SlowReader peer = new SlowReader()) {
            List<State> states = new CopyOnWriteArrayList<>();
            BlockingClient c = BlockingClient.builder(peer.endpoint()).config(FAST).listener((s, cause) -> states.add(s)).build();
            try {
                c.awaitReady(WAIT);
                // 8 MiB: more than the client's send buffer (4 MiB at most) and the peer's window, so the write
                // takes seconds at 2 MiB/s while every 8 ms some bytes go out
                String big = "DATA " + "y".repeat(8 * 1024 * 1024);
                long start = System.nanoTime();
                Throwable t = catchThrowable(() -> c.write(big, Duration.ofMillis(300)));
                long callMs = LinkFaultsTest.millisSince(start);
                long expected = big.length() + 1L; // the line and its LF
                Await.until(WAIT, () -> peer.received.get() >= expected,
                        () -> "the peer received the whole write: " + peer.received.get() + " of " + expected);
                long drainMs = LinkFaultsTest.millisSince(start);
                c.write("PING", Duration.ofSeconds(5));
                Await.until(WAIT, () -> peer.tail().endsWith("PING\n"), () -> "PING after the big write: " + peer.tail());
                LOG.info("slow peer: the 300 ms write ended after {} ms ({}); all bytes were out after {} ms; states {}",
                        callMs, LinkFaultsTest.brief(t), drainMs, states);
                assertThat(t).isInstanceOf(RequestTimeoutException.class).hasMessageContaining("had not all gone out")
                        .hasMessageContaining("may still reach it");
                assertThat(((RequestTimeoutException) t).written()).isTrue();
                assertThat(callMs).as("the short call ends by its deadline").isLessThan(1_300L);
                assertThat(drainMs).as("the write took longer than the 1 s rule (else this test shows nothing)")
                        .isGreaterThan(1_000L);
                assertThat(peer.received.get()).as("every byte went out once, then PING").isEqualTo(expected + 5);
                assertThat(peer.accepted.get()).as("one connection: the link was never renewed").isEqualTo(1);
                assertThat(states).doesNotContain(State.DOWN);
            } finally {
                c.close();
            }
        }
    }

    @Test
    void aPeerThatStopsReadingIsRenewedOneSecondAfterItsLastByteNotSooner() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi();
             FaultProxy proxy = FaultProxy.to(mock.port()).start()) {
            AtomicLong downAt = new AtomicLong();
            BlockingClient c = BlockingClient.builder(proxy.endpoint()).config(FAST).listener((s, cause) -> {
                if (s == State.DOWN) {
                    downAt.compareAndSet(0, System.nanoTime());
                }
            }).build();
            try {
                assertThat(c.query("*IDN?", WAIT)).startsWith("LABWIRE");
                proxy.stopReading(true);
                // more than the loopback buffers hold: the client's send buffer (4 MiB at most) and the proxy's window
                // (it stays small while the proxy does not read)
                String huge = "DATA " + "x".repeat(16 * 1024 * 1024);
                long start = System.nanoTime();
                Throwable t = catchThrowable(() -> c.write(huge, Duration.ofMillis(300)));
                long callMs = LinkFaultsTest.millisSince(start);
                Await.until(WAIT, () -> downAt.get() != 0, "the link is renewed");
                long downMs = (downAt.get() - start) / 1_000_000;
                proxy.stopReading(false);
                assertThat(c.query("*IDN?", WAIT)).as("the renewed link works").startsWith("LABWIRE");
                LOG.info("peer not reading: the 300 ms write ended after {} ms ({}); the link went down after {} ms",
                        callMs, LinkFaultsTest.brief(t), downMs);
                assertThat(t).isInstanceOf(RequestTimeoutException.class).hasMessageContaining("not reading");
                assertThat(callMs).as("the call ends by its deadline (plus the 2 s slack a loaded machine may need)")
                        .isLessThan(2_300L);
                assertThat(callMs).as("the call timed out before the renewal: the renewal did not end it").isLessThan(downMs);
                assertThat(downMs).as("renewed no sooner than 1 s after the write started (its last progress at best)")
                        .isGreaterThanOrEqualTo(1_000L);
                assertThat(downMs).as("renewed in bounded time: 1 s after the last byte taken, plus slack").isLessThan(5_000L);
            } finally {
                c.close();
            }
        }
    }
}
