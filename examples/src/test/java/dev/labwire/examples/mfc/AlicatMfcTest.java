package dev.labwire.examples.mfc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.labwire.blocking.BlockingBus;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Expect;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.bus.Addressing;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.netty.NettyBus;
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
 * {@link AlicatMfc} against {@link SimulatedAlicat} on a {@link MockInstrument} bus (a socat pty when socat is
 * installed, else loopback TCP): the flow approaching the set-point with the model's time constant, gas select,
 * refusals, a silent unit timing out alone, a garbled frame named by unit. Plus one poll through the Netty client.
 */
class AlicatMfcTest {
    static final Duration TAU = Duration.ofMillis(200);
    static final Duration TIMEOUT = Duration.ofMillis(250);

    MockInstrument mock;
    BlockingBus bus;

    static BusConfig config() {
        return BusConfig.builder().addressing(Addressing.asciiPrefix()).turnaround(Duration.ofMillis(1))
                .connection(ConnectionConfig.builder().defaultTimeout(TIMEOUT).build()).build();
    }

    @BeforeEach
    void open() {
        mock = MockInstrument.socatAvailable() ? MockInstrument.pty() : MockInstrument.tcp();
    }

    BlockingBus bus() {
        bus = BlockingBus.open(mock.endpoint(), config()).awaitReady(Duration.ofSeconds(5));
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
        SimulatedAlicat sim = SimulatedAlicat.on(mock, "A", TAU, 100);
        AlicatMfc mfc = new AlicatMfc(bus().device("A"));
        AlicatReading rest = mfc.poll();
        assertThat(rest.massFlow()).isEqualTo(0.0);
        assertThat(rest.gas()).isEqualTo("Air");

        long before = sim.now();
        AlicatReading ack = mfc.setPoint(50);
        long tSet = before; // the set-point took effect between before and now: the model bounds use both
        assertThat(ack.setPoint()).isEqualTo(50.0);
        assertThat(ack.massFlow()).isBetween(0.0, 50.0 * (1 - Math.exp(-(sim.now() - before) / (double) TAU.toNanos())) + 0.01);

        List<Double> flows = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        AlicatReading last;
        long polledFrom;
        long polledTo;
        do {
            assertThat(System.nanoTime()).as("3 tau reached before the deadline").isLessThan(deadline);
            polledFrom = sim.now();
            last = mfc.poll();
            polledTo = sim.now();
            flows.add(last.massFlow());
        } while (polledFrom - tSet < 3 * TAU.toNanos());

        assertThat(flows.size()).as("polled along the way: %s", flows).isGreaterThan(3);
        for (int i = 1; i < flows.size(); i++) {
            assertThat(flows.get(i)).as("monotone approach: %s", flows).isGreaterThanOrEqualTo(flows.get(i - 1));
            assertThat(flows.get(i)).as("never past the set-point: %s", flows).isLessThanOrEqualTo(50.0);
        }
        // the device answered somewhere between polledFrom and polledTo: the model brackets it (0.01: two decimals)
        assertThat(last.massFlow()).isBetween(sim.expectedFlow(polledFrom) - 0.01, sim.expectedFlow(polledTo) + 0.01);
        assertThat(last.massFlow()).as("at 3 tau, 95 %% of the step").isCloseTo(50 * (1 - Math.exp(-3)), within(2.0));
        assertThat(last.setPoint()).isEqualTo(50.0);
        assertThat(sim.device().commands()).contains("S 50.000");
    }

    @Test
    void withAFakeClockTheFrameCarriesTheModelsExactValues() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        SimulatedAlicat.on(mock, "A", TAU, 100, clock::get);
        AlicatMfc mfc = new AlicatMfc(bus().device("A"));
        mfc.setPoint(40);
        clock.addAndGet(TAU.toNanos());
        assertThat(mfc.poll().massFlow()).isEqualTo(40 * (1 - Math.exp(-1)), within(0.005)); // 25.28
        clock.addAndGet(TAU.toNanos());
        AlicatReading r = mfc.setPoint(10); // down from 40(1 - e^-2) = 34.59
        assertThat(r.massFlow()).isEqualTo(40 * (1 - Math.exp(-2)), within(0.005));
        clock.addAndGet(2 * TAU.toNanos());
        double f0 = 40 * (1 - Math.exp(-2));
        assertThat(mfc.poll().massFlow()).isEqualTo(10 + (f0 - 10) * Math.exp(-2), within(0.005));
        assertThat(r.pressure()).isEqualTo(14.70);
        assertThat(r.temperature()).isEqualTo(25.00);
    }

    @Test
    void gasSelectAndRefusals() {
        SimulatedAlicat sim = SimulatedAlicat.on(mock, "B", TAU, 100);
        AlicatMfc mfc = new AlicatMfc(bus().device("B"));
        assertThat(mfc.selectGas(8).gas()).isEqualTo("N2");
        assertThat(mfc.poll().gas()).isEqualTo("N2");
        assertThat(sim.device().commands()).contains("G8");
        assertThatThrownBy(() -> mfc.selectGas(99)).isInstanceOf(MfcException.class)
                .hasMessageContaining("MFC B").hasMessageContaining("BG99");
        assertThatThrownBy(() -> mfc.setPoint(500)).isInstanceOf(MfcException.class).hasMessageContaining("MFC B");
        int sent = sim.device().commands().size();
        assertThatThrownBy(() -> mfc.setPoint(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mfc.setPoint(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> mfc.selectGas(256)).isInstanceOf(IllegalArgumentException.class);
        assertThat(sim.device().commands()).as("nothing sent for a bad argument").hasSize(sent);
        assertThatThrownBy(() -> new AlicatMfc(bus.device("AB"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSilentUnitTimesOutAloneWhileAnotherKeepsAnswering() throws Exception {
        SimulatedAlicat.on(mock, "A", TAU, 100);
        SimulatedAlicat.on(mock, "C", TAU, 100).device().silent(true);
        BlockingBus b = bus();
        // a poll of A may wait for C's whole timeout (turns are fair): A's timeout covers that, C's is short
        AlicatMfc a = new AlicatMfc(b.device("A"), Duration.ofSeconds(1));
        AlicatMfc c = new AlicatMfc(b.device("C"), Duration.ofMillis(100));
        a.setPoint(20);
        CompletableFuture<List<Throwable>> dead = CompletableFuture.supplyAsync(() -> {
            List<Throwable> errors = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long t0 = System.nanoTime();
                try {
                    c.poll();
                } catch (RuntimeException e) {
                    errors.add(e);
                }
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(400));
            }
            return errors;
        });
        int answered = 0;
        while (!dead.isDone()) {
            assertThat(a.poll().setPoint()).isEqualTo(20.0);
            answered++;
        }
        List<Throwable> errors = dead.get(10, TimeUnit.SECONDS);
        assertThat(errors).hasSize(4).allMatch(e -> e instanceof RequestTimeoutException);
        assertThat(answered).as("A answered while C was timing out").isGreaterThan(4);
        assertThat(a.poll().setPoint()).isEqualTo(20.0);
    }

    @Test
    void aGarbledFrameNamesTheUnit() {
        SimulatedAlicat.on(mock, "A", TAU, 100);
        mock.busDevice("D").responder(cmd -> MockReply.line(" +014.70 +02#.00 +000.00 +000.00 +000.00 Air"));
        mock.busDevice("E").responder(cmd -> MockReply.line(" +014.70 +025.00"));
        BlockingBus b = bus();
        assertThatThrownBy(() -> new AlicatMfc(b.device("D")).poll()).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("MFC D").hasMessageContaining("temperature \"+02#.00\" is not a number");
        assertThatThrownBy(() -> new AlicatMfc(b.device("E")).poll()).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("MFC E").hasMessageContaining("got 2 fields");
        assertThat(new AlicatMfc(b.device("A")).poll().unitId()).as("the bus goes on").isEqualTo("A");
    }

    @Test
    void parsesTheFramesOfAlicatsManuals() {
        // the MC-series manual's example frame (address stripped): pressure, temperature, volumetric, mass, set-point, gas
        AlicatReading mc = AlicatReading.parse("A", " +13.60 +24.38 +16.67 +15.44 +15.44 Air");
        assertThat(mc).isEqualTo(new AlicatReading("A", 13.60, 24.38, 16.67, 15.44, 15.44, "Air", List.of()));
        // a controller frame with valve drive and totalizer before the gas (the IM/BC-series manual's example)
        AlicatReading withTotal = AlicatReading.parse("A", " +15.542 +24.57 +16.667 +15.444 +15.444 +81.23 22741.4 N2");
        assertThat(withTotal.gas()).isEqualTo("N2");
        assertThat(withTotal.setPoint()).isEqualTo(15.444);
        assertThat(withTotal.status()).isEmpty();
        assertThatThrownBy(() -> AlicatReading.parse("F", " +15.5 +24.5 +16.6 +15.4 +15.4 +81.2"))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("MFC F").hasMessageContaining("no gas");
        assertThatThrownBy(() -> AlicatReading.parse("F", "")).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("got 0 fields");
    }

    @Test
    void parsesStatusCodesAfterTheGas() {
        AlicatReading r = AlicatReading.parse("A", " +014.70 +025.00 +010.00 +009.90 +010.00 N2 HLD MOV");
        assertThat(r.massFlow()).isEqualTo(9.90);
        assertThat(r.volumetricFlow()).isEqualTo(10.0);
        assertThat(r.status()).containsExactly("HLD", "MOV");
    }

    @Test
    void nettyClientPollsTheSameFrame() throws Exception {
        SimulatedAlicat sim = SimulatedAlicat.on(mock, "A", TAU, 100);
        NettyBus nb = NettyBus.open(mock.endpoint(), config());
        try {
            nb.ready(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            AlicatReading r = AlicatReading.parse("A", nb.device("A").query("S 30").get(5, TimeUnit.SECONDS));
            assertThat(r.setPoint()).isEqualTo(30.0);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            double flow;
            do {
                assertThat(System.nanoTime()).as("flow past 90 %% before the deadline").isLessThan(deadline);
                flow = AlicatReading.parse("A", nb.device("A").request(Request.of(new byte[0], Expect.line())).get(5, TimeUnit.SECONDS).text()).massFlow();
            } while (flow < 27);
            assertThat(flow).isLessThanOrEqualTo(30.0);
            assertThat(sim.setPoint()).isEqualTo(30.0);
        } finally {
            nb.close().get(10, TimeUnit.SECONDS);
        }
    }
}
