package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A device that echoes every command line before its reply (an RS232 terminal or board with echo on) while the
 * connection was not told ({@link ConnectionConfig.Echo#NONE}). Before (2026-12-04, a python serial peer), every call
 * got its own command, or the setting written before it, as its reply, silently, and the real reply reached the call
 * after it. Now such a call fails naming the echo and what to set, the link is renewed, and no reply reaches another
 * call. Every fixture is fed whole, byte by byte and at every split.
 */
class UnconfiguredEchoTest {
    private static final long T0 = 3_000_000_000L;
    private static final ConnectionConfig CFG = ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(2)).build();

    private static byte[] b(String s) {
        return s.getBytes(ISO_8859_1);
    }

    private static Connection ready(ConnectionConfig cfg) {
        Connection c = new Connection(cfg);
        c.open(T0);
        c.linkUp(T0);
        drain(c, new ArrayList<>());
        return c;
    }

    private static void drain(Connection c, List<Event> sink) {
        while (c.pollTransmit() != null) {
            // written
        }
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            sink.add(e);
        }
    }

    private static List<Event> feed(Connection c, List<byte[]> chunks) {
        List<Event> events = new ArrayList<>();
        for (byte[] chunk : chunks) {
            c.receive(ByteBuffer.wrap(chunk), T0 + 1_000_000);
            drain(c, events);
        }
        return events;
    }

    private static <T extends Event> List<T> only(List<Event> events, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Event e : events) {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        }
        return out;
    }

    @Test
    void aQueryWhoseReplyIsItsOwnCommandFailsNamingTheEchoAndTheLinkIsRenewed() {
        for (List<byte[]> chunks : Chunking.chunkings(b("ECHO? t0\r\nt0\r\n"))) {
            Connection c = ready(CFG);
            List<Event> events = new ArrayList<>();
            long id = c.send(Request.query("ECHO? t0"), T0);
            drain(c, events);
            events.addAll(feed(c, chunks));
            assertThat(only(events, Event.Reply.class)).as("no reply is handed out").isEmpty();
            List<Event.Failed> failed = only(events, Event.Failed.class);
            assertThat(failed).hasSize(1);
            assertThat(failed.get(0).id()).isEqualTo(id);
            assertThat(failed.get(0).cause()).isInstanceOf(RemoteProtocolException.class)
                    .hasMessageContaining("the reply to ECHO? t0 is the command itself (\"ECHO? t0\")")
                    .hasMessageContaining("echoes what it is sent")
                    .hasMessageContaining("ConnectionConfig.echo(Echo.CHECK_AND_DROP)");
            assertThat(only(events, Event.CloseLink.class)).as("the link is renewed").hasSize(1);
        }
    }

    @Test
    void onceTheDeviceWasSeenToEchoTheEchoOfAWriteIsNoReplyToTheQueryAfterIt() {
        for (List<byte[]> chunks : Chunking.chunkings(b("SET 1\r\nECHO? t1\r\nt1\r\n"))) {
            Connection c = ready(CFG);
            List<Event> events = new ArrayList<>();
            // the echo of a write, with nothing awaited: the device is seen to echo, and it is said at once
            c.send(Request.write("SET 0"), T0);
            drain(c, events);
            events.addAll(feed(c, List.of(b("SET 0\r\n"))));
            assertThat(only(events, Event.ProtocolError.class)).singleElement()
                    .satisfies(e -> assertThat(e.error()).hasMessageContaining("no call awaited")
                            .hasMessageContaining("the command SET 0 as written").hasMessageContaining("echo"));
            // a write, then a query written before the write's echo came back
            events.clear();
            c.send(Request.write("SET 1"), T0);
            long q = c.send(Request.query("ECHO? t1"), T0);
            drain(c, events);
            events.addAll(feed(c, chunks));
            assertThat(only(events, Event.Reply.class)).extracting(Event.Reply::id).as("only the write ends with a reply")
                    .doesNotContain(q);
            List<Event.Failed> failed = only(events, Event.Failed.class);
            assertThat(failed).singleElement().satisfies(f -> assertThat(f.cause())
                    .hasMessageContaining("the reply to ECHO? t1 is the command written before it, SET 1"));
        }
    }

    @Test
    void aReplyThatRepeatsAnEarlierSettingIsAReplyWhileTheDeviceWasNeverSeenToEcho() {
        // a device without echo may answer "MODE?" with "MODE A", the very setting written before it
        for (List<byte[]> chunks : Chunking.chunkings(b("MODE A\n"))) {
            Connection c = ready(CFG);
            List<Event> events = new ArrayList<>();
            c.send(Request.write("MODE A"), T0);
            long q = c.send(Request.query("MODE?"), T0);
            drain(c, events);
            events.addAll(feed(c, chunks));
            assertThat(only(events, Event.Reply.class)).filteredOn(r -> r.id() == q).singleElement()
                    .satisfies(r -> assertThat(r.text()).isEqualTo("MODE A"));
            assertThat(only(events, Event.Failed.class)).isEmpty();
        }
    }

    /**
     * A device that answers each setting "OK": with nothing awaited, the first such line is told once (a Protocol error,
     * which the clients log at WARN), naming the write and query(); before (2026-12-04) nothing said why queries got
     * "OK" (only a debug log of a discarded frame).
     */
    @Test
    void aLineAfterAWriteWithNothingAwaitedIsToldOnce() {
        for (List<byte[]> chunks : Chunking.chunkings(b("OK\r\n"))) {
            Connection c = ready(CFG);
            List<Event> events = new ArrayList<>();
            c.send(Request.write("SET 5"), T0);
            drain(c, events);
            events.addAll(feed(c, chunks));
            c.send(Request.write("SET 6"), T0);
            drain(c, events);
            events.addAll(feed(c, List.of(b("OK\r\n"))));
            assertThat(only(events, Event.ProtocolError.class)).singleElement().satisfies(e -> assertThat(e.error())
                    .hasMessageContaining("no call awaited (\"OK\") after the write of SET 5")
                    .hasMessageContaining("query()"));
            long q = c.send(Request.query("ECHO? t"), T0);
            drain(c, events);
            events.addAll(feed(c, List.of(b("t\r\n"))));
            assertThat(only(events, Event.Reply.class)).filteredOn(r -> r.id() == q).singleElement()
                    .satisfies(r -> assertThat(r.text()).isEqualTo("t"));
        }
    }

    @Test
    void binaryFramingsAndEchoCheckingAreLeftAlone() {
        // a Modbus register write is answered with the request itself: only lines are suspected
        Connection c = ready(ConnectionConfig.builder().framing(Framing.of(max -> new dev.labwire.core.frame.FixedLengthFramer(4)))
                .writeTerminator("").build());
        List<Event> events = new ArrayList<>();
        long q = c.send(Request.query("ABCD"), T0);
        drain(c, events);
        events.addAll(feed(c, List.of(b("ABCD"))));
        assertThat(only(events, Event.Reply.class)).singleElement().satisfies(r -> assertThat(r.id()).isEqualTo(q));
    }

    @Test
    void anEchoWhoseLineEndDiffersSaysSoWithEchoChecking() {
        Connection c = ready(ConnectionConfig.builder().echo(ConnectionConfig.Echo.CHECK_AND_DROP).build());
        List<Event> events = new ArrayList<>();
        c.send(Request.query("ECHO? t0"), T0);
        drain(c, events);
        events.addAll(feed(c, List.of(b("ECHO? t0\r\nt0\r\n"))));
        assertThat(only(events, Event.Failed.class)).singleElement().satisfies(f -> assertThat(f.cause())
                .hasMessageContaining("echo mismatch").hasMessageContaining("byte 8 should be 0x0A but is 0x0D")
                .hasMessageContaining("set ConnectionConfig.writeTerminator to the line end the device echoes"));
    }
}
