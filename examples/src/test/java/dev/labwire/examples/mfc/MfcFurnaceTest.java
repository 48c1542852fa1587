package dev.labwire.examples.mfc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link MfcFurnace} runs: all three flows settle on their set-points while the valve moves and the board streams. */
class MfcFurnaceTest {
    @Test
    void flowsSettleWhileTheValveMovesAndTheBoardStreams() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        MfcFurnace.Summary s = new MfcFurnace(new PrintStream(buf, true, StandardCharsets.UTF_8)).run();
        String transcript = buf.toString(StandardCharsets.UTF_8);
        assertThat(s.argon().massFlow()).as(transcript).isCloseTo(40, within(0.8));
        assertThat(s.argon().gas()).isEqualTo("Ar");
        assertThat(s.hydrogen().massFlow()).isCloseTo(10, within(0.2));
        assertThat(s.hydrogen().gas()).isEqualTo("H2");
        assertThat((double) s.nitrogen().flow()).isCloseTo(150, within(3.0));
        assertThat(s.nitrogen().gas()).isEqualTo(8);
        // settling to 2 % takes about 3.9 time constants (1.2 s at 300 ms): not before that
        assertThat(s.millis()).as(transcript).isGreaterThan(1000);
        assertThat(s.valve()).isEqualTo("OK");
        assertThat(s.position()).contains("60");
        assertThat(s.boardFrames()).as("the board streamed meanwhile").isGreaterThan(20);
        assertThat(transcript).contains("settled");
    }
}
