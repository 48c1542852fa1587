package dev.labwire.core.bus;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    private static final byte[] CHECK = "123456789".getBytes(US_ASCII);

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    /** The catalogue check values (reveng.sourceforge.io CRC catalogue; sum and xor by hand). */
    @Test
    void checkValuesOf123456789() {
        assertThat(Checksum.crc16Modbus().compute(CHECK)).isEqualTo(0x4B37);
        assertThat(Checksum.sum8().compute(CHECK)).isEqualTo(0xDD);
        assertThat(Checksum.xor8().compute(CHECK)).isEqualTo(0x31);
        assertThat(Checksum.crc16Modbus().compute(new byte[0])).isEqualTo(0xFFFF);
        assertThat(Checksum.sum8().compute(new byte[0])).isZero();
    }

    /** Frames from the Modbus over serial line spec (V1.02, 6.2.2 and the read holding registers example). */
    @Test
    void modbusFramesGetTheirCrcLowByteFirst() {
        assertThat(Checksum.crc16Modbus().append(bytes(0x01, 0x03, 0x00, 0x00, 0x00, 0x0A)))
                .containsExactly(bytes(0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD));
        assertThat(Checksum.crc16Modbus().append(bytes(0x11, 0x03, 0x00, 0x6B, 0x00, 0x03)))
                .containsExactly(bytes(0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x87));
        assertThat(Checksum.crc16Modbus().append(CHECK)).endsWith(bytes(0x37, 0x4B));
        Checksum.crc16Modbus().verify(bytes(0x11, 0x03, 0x00, 0x6B, 0x00, 0x03, 0x76, 0x87));
    }

    @Test
    void sumAndXorWrapAndUseUnsignedBytes() {
        assertThat(Checksum.sum8().compute(bytes(0xFF, 0x02))).isEqualTo(0x01);
        assertThat(Checksum.sum8().compute(bytes(0x80, 0x80, 0x80))).isEqualTo(0x80);
        assertThat(Checksum.xor8().compute(bytes(0xF0, 0x0F))).isEqualTo(0xFF);
        assertThat(Checksum.xor8().compute(bytes(0xAA, 0xAA))).isZero();
        assertThat(Checksum.sum8().append(bytes(1, 2, 3))).containsExactly(1, 2, 3, 6);
        assertThat(Checksum.xor8().compute(bytes(9, 1, 2, 3, 9), 1, 3)).isEqualTo(0);
    }

    @Test
    void aBadCheckNamesTheChecksumAndBothValues() {
        assertThatThrownBy(() -> Checksum.crc16Modbus().verify(bytes(0x01, 0x03, 0x00, 0x00, 0x00, 0x0B, 0xC5, 0xCD)))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("bad CRC-16/MODBUS over 6 bytes: expected 0x0D04, got 0xCDC5");
        assertThatThrownBy(() -> Checksum.sum8().verify(bytes(1, 2, 3, 7)))
                .isInstanceOf(RemoteProtocolException.class).hasMessage("bad sum8 over 3 bytes: expected 0x06, got 0x07");
        assertThatThrownBy(() -> Checksum.xor8().verify(bytes(1, 2, 0xF0)))
                .isInstanceOf(RemoteProtocolException.class).hasMessage("bad xor8 over 2 bytes: expected 0x03, got 0xF0");
        assertThatThrownBy(() -> Checksum.crc16Modbus().verify(bytes(0x01)))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("1 bytes").hasMessageContaining("2 bytes");
        assertThatThrownBy(() -> Checksum.sum8().compute(CHECK, 5, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void namesAndSizes() {
        assertThat(Checksum.crc16Modbus()).hasToString("CRC-16/MODBUS");
        assertThat(Checksum.crc16Modbus().size()).isEqualTo(2);
        assertThat(Checksum.sum8().name()).isEqualTo("sum8");
        assertThat(Checksum.xor8().size()).isEqualTo(1);
    }

    @Test
    void aFourByteChecksumUsesTheDefaultLittleEndianCoding() {
        Checksum count = new Checksum() {
            @Override
            public String name() {
                return "len32";
            }

            @Override
            public int size() {
                return 4;
            }

            @Override
            public int compute(byte[] data, int offset, int length) {
                return length == 0 ? 0xFEDCBA98 : length;
            }
        };
        assertThat(count.append(new byte[0])).containsExactly(0x98, 0xBA, 0xDC, 0xFE);
        assertThatThrownBy(() -> count.verify(bytes(1, 0, 0, 0, 0)))
                .hasMessage("bad len32 over 1 bytes: expected 0x00000001, got 0x00000000");
    }

    /** The table-driven CRC agrees with the bit-by-bit definition. */
    @Property(tries = 300)
    void crcMatchesTheBitwiseDefinition(@ForAll @Size(max = 300) byte[] data) {
        int crc = 0xFFFF;
        for (byte b : data) {
            crc ^= b & 0xFF;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            }
        }
        assertThat(Checksum.crc16Modbus().compute(data)).isEqualTo(crc);
    }

    /** A frame with its own CRC appended has the residue 0 and verifies; flipping any one bit is caught. */
    @Property(tries = 300)
    void appendedChecksVerifyAndEveryOneBitErrorIsCaught(@ForAll @Size(min = 1, max = 64) byte[] data,
            @ForAll @IntRange(min = 0, max = 10_000) int where) {
        for (Checksum c : new Checksum[] {Checksum.crc16Modbus(), Checksum.sum8(), Checksum.xor8()}) {
            byte[] framed = c.append(data);
            assertThat(Arrays.copyOf(framed, data.length)).containsExactly(data);
            c.verify(framed);
            byte[] damaged = framed.clone();
            int bit = where % (damaged.length * 8);
            damaged[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> c.verify(damaged)).isInstanceOf(RemoteProtocolException.class)
                    .hasMessageContaining(c.name());
        }
        assertThat(Checksum.crc16Modbus().compute(Checksum.crc16Modbus().append(data))).isZero();
    }
}
