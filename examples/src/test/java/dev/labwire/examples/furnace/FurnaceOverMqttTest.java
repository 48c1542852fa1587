package dev.labwire.examples.furnace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Smoke test of the furnace behind the MQTT gateway (skipped without mosquitto). */
class FurnaceOverMqttTest {

    @Test
    void pressureReadsAreAnsweredThroughTheBrokerWhileTheValveMoves() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/mosquitto")), "mosquitto not installed");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        FurnaceOverMqtt.Summary s = new FurnaceOverMqtt(new PrintStream(bytes, true, StandardCharsets.UTF_8)).demo(null);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(s.readsDuringMove()).as(out).isGreaterThanOrEqualTo(3);
        assertThat(s.firstReadMillis()).isLessThan(s.moveMillis() / 2);
        assertThat(s.moveMillis()).isGreaterThanOrEqualTo(SimulatedFurnace.VALVE_MOVE_TIME.toMillis() - 50);
        assertThat(out).contains("operator < OK").containsPattern("aio AI\\? 0  < \\d+\\.\\d{3} mbar");
    }
}
