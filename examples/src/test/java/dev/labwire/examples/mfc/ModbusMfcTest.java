package dev.labwire.examples.mfc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.blocking.BlockingBus;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.modbus.Modbus;
import dev.labwire.core.modbus.ModbusException;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockModbus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ModbusMfc} against {@link SimulatedModbusMfc} units of a {@link MockModbus}: Modbus RTU on a socat pty (the
 * RS485 case; loopback Modbus TCP when socat is missing), the flow approaching the set-point with the model's time
 * constant, exception responses, a silent unit timing out alone, a damaged reply named by unit; and Debian's
 * {@code mbpoll} (libmodbus) reading and writing the simulated device's register map, as an independent master.
 */
class ModbusMfcTest {
    static final Duration TAU = Duration.ofMillis(200);

    MockModbus mock;
    BlockingBus bus;

    @BeforeEach
    void open() {
        mock = MockInstrument.socatAvailable() ? MockModbus.rtu() : MockModbus.tcp();
    }

    BlockingBus bus() {
        String endpoint = mock.endpoint();
        bus = BlockingBus.open(endpoint, endpoint.startsWith("tcp:") ? Modbus.tcp() : Modbus.rtu(9600))
                .awaitReady(Duration.ofSeconds(5));
        return bus;
    }

    @AfterEach
    void close() {
        if (bus != null) {
            bus.close();
        }
        mock.close();
    }

    @Test
    void flowApproachesTheSetPointMonotonicallyWithTheTimeConstant() {
        SimulatedModbusMfc sim = SimulatedModbusMfc.on(mock, 2, TAU, 200);
        ModbusMfc mfc = new ModbusMfc(bus().modbusUnit(2), Duration.ofSeconds(1));
        assertThat(mfc.flow()).isEqualTo(0f);
        long tSet = sim.now();
        mfc.setPoint(120);
        assertThat(sim.setPoint()).isEqualTo(120.0);

        List<Float> flows = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        float last;
        long polledFrom;
        long polledTo;
        do {
            assertThat(System.nanoTime()).as("3 tau reached before the deadline").isLessThan(deadline);
            polledFrom = sim.now();
            last = mfc.flow();
            polledTo = sim.now();
            flows.add(last);
        } while (polledFrom - tSet < 3 * TAU.toNanos());

        assertThat(flows.size()).as("polled along the way: %s", flows).isGreaterThan(3);
        for (int i = 1; i < flows.size(); i++) {
            assertThat(flows.get(i)).as("monotone approach: %s", flows).isGreaterThanOrEqualTo(flows.get(i - 1));
            assertThat(flows.get(i)).as("never past the set-point: %s", flows).isLessThanOrEqualTo(120f);
        }
        assertThat((double) last).isBetween(sim.expectedFlow(polledFrom) - 1e-3, sim.expectedFlow(polledTo) + 1e-3);
        assertThat((double) last).as("at 3 tau, 95 %% of the step").isCloseTo(120 * (1 - Math.exp(-3)), within(5.0));
        ModbusMfcReading r = mfc.read();
        assertThat(r.unit()).isEqualTo(2);
        assertThat(r.setPoint()).isEqualTo(120f);
        assertThat(r.flow()).isGreaterThanOrEqualTo(last);
    }

    @Test
    void withAFakeClockTheRegistersCarryTheModelsExactValues() {
        AtomicLong clock = new AtomicLong(5_000_000_000L);
        SimulatedModbusMfc.on(mock, 1, TAU, 200, clock::get);
        ModbusMfc mfc = new ModbusMfc(bus().modbusUnit(1));
        mfc.setPoint(40);
        clock.addAndGet(TAU.toNanos());
        assertThat(mfc.flow()).isCloseTo((float) (40 * (1 - Math.exp(-1))), within(1e-4f));
        clock.addAndGet(TAU.toNanos());
        double f0 = 40 * (1 - Math.exp(-2));
        mfc.setPoint(0);
        clock.addAndGet(TAU.toNanos());
        ModbusMfcReading r = mfc.read();
        assertThat(r.flow()).isCloseTo((float) (f0 * Math.exp(-1)), within(1e-4f));
        assertThat(r.setPoint()).isEqualTo(0f);
        assertThat(r.status()).isZero();
        // FC 16 on the set-point, as it went on the wire: 40.0f is 0x42200000, high word first (ABCD)
        assertThat(mock.requests()).contains("unit 1: 10 00 00 00 02 04 42 20 00 00");
    }

    @Test
    void overModbusTcpToo() {
        mock.close();
        mock = MockModbus.tcp();
        AtomicLong clock = new AtomicLong();
        SimulatedModbusMfc.on(mock, 1, TAU, 200, clock::get);
        SimulatedModbusMfc.on(mock, 2, TAU, 200, clock::get);
        ModbusMfc one = new ModbusMfc(bus().modbusUnit(1));
        ModbusMfc two = new ModbusMfc(bus.modbusUnit(2));
        one.setPoint(100);
        two.setPoint(20);
        clock.addAndGet(3 * TAU.toNanos());
        assertThat(one.flow()).isCloseTo((float) (100 * (1 - Math.exp(-3))), within(1e-3f));
        assertThat(two.read().flow()).as("each unit its own state").isCloseTo((float) (20 * (1 - Math.exp(-3))), within(1e-3f));
    }

    @Test
    void gasSelectAndRefusals() {
        SimulatedModbusMfc sim = SimulatedModbusMfc.on(mock, 3, TAU, 200);
        ModbusMfc mfc = new ModbusMfc(bus().modbusUnit(3));
        mfc.selectGas(8);
        assertThat(sim.gas()).isEqualTo(8);
        assertThat(mfc.read().gas()).isEqualTo(8);
        assertThatThrownBy(() -> mfc.setPoint(500)).isInstanceOf(ModbusException.class)
                .hasMessageContaining("unit 3").hasMessageContaining("ILLEGAL DATA VALUE");
        assertThatThrownBy(() -> mfc.selectGas(40)).isInstanceOf(ModbusException.class)
                .hasMessageContaining("unit 3").hasMessageContaining("ILLEGAL DATA VALUE");
        assertThatThrownBy(() -> bus.modbusUnit(3).writeMultipleRegisters(ModbusMfc.FLOW, 1, 2))
                .isInstanceOf(ModbusException.class).hasMessageContaining("ILLEGAL DATA ADDRESS");
        int sent = mock.requests().size();
        assertThatThrownBy(() -> mfc.setPoint(-2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mfc.setPoint(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mfc.selectGas(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(mock.requests()).as("nothing sent for a bad argument").hasSize(sent);
        assertThat(sim.setPoint()).isEqualTo(0.0);
    }

    @Test
    void aSilentUnitTimesOutAloneWhileAnotherKeepsAnswering() throws Exception {
        SimulatedModbusMfc.on(mock, 1, TAU, 200);
        SimulatedModbusMfc.on(mock, 4, TAU, 200);
        mock.silent(4, true);
        BlockingBus b = bus();
        // a call to 1 may wait for 4's whole timeout (turns are fair): 1's timeout covers that, 4's is short
        ModbusMfc live = new ModbusMfc(b.modbusUnit(1), Duration.ofSeconds(1));
        ModbusMfc dead = new ModbusMfc(b.modbusUnit(4), Duration.ofMillis(100));
        live.setPoint(10);
        CompletableFuture<List<Throwable>> deadCalls = CompletableFuture.supplyAsync(() -> {
            List<Throwable> errors = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long t0 = System.nanoTime();
                try {
                    dead.flow();
                } catch (RuntimeException e) {
                    errors.add(e);
                }
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(400));
            }
            return errors;
        });
        int answered = 0;
        while (!deadCalls.isDone()) {
            assertThat(live.read().setPoint()).isEqualTo(10f);
            answered++;
        }
        List<Throwable> errors = deadCalls.get(10, TimeUnit.SECONDS);
        assertThat(errors).hasSize(4).allMatch(e -> e instanceof RequestTimeoutException);
        assertThat(answered).as("unit 1 answered while unit 4 was timing out").isGreaterThan(4);
        assertThat(mock.requests()).anyMatch(r -> r.startsWith("unit 4: 03 00 02 00 02"));
    }

    @Test
    void aDamagedReplyNamesTheUnit() {
        SimulatedModbusMfc.on(mock, 5, TAU, 200);
        ModbusMfc mfc = new ModbusMfc(bus().modbusUnit(5), Duration.ofMillis(500));
        mfc.setPoint(5);
        mock.corruptNextReplies(1);
        assertThatThrownBy(mfc::read).isInstanceOf(RemoteProtocolException.class)
                .isNotInstanceOf(ModbusException.class).hasMessageContaining("Modbus MFC unit 5");
        assertThat(mfc.read().setPoint()).as("the next call is fine").isEqualTo(5f);
    }

    @Test
    void mbpollReadsAndWritesTheSimulatedDevice() throws Exception {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mbpoll")), "mbpoll is not installed (apt-get install -y mbpoll)");
        AtomicLong clock = new AtomicLong();
        SimulatedModbusMfc sim = SimulatedModbusMfc.on(mock, 7, TAU, 200, clock::get);
        String dev = mock.devicePath().toString();
        // mbpoll: references are 1-based; -B is high word first (ABCD), the driver's order
        String out = mbpoll("-m", "rtu", "-a", "7", "-b", "9600", "-P", "none", "-t", "4:float", "-B", "-r", "1", dev,
                "75.5");
        assertThat(sim.setPoint()).as("%s", out).isEqualTo(75.5);
        clock.addAndGet(TAU.toNanos());
        out = mbpoll("-m", "rtu", "-a", "7", "-b", "9600", "-P", "none", "-t", "4:float", "-B", "-r", "1", "-c", "2", dev);
        assertThat(out).contains("[1]: \t75.5").containsPattern("\\[3\\]:\\s+47\\.7\\d");
        mbpoll("-m", "rtu", "-a", "7", "-b", "9600", "-P", "none", "-t", "4", "-r", "5", dev, "6");
        assertThat(sim.gas()).isEqualTo(6);
        ModbusMfcReading r = new ModbusMfc(bus().modbusUnit(7)).read(); // labwire, after mbpoll, on the same line
        assertThat(r.gas()).isEqualTo(6);
        assertThat(r.setPoint()).isEqualTo(75.5f);
    }

    static String mbpoll(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mbpoll", "-1"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("mbpoll ends").isTrue();
        return text;
    }
}
