package dev.labwire.core.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import org.junit.jupiter.api.Test;

/** Request PDUs and reply decoding against the Modbus Application Protocol v1.1b3 section 6 examples. */
class ModbusCallTest {

    static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void fc1ReadCoils() {
        ModbusCall<boolean[]> c = ModbusCall.readCoils(0x13, 19);
        assertThat(c.pdu()).containsExactly(b(0x01, 0x00, 0x13, 0x00, 0x13));
        boolean[] v = c.decode(17, b(0x01, 0x03, 0xCD, 0x6B, 0x05));
        // CD = 1100 1101: coils 20..27 read LSB first -> 1 0 1 1 0 0 1 1
        assertThat(v).hasSize(19);
        assertThat(v[0]).isTrue();
        assertThat(v[1]).isFalse();
        assertThat(v[2]).isTrue();
        assertThat(v[3]).isTrue();
        assertThat(v[7]).isTrue();
        assertThat(v[18]).isTrue(); // 05: bits 0 and 2 of the last byte -> coils 16 and 18
        assertThat(v[17]).isFalse();
    }

    @Test
    void fc2ReadDiscreteInputs() {
        ModbusCall<boolean[]> c = ModbusCall.readDiscreteInputs(0xC4, 22);
        assertThat(c.pdu()).containsExactly(b(0x02, 0x00, 0xC4, 0x00, 0x16));
        assertThat(c.decode(17, b(0x02, 0x03, 0xAC, 0xDB, 0x35))).hasSize(22);
    }

    @Test
    void fc3ReadHoldingRegisters() {
        ModbusCall<int[]> c = ModbusCall.readHoldingRegisters(0x6B, 3);
        assertThat(c.pdu()).containsExactly(b(0x03, 0x00, 0x6B, 0x00, 0x03));
        assertThat(c.decode(17, b(0x03, 0x06, 0x02, 0x2B, 0x00, 0x00, 0x00, 0x64))).containsExactly(555, 0, 100);
    }

    @Test
    void fc4ReadInputRegisters() {
        ModbusCall<int[]> c = ModbusCall.readInputRegisters(0x08, 1);
        assertThat(c.pdu()).containsExactly(b(0x04, 0x00, 0x08, 0x00, 0x01));
        assertThat(c.decode(17, b(0x04, 0x02, 0x00, 0x0A))).containsExactly(10);
    }

    @Test
    void fc5WriteSingleCoil() {
        ModbusCall<Void> c = ModbusCall.writeSingleCoil(0xAC, true);
        assertThat(c.pdu()).containsExactly(b(0x05, 0x00, 0xAC, 0xFF, 0x00));
        assertThat(c.decode(17, b(0x05, 0x00, 0xAC, 0xFF, 0x00))).isNull();
        assertThat(ModbusCall.writeSingleCoil(0xAC, false).pdu()).containsExactly(b(0x05, 0x00, 0xAC, 0x00, 0x00));
    }

    @Test
    void fc6WriteSingleRegister() {
        ModbusCall<Void> c = ModbusCall.writeSingleRegister(1, 3);
        assertThat(c.pdu()).containsExactly(b(0x06, 0x00, 0x01, 0x00, 0x03));
        c.decode(17, b(0x06, 0x00, 0x01, 0x00, 0x03));
        assertThatThrownBy(() -> c.decode(17, b(0x06, 0x00, 0x01, 0x00, 0x04)))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("write echo that differs");
    }

    @Test
    void fc15WriteMultipleCoils() {
        boolean[] v = {true, false, true, true, false, false, true, true, true, false};
        ModbusCall<Void> c = ModbusCall.writeMultipleCoils(0x13, v);
        assertThat(c.pdu()).containsExactly(b(0x0F, 0x00, 0x13, 0x00, 0x0A, 0x02, 0xCD, 0x01));
        c.decode(17, b(0x0F, 0x00, 0x13, 0x00, 0x0A));
    }

    @Test
    void fc16WriteMultipleRegisters() {
        ModbusCall<Void> c = ModbusCall.writeMultipleRegisters(1, new int[] {0x000A, 0x0102});
        assertThat(c.pdu()).containsExactly(b(0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0A, 0x01, 0x02));
        c.decode(17, b(0x10, 0x00, 0x01, 0x00, 0x02));
    }

    @Test
    void fc23ReadWriteMultipleRegisters() {
        ModbusCall<int[]> c = ModbusCall.readWriteMultipleRegisters(3, 6, 0x0E, new int[] {0xFF, 0xFF, 0xFF});
        assertThat(c.pdu()).containsExactly(b(0x17, 0x00, 0x03, 0x00, 0x06, 0x00, 0x0E, 0x00, 0x03, 0x06, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF));
        assertThat(c.decode(17, b(0x17, 0x0C, 0x00, 0xFE, 0x0A, 0xCD, 0x00, 0x01, 0x00, 0x03, 0x00, 0x0D, 0x00, 0xFF)))
                .containsExactly(0xFE, 0x0ACD, 1, 3, 0x0D, 0xFF);
    }

    @Test
    void exceptionResponsesNameUnitFunctionAndCode() {
        ModbusCall<boolean[]> c = ModbusCall.readCoils(0x04A1, 1);
        assertThatThrownBy(() -> c.decode(10, b(0x81, 0x02)))
                .isInstanceOfSatisfying(ModbusException.class, e -> {
                    assertThat(e.unit()).isEqualTo(10);
                    assertThat(e.function()).isEqualTo(ModbusFunction.READ_COILS);
                    assertThat(e.exceptionCode()).isEqualTo(2);
                })
                .hasMessage("unit 10 answered READ_COILS (0x01) with exception 0x02 ILLEGAL DATA ADDRESS");
        for (int[] pair : new int[][] {{1, 0}, {3, 0}, {4, 0}, {5, 0}, {6, 0}, {8, 0}, {0x0A, 0}, {0x0B, 0}, {0x42, 0}}) {
            assertThatThrownBy(() -> c.decode(1, b(0x81, pair[0]))).hasMessageContaining(ModbusException.codeName(pair[0]));
        }
        assertThat(ModbusException.codeName(0x0B)).isEqualTo("GATEWAY TARGET DEVICE FAILED TO RESPOND");
        assertThat(ModbusException.codeName(0x42)).isEqualTo("UNKNOWN EXCEPTION");
    }

    @Test
    void repliesThatDoNotAnswerAreRefusedClearly() {
        ModbusCall<int[]> c = ModbusCall.readHoldingRegisters(0, 2);
        assertThatThrownBy(() -> c.decode(1, b(0x04, 0x04, 0, 1, 0, 2))).hasMessageContaining("function code 0x04");
        assertThatThrownBy(() -> c.decode(1, b(0x03, 0x02, 0, 1))).hasMessageContaining("byte count 2");
        assertThatThrownBy(() -> c.decode(1, b(0x03, 0x04, 0, 1))).hasMessageContaining("in 4 bytes");
        assertThatThrownBy(() -> c.decode(1, b())).hasMessageContaining("empty PDU");
        assertThatThrownBy(() -> c.decode(1, b(0x83, 0x02, 0x00))).hasMessageContaining("exception response of 3 bytes");
    }

    @Test
    void theSpecsQuantityLimitsAreRefusedNamingTheValue() {
        assertThat(ModbusCall.readHoldingRegisters(0, 125).pdu()[4]).isEqualTo((byte) 125);
        assertThatThrownBy(() -> ModbusCall.readHoldingRegisters(0, 126)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..125: 126");
        assertThatThrownBy(() -> ModbusCall.readHoldingRegisters(0, 0)).hasMessageContaining("1..125: 0");
        assertThatThrownBy(() -> ModbusCall.readInputRegisters(0, 126)).hasMessageContaining("1..125: 126");
        assertThat(ModbusCall.readCoils(0, 2000)).isNotNull();
        assertThatThrownBy(() -> ModbusCall.readCoils(0, 2001)).hasMessageContaining("1..2000: 2001");
        assertThatThrownBy(() -> ModbusCall.readDiscreteInputs(0, 2001)).hasMessageContaining("1..2000: 2001");
        assertThatThrownBy(() -> ModbusCall.writeMultipleCoils(0, new boolean[1969])).hasMessageContaining("1..1968: 1969");
        assertThatThrownBy(() -> ModbusCall.writeMultipleRegisters(0, new int[124])).hasMessageContaining("1..123: 124");
        assertThat(ModbusCall.writeMultipleRegisters(0, new int[123])).isNotNull();
        assertThatThrownBy(() -> ModbusCall.readWriteMultipleRegisters(0, 126, 0, new int[1])).hasMessageContaining("1..125: 126");
        assertThatThrownBy(() -> ModbusCall.readWriteMultipleRegisters(0, 1, 0, new int[122])).hasMessageContaining("writes 1..121 registers: 122");
        assertThatThrownBy(() -> ModbusCall.readHoldingRegisters(65535, 2)).hasMessageContaining("address 65535 + quantity 2");
        assertThatThrownBy(() -> ModbusCall.readHoldingRegisters(-1, 1)).hasMessageContaining("0..65535: -1");
        assertThatThrownBy(() -> ModbusCall.writeSingleRegister(0, 65536)).hasMessageContaining("0..65535 (or -32768..-1 as a signed 16-bit value): 65536");
        assertThat(ModbusCall.writeSingleRegister(0, -1).pdu()).endsWith(b(0xFF, 0xFF));
    }

    @Test
    void broadcastsCarryWritesOnlyAndExpectNoReply() {
        assertThat(ModbusCall.writeSingleRegister(1, 2).request(0, Modbus.rtuAddressing()).expect())
                .isEqualTo(dev.labwire.core.Expect.nothing());
        assertThat(ModbusCall.writeSingleRegister(1, 2).request(0, Modbus.tcpAddressing()).expect())
                .isEqualTo(dev.labwire.core.Expect.frame());
        assertThatThrownBy(() -> ModbusCall.readHoldingRegisters(1, 2).request(0, Modbus.asciiAddressing()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("READ_HOLDING_REGISTERS (0x03)");
    }

    @Test
    void wordOrders() {
        // 1.0f = 3F 80 00 00; -2.5f = C0 20 00 00
        assertThat(WordOrder.ABCD.fromFloat(1.0f)).containsExactly(0x3F80, 0x0000);
        assertThat(WordOrder.CDAB.fromFloat(1.0f)).containsExactly(0x0000, 0x3F80);
        assertThat(WordOrder.BADC.fromFloat(1.0f)).containsExactly(0x803F, 0x0000);
        assertThat(WordOrder.DCBA.fromFloat(1.0f)).containsExactly(0x0000, 0x803F);
        assertThat(WordOrder.ABCD.toInt(new int[] {0x1234, 0x5678}, 0)).isEqualTo(0x12345678);
        assertThat(WordOrder.CDAB.toInt(new int[] {0x5678, 0x1234}, 0)).isEqualTo(0x12345678);
        assertThat(WordOrder.BADC.toInt(new int[] {0x3412, 0x7856}, 0)).isEqualTo(0x12345678);
        assertThat(WordOrder.DCBA.toInt(new int[] {0x7856, 0x3412}, 0)).isEqualTo(0x12345678);
        for (WordOrder o : WordOrder.values()) {
            assertThat(o.toFloat(o.fromFloat(-2.5f), 0)).isEqualTo(-2.5f);
            assertThat(o.toInt(o.fromInt(-7), 0)).isEqualTo(-7);
            assertThat(o.toUnsignedInt(o.fromInt(-1), 0)).isEqualTo(4294967295L);
        }
        assertThatThrownBy(() -> WordOrder.ABCD.toFloat(new int[3], 2)).hasMessageContaining("registers 2 and 3; the array has 3");
    }

    @Test
    void lrcOfTheSerialSpec() {
        // the LRC is the two's complement of the byte sum: 11 03 00 6B 00 03 sums to 0x82 -> 0x7E
        assertThat(Modbus.lrc(b(0x11, 0x03, 0x00, 0x6B, 0x00, 0x03))).isEqualTo(0x7E);
    }
}
