package dev.labwire.core.bus;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.frame.Frame;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AddressingTest {
    private static final Address A = Address.of("A");
    private static final Address SEVENTEEN = Address.of(17);

    private static byte[] b(String s) {
        return s.getBytes(ISO_8859_1);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void addressesValidateAndNameBadValues() {
        assertThat(Address.of("A").text()).isEqualTo("A");
        assertThat(Address.of("01").bytes()).containsExactly('0', '1');
        assertThat(Address.of(0).number()).isZero();
        assertThat(Address.of(255).bytes()).containsExactly(0xFF);
        assertThat(Address.of(17)).hasToString("17 (0x11)").isEqualTo(Address.of(17)).hasSameHashCodeAs(Address.of(17));
        assertThat(Address.of("A")).hasToString("\"A\"").isNotEqualTo(Address.of(65)).isNotEqualTo("A");
        assertThat(Address.of(65).isNumeric()).isTrue();
        assertThatThrownBy(() -> Address.of(256)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
        assertThatThrownBy(() -> Address.of(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> Address.of("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"\"");
        assertThatThrownBy(() -> Address.of((String) null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> Address.of("A B")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"A B\"").hasMessageContaining("U+0020").hasMessageContaining("index 1");
        assertThatThrownBy(() -> Address.of("A\n")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+000A");
        assertThatThrownBy(() -> Address.of("x".repeat(17))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("17");
        assertThatThrownBy(() -> Address.of("A").number()).isInstanceOf(IllegalStateException.class).hasMessageContaining("\"A\"");
        assertThatThrownBy(() -> Address.of(3).text()).isInstanceOf(IllegalStateException.class).hasMessageContaining("3 (0x03)");
    }

    @Test
    void asciiPrefixAddsAndStripsTheAddress() {
        Addressing ap = Addressing.asciiPrefix();
        assertThat(ap.encode(A, b("FLOW?"))).containsExactly(b("AFLOW?"));
        assertThat(ap.encode(Address.of("12"), b("R"))).containsExactly(b("12R"));
        assertThat(ap.decode(A, Frame.of("A +14.70"))).isEqualTo(Frame.of(" +14.70"));
        assertThat(ap.decode(A, Frame.of("A"))).isEqualTo(Frame.empty());
        assertThat(ap.encodeReply(A, b("."))).containsExactly(b("A."));
        assertThat(ap).hasToString("asciiPrefix");
    }

    @Test
    void asciiPrefixRefusesAReplyFromAnotherAddressNamingBoth() {
        Addressing ap = Addressing.asciiPrefix();
        assertThatThrownBy(() -> ap.decode(A, Frame.of("B +14.70"))).isInstanceOf(RemoteProtocolException.class)
                .hasMessageStartingWith("reply from the wrong address: expected \"A\", got \"B\"");
        assertThatThrownBy(() -> ap.decode(Address.of("12"), Frame.of("1"))).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("expected \"12\", got \"1\"");
        assertThatThrownBy(() -> ap.decode(A, Frame.empty())).hasMessageContaining("got \"\"");
        assertThatThrownBy(() -> ap.decode(A, Frame.of(bytes(0x81, 'x')))).hasMessageContaining("got \"\\x81\"");
        assertThatThrownBy(() -> ap.encode(SEVENTEEN, b("X"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("17 (0x11)");
    }

    @Test
    void binaryFramesAreAddressPayloadAndCheck() {
        Addressing crc = Addressing.binary(Checksum.crc16Modbus());
        assertThat(crc.encode(SEVENTEEN, bytes(0x03, 0x00, 0x6B, 0x00, 0x03)))
                .containsExactly(0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x87);
        assertThat(crc.decode(SEVENTEEN, Frame.of(bytes(0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x87))))
                .isEqualTo(Frame.of(bytes(0x03, 0x00, 0x6B, 0x00, 0x03)));
        assertThat(Addressing.binary(Checksum.sum8()).encode(Address.of(1), bytes(2, 3))).containsExactly(1, 2, 3, 6);
        assertThat(Addressing.binary(Checksum.xor8()).encode(Address.of(1), bytes(2, 3))).containsExactly(1, 2, 3, 0);
        assertThat(Addressing.binary(Checksum.sum8()).decode(Address.of(1), Frame.of(bytes(1, 1)))).isEqualTo(Frame.empty());
        assertThat(crc).isEqualTo(Addressing.binary(Checksum.crc16Modbus()));
        assertThatThrownBy(() -> crc.encode(A, bytes(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"A\"");
        assertThatThrownBy(() -> Addressing.binary(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void binaryRefusesBadChecksAndWrongAddressesNamingBothValues() {
        assertThatThrownBy(() -> Addressing.binary(Checksum.crc16Modbus())
                .decode(SEVENTEEN, Frame.of(bytes(0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x88))))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("reply for address 17 (0x11): bad CRC-16/MODBUS over 6 bytes: expected 0x8776, got 0x8876");
        assertThatThrownBy(() -> Addressing.binary(Checksum.sum8()).decode(Address.of(1), Frame.of(bytes(1, 2, 3, 7))))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("bad sum8").hasMessageContaining("expected 0x06, got 0x07");
        assertThatThrownBy(() -> Addressing.binary(Checksum.xor8()).decode(Address.of(1), Frame.of(bytes(1, 2, 3, 7))))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("bad xor8").hasMessageContaining("expected 0x00, got 0x07");
        assertThatThrownBy(() -> Addressing.binary(Checksum.sum8()).decode(Address.of(1), Frame.of(bytes(2, 2, 3, 7))))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("reply from the wrong address: expected 1 (0x01), got 2 (0x02)");
        assertThatThrownBy(() -> Addressing.binary(Checksum.crc16Modbus()).decode(Address.of(1), Frame.of(bytes(1, 2))))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("2 bytes").hasMessageContaining("3 bytes");
    }

    /** Whatever the payload and address, decode(encode(x)) is x, and any other address is refused. */
    @Property(tries = 300)
    void binaryRoundTripsAndRefusesEveryOtherAddress(@ForAll @Size(max = 40) byte[] payload,
            @ForAll @IntRange(max = 255) int address, @ForAll @IntRange(max = 255) int other) {
        for (Checksum c : new Checksum[] {Checksum.crc16Modbus(), Checksum.sum8(), Checksum.xor8()}) {
            Addressing bin = Addressing.binary(c);
            byte[] wire = bin.encode(Address.of(address), payload);
            assertThat(bin.decode(Address.of(address), Frame.of(wire)).toByteArray()).containsExactly(payload);
            if (other != address) {
                assertThatThrownBy(() -> bin.decode(Address.of(other), Frame.of(wire)))
                        .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("wrong address");
            }
        }
    }
}
