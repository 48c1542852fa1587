package dev.labwire.core.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The Prologix host protocol's bytes, against the examples of the Prologix GPIB-USB/ETHERNET user manual. */
class PrologixTest {

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Manual, section 7.1 (binary data transmission): the example escaped as the manual shows it. */
    @Test
    void escapesTheManualsBinaryExample() {
        assertThat(Prologix.escape(bytes(0, 1, 2, 13, 3, 10, 4, 27, 5, 43, 6)))
                .containsExactly(bytes(0, 1, 2, 27, 13, 3, 27, 10, 4, 27, 27, 5, 27, 43, 6));
        assertThat(Prologix.dataLine(bytes('+', '+', 'x', '\n')))
                .containsExactly(bytes(27, '+', 27, '+', 'x', 27, '\n', '\n'));
        assertThat(Prologix.escape(new byte[0])).isEmpty();
    }

    /** Manual, section 8 (commands): ++addr 5, ++addr 9 96, ++spoll 5, ++read eoi, ++eos 3. */
    @Test
    void commandsAsTheManualWritesThem() {
        assertThat(text(Prologix.addr(5))).isEqualTo("++addr 5\n");
        assertThat(text(Prologix.addr(9, 96))).isEqualTo("++addr 9 96\n");
        assertThat(text(Prologix.spoll(5))).isEqualTo("++spoll 5\n");
        assertThat(text(Prologix.readEoi())).isEqualTo("++read eoi\n");
        assertThat(text(Prologix.setup(Duration.ofMillis(500))))
                .isEqualTo("++mode 1\n++auto 0\n++eoi 1\n++eos 3\n++read_tmo_ms 500\n");
        assertThat(text(Prologix.setup(Duration.ofNanos(1)))).endsWith("++read_tmo_ms 1\n");
        assertThatThrownBy(() -> Prologix.addr(31)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("31");
        assertThatThrownBy(() -> Prologix.addr(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Prologix.addr(1, 95)).hasMessageContaining("95");
        assertThatThrownBy(() -> Prologix.addr(1, 127)).hasMessageContaining("127");
        assertThatThrownBy(() -> Prologix.setup(Duration.ofMillis(3001))).hasMessageContaining("3000");
        assertThatThrownBy(() -> Prologix.setup(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Prologix.setup(java.time.temporal.ChronoUnit.FOREVER.getDuration()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3000");
        assertThatThrownBy(() -> Prologix.setup(Duration.ofSeconds(Long.MIN_VALUE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3000");
    }

    @Test
    void theSelectorSendsAddrOnlyWhenTheAddressChanges() {
        Prologix.Selector s = new Prologix.Selector();
        assertThat(text(s.query(5, "*IDN?\n".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("++addr 5\n*IDN?\u001b\n\n++read eoi\n");
        assertThat(text(s.write(5, "VOLT 1E+1\n".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("VOLT 1E\u001b+1\u001b\n\n");
        assertThat(text(s.query(7, "MEAS?\n".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("++addr 7\nMEAS?\u001b\n\n++read eoi\n");
        s.forget();
        assertThat(text(s.write(7, bytes('x')))).isEqualTo("++addr 7\nx\n");
    }

    @Test
    void statusByteAnswers() {
        assertThat(Prologix.statusByte("16\r\n".getBytes(StandardCharsets.US_ASCII))).isEqualTo(16);
        assertThat(Prologix.statusByte("0\n".getBytes(StandardCharsets.US_ASCII))).isZero();
        assertThat(Prologix.statusByte("255".getBytes(StandardCharsets.US_ASCII))).isEqualTo(255);
        for (String bad : new String[] {"", "\r\n", "256\r\n", "1a\n", "-1\n", "1000\n", "+5\n"}) {
            assertThatThrownBy(() -> Prologix.statusByte(bad.getBytes(StandardCharsets.US_ASCII)))
                    .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("status byte");
        }
    }
}
