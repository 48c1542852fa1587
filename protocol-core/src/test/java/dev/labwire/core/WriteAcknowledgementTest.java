package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A device that answers every command, settings too ("OK", or "ERR n" for a refused one), as many RS232 boards and
 * controllers do. Without {@link ConnectionConfig#writeAcknowledgement()}, a write ends once written, and its "OK"
 * reaches the query written after it (replies carry no tag). With it, each write awaits its answer and checks it. Every
 * fixture is fed whole, byte by byte and at every split.
 */
class WriteAcknowledgementTest {
    private static final long T0 = 3_000_000_000L;
    private static final ConnectionConfig PLAIN = ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(2)).build();
    private static final ConnectionConfig ACKED = PLAIN.toBuilder().writeAcknowledgement("OK").build();

    private static byte[] b(String s) {
        return s.getBytes(ISO_8859_1);
    }

    private static Connection ready(ConnectionConfig cfg, List<Event> events) {
        Connection c = new Connection(cfg);
        c.open(T0);
        c.linkUp(T0);
        drain(c, events);
        return c;
    }

    private static List<String> drain(Connection c, List<Event> sink) {
        List<String> written = new ArrayList<>();
        for (ByteBuffer out; (out = c.pollTransmit()) != null; ) {
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            written.add(new String(bytes, ISO_8859_1));
        }
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            sink.add(e);
        }
        return written;
    }

    /** Feeds {@code chunks}, draining after each; returns what was written meanwhile. */
    private static String feed(Connection c, List<byte[]> chunks, long now, List<Event> sink) {
        StringBuilder written = new StringBuilder();
        for (byte[] chunk : chunks) {
            c.receive(ByteBuffer.wrap(chunk), now);
            written.append(String.join("", drain(c, sink)));
        }
        return written.toString();
    }

    private static Event endingOf(List<Event> events, long id) {
        Event found = null;
        for (Event e : events) {
            long eid = e instanceof Event.Reply r ? r.id() : e instanceof Event.Failed f ? f.id()
                    : e instanceof Event.Timeout t ? t.id() : -1;
            if (eid == id) {
                assertThat(found).as("one ending for request %d", id).isNull();
                found = e;
            }
        }
        return found;
    }

    @Test
    void withoutTheSettingAWritesOkReachesTheQueryWrittenAfterIt() {
        // the fault itself, as a plain config sees it: the evidence for the setting
        List<Event> events = new ArrayList<>();
        Connection c = ready(PLAIN, events);
        long write = c.send(Request.write("VOLT 5"), T0);
        drain(c, events);
        assertThat(endingOf(events, write)).as("a plain write ends once written").isInstanceOf(Event.Reply.class);
        long query = c.send(Request.query("MEAS?"), T0);
        drain(c, events);
        feed(c, List.of(b("OK\n1.25\n")), T0 + 1_000_000, events);
        assertThat(((Event.Reply) endingOf(events, query)).text()).isEqualTo("OK");
    }

    @Test
    void anAcknowledgedWriteEndsAtItsOkAndTheQueryAfterItGetsItsOwnReplyInEveryChunking() {
        for (List<byte[]> chunks : Chunking.chunkings(b("OK\r\n1.25\r\n"))) {
            List<Event> events = new ArrayList<>();
            Connection c = ready(ACKED, events);
            long write = c.send(Request.write("VOLT 5"), T0);
            long query = c.send(Request.query("MEAS?"), T0);
            List<String> wire = drain(c, events);
            assertThat(String.join("", wire)).as("the query waits for the write's answer").isEqualTo("VOLT 5\n");
            assertThat(endingOf(events, write)).as("not ended by being written").isNull();
            List<byte[]> okOnly = new ArrayList<>();
            List<byte[]> rest = new ArrayList<>();
            int seen = 0;
            for (byte[] chunk : chunks) {
                int cut = Math.max(0, Math.min(chunk.length, 4 - seen));
                if (cut > 0) {
                    okOnly.add(java.util.Arrays.copyOf(chunk, cut));
                }
                if (cut < chunk.length) {
                    rest.add(java.util.Arrays.copyOfRange(chunk, cut, chunk.length));
                }
                seen += chunk.length;
            }
            assertThat(feed(c, okOnly, T0 + 1_000_000, events)).isEqualTo("MEAS?\n");
            assertThat(endingOf(events, write)).isInstanceOf(Event.Reply.class);
            feed(c, rest, T0 + 2_000_000, events);
            assertThat(((Event.Reply) endingOf(events, query)).text()).isEqualTo("1.25");
        }
    }

    @Test
    void aRefusedWriteFailsNamingTheWriteTheAnswerAndThePatternAndLosesNothingElse() {
        List<Event> events = new ArrayList<>();
        Connection c = ready(ACKED, events);
        long write = c.send(Request.write("VOLT 99"), T0);
        long query = c.send(Request.query("MEAS?"), T0);
        drain(c, events);
        String written = feed(c, List.of(b("ERR 3\n")), T0 + 1_000_000, events);
        assertThat(endingOf(events, write)).isInstanceOfSatisfying(Event.Failed.class, f -> assertThat(f.cause())
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("write VOLT 99 was answered \"ERR 3\"")
                .hasMessageContaining("does not match \"OK\" (ConnectionConfig.writeAcknowledgement)"));
        assertThat(written).isEqualTo("MEAS?\n");
        feed(c, List.of(b("0.00\n")), T0 + 2_000_000, events);
        assertThat(((Event.Reply) endingOf(events, query)).text()).isEqualTo("0.00");
        assertThat(events).noneMatch(e -> e instanceof Event.CloseLink);
    }

    @Test
    void anUnansweredWriteTimesOutByItsDeadlineAndItsLateOkReachesNoLaterCall() {
        List<Event> events = new ArrayList<>();
        Connection c = ready(ACKED, events);
        long write = c.send(Request.write("VOLT 5").withTimeout(Duration.ofMillis(300)), T0);
        drain(c, events);
        assertThat(c.pollTimeoutNanos()).isEqualTo(T0 + 300_000_000L);
        c.handleTimeout(T0 + 300_000_000L);
        drain(c, events);
        assertThat(endingOf(events, write)).isInstanceOf(Event.Timeout.class);
        long query = c.send(Request.query("MEAS?"), T0 + 301_000_000L);
        drain(c, events);
        feed(c, List.of(b("OK\n")), T0 + 400_000_000L, events); // the late answer
        feed(c, List.of(b("1.25\n")), T0 + 401_000_000L, events);
        drain(c, events);
        assertThat(((Event.Reply) endingOf(events, query)).text()).isEqualTo("1.25");
    }

    @Test
    void theOnConnectHooksWritesAreAcknowledgedBeforeUserCallsAndARefusalRenewsTheLink() {
        ConnectionConfig cfg = ACKED.toBuilder().onConnect(Request.write("MODE REMOTE")).build();
        List<Event> events = new ArrayList<>();
        Connection c = new Connection(cfg);
        c.open(T0);
        c.linkUp(T0);
        long query = c.send(Request.query("MEAS?"), T0);
        assertThat(String.join("", drain(c, events))).isEqualTo("MODE REMOTE\n");
        assertThat(feed(c, List.of(b("OK\n")), T0 + 1_000_000, events)).isEqualTo("MEAS?\n");
        feed(c, List.of(b("2.5\n")), T0 + 2_000_000, events);
        assertThat(((Event.Reply) endingOf(events, query)).text()).isEqualTo("2.5");

        List<Event> refused = new ArrayList<>();
        Connection r = ready(cfg, refused);
        drain(r, refused);
        feed(r, List.of(b("ERR 1\n")), T0 + 1_000_000, refused);
        assertThat(refused).anyMatch(e -> e instanceof Event.CloseLink cl && cl.reason().contains("ERR 1"));
    }

    @Test
    void anAcknowledgementPatternMatchesTheWholeAnswerAndAcknowledgedWritesAreNotSentAgainAfterALostLink() {
        ConnectionConfig ack = PLAIN.toBuilder().writeAcknowledgement(Pattern.compile("\u0006")).retryQueriesOnLinkDown(true).build();
        assertThat(ack.acknowledges(Request.write("SET"))).isTrue();
        assertThat(ack.acknowledges(Request.query("GET?"))).isFalse();
        assertThat(ack.resends(Request.write("SET"))).isFalse();
        assertThat(PLAIN.acknowledges(Request.write("SET"))).isFalse();
        List<Event> events = new ArrayList<>();
        Connection c = ready(ack, events);
        long partial = c.send(Request.write("SET 1"), T0);
        drain(c, events);
        feed(c, List.of(b("\u0006 extra\n")), T0 + 1_000_000, events);
        assertThat(endingOf(events, partial)).as("a match of part of the answer is not enough").isInstanceOf(Event.Failed.class);
        long whole = c.send(Request.write("SET 2"), T0 + 2_000_000);
        drain(c, events);
        feed(c, List.of(b("\u0006\n")), T0 + 3_000_000, events);
        assertThat(endingOf(events, whole)).isInstanceOf(Event.Reply.class);
    }

    @Test
    void withEchoCheckingTheEchoComesFirstThenTheAcknowledgementInEveryChunking() {
        ConnectionConfig cfg = ACKED.toBuilder().echo(ConnectionConfig.Echo.CHECK_AND_DROP).build();
        for (List<byte[]> chunks : Chunking.chunkings(b("VOLT 5\nOK\n"))) {
            List<Event> events = new ArrayList<>();
            Connection c = ready(cfg, events);
            long write = c.send(Request.write("VOLT 5"), T0);
            long query = c.send(Request.query("MEAS?"), T0);
            drain(c, events);
            assertThat(feed(c, chunks, T0 + 1_000_000, events)).isEqualTo("MEAS?\n");
            assertThat(endingOf(events, write)).isInstanceOf(Event.Reply.class);
            feed(c, List.of(b("MEAS?\n1.25\n")), T0 + 2_000_000, events);
            assertThat(((Event.Reply) endingOf(events, query)).text()).isEqualTo("1.25");
        }
    }

    @Test
    void aBusRefusesTheSettingNamingIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.labwire.core.bus.BusConfig.builder().connection(ACKED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("writeAcknowledgement (\"OK\") is for a link to one device");
    }
}
