package dev.labwire.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The small parsers the commands share. */
class UnitsTest {

    @Test
    void durations() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("3")).isEqualTo(Duration.ofSeconds(3));
        assertThatThrownBy(() -> Durations.parse("-1s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'-1s'");
        assertThatThrownBy(() -> Durations.parse("NaN")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Durations.format(Duration.ofMillis(300))).isEqualTo("300 ms");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5 s");
    }

    @Test
    void terminators() {
        assertThat(Clients.unescape("\\r\\n")).isEqualTo("\r\n");
        assertThat(Clients.unescape("CRLF")).isEqualTo("\r\n");
        assertThat(Clients.unescape("cr")).isEqualTo("\r");
        assertThat(Clients.unescape("\\n")).isEqualTo("\n");
        assertThatThrownBy(() -> Clients.unescape("\\x")).hasMessageContaining("bad escape '\\x'");
    }

    @Test
    void wireLoggerNamesFollowTheReadme() {
        assertThat(WireLog.loggerName("tcp://192.168.1.20:5025")).isEqualTo("dev.labwire.wire.tcp_192_168_1_20_5025");
        assertThat(WireLog.loggerName("serial:/dev/ttyUSB0?baud=9600")).isEqualTo("dev.labwire.wire.serial_dev_ttyUSB0");
    }

    @Test
    void statusBitsAreNamed() {
        assertThat(ShellCommand.statusBits(0)).isEqualTo("none set");
        assertThat(ShellCommand.statusBits(0x44)).isEqualTo("EAV (error queue), MSS/RQS (service request)");
    }

    @Test
    void hexDumpLinesUp() {
        byte[] b = new byte[17];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (0x41 + i);
        }
        assertThat(Hex.dump(b)).isEqualTo(
                "00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|\n"
                        + "00000010  51" + " ".repeat(48) + "|Q|\n");
    }
}
