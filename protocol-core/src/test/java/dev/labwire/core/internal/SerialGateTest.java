package dev.labwire.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.endpoint.Endpoint;
import org.junit.jupiter.api.Test;

/** The core's tests run without labwire-serial-transport: the gate lets TCP through and stops serial, saying why. */
class SerialGateTest {

    @Test
    void withoutTheSerialTransportTcpPassesAndSerialFailsNamingTheArtifact() {
        assertThat(SerialGate.present(SerialGateTest.class)).isFalse();
        assertThatCode(() -> SerialGate.check(Endpoint.parse("tcp://127.0.0.1:5025"), SerialGateTest.class))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> SerialGate.check(Endpoint.parse("serial:/dev/ttyUSB0?baud=115200"), SerialGateTest.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("serial endpoint serial:/dev/ttyUSB0?baud=115200")
                .hasMessageContaining("add dev.labwire:labwire-serial-transport")
                .hasMessageContaining("requires dev.labwire.serial");
    }
}
