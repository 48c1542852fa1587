package dev.labwire.serial.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.serial.SerialPortException;
import dev.labwire.serial.SerialPortException.Reason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class ConnectFailuresTest {

    @Test
    void definiteFailures() {
        assertThat(ConnectFailures.definite(new ConnectException("Connection refused"))).isEqualTo("connection refused");
        assertThat(ConnectFailures.definite(new IOException("wrapped", new ConnectException("connect: Connection refused"))))
                .isEqualTo("connection refused");
        assertThat(ConnectFailures.definite(new UnknownHostException("nohost.invalid"))).isEqualTo("unknown host");
        assertThat(ConnectFailures.definite(port(Reason.NOT_FOUND))).isEqualTo("no such port");
        assertThat(ConnectFailures.definite(port(Reason.BUSY))).isEqualTo("port busy");
        assertThat(ConnectFailures.definite(port(Reason.PERMISSION_DENIED))).isEqualTo("permission denied");
        assertThat(ConnectFailures.definite(port(Reason.AMBIGUOUS))).isEqualTo("ambiguous USB identity");
        assertThat(ConnectFailures.definite(port(Reason.UNSUPPORTED_SETTINGS))).isEqualTo("unsupported settings");
    }

    @Test
    void failuresWorthRetrying() {
        assertThat(ConnectFailures.definite(null)).isNull();
        assertThat(ConnectFailures.definite(new SocketTimeoutException("connect timed out"))).isNull();
        assertThat(ConnectFailures.definite(new ConnectException("connection timed out: /10.0.0.7:5025"))).isNull();
        assertThat(ConnectFailures.definite(new ConnectException())).isNull();
        assertThat(ConnectFailures.definite(port(Reason.OTHER))).isNull();
        assertThat(ConnectFailures.definite(port(Reason.DISCONNECTED))).isNull();
    }

    private static SerialPortException port(Reason reason) {
        return new SerialPortException("/dev/ttyUSB0", reason, 0, "cannot open");
    }
}
