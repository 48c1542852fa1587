package dev.labwire.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.blocking.BlockingBus;
import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.bus.Addressing;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.netty.NettyBus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chaos on an RS485 bus (a socat pty), both clients: device A answers at once, B is sometimes slower than the
 * callers' timeout (its late reply then comes while another device's exchange runs), C sometimes never answers.
 * Three callers poll one device each with tokens. Asserted: no reply ever names another device or another token,
 * and every call ends by its timeout plus 1 s; A, whose calls get a 1 s timeout (room to wait for one exchange with B
 * or C, which ends within 100 ms), answers every call: a slow or silent device does not starve another on the bus.
 * {@code -Dlabwire.bus.chaos.requests=N} per caller (default 150: a call to B or C that times out costs its 100 ms).
 */
class BusChaosTest {
    private static final Logger log = LoggerFactory.getLogger(BusChaosTest.class);
    private static final Duration TIMEOUT = Duration.ofMillis(100);
    /** A's calls may wait for one exchange with B or C (at most {@link #TIMEOUT} plus the turnaround) before theirs. */
    private static final Duration TIMEOUT_A = Duration.ofSeconds(1);
    private static final Duration SLACK = Duration.ofSeconds(1);

    enum Kind { BLOCKING, NETTY }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void noReplyReachesAnotherDeviceOrCallAndEveryCallEndsInTime(Kind kind) throws Exception {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        int perCaller = Integer.getInteger("labwire.bus.chaos.requests", 150);
        long seed = Long.getLong("labwire.chaos.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Throwable> wrong = new ConcurrentHashMap<>();
        LongAdder replies = new LongAdder();
        LongAdder repliesA = new LongAdder();
        LongAdder timeouts = new LongAdder();
        LongAdder other = new LongAdder();
        LongAdder late = new LongAdder();
        try (MockInstrument mock = MockInstrument.pty()) {
            for (String a : List.of("A", "B", "C")) {
                mock.busDevice(a).responder(cmd -> {
                    MockReply r = MockReply.line("+" + a + " " + cmd.substring(cmd.indexOf(' ') + 1));
                    int roll;
                    synchronized (random) {
                        roll = random.nextInt(100);
                    }
                    if (a.equals("B") && roll < 20) {
                        return r.delay(Duration.ofMillis(150)); // later than the caller's timeout
                    }
                    if (a.equals("C") && roll < 10) {
                        return MockReply.none(); // never answered
                    }
                    return r;
                });
            }
            BusConfig cfg = BusConfig.builder().addressing(Addressing.asciiPrefix()).turnaround(Duration.ofMillis(1))
                    .connection(ConnectionConfig.builder().defaultTimeout(TIMEOUT)
                            .backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), 2, 0.2)).build())
                    .build();
            TriFunction query;
            AutoCloseable closer;
            if (kind == Kind.BLOCKING) {
                BlockingBus bus = BlockingBus.open(mock.endpoint(), cfg).awaitReady(Duration.ofSeconds(5));
                query = (address, command, timeout) -> bus.device(address).query(command, timeout);
                closer = bus;
            } else {
                NettyBus bus = NettyBus.open(mock.endpoint(), cfg);
                bus.ready(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                query = (address, command, timeout) -> {
                    try {
                        return bus.device(address).query(command, timeout).get(30, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                };
                closer = () -> bus.close().get(10, TimeUnit.SECONDS);
            }
            long t0 = System.nanoTime();
            try (AutoCloseable c = closer) {
                Thread[] callers = new Thread[3];
                for (int k = 0; k < 3; k++) {
                    String address = List.of("A", "B", "C").get(k);
                    callers[k] = new Thread(() -> {
                        for (int i = 0; i < perCaller; i++) {
                            String token = address + i;
                            Duration timeout = address.equals("A") ? TIMEOUT_A : TIMEOUT;
                            long start = System.nanoTime();
                            try {
                                String reply = query.apply(address, "FLOW? " + token, timeout);
                                if (reply.equals("+" + address + " " + token)) {
                                    replies.increment();
                                    if (address.equals("A")) {
                                        repliesA.increment();
                                    }
                                } else {
                                    wrong.putIfAbsent(token, new AssertionError(token + " got " + reply));
                                }
                            } catch (RequestTimeoutException e) {
                                timeouts.increment();
                            } catch (LinkDownException | RemoteProtocolException e) {
                                other.increment();
                            } catch (RuntimeException e) {
                                wrong.putIfAbsent(token + " " + e, e);
                            }
                            if (System.nanoTime() - start > timeout.plus(SLACK).toNanos()) {
                                late.increment();
                            }
                        }
                    }, "bus-chaos-" + address);
                    callers[k].start();
                }
                for (Thread t : callers) {
                    t.join(TimeUnit.MINUTES.toMillis(5));
                }
            }
            String figures = String.format("bus chaos %s: seed %d, %d calls in %.1f s: %d replies, %d timeouts, %d other errors,"
                    + " %d of them from A, wrong %d, late (> timeout + %d ms) %d", kind, seed, 3 * perCaller, (System.nanoTime() - t0) / 1e9,
                    replies.sum(), timeouts.sum(), other.sum(), repliesA.sum(), wrong.size(), SLACK.toMillis(), late.sum());
            log.info(figures);
            java.nio.file.Path target = java.nio.file.Path.of("target");
            if (java.nio.file.Files.isDirectory(target)) {
                java.nio.file.Files.writeString(target.resolve("bus-chaos-" + kind + ".txt"), figures + System.lineSeparator());
            }
        }
        assertThat(wrong).as("replies from another device or call, or undeclared failures; seed " + seed).isEmpty();
        assertThat(late.sum()).as("calls past their timeout + 1 s; seed " + seed).isZero();
        assertThat(repliesA.sum()).as("A answers every call; seed " + seed).isEqualTo(perCaller);
        assertThat(timeouts.sum()).as("B and C were slow or silent").isPositive();
    }

    @FunctionalInterface
    private interface TriFunction {
        String apply(String address, String command, Duration timeout);
    }
}
