package dev.labwire.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.internal.SerialGate;
import org.junit.jupiter.api.Test;

/** The optional serial transport: present in this module's tests; a TCP endpoint never asks. */
class SerialGateTest {

    @Test
    void tcpAndSerialPassWhenTheSerialTransportIsThere() {
        assertThat(SerialGate.present(SerialGateTest.class)).isTrue();
        assertThatCode(() -> SerialGate.check(Endpoint.parse("tcp://127.0.0.1:5025"), SerialGateTest.class)).doesNotThrowAnyException();
        assertThatCode(() -> SerialGate.check(Endpoint.parse("serial:/dev/ttyUSB0"), SerialGateTest.class)).doesNotThrowAnyException();
    }

    @Test
    void theMessageNamesTheArtifactToAdd() {
        // the failure itself is checked without the module, by consumer-it's tcp-only project
        assertThat(SerialGate.missing(Endpoint.parse("serial:/dev/ttyUSB0?baud=115200")))
                .startsWith("serial endpoint serial:/dev/ttyUSB0?baud=115200")
                .contains("add dev.labwire:labwire-serial-transport")
                .contains("requires dev.labwire.serial");
    }

    @Test
    void connectFailuresOfTcpNeedNoSerialTransport() {
        assertThat(ConnectFailures.definite(new java.net.ConnectException("Connection refused")))
                .isEqualTo("connection refused");
        assertThat(ConnectFailures.definite(new java.io.IOException(new java.net.UnknownHostException("x"))))
                .isEqualTo("unknown host");
        assertThat(ConnectFailures.definite(new java.net.SocketTimeoutException("connect timed out"))).isNull();
        assertThat(ConnectFailures.definite(new dev.labwire.serial.SerialPortException("/dev/ttyUSB9",
                dev.labwire.serial.SerialPortException.Reason.BUSY, 16, "cannot open"))).isEqualTo("port busy");
    }
}
