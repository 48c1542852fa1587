package dev.labwire.examples.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.modbus.Modbus;
import dev.labwire.core.modbus.ModbusCall;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockModbus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Three callers on one Modbus link, both clients, RTU (pty) and TCP: unit 1 answers at once, unit 2 answers after
 * 150 ms (its callers wait 100 ms or 1 s at random, so its late replies land while other exchanges run), unit 3 never
 * answers. Every register's value tells its address, so a reply handed to the wrong call shows. Asserted: every
 * value answers its own request, every call ends by its timeout plus 1 s, unit 1 answers every call, and no call
 * ends with the link down (nothing here stops reading, so the link is never renewed).
 */
class ModbusChaosTest {
    static final int CALLS = Integer.getInteger("labwire.modbus.chaos.calls", 40);

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (ModbusClients.Kind k : ModbusClients.Kind.values()) {
            for (ModbusFaultsTest.Link l : ModbusFaultsTest.Link.values()) {
                all.add(Arguments.of(k, l));
            }
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void noReplyReachesAnotherCallAndEveryCallEndsInTime(ModbusClients.Kind kind, ModbusFaultsTest.Link link) throws Exception {
        if (link == ModbusFaultsTest.Link.RTU) {
            assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        }
        long seed = Long.getLong("labwire.chaos.seed", System.nanoTime());
        Map<String, String> wrong = new ConcurrentHashMap<>();
        AtomicInteger answered1 = new AtomicInteger();
        AtomicInteger answered2 = new AtomicInteger();
        AtomicInteger timeouts = new AtomicInteger();
        try (MockModbus mock = link == ModbusFaultsTest.Link.RTU ? MockModbus.rtu() : MockModbus.tcp();
             ModbusClients.Bus bus = ModbusClients.open(kind, mock.endpoint(),
                     link == ModbusFaultsTest.Link.RTU ? Modbus.rtu(9600) : Modbus.tcp())) {
            int[] values = new int[300];
            for (int a = 0; a < values.length; a++) {
                values[a] = 7000 + a;
            }
            mock.setHoldingRegisters(0, values).unit(2).unit(3).delay(2, Duration.ofMillis(150)).silent(3, true);
            List<Thread> callers = new ArrayList<>();
            for (int unit = 1; unit <= 3; unit++) {
                int u = unit;
                SplittableRandom random = new SplittableRandom(seed + unit);
                Thread t = new Thread(() -> {
                    ModbusClients.Unit handle = bus.unit(u);
                    for (int i = 0; i < CALLS; i++) {
                        int address = (u - 1) * 100 + random.nextInt(90);
                        int count = 1 + random.nextInt(10);
                        Duration timeout = u == 1 ? Duration.ofSeconds(2) : u == 2 && random.nextBoolean() ? Duration.ofSeconds(1)
                                : Duration.ofMillis(100);
                        long t0 = System.nanoTime();
                        try {
                            int[] got = handle.call(ModbusCall.readHoldingRegisters(address, count), timeout);
                            for (int k = 0; k < count; k++) {
                                if (got.length != count || got[k] != 7000 + address + k) {
                                    wrong.put("unit " + u + " call " + i, "asked " + count + " from " + address + ", got "
                                            + java.util.Arrays.toString(got));
                                    break;
                                }
                            }
                            (u == 1 ? answered1 : answered2).incrementAndGet();
                        } catch (RequestTimeoutException e) {
                            timeouts.incrementAndGet();
                            if (u == 1) {
                                wrong.put("unit 1 call " + i, "timed out: " + e.getMessage());
                            }
                        } catch (RuntimeException e) {
                            // LinkDownException included, for every unit: a 100 ms call whose bytes are late on a
                            // loaded machine (a pty relay that lags) just times out; the link is renewed only for a
                            // write that makes no progress for 1 s (the blocking driver's stuck-writer rule)
                            wrong.put("unit " + u + " call " + i, e.toString());
                        }
                        long took = System.nanoTime() - t0;
                        if (took > timeout.plusSeconds(1).toNanos()) {
                            wrong.put("unit " + u + " call " + i + " took", took / 1_000_000 + " ms with timeout " + timeout);
                        }
                    }
                }, "modbus-chaos-" + unit);
                t.start();
                callers.add(t);
            }
            for (Thread t : callers) {
                t.join(Duration.ofMinutes(5).toMillis());
                assertThat(t.isAlive()).as("caller %s ended", t.getName()).isFalse();
            }
        }
        assertThat(wrong).as("seed %d (-Dlabwire.chaos.seed)", seed).isEmpty();
        assertThat(answered1.get()).isEqualTo(CALLS);
        assertThat(timeouts.get()).as("unit 3 never answers").isGreaterThanOrEqualTo(CALLS);
    }
}
