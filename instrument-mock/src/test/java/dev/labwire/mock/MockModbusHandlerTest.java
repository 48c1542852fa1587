package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** {@link MockModbus#handler}: a unit answered by its own personality, the shared registers as fallback, silence wins. */
class MockModbusHandlerTest {
    /** One Modbus TCP exchange on a real loopback socket: the reply PDU (after the MBAP header). */
    static byte[] exchange(Socket s, int tid, int unit, byte... pdu) throws Exception {
        OutputStream out = s.getOutputStream();
        byte[] adu = new byte[7 + pdu.length];
        adu[0] = (byte) (tid >> 8);
        adu[1] = (byte) tid;
        adu[5] = (byte) (pdu.length + 1);
        adu[6] = (byte) unit;
        System.arraycopy(pdu, 0, adu, 7, pdu.length);
        out.write(adu);
        out.flush();
        InputStream in = s.getInputStream();
        byte[] head = in.readNBytes(7);
        assertThat(head).hasSize(7);
        assertThat((head[0] & 0xFF) << 8 | (head[1] & 0xFF)).as("transaction id echoed").isEqualTo(tid);
        assertThat(head[6] & 0xFF).as("unit echoed").isEqualTo(unit);
        return in.readNBytes(((head[4] & 0xFF) << 8 | (head[5] & 0xFF)) - 1);
    }

    @Test
    void aHandlerAnswersItsUnitAndNullFallsBackToTheRegisters() throws Exception {
        try (MockModbus mock = MockModbus.tcp();
             Socket s = new Socket(InetAddress.getLoopbackAddress(), portOf(mock))) {
            mock.setHoldingRegisters(0, 1111);
            mock.handler(9, pdu -> pdu[0] == 3 ? new byte[] {3, 2, 0x12, 0x34} : null);
            s.setSoTimeout(2000);
            assertThat(exchange(s, 1, 9, (byte) 3, (byte) 0, (byte) 0, (byte) 0, (byte) 1))
                    .containsExactly(3, 2, 0x12, 0x34);
            assertThat(exchange(s, 2, 1, (byte) 3, (byte) 0, (byte) 0, (byte) 0, (byte) 1))
                    .as("another unit: the shared registers").containsExactly(3, 2, 0x04, 0x57);
            assertThat(exchange(s, 3, 9, (byte) 6, (byte) 0, (byte) 0, (byte) 0, (byte) 7))
                    .as("null from the handler: the shared registers").containsExactly(6, 0, 0, 0, 7);
            assertThat(mock.holdingRegister(0)).isEqualTo(7);
            mock.silent(9, true);
            s.setSoTimeout(300);
            assertThatThrownBy(() -> exchange(s, 4, 9, (byte) 3, (byte) 0, (byte) 0, (byte) 0, (byte) 1))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(mock.requests()).contains("unit 9: 03 00 00 00 01");
        }
    }

    @Test
    void removingTheHandlerRestoresTheRegisters() throws Exception {
        try (MockModbus mock = MockModbus.tcp(); Socket s = new Socket(InetAddress.getLoopbackAddress(), portOf(mock))) {
            s.setSoTimeout(2000);
            mock.handler(2, pdu -> new byte[] {(byte) 0x83, 2});
            assertThat(exchange(s, 1, 2, (byte) 3, (byte) 0, (byte) 0, (byte) 0, (byte) 1)).containsExactly(0x83, 2);
            mock.handler(2, null);
            assertThat(exchange(s, 2, 2, (byte) 3, (byte) 0, (byte) 0, (byte) 0, (byte) 1)).containsExactly(3, 2, 0, 0);
        }
    }

    static int portOf(MockModbus mock) {
        return mock.port();
    }
}
