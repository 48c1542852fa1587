package dev.labwire.examples.furnace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.examples.furnace.FurnaceClient.Reply;
import dev.labwire.mock.MockInstrument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Three clients at once against the furnace server, its instruments simulated on ptys (or TCP). */
class FurnaceServerTest {
    private static final long WAIT_MS = 5_000;
    private static final double MOVE_MS = SimulatedFurnace.VALVE_MOVE_TIME.toMillis();

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        open.add(c);
        return c;
    }

    private SimulatedFurnace sim;

    private FurnaceServer server(boolean serial) {
        sim = closeLater(serial ? SimulatedFurnace.start() : SimulatedFurnace.startOnTcp());
        assertThat(sim.serial()).isEqualTo(serial);
        return closeLater(FurnaceServer.start(sim.endpoints(), 0)).awaitInstruments(Duration.ofSeconds(5));
    }

    private static Reply await(CompletableFuture<Reply> f) throws Exception {
        return f.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    @ParameterizedTest(name = "instruments on {0}")
    @ValueSource(strings = {"ptys", "tcp"})
    void aSlowValveMoveNeverHoldsUpFlowReadingsAndEveryAnswerFindsItsRequest(String link) throws Exception {
        boolean serial = link.equals("ptys");
        assumeTrue(!serial || MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        FurnaceServer server = server(serial);
        FurnaceClient operator = closeLater(FurnaceClient.connect(server.port(), "op"));
        FurnaceClient reader = closeLater(FurnaceClient.connect(server.port(), "rd"));
        FurnaceClient monitor = closeLater(FurnaceClient.connect(server.port(), "mon"));

        BlockingQueue<Reply> status = new LinkedBlockingQueue<>();
        assertThat(await(monitor.subscribeStatus(status::add)).text()).isEqualTo("OK status every 200 ms");

        CompletableFuture<Reply> move = operator.send("valve", "MOVE 80");
        CompletableFuture<Reply> pressure = operator.send("aio", "AI? 0");
        List<Reply> flows = new ArrayList<>();
        while (!move.isDone()) {
            CompletableFuture<Reply> f1 = reader.send("mfc1", "FLOW?");
            CompletableFuture<Reply> f2 = reader.send("mfc2", "FLOW?");
            flows.add(await(f1));
            flows.add(await(f2));
        }
        Reply moved = await(move);
        Reply p = await(pressure);

        // the move really took the valve's second, so "during the move" means something
        assertThat(moved.text()).isEqualTo("OK");
        assertThat(moved.millis()).isGreaterThanOrEqualTo(MOVE_MS - 50);
        // answers came out of order on one connection: the pressure, asked after the MOVE, came first
        assertThat(p.id()).isEqualTo("op-2");
        assertThat(Double.parseDouble(p.text())).isBetween(0.001, 1000.0);
        assertThat(p.arrivedNanos()).isLessThan(moved.arrivedNanos());
        // flows answered while the valve turned, the first of them long before the move ended
        List<Reply> duringMove = flows.stream().filter(r -> r.arrivedNanos() < moved.arrivedNanos()).toList();
        assertThat(duringMove).hasSizeGreaterThanOrEqualTo(4);
        assertThat((duringMove.get(0).arrivedNanos() - moved.sentNanos()) / 1e6).isLessThan(MOVE_MS / 2);
        // each answer is its own device's: ids in request order, mfc1 near 20 sccm, mfc2 near 5
        for (int i = 0; i < flows.size(); i++) {
            Reply r = flows.get(i);
            assertThat(r.id()).isEqualTo("rd-" + (i + 1));
            double expected = i % 2 == 0 ? 20.0 : 5.0;
            assertThat(Double.parseDouble(r.text())).as(r.toString()).isCloseTo(expected, within(0.5));
        }

        // the monitor's status lines keep coming; at least three, each complete
        List<Reply> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Reply line = status.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertThat(line).as("status line %d", i + 1).isNotNull();
            lines.add(line);
        }
        for (Reply line : lines) {
            assertThat(line.id()).isEqualTo("mon-1");
            assertThat(line.text()).matches("STATUS seq=\\d+ mfc1=\\d+\\.\\d\\d mfc2=\\d+\\.\\d\\d valve=\\S+ pressure=\\d\\.\\d{3}E[+-]\\d\\d");
        }
        assertThat(operator.strays()).isEmpty();
        assertThat(reader.strays()).isEmpty();
        assertThat(monitor.strays()).isEmpty();
        // the valve heard the one MOVE, once; the bus carried every flow reading to its own address
        assertThat(sim.valve().commands()).containsOnlyOnce("MOVE 80").doesNotContain("FLOW?");
        assertThat(sim.massFlowController("A").commands().stream().filter("FLOW?"::equals).count())
                .isGreaterThanOrEqualTo(flows.size() / 2);
    }

    @Test
    void theStatusLineFollowsTheValveAndStopsOnUnsubscribe() throws Exception {
        FurnaceServer server = server(false);
        FurnaceClient c = closeLater(FurnaceClient.connect(server.port(), "c"));
        FurnaceClient clock = closeLater(FurnaceClient.connect(server.port(), "clock"));
        BlockingQueue<Reply> status = new LinkedBlockingQueue<>();
        BlockingQueue<Reply> ticks = new LinkedBlockingQueue<>();
        await(c.subscribeStatus(status::add));
        await(clock.subscribeStatus(ticks::add));

        CompletableFuture<Reply> move = c.send("valve", "MOVE 60");
        List<String> seen = new ArrayList<>();
        Reply line;
        do { // until a line shows the valve arrived
            line = status.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            assertThat(line).as("a status line after %s", seen).isNotNull();
            seen.add(line.text());
        } while (!line.text().contains(" valve=60.0 "));
        assertThat(seen).anyMatch(t -> t.contains(" valve=20.0->60.0 "));
        assertThat(await(move).text()).isEqualTo("OK");

        assertThat(await(c.send("UNSUBSCRIBE", "c-1")).text()).isEqualTo("OK");
        // two more status periods on the clock; c may get the one line already on its way, no more
        ticks.clear();
        for (int i = 0; i < 2; i++) {
            assertThat(ticks.poll(WAIT_MS, TimeUnit.MILLISECONDS)).isNotNull();
        }
        assertThat(status.size()).isLessThanOrEqualTo(1);
        assertThat(await(c.send("UNSUBSCRIBE", "c-1")).text()).isEqualTo("ERR no subscription \"c-1\" on this connection");
        assertThat(await(c.send("valve", "POS?")).text()).isEqualTo("60.0");
        assertThat(c.strays()).isEmpty();
        assertThat(clock.strays()).isEmpty();
    }

    @Test
    void badRequestsAreAnsweredWithErrAndTheConnectionKeepsWorking() throws Exception {
        FurnaceServer server = server(false);
        FurnaceClient c = closeLater(FurnaceClient.connect(server.port(), "c"));
        assertThat(await(c.send("oven", "ON")).text()).isEqualTo("ERR unknown device \"oven\" (mfc1, mfc2, valve, aio)");
        assertThat(await(c.send("valve", "MOVE 140")).text()).isEqualTo("ERR position must be 0 to 100 %: 140");
        assertThat(await(c.send("aio", "AI? 9")).text()).isEqualTo("ERR no analog input 9 (0 to 7)");
        Reply silent = await(c.send("mfc1", "BOGUS?")); // the flow controller does not answer what it does not know
        assertThat(silent.text()).startsWith("ERR timeout");
        assertThat(await(c.send("SUBSCRIBE", "flows")).text()).startsWith("ERR only \"status\" can be subscribed");
        c.sendRaw("lonely");
        c.sendRaw("x".repeat(FurnaceServer.MAX_LINE + 10));
        Reply ok = await(c.send("mfc2", "SP 6.5"));
        assertThat(ok.text()).isEqualTo("OK");
        assertThat(await(c.send("mfc2", "FLOW?")).text()).startsWith("+6.");
        List<String> strays = c.strays();
        assertThat(strays).hasSize(2);
        assertThat(strays.get(0)).isEqualTo("lonely ERR expected \"<id> <device> <command>\", e.g. \"1 mfc1 FLOW?\"; got \"lonely\"");
        assertThat(strays.get(1)).startsWith("? ERR TOO_LONG: line of ").endsWith(" bytes exceeds maxFrameLength 1024");
    }
}
