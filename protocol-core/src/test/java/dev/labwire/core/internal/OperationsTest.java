package dev.labwire.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Operation;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.frame.Frame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Operation}s on a raw SCPI {@link Connection}, on a bus, and the status byte read out of a reply. */
class OperationsTest {

    private static Event.Reply reply(String... lines) {
        return new Event.Reply(1, Request.operation(Operation.READ_STATUS_BYTE),
                java.util.Arrays.stream(lines).map(Frame::of).toList());
    }

    @Test
    void statusBytesAreDecimalBytes() {
        assertThat(Operations.statusByte(reply("0"))).isZero();
        assertThat(Operations.statusByte(reply("+64"))).isEqualTo(64);
        assertThat(Operations.statusByte(reply(" 255 "))).isEqualTo(255);
        for (String bad : List.of("256", "-1", "", "4.0", "1e2", "0x40", "1234")) {
            assertThatThrownBy(() -> Operations.statusByte(reply(bad))).isInstanceOf(RemoteProtocolException.class)
                    .hasMessageContaining("not an integer 0..255");
        }
        assertThatThrownBy(() -> Operations.statusByte(reply("1", "2"))).hasMessageContaining("2 frames");
    }

    @Test
    void aRawLinkReadsTheStatusByteWithStbAndTriggersWithTrg() {
        Connection c = new Connection(ConnectionConfig.DEFAULT);
        c.open(0);
        c.nextEvent();
        c.linkUp(0);
        while (c.nextEvent() != Event.NeedData.INSTANCE) {
            continue;
        }
        long stb = c.send(Request.operation(Operation.READ_STATUS_BYTE).withTimeout(Duration.ofSeconds(2)), 0);
        assertThat(StandardCharsets.US_ASCII.decode(c.pollTransmit()).toString()).isEqualTo("*STB?\n");
        c.receive(ByteBuffer.wrap("+32\n".getBytes(StandardCharsets.US_ASCII)), 1);
        Event e = c.nextEvent();
        assertThat(e).isInstanceOf(Event.Reply.class);
        assertThat(((Event.Reply) e).id()).isEqualTo(stb);
        assertThat(Operations.statusByte((Event.Reply) e)).isEqualTo(32);
        c.send(Request.operation(Operation.TRIGGER), 2);
        assertThat(StandardCharsets.US_ASCII.decode(c.pollTransmit()).toString()).isEqualTo("*TRG\n");
    }

    @Test
    void aRawLinkRefusesWhatOnlyLanProtocolsHaveAndWritesNothing() {
        Connection c = new Connection(ConnectionConfig.DEFAULT);
        for (Operation op : List.of(Operation.CLEAR, Operation.LOCK, Operation.UNLOCK, Operation.REMOTE, Operation.LOCAL)) {
            assertThatThrownBy(() -> c.send(Request.operation(op), 0)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining(op.shown() + " (" + op + ") is not available on a raw SCPI link")
                    .hasMessageContaining("vxi11://host, hislip://host");
        }
        assertThat(c.queuedCount()).isZero();
        assertThatThrownBy(() -> new Connection(ConnectionConfig.builder()
                .onConnect(Request.operation(Operation.CLEAR)).build()))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("device clear");
        assertThat(Request.operation(Operation.LOCK).withTimeout(Duration.ofSeconds(3)))
                .hasToString("Request[LOCK, timeout=PT3S]");
        assertThat(Request.operation(Operation.CLEAR).expect()).isEqualTo(new Expect.Operate(Operation.CLEAR));
    }

    @Test
    void aBusRefusesOperations() {
        Bus bus = new Bus(BusConfig.builder().build());
        assertThatThrownBy(() -> bus.send(Address.of(1), Request.operation(Operation.READ_STATUS_BYTE), 0))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("a bus of addressed devices");
    }
}
