package dev.labwire.examples.furnace;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Smoke test of the furnace example's main: it runs to its summary, tells the story, and is quick. */
class FurnaceControlTest {

    @Test
    void theDemoRunsThreeClientsAtOnceAndSummarizes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        FurnaceControl.Summary s = new FurnaceControl(new PrintStream(bytes, true, StandardCharsets.UTF_8)).demo();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(s.flowsDuringMove()).isGreaterThanOrEqualTo(4);
        assertThat(s.firstFlowMillis()).isPositive().isLessThan(s.moveMillis() / 2);
        assertThat(s.moveMillis()).isGreaterThanOrEqualTo(SimulatedFurnace.VALVE_MOVE_TIME.toMillis() - 50);
        assertThat(s.pressureBeforeMoveAnswered()).isTrue();
        assertThat(s.statusLines()).isGreaterThanOrEqualTo(3);
        assertThat(s.strays()).isEmpty();
        assertThat(out).containsAnyOf("on an RS485 bus: serial:", "socat is not installed")
                .contains("furnace server on 127.0.0.1:")
                .contains("monitor  < mon-1 OK status every 200 ms")
                .containsPattern("monitor  < mon-1 STATUS seq=1 mfc1=\\d+\\.\\d\\d mfc2=")
                .containsPattern("operator < op-2 \\d\\.\\d{3}E[+-]\\d\\d mbar")
                .containsPattern("reader   < rd-1 \\+\\d+\\.\\d\\d sccm")
                .contains("operator < op-1 OK  (the move took")
                .contains("op-4 mfc2 SP?  < 7.5")
                .contains("< ERR position must be 0 to 100 %: 140")
                .contains("< ERR unknown device \"oven\"")
                .contains("0 answers without a request");
        assertThat(took).isLessThan(Duration.ofSeconds(15));
    }
}
