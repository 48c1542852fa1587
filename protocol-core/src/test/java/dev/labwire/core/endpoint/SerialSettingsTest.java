package dev.labwire.core.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SerialSettingsTest {

    @Test
    void defaultIs9600EightNOneWithoutFlowControlOrRs485() {
        SerialSettings d = SerialSettings.DEFAULT;
        assertThat(d.baudRate()).isEqualTo(9600);
        assertThat(d.dataBits()).isEqualTo(DataBits.EIGHT);
        assertThat(d.parity()).isEqualTo(Parity.NONE);
        assertThat(d.stopBits()).isEqualTo(StopBits.ONE);
        assertThat(d.flowControl()).isEqualTo(FlowControl.NONE);
        assertThat(d.rs485()).isEqualTo(Rs485.DISABLED);
        assertThat(SerialSettings.builder().build()).isEqualTo(d);
        assertThat(d).hasToString("9600 8N1, flow NONE, RS485 off");
    }

    @Test
    void builderReplacesOneFieldAtATime() {
        SerialSettings s = SerialSettings.builder().baudRate(115200).parity(Parity.EVEN).build();
        assertThat(s).isEqualTo(new SerialSettings(115200, DataBits.EIGHT, Parity.EVEN, StopBits.ONE,
                FlowControl.NONE, Rs485.DISABLED));
        assertThat(s.toBuilder().dataBits(DataBits.SEVEN).stopBits(StopBits.TWO).build())
                .hasToString("115200 7E2, flow NONE, RS485 off");
    }

    @Test
    void badBaudRateIsNamed() {
        assertThatThrownBy(() -> SerialSettings.builder().baudRate(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("baud rate 0 is not positive");
        assertThatThrownBy(() -> SerialSettings.builder().baudRate(-9600).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("baud rate -9600 is not positive");
    }

    @Test
    void nullsAreNamed() {
        assertThatThrownBy(() -> SerialSettings.builder().parity(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("parity");
        assertThatThrownBy(() -> SerialSettings.builder().rs485(null).build())
                .isInstanceOf(NullPointerException.class).hasMessage("rs485");
    }

    @Test
    void rs485DelaysAreValidated() {
        assertThatThrownBy(() -> Rs485.enabled(RtsPolarity.HIGH, Duration.ofMillis(-1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delayBefore PT-0.001S is negative; RS485 delays must be >= 0");
        assertThatThrownBy(() -> Rs485.enabled(RtsPolarity.HIGH, Duration.ZERO, Duration.ofSeconds(-2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("delayAfter PT-2S is negative");
        assertThatThrownBy(() -> Rs485.enabled(RtsPolarity.HIGH, Duration.ZERO, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("delayAfter PT1H is too long");
        assertThatThrownBy(() -> Rs485.enabled(RtsPolarity.HIGH, Duration.ofNanos(1500), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delayBefore PT0.0000015S is not a whole number of microseconds");
    }

    @Test
    void disabledRs485CarriesNoParameters() {
        assertThat(Rs485.DISABLED.isEnabled()).isFalse();
        assertThat(Rs485.enabled().isEnabled()).isTrue();
        assertThatThrownBy(() -> new Rs485(Rs485.Mode.DISABLED, RtsPolarity.LOW, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RS485 is disabled but rtsActive=LOW");
        assertThat(Rs485.enabled(RtsPolarity.LOW, Duration.ofNanos(10_000), Duration.ofMillis(1)))
                .hasToString("RS485 on (RTS LOW while sending, 10 us before, 1000 us after)");
    }

    @Test
    void dataBitsByCount() {
        assertThat(DataBits.of(7)).isEqualTo(DataBits.SEVEN);
        assertThatThrownBy(() -> DataBits.of(9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data bits 9 not supported; allowed: 5, 6, 7, 8");
    }
}
