package dev.labwire.blocking;

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
import dev.labwire.mock.MockBusDevice;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An RS485 bus of simulated flow controllers behind one socat pty, driven by a {@link BlockingBus}. */
class BlockingBusTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private MockInstrument mock;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        mock = MockInstrument.pty();
        for (String a : List.of("A", "B", "C")) {
            // a flow controller: "FLOW? <token>" answered with "<address> <token>" so every reply names its source
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

    private BlockingBus bus(ConnectionConfig.Builder connection) {
        BusConfig cfg = BusConfig.builder().addressing(Addressing.asciiPrefix()).turnaround(Duration.ofMillis(1))
                .connection(connection.backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), 2, 0.2)).build())
                .build();
        BlockingBus b = BlockingBus.open(mock.endpoint(), cfg);
        open.add(b);
        return b.awaitReady(WAIT);
    }

    @Test
    void threeThreadsPollThreeDevicesAndEveryReplyComesFromItsOwnAddress() throws Exception {
        BlockingBus bus = bus(ConnectionConfig.builder());
        Map<String, Integer> ok = new ConcurrentHashMap<>();
        List<String> wrong = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (String a : List.of("A", "B", "C")) {
            BusDevice d = bus.device(a);
            Thread t = new Thread(() -> {
                for (int i = 0; i < 150; i++) {
                    String reply = d.query("FLOW? " + i);
                    if (reply.equals("+" + a + " " + i)) {
                        ok.merge(a, 1, Integer::sum);
                    } else {
                        wrong.add(a + " " + i + " got " + reply);
                    }
                }
            }, "poll-" + a);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertThat(wrong).isEmpty();
        assertThat(ok).containsEntry("A", 150).containsEntry("B", 150).containsEntry("C", 150);
        assertThat(mock.busDevice("B").commands()).hasSize(150).startsWith("FLOW? 0");
        // fair turns: while all three were busy no device ran far ahead of the others
        List<String> wire = mock.commands();
        int firstEnd = wire.indexOf("AFLOW? 149");
        assertThat(wire.subList(0, firstEnd).stream().filter(c -> c.startsWith("B")).count()).isGreaterThan(100);
    }

    @Test
    void aDeadAddressTimesOutAloneWhileTheOthersKeepTheirRate() throws Exception {
        BlockingBus bus = bus(ConnectionConfig.builder());
        mock.busDevice("C").silent(true);
        Duration period = Duration.ofMillis(40); // 25 polls/s for A and for B
        int rounds = 50;                         // 2 s
        // with fair turns each round of the bus holds one exchange of A, of B and of the dead C, so a rate can only
        // be kept if that round fits in the period: C's timeout (plus A's, B's and three turnarounds) under 40 ms
        Duration deadTimeout = Duration.ofMillis(10);
        AtomicInteger cTimeouts = new AtomicInteger();
        AtomicInteger cOther = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        Map<String, Integer> done = new ConcurrentHashMap<>();
        List<Thread> threads = new ArrayList<>();
        for (String a : List.of("A", "B")) {
            BusDevice d = bus.device(a);
            threads.add(new Thread(() -> {
                long next = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    if (d.query("FLOW? " + i, Duration.ofSeconds(1)).equals("+" + a + " " + i)) {
                        done.merge(a, 1, Integer::sum);
                    }
                    next += period.toNanos();
                    LockSupport.parkNanos(next - System.nanoTime()); // pacing to a fixed polling rate
                }
                finished.incrementAndGet();
            }, "poll-" + a));
        }
        // C is polled back to back, each call timing out, until A and B are done: had C's timeouts held them up,
        // their pacing would have fallen behind and their last polls would come one per round, so the total
        // time shows whether they kept the rate (a C that stopped at 2 s would let a backlog catch up unseen)
        BusDevice c = bus.device("C");
        threads.add(new Thread(() -> {
            while (finished.get() < 2) {
                try {
                    c.query("FLOW? dead", deadTimeout);
                    cOther.incrementAndGet();
                } catch (RequestTimeoutException e) {
                    cTimeouts.incrementAndGet();
                } catch (RuntimeException e) {
                    cOther.incrementAndGet();
                }
            }
        }, "poll-C"));
        long t0 = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads.subList(0, 2)) {
            t.join(30_000);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        threads.get(2).join(10_000);
        assertThat(threads).noneMatch(Thread::isAlive);
        assertThat(done).containsEntry("A", rounds).containsEntry("B", rounds);
        assertThat(cOther.get()).as("C's calls end only by timing out").isZero();
        assertThat(cTimeouts.get()).isGreaterThanOrEqualTo(rounds);
        org.slf4j.LoggerFactory.getLogger(BlockingBusTest.class).info(
                "bus: A and B polled at 25/s, {} polls each in {} s (ideal {} s) while C timed out {} times ({} ms each)",
                rounds, String.format("%.3f", seconds), String.format("%.3f", rounds * period.toMillis() / 1000.0),
                cTimeouts.get(), deadTimeout.toMillis());
        // kept the rate: 50 paced polls take 2 s, plus scheduling slack
        assertThat(seconds).isLessThan(rounds * period.toMillis() / 1000.0 + 0.5);
    }


    @Test
    void halfDuplexEchoIsDroppedWhenOnAndAMissingEchoIsAClearError() {
        mock.echo(true);
        BlockingBus withEcho = bus(ConnectionConfig.builder().echo(ConnectionConfig.Echo.CHECK_AND_DROP));
        assertThat(withEcho.device("A").query("FLOW? 1")).isEqualTo("+A 1");
        assertThat(withEcho.device("B").query("FLOW? 2")).isEqualTo("+B 2");
        withEcho.close();
        mock.echo(false);
        mock.disconnect();
        BlockingBus expectsEcho = bus(ConnectionConfig.builder().echo(ConnectionConfig.Echo.CHECK_AND_DROP)
                .defaultTimeout(Duration.ofMillis(500)));
        assertThatThrownBy(() -> expectsEcho.device("A").query("FLOW? 3")).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("echo mismatch");
    }

    @Test
    void aReplyFromAnotherAddressIsDiscardedAndNeitherAnswersNorFailsTheCall() {
        BlockingBus bus = bus(ConnectionConfig.builder());
        mock.enqueue(MockReply.line("B+9.99"));
        assertThatThrownBy(() -> bus.device("A").query("FLOW? 1", java.time.Duration.ofMillis(300)))
                .isInstanceOf(dev.labwire.core.RequestTimeoutException.class).hasMessageContaining("FLOW? 1");
        assertThat(bus.device("A").query("FLOW? 2")).isEqualTo("+A 2");
        assertThat(bus.device("B").query("FLOW? 3")).isEqualTo("+B 3");
    }

    @Test
    void binaryFramesWithCrcOverTcpAndABadChecksumIsAClearError() throws Exception {
        Checksum crc = Checksum.crc16Modbus();
        AtomicInteger served = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread device = new Thread(() -> {
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
            }, "binary-device");
            device.start();
            BusConfig cfg = BusConfig.builder().addressing(Addressing.binary(crc))
                    .connection(ConnectionConfig.builder().writeTerminator("").defaultTimeout(Duration.ofSeconds(2)).build())
                    .build();
            try (BlockingBus bus = BlockingBus.open("tcp://127.0.0.1:" + server.getLocalPort(), cfg)) {
                BusDevice mfc = bus.device(0x11);
                byte[] readHolding = {0x03, 0x00, 0x6B, 0x00, 0x03};
                assertThat(mfc.request(Request.of(readHolding, Expect.bytes(4))).frame().toByteArray())
                        .containsExactly(0x03, 0x02, 0x01, 0x40);
                assertThatThrownBy(() -> mfc.request(Request.of(readHolding, Expect.bytes(4))))
                        .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("CRC-16/MODBUS");
            }
            device.join(5000);
            assertThat(served).hasValue(2);
        }
    }
}
