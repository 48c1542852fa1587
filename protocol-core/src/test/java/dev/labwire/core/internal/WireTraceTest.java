package dev.labwire.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkMachine;
import dev.labwire.core.Request;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.bus.BusConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The wire trace's lines and logger names, and the core's read-only views they are made from. */
class WireTraceTest {
    private static final long T0 = 5_000_000_000L;

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void drainEvents(LinkMachine m) {
        while (m.nextEvent() != Event.NeedData.INSTANCE) {
            continue;
        }
    }

    @Test
    void loggerNamesAreOneLevelBelowThePrefix() {
        assertThat(WireTrace.loggerName("tcp://192.168.1.20:5025")).isEqualTo("dev.labwire.wire.tcp_192_168_1_20_5025");
        assertThat(WireTrace.loggerName("tcp://scope-1.lab:5025")).isEqualTo("dev.labwire.wire.tcp_scope_1_lab_5025");
        assertThat(WireTrace.loggerName("serial:/dev/ttyUSB0?baud=9600&parity=none"))
                .isEqualTo("dev.labwire.wire.serial_dev_ttyUSB0");
        assertThat(WireTrace.loggerName("serial:usb:0403:6001:A50285BI?baud=9600"))
                .isEqualTo("dev.labwire.wire.serial_usb_0403_6001_A50285BI");
        assertThat(WireTrace.loggerName("/x/")).isEqualTo("dev.labwire.wire.x");
    }

    @Test
    void aQueryIsTracedWithItsIdBothWaysAndStrayBytesAreUnsolicited() {
        Connection c = new Connection(ConnectionConfig.builder().build());
        WireTrace t = new WireTrace();
        c.open(T0);
        t.linkUp(T0);
        c.linkUp(T0);
        drainEvents(c);
        assertThat(t.received(c, bytes("SRQ\n"), T0 + 1_000)).isEqualTo("<< +0.001 ms unsolicited 4 bytes \"SRQ\\n\"");

        long id = c.send(Request.query("MEAS?"), T0);
        ByteBuffer out = c.pollTransmit();
        assertThat(t.sent(c, out, T0 + 1_234_567)).isEqualTo(">> +1.234 ms #" + id + " 6 bytes \"MEAS?\\n\"");
        assertThat(out.remaining()).as("the chunk is left as it was").isEqualTo(6);
        assertThat(c.pollTransmit()).isNull();
        assertThat(c.transmittedFirstId()).as("a call that hands out nothing").isEqualTo(-1);

        ByteBuffer reply = bytes("+1.5E0\n");
        assertThat(t.received(c, reply, T0 + 12_000_000))
                .isEqualTo("<< +12.000 ms #" + id + " \"MEAS?\" 7 bytes \"+1.5E0\\n\"");
        c.receive(reply, T0 + 12_000_000);
        assertThat(c.awaitedId()).isEqualTo(-1);
        assertThat(c.awaitedRequest()).isNull();
    }

    @Test
    void oneBufferHoldingSeveralRequestsNamesTheFirstAndTheLast() {
        Connection c = new Connection(ConnectionConfig.builder().maxInFlight(4)
                .pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build());
        WireTrace t = new WireTrace();
        c.open(T0);
        c.linkUp(T0);
        t.linkUp(T0);
        long a = c.send(Request.query("A?"), T0);
        c.send(Request.query("B?"), T0);
        long z = c.send(Request.query("C?"), T0);
        ByteBuffer dst = ByteBuffer.allocate(64);
        int n = c.pollTransmit(dst);
        dst.flip();
        assertThat(n).isEqualTo(9);
        assertThat(t.sent(c, dst, T0)).isEqualTo(">> +0.000 ms #" + a + "..#" + z + " 9 bytes \"A?\\nB?\\nC?\\n\"");
    }

    @Test
    void aLongChunkIsCutAtTheBound() {
        Connection c = new Connection(ConnectionConfig.builder().build());
        WireTrace t = new WireTrace();
        c.open(T0);
        c.linkUp(T0);
        t.linkUp(T0);
        String line = t.received(c, ByteBuffer.wrap(new byte[10_000]), T0);
        assertThat(line).startsWith("<< +0.000 ms unsolicited 10000 bytes \"\\x00")
                .endsWith("\"... (10000 bytes)")
                .hasSize("<< +0.000 ms unsolicited 10000 bytes \"\"... (10000 bytes)".length() + 4 * WireTrace.SHOWN);
    }

    @Test
    void aBusNamesItsOwnIdsAndTheAddressedCommand() {
        ConnectionConfig cr = ConnectionConfig.builder().framing(dev.labwire.core.Framing.lines("\r")).writeTerminator("\r").build();
        Bus bus = new Bus(BusConfig.builder().connection(cr).build()); // ASCII prefix addressing
        WireTrace t = new WireTrace();
        bus.open(T0);
        bus.linkUp(T0);
        t.linkUp(T0);
        drainEvents(bus);
        long id = bus.send(Address.of("A"), Request.query("FLOW?"), T0);
        ByteBuffer out = bus.pollTransmit();
        assertThat(t.sent(bus, out, T0)).isEqualTo(">> +0.000 ms #" + id + " 7 bytes \"AFLOW?\\r\"");
        assertThat(t.received(bus, bytes("A12.5\r"), T0)).isEqualTo("<< +0.000 ms #" + id + " \"AFLOW?\" 6 bytes \"A12.5\\r\"");
    }
}
