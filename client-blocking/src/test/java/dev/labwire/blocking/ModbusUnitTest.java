package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.modbus.Modbus;
import dev.labwire.core.modbus.ModbusException;
import dev.labwire.core.modbus.WordOrder;
import dev.labwire.mock.MockModbus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The typed calls of {@link ModbusUnit} over Modbus TCP on loopback against {@link MockModbus}. */
class ModbusUnitTest {

    @Test
    void typedCallsReadAndWriteTheUnit() {
        try (MockModbus mock = MockModbus.tcp();
             BlockingBus bus = BlockingBus.open(mock.endpoint(), Modbus.tcp()).awaitReady(Duration.ofSeconds(5))) {
            mock.setHoldingRegisters(0, 1, 2).setInputRegisters(0, 3).setCoils(0, true).setDiscreteInputs(0, false, true);
            ModbusUnit u = bus.modbusUnit(1);
            assertThat(u.unit()).isEqualTo(1);
            assertThat(u.readHoldingRegisters(0, 2)).containsExactly(1, 2);
            assertThat(u.readInputRegisters(0, 1)).containsExactly(3);
            assertThat(u.readCoils(0, 1)).containsExactly(true);
            assertThat(u.readDiscreteInputs(0, 2)).containsExactly(false, true);
            u.writeSingleCoil(3, true);
            u.writeMultipleCoils(4, true, false, true);
            assertThat(mock.coil(3)).isTrue();
            assertThat(u.readCoils(3, 4)).containsExactly(true, true, false, true);
            u.writeSingleRegister(9, -2);
            assertThat(mock.holdingRegister(9)).isEqualTo(0xFFFE);
            u.writeFloat(10, 12.5f, WordOrder.BADC);
            assertThat(u.readFloat(10, WordOrder.BADC)).isEqualTo(12.5f);
            assertThat(WordOrder.ABCD.toFloat(u.readHoldingRegisters(10, 2), 0)).isNotEqualTo(12.5f);
            u.writeInt32(12, -123456, WordOrder.DCBA);
            assertThat(u.readInt32(12, WordOrder.DCBA)).isEqualTo(-123456);
            assertThat(u.readWriteMultipleRegisters(20, 2, 21, 5)).containsExactly(0, 5);
            assertThatThrownBy(() -> u.readInputRegisters(MockModbus.DEFAULT_SIZE, 1)).isInstanceOf(ModbusException.class)
                    .hasMessage("unit 1 answered READ_INPUT_REGISTERS (0x04) with exception 0x02 ILLEGAL DATA ADDRESS");
        }
    }

    @Test
    void badArgumentsAreRefusedAtTheCallAndNothingIsSent() {
        try (MockModbus mock = MockModbus.tcp();
             BlockingBus bus = BlockingBus.open(mock.endpoint(), Modbus.tcp()).awaitReady(Duration.ofSeconds(5))) {
            ModbusUnit u = bus.modbusUnit(1);
            assertThatThrownBy(() -> u.readHoldingRegisters(0, 126)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("126");
            assertThatThrownBy(() -> u.writeMultipleRegisters(0, new int[124])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("124");
            assertThatThrownBy(() -> u.readCoils(65535, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65535");
            assertThat(u.readHoldingRegisters(0, 1)).containsExactly(0);
            assertThat(mock.requests()).containsExactly("unit 1: 03 00 00 00 01");
            assertThatThrownBy(() -> bus.modbusUnit(256)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
        }
        try (BlockingBus rtu = BlockingBus.open("serial:/dev/ttyLABWIRE-NOPE", Modbus.rtu(9600))) {
            assertThatThrownBy(() -> rtu.modbusUnit(248)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved): 248");
            assertThatThrownBy(() -> rtu.modbusUnit(0).readHoldingRegisters(0, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("broadcast");
        }
    }
}
