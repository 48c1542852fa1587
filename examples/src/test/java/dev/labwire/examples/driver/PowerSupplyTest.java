package dev.labwire.examples.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RequestTimeoutException;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The driver pattern's tests: a typed driver checked against MockInstrument, no hardware. */
class PowerSupplyTest {

    private MockInstrument mock;
    private PowerSupply psu;

    @BeforeEach
    void start() {
        mock = MockInstrument.tcp().scpi();
        // the simulated supply: OUTP? answers 1/0, measurements follow the settings, over 20 V trips an error
        mock.responder(cmd -> switch (cmd) {
            case "OUTP?" -> MockReply.line("ON".equals(mock.dictionary().get("OUTP")) ? "1" : "0");
            case "MEAS:VOLT?" -> MockReply.line("ON".equals(mock.dictionary().get("OUTP")) ? mock.dictionary().get("VOLT") : "0");
            default -> {
                if (cmd.startsWith("VOLT ") && Double.parseDouble(cmd.substring(5)) > 20) {
                    mock.dictionary().queueError("-222,\"Data out of range\"");
                    yield MockReply.none();
                }
                yield null;
            }
        });
        psu = PowerSupply.open(mock.endpoint());
    }

    @AfterEach
    void stop() {
        psu.close();
        mock.close();
    }

    @Test
    void settingsAreSentCheckedAndReadBack() {
        assertThat(psu.identity()).startsWith("LABWIRE,MOCK-INSTRUMENT");
        psu.setVoltage(12);
        psu.setCurrentLimit(0.5);
        psu.output(true);
        assertThat(psu.voltage()).isEqualTo(12.0);
        assertThat(psu.currentLimit()).isEqualTo(0.5);
        assertThat(psu.isOutputOn()).isTrue();
        assertThat(psu.measureVoltage()).isEqualTo(12.0);
        psu.output(false);
        assertThat(psu.isOutputOn()).isFalse();
        List<String> cmds = mock.commands();
        assertThat(cmds).startsWith("SYST:REM", "*CLS", "*IDN?", "VOLT 12.0000", "SYST:ERR?", "CURR 0.5000", "SYST:ERR?",
                "OUTP ON", "SYST:ERR?");
    }

    @Test
    void outOfRangeValuesAreRefusedBeforeAnythingIsSent() {
        psu.identity();
        int before = mock.commands().size();
        assertThatThrownBy(() -> psu.setVoltage(31)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("31.0");
        assertThatThrownBy(() -> psu.setVoltage(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> psu.setCurrentLimit(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
        assertThat(mock.commands()).hasSize(before);
    }

    @Test
    void aSettingTheInstrumentRefusesFailsAtItsOwnCall() {
        assertThatThrownBy(() -> psu.setVoltage(25)).isInstanceOf(InstrumentErrorException.class)
                .hasMessageContaining("VOLT 25.0000").hasMessageContaining("-222")
                .satisfies(e -> assertThat(((InstrumentErrorException) e).errors()).hasSize(1));
        psu.setVoltage(5); // the queue was drained: the next setting is clean
        assertThat(psu.voltage()).isEqualTo(5.0);
    }

    @Test
    void aSilentInstrumentIsATimeoutAndTheDriverRecovers() {
        psu.identity();
        mock.enqueue(MockReply.line("12.0").delay(Duration.ofSeconds(3)));
        assertThatThrownBy(psu::voltage).isInstanceOf(RequestTimeoutException.class).hasMessageContaining("VOLT?");
        psu.setVoltage(7);
        assertThat(psu.voltage()).isEqualTo(7.0);
    }
}
