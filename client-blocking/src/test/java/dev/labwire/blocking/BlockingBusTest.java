package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.testsupport.clients.BusScenarios;
import dev.labwire.testsupport.clients.TestBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The shared {@link BusScenarios} on a {@link BlockingBus}, and calls at once the blocking way: one thread per
 * device.
 */
class BlockingBusTest extends BusScenarios {
    BlockingBusTest() {
        super(BlockingClients.INSTANCE);
    }

    @Test
    void threeThreadsPollThreeDevicesAndEveryReplyComesFromItsOwnAddress() throws Exception {
        TestBus bus = bus(ConnectionConfig.builder());
        Map<String, Integer> ok = new ConcurrentHashMap<>();
        List<String> wrong = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (String a : List.of("A", "B", "C")) {
            TestBus.Device d = bus.device(a);
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
        TestBus bus = bus(ConnectionConfig.builder());
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
            TestBus.Device d = bus.device(a);
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
        TestBus.Device c = bus.device("C");
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
}
