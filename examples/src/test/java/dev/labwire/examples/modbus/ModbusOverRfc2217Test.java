package dev.labwire.examples.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.modbus.Modbus;
import dev.labwire.core.modbus.ModbusCall;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockModbus;
import dev.labwire.mock.PyserialRfc2217;
import dev.labwire.mock.Ser2net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Modbus RTU through an RFC 2217 terminal server (ser2net and pyserial's server, as a Moxa NPort or a ser2net box in
 * front of an RS485 line), both clients, to a {@link MockModbus} on the pty behind it. RTU frames are binary: CRC bytes
 * and register values of 0xFF travel as {@code IAC IAC} both ways; the server forwards a reply in TCP segments whose
 * gaps have nothing to do with the line's silences, so a reply in pieces 30 ms apart must stay one reply.
 */
class ModbusOverRfc2217Test {
    enum Server { SER2NET, PYSERIAL }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (ModbusClients.Kind k : ModbusClients.Kind.values()) {
            for (Server s : Server.values()) {
                all.add(Arguments.of(k, s));
            }
        }
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void rtuFramesWith0xFfBytesAndRepliesInPiecesCrossTheTerminalServer(ModbusClients.Kind kind, Server server) throws Exception {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        assumeTrue(server == Server.SER2NET ? Ser2net.available() : PyserialRfc2217.available(), server + " is not installed");
        try (MockModbus mock = MockModbus.rtu();
                AutoCloseable ts = server == Server.SER2NET ? Ser2net.rfc2217(mock.devicePath()) : PyserialRfc2217.start(mock.devicePath())) {
            String endpoint = (ts instanceof Ser2net s ? s.endpoint() : ((PyserialRfc2217) ts).endpoint()) + "?baud=9600";
            try (ModbusClients.Bus bus = ModbusClients.open(kind, endpoint, Modbus.rtu(9600))) {
                ModbusClients.Unit u = bus.unit(1);
                mock.setHoldingRegisters(0, 0xFFFF, 0xFF00, 0x00FF, 0x1234);
                assertThat(u.call(ModbusCall.readHoldingRegisters(0, 4), Duration.ofSeconds(3))).containsExactly(0xFFFF, 0xFF00, 0x00FF, 0x1234);
                u.call(ModbusCall.writeMultipleRegisters(10, new int[] {0xFFFF, 0xFFFF, 0}), Duration.ofSeconds(3));
                assertThat(mock.holdingRegister(10)).isEqualTo(0xFFFF);
                assertThat(u.call(ModbusCall.readHoldingRegisters(10, 3), Duration.ofSeconds(3))).containsExactly(0xFFFF, 0xFFFF, 0);

                int[] values = new int[125];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (i % 3 == 0) ? 0xFFFF : 40 * i;
                }
                mock.setHoldingRegisters(100, values).splitReplies(64, Duration.ofMillis(30));
                assertThat(u.call(ModbusCall.readHoldingRegisters(100, 125), Duration.ofSeconds(3))).containsExactly(values);

                mock.splitReplies(0, Duration.ZERO).faultNextReplies(MockModbus.ReplyFault.WRONG_UNIT, 1);
                assertThatThrownBy(() -> u.call(ModbusCall.readHoldingRegisters(0, 1), Duration.ofMillis(500)))
                        .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("unit 2 answered, not unit 1");
                assertThat(u.call(ModbusCall.readHoldingRegisters(0, 1), Duration.ofSeconds(3))).containsExactly(0xFFFF);
            }
        }
    }
}
