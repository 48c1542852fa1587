package dev.labwire.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Smoke test of the README's first command: the tour runs to its end, tells the story, and is quick. */
class TourTest {

    @Test
    void theTourRunsToItsEndInUnderTwentySeconds() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        new Tour(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("*IDN?        -> LABWIRE,MOCK-INSTRUMENT,SN0001,1.0")
                .contains("MEAS:VOLT? -> 4.9990 V")
                .contains("IEEE 488.2 block of 2000 bytes")
                .contains("1000 of 1000 replies matched")
                .contains("the simulator saw [SYST:REM, VOLT 12, VOLT?]")
                .contains("RequestTimeoutException")
                .contains("the late \"1\" was discarded")
                .contains("done: every call got its own reply");
        assertThat(out).containsAnyOf("20 status frames in", "socat is not installed");
        assertThat(took).isLessThan(Duration.ofSeconds(20));
    }
}
