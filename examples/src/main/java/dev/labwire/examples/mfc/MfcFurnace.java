package dev.labwire.examples.mfc;

import dev.labwire.blocking.BlockingBus;
import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.bus.Addressing;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.modbus.Modbus;
import dev.labwire.examples.board.BoardStatus;
import dev.labwire.examples.board.LatestStatus;
import dev.labwire.examples.board.SimulatedBoard;
import dev.labwire.examples.furnace.SimulatedFurnace;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockModbus;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The furnace's gas lines with the reference MFC drivers: two Alicat-style controllers ({@code A} argon, {@code B}
 * hydrogen) on an ASCII RS485 bus, a Modbus controller (unit 1, nitrogen purge) on a Modbus RTU bus, the furnace's
 * butterfly valve on RS232 (its move takes a second) and the streaming board (40 status frames/s) on its own link,
 * all simulated (socat ptys, or loopback TCP without socat). It selects the gases, commands the set-points and a valve
 * move, and polls the three flows (the valve move runs on another thread, the board streams meanwhile) until each is
 * within 2 % of its set-point. Prints a transcript; takes about a second and a half.
 *
 * <p>Why two buses for the MFCs, not one: an RS485 pair carries one protocol. An Alicat in ASCII mode takes a Modbus
 * RTU frame for a garbled line, a Modbus unit takes an ASCII line for noise, and a {@link BlockingBus} has one
 * {@link Addressing} for its link; a real lab puts ASCII and Modbus devices on separate adapters (or switches the
 * Alicats to Modbus RTU and uses {@link ModbusMfc}-style drivers for all of them).
 *
 * <p>Run: {@code mvn -q -B -pl examples exec:java -Dexec.mainClass=dev.labwire.examples.mfc.MfcFurnace}
 */
public final class MfcFurnace {
    private static final Duration TAU = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * What the run saw.
     *
     * @param argon     the last argon reading
     * @param hydrogen  the last hydrogen reading
     * @param nitrogen  the last nitrogen reading
     * @param polls     flow polls made (three per round)
     * @param valve     the valve's answer to the move
     * @param position  the valve's position after the move
     * @param boardFrames status frames the board streamed meanwhile
     * @param millis    how long from the set-points to all three flows settled
     */
    public record Summary(AlicatReading argon, AlicatReading hydrogen, ModbusMfcReading nitrogen, int polls,
                          String valve, String position, long boardFrames, double millis) {
    }

    private final PrintStream out;

    MfcFurnace(PrintStream out) {
        this.out = out;
    }

    /** Runs the demo. */
    public static void main(String[] args) throws Exception {
        new MfcFurnace(System.out).run();
    }

    Summary run() throws Exception {
        try (SimulatedFurnace furnace = SimulatedFurnace.start();
             MockInstrument asciiBus = furnace.serial() ? MockInstrument.pty() : MockInstrument.tcp();
             MockModbus modbus = furnace.serial() ? MockModbus.rtu() : MockModbus.tcp();
             SimulatedBoard board = furnace.serial() ? SimulatedBoard.start() : SimulatedBoard.startOnTcp()) {
            SimulatedAlicat.on(asciiBus, "A", TAU, 100);
            SimulatedAlicat.on(asciiBus, "B", TAU, 50);
            SimulatedModbusMfc.on(modbus, 1, TAU, 200);
            BusConfig ascii = BusConfig.builder().addressing(Addressing.asciiPrefix()).turnaround(Duration.ofMillis(2))
                    .connection(ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(300)).build()).build();
            String mb = modbus.endpoint();
            LatestStatus latest = new LatestStatus();
            try (BlockingBus gas = BlockingBus.open(asciiBus.endpoint(), ascii);
                 BlockingBus purge = BlockingBus.open(mb, mb.startsWith("tcp:") ? Modbus.tcp() : Modbus.rtu(9600));
                 BlockingClient valve = BlockingClient.open(furnace.valveEndpoint(),
                         ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5)).build());
                 BlockingClient boardLink = BlockingClient.open(board.endpoint(), ConnectionConfig.builder()
                         .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII)))
                         .defaultTimeout(Duration.ofSeconds(1)).build());
                 AutoCloseable feed = boardLink.onPushed(latest)) {
                gas.awaitReady(WAIT);
                purge.awaitReady(WAIT);
                valve.awaitReady(WAIT);
                boardLink.awaitReady(WAIT);
                BoardStatus first = latest.awaitFirst(WAIT);
                say("board streaming: seq=%d temp=%.2f", first.seq(), first.temperature());
                AlicatMfc argon = new AlicatMfc(gas.device("A"));
                AlicatMfc hydrogen = new AlicatMfc(gas.device("B"));
                ModbusMfc nitrogen = new ModbusMfc(purge.modbusUnit(1));
                say("A gas -> %s, B gas -> %s", argon.selectGas(1).gas(), hydrogen.selectGas(6).gas());
                nitrogen.selectGas(8);

                long t0 = System.nanoTime();
                CompletableFuture<String> move = CompletableFuture.supplyAsync(() -> valve.query("MOVE 60"));
                argon.setPoint(40);
                hydrogen.setPoint(10);
                nitrogen.setPoint(150);
                say("set-points: A 40, B 10, unit 1 150; valve MOVE 60 sent");
                int polls = 0;
                AlicatReading a;
                AlicatReading b;
                ModbusMfcReading n;
                long deadline = t0 + WAIT.toNanos();
                do {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the flows did not settle within " + WAIT);
                    }
                    a = argon.poll();
                    b = hydrogen.poll();
                    n = nitrogen.read();
                    polls += 3;
                    if (polls % 30 == 3) {
                        say("%6.0f ms  A %6.2f  B %6.2f  N2 %7.2f  board seq %d", (System.nanoTime() - t0) / 1e6,
                                a.massFlow(), b.massFlow(), n.flow(), latest.latest().seq());
                    }
                } while (!(near(a.massFlow(), 40) && near(b.massFlow(), 10) && near(n.flow(), 150)));
                double millis = (System.nanoTime() - t0) / 1e6;
                say("%6.0f ms  A %6.2f  B %6.2f  N2 %7.2f  settled (within 2 %%)", millis, a.massFlow(), b.massFlow(),
                        n.flow());
                String moved = move.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                String position = valve.query("POS?");
                say("valve: MOVE 60 -> %s, POS? -> %s; board frames meanwhile: %d", moved, position, latest.frames());
                return new Summary(a, b, n, polls, moved, position, latest.frames(), millis);
            }
        }
    }

    private static boolean near(double value, double target) {
        return Math.abs(value - target) <= 0.02 * target;
    }

    private void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
    }
}
