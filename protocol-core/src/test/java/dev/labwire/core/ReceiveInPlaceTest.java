package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.frame.FramingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection#receive} reads a heap buffer in place: replies survive the driver reusing its buffer, and the
 * frame limits hold whatever one read holds (an oversized frame is refused without the connection storing it).
 */
class ReceiveInPlaceTest {

    private static Connection ready(ConnectionConfig cfg) {
        Connection c = new Connection(cfg);
        c.open(0);
        c.linkUp(0);
        drain(c);
        return c;
    }

    private static List<Event> drain(Connection c) {
        while (c.pollTransmit() != null) {
            // written
        }
        List<Event> out = new ArrayList<>();
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            out.add(e);
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void repliesSurviveTheDriverOverwritingItsBuffer() {
        Connection c = ready(ConnectionConfig.builder().maxInFlight(3).build());
        long a = c.send(Request.query("A?"), 0);
        long b = c.send(Request.of("B?", Expect.block()), 0);
        long d = c.send(Request.query("D?"), 0);
        drain(c);
        byte[] read = new byte[64];
        byte[] wire = ascii("alpha\n#15bravo\ndel");
        System.arraycopy(wire, 0, read, 10, wire.length);
        ByteBuffer buf = ByteBuffer.wrap(read, 10, wire.length);
        c.receive(buf, 1);
        assertThat(buf.hasRemaining()).isFalse();
        Arrays.fill(read, (byte) '\n');
        assertThat(c.bufferedBytes()).as("only the unfinished line is kept").isEqualTo(3);
        buf.clear().put(ascii("ta\n")).flip();
        c.receive(buf, 2);
        Arrays.fill(read, (byte) '#');
        List<String> replies = new ArrayList<>();
        for (Event e : drain(c)) {
            if (e instanceof Event.Reply r) {
                replies.add(r.id() + "=" + r.text());
            }
        }
        assertThat(replies).containsExactly(a + "=alpha", b + "=bravo", d + "=delta");
    }

    @Test
    void anOversizedBlockInOneBigReadIsRefusedWithoutBeingStored() {
        Connection c = ready(ConnectionConfig.builder().maxFrameLength(4096).build());
        long id = c.send(Request.of("CURV?", Expect.block()), 0);
        long next = c.send(Request.query("*OPC?"), 0);
        drain(c);
        byte[] header = ascii("#71048576");
        byte[] read = new byte[header.length + (1 << 20) + 1];
        System.arraycopy(header, 0, read, 0, header.length);
        Arrays.fill(read, header.length, header.length + (1 << 20), (byte) 0x55);
        read[read.length - 1] = '\n';
        c.receive(ByteBuffer.wrap(read), 1);
        assertThat(c.bufferCapacity()).as("nothing of the 1 MiB block was stored").isEqualTo(1024);
        List<Event> events = drain(c);
        assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(Event.Failed.class, f -> {
            assertThat(f.id()).isEqualTo(id);
            assertThat(f.cause()).isInstanceOfSatisfying(FramingException.class,
                    x -> assertThat(x.kind()).isEqualTo(FramingException.Kind.TOO_LONG));
        }));
        c.receive(ByteBuffer.wrap(ascii("1\n")), 2); // the next request was written once the block's failed
        assertThat(drain(c)).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(Event.Reply.class, r -> {
            assertThat(r.id()).isEqualTo(next);
            assertThat(r.text()).isEqualTo("1");
        }));
    }

    @Test
    void garbageWithoutAnEndOfLineInOneBigReadIsDiscardedAsItComes() {
        Connection c = ready(ConnectionConfig.builder().maxFrameLength(256).build());
        byte[] read = new byte[1 << 20];
        Arrays.fill(read, (byte) 'g');
        c.receive(ByteBuffer.wrap(read), 1);
        assertThat(c.bufferedBytes()).isLessThanOrEqualTo(256);
        assertThat(c.bufferCapacity()).isEqualTo(1024);
        assertThat(drain(c)).anySatisfy(e -> assertThat(e).isInstanceOf(Event.ProtocolError.class));
    }
}
