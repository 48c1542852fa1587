package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.scpi.IeeeBlock;
import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Faults real instruments produce, each against the exchange core: CR LF after a block, a block command holding
 * the terminator, a query the device never answers (SCPI error), write() of a query, huge durations and huge
 * declared block lengths.
 */
class ExchangeFaultsTest {
    private static final long T0 = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    private static Connection ready(ConnectionConfig cfg) {
        Connection c = new Connection(cfg);
        c.open(T0);
        c.nextEvent();
        c.nextEvent();
        c.linkUp(T0);
        drain(c, new ArrayList<>(), new ArrayList<>());
        assertThat(c.state()).isEqualTo(State.READY);
        return c;
    }

    private static void drain(Connection c, List<String> written, List<Event> events) {
        for (ByteBuffer out; (out = c.pollTransmit()) != null; ) {
            byte[] b = new byte[out.remaining()];
            out.get(b);
            written.add(new String(b, ISO_8859_1));
        }
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            events.add(e);
        }
    }

    private static List<String> replies(List<Event> events) {
        List<String> out = new ArrayList<>();
        for (Event e : events) {
            if (e instanceof Event.Reply r) {
                out.add(r.frames().isEmpty() ? "<none>" : r.text());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ 1. CR LF after a definite block

    @Test
    void crLfAfterABlockIsItsTrailerInEverySplitAndTimingAndWithTheNextRequestInFlight() {
        byte[] wire = "#15HELLO\r\n".getBytes(ISO_8859_1);
        for (int maxInFlight : new int[] {1, 2}) {
            for (String writeTerminator : new String[] {"\n", "\r\n"}) {
                for (List<byte[]> chunks : Chunking.chunkings(wire)) {
                    Connection c = ready(ConnectionConfig.builder().maxInFlight(maxInFlight).writeTerminator(writeTerminator).build());
                    List<String> written = new ArrayList<>();
                    List<Event> events = new ArrayList<>();
                    c.send(Request.of("CURV?", Expect.block()), T0);
                    c.send(Request.query("*OPC?"), T0);
                    drain(c, written, events);
                    long now = T0;
                    for (byte[] chunk : chunks) {
                        now += 30 * MS; // each part 30 ms after the one before
                        c.receive(ByteBuffer.wrap(chunk), now);
                        drain(c, written, events);
                    }
                    assertThat(written).hasSize(2);
                    c.receive(ByteBuffer.wrap("1\n".getBytes(ISO_8859_1)), now + 30 * MS);
                    drain(c, written, events);
                    assertThat(replies(events)).as("mif %d, terminator %s", maxInFlight, writeTerminator.length())
                            .containsExactly("HELLO", "1");
                }
            }
        }
    }

    @Test
    void aLateTrailerAfterTheNextRequestWasWrittenIsStillTheTrailer() {
        Connection c = ready(ConnectionConfig.DEFAULT);
        List<String> written = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        c.send(Request.of("CURV?", Expect.block()), T0);
        drain(c, written, events);
        c.receive(ByteBuffer.wrap("#15HELLO".getBytes(ISO_8859_1)), T0);
        drain(c, written, events);
        c.send(Request.query("*IDN?"), T0);
        drain(c, written, events);
        assertThat(written).containsExactly("CURV?\n", "*IDN?\n");
        c.receive(ByteBuffer.wrap("\r".getBytes(ISO_8859_1)), T0 + 30 * MS);
        c.receive(ByteBuffer.wrap("\nACME\r\n".getBytes(ISO_8859_1)), T0 + 60 * MS);
        drain(c, written, events);
        assertThat(replies(events)).containsExactly("HELLO", "ACME");
    }

    // ------------------------------------------------------------------ 2. a block command may hold any byte

    @Property(tries = 1000)
    void anyBlockPayloadGoesOutIntactAndComesBackThroughAnEchoingDevice(@ForAll long seed) {
        Random r = new Random(seed);
        byte[] data = new byte[200];
        r.nextBytes(data);
        data[r.nextInt(200)] = '\n'; // certainly holds the terminator
        Request cmd = Request.of(IeeeBlock.command("DATA:ECHO", data), Expect.block());
        Connection c = ready(ConnectionConfig.DEFAULT);
        List<String> written = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        c.send(cmd, T0);
        drain(c, written, events);
        byte[] sent = String.join("", written).getBytes(ISO_8859_1);
        byte[] header = "DATA:ECHO #3200".getBytes(ISO_8859_1);
        assertThat(java.util.Arrays.copyOfRange(sent, 0, header.length)).isEqualTo(header);
        assertThat(java.util.Arrays.copyOfRange(sent, header.length, header.length + 200)).isEqualTo(data);
        assertThat(sent).hasSize(header.length + 201);
        byte[] reply = new byte[5 + 200 + 2];
        System.arraycopy("#3200".getBytes(ISO_8859_1), 0, reply, 0, 5);
        System.arraycopy(data, 0, reply, 5, 200);
        reply[205] = '\r';
        reply[206] = '\n';
        for (byte[] chunk : Chunking.randomSplit(reply, r)) {
            c.receive(ByteBuffer.wrap(chunk), T0);
        }
        drain(c, written, events);
        assertThat(((Event.Reply) events.get(0)).frame().toByteArray()).isEqualTo(data);
    }

    @Test
    void theTerminatorOutsideABlockIsStillRefusedNamingWhere() {
        ConnectionConfig cfg = ConnectionConfig.DEFAULT;
        cfg.checkPayload(Request.of("DATA #15a\nbcd".getBytes(ISO_8859_1), Expect.nothing()));
        assertThatThrownBy(() -> cfg.checkPayload(Request.of("DATA #15a\nbcd\nX".getBytes(ISO_8859_1), Expect.nothing())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 13");
        assertThatThrownBy(() -> cfg.checkPayload(Request.of("DATA #19a\nbc".getBytes(ISO_8859_1), Expect.nothing())))
                .as("a block shorter than its header says is no block").hasMessageContaining("index 9");
    }

    // ------------------------------------------------------------------ 3. + 6. a query the device never answers

    @Test
    void withAllDefaultsAQueryNeverAnsweredThenIdnGetsTheIdentityWithinItsOwnTimeout() {
        Connection c = ready(ConnectionConfig.DEFAULT);
        List<String> written = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        long foo = c.send(Request.query("FOO:BAR?"), T0);
        drain(c, written, events);
        long t = T0 + Duration.ofSeconds(5).toNanos();
        c.handleTimeout(t);
        drain(c, written, events);
        assertThat(events).extracting(e -> e instanceof Event.Timeout to ? to.id() : -1L).contains(foo);
        long idn = c.send(Request.query("*IDN?"), t);
        long idnDeadline = t + Duration.ofSeconds(5).toNanos();
        drain(c, written, events);
        assertThat(written).as("nothing written while FOO:BAR?'s late reply may come").containsExactly("FOO:BAR?\n");
        // the driver obeys the timer: at the end of the grace the link is renewed
        long when = c.pollTimeoutNanos();
        assertThat(when).isLessThan(idnDeadline);
        c.handleTimeout(when);
        drain(c, written, events);
        assertThat(events.stream().filter(e -> e instanceof Event.CloseLink)).hasSize(1);
        c.linkDown(new IllegalStateException("closed"), when);
        drain(c, written, events);
        long reopen = c.pollTimeoutNanos();
        c.handleTimeout(reopen);
        drain(c, written, events);
        c.linkUp(reopen);
        drain(c, written, events);
        assertThat(written).containsExactly("FOO:BAR?\n", "*IDN?\n");
        c.receive(ByteBuffer.wrap("ACME,X,1,2\r\n".getBytes(ISO_8859_1)), reopen + MS);
        drain(c, written, events);
        assertThat(reopen + MS).isLessThan(idnDeadline);
        Event.Reply reply = (Event.Reply) events.stream().filter(e -> e instanceof Event.Reply).findFirst().orElseThrow();
        assertThat(reply.id()).isEqualTo(idn);
        assertThat(reply.text()).isEqualTo("ACME,X,1,2");
    }

    @Test
    void aQueuedRequestThatTimesOutBehindATimedOutQueryNamesItThePolicyAndWhatToChange() {
        Connection c = ready(ConnectionConfig.DEFAULT);
        List<String> written = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        c.send(Request.query("FOO:BAR?").withTimeout(Duration.ofMillis(100)), T0);
        long idn = c.send(Request.query("*IDN?").withTimeout(Duration.ofMillis(300)), T0);
        drain(c, written, events);
        c.handleTimeout(T0 + 100 * MS);
        c.handleTimeout(T0 + 300 * MS);
        drain(c, written, events);
        Event.Timeout t = (Event.Timeout) events.stream().filter(e -> e instanceof Event.Timeout to && to.id() == idn).findFirst().orElseThrow();
        assertThat(t.written()).isFalse();
        assertThat(new RequestTimeoutException(t.request(), Duration.ofMillis(300), false, t.detail()).getMessage())
                .contains("\"*IDN?\"").contains("FOO:BAR?").contains("discardLateReply(1000 ms)").contains("scpiResync");
    }

    @Test
    void pipelinedAQueryNeverAnsweredNeverShiftsAReplyToAnotherRequest() {
        Connection c = ready(ConnectionConfig.builder().maxInFlight(4).build());
        List<String> written = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        long a = c.send(Request.query("ECHO? a"), T0);
        long foo = c.send(Request.query("FOO:BAR?").withTimeout(Duration.ofMillis(100)), T0);
        long b = c.send(Request.query("ECHO? b"), T0);
        long d = c.send(Request.query("ECHO? d"), T0);
        drain(c, written, events);
        assertThat(written).hasSize(4);
        // FOO:BAR? is never answered (SCPI error -113): by position, "b" would be FOO:BAR?'s and "d" b's
        c.receive(ByteBuffer.wrap("a\nb\nd\n".getBytes(ISO_8859_1)), T0 + 10 * MS);
        drain(c, written, events);
        assertThat(replies(events)).as("nothing is handed out before the window is confirmed").isEmpty();
        c.handleTimeout(T0 + 100 * MS);
        drain(c, written, events);
        assertThat(replies(events)).isEmpty();
        assertThat(events.stream().filter(e -> e instanceof Event.Timeout to && to.id() == foo)).hasSize(1);
        for (long other : new long[] {a, b, d}) {
            Event e = events.stream().filter(x -> x instanceof Event.Failed f && f.id() == other).findFirst().orElseThrow();
            assertThat(((Event.Failed) e).cause()).isInstanceOf(AmbiguousReplyException.class).hasMessageContaining("FOO:BAR?");
        }
    }

    @Test
    void aPipelinedWindowWhoseEveryRequestIsAnsweredHandsOutEveryReplyInOrderAndTheNextWindowFollows() {
        Connection c = ready(ConnectionConfig.builder().maxInFlight(4).build());
        List<String> written = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (String q : new String[] {"A?", "B?", "C?", "D?", "E?"}) {
            c.send(Request.query(q), T0);
        }
        drain(c, written, events);
        assertThat(written).containsExactly("A?\n", "B?\n", "C?\n", "D?\n");
        c.receive(ByteBuffer.wrap("a\nb\n".getBytes(ISO_8859_1)), T0 + MS);
        drain(c, written, events);
        assertThat(replies(events)).isEmpty();
        assertThat(written).as("the window is closing: E? waits").hasSize(4);
        c.receive(ByteBuffer.wrap("c\nd\n".getBytes(ISO_8859_1)), T0 + 2 * MS);
        drain(c, written, events);
        assertThat(replies(events)).containsExactly("a", "b", "c", "d");
        assertThat(written).endsWith("E?\n");
    }

    @Test
    void aDeviceThatAnswersEveryRequestCanBeTrustedToPipelineWithoutWindows() {
        Connection c = ready(ConnectionConfig.builder().maxInFlight(4).pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build());
        List<String> written = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (String q : new String[] {"A?", "B?", "C?", "D?", "E?"}) {
            c.send(Request.query(q), T0);
        }
        drain(c, written, events);
        c.receive(ByteBuffer.wrap("a\n".getBytes(ISO_8859_1)), T0 + MS);
        drain(c, written, events);
        assertThat(replies(events)).containsExactly("a");
        assertThat(written).hasSize(5);
    }

    // ------------------------------------------------------------------ 7. write() of a query

    @Test
    void writeOfAQueryIsRefusedPointingAtQuery() {
        for (String q : new String[] {"*IDN?", "MEAS:VOLT? (@1)", "VOLT 5;*OPC?", " :syst:err?"}) {
            assertThatThrownBy(() -> Request.write(q)).as(q).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("query(");
        }
        assertThat(Request.write("DISP:TEXT \"Ready?\"").text()).isEqualTo("DISP:TEXT \"Ready?\"");
        assertThat(Request.write("VOLT 5;CURR 1").text()).isEqualTo("VOLT 5;CURR 1");
        assertThat(Request.of("*IDN?", Expect.nothing()).expect()).isEqualTo(Expect.nothing());
    }

    // ------------------------------------------------------------------ 8. durations

    @Test
    void hugeDurationsSaturateAndBadOnesAreRefusedNamingTheSetting() {
        for (Duration huge : new Duration[] {Duration.ofNanos(Long.MAX_VALUE), ChronoUnit.FOREVER.getDuration(), Duration.ofDays(1_000_000)}) {
            ConnectionConfig cfg = ConnectionConfig.builder().defaultTimeout(huge).connectTimeout(huge)
                    .staleReplyPolicy(StaleReplyPolicy.discardLateReply(huge)).build();
            Connection c = ready(cfg);
            List<Event> events = new ArrayList<>();
            c.send(Request.query("A?").withTimeout(huge), T0);
            c.send(Request.query("B?"), Long.MAX_VALUE - 5);
            drain(c, new ArrayList<>(), events);
            assertThat(c.pollTimeoutNanos()).isEqualTo(Long.MAX_VALUE - 1);
            c.handleTimeout(Long.MAX_VALUE - 2);
            drain(c, new ArrayList<>(), events);
            assertThat(events.stream().filter(e -> e instanceof Event.Timeout)).isEmpty();
            assertThat(new RequestTimeoutException(Request.query("A?"), huge, true).getMessage()).contains("forever");
        }
        assertThatThrownBy(() -> ConnectionConfig.builder().defaultTimeout(Duration.ZERO)).hasMessageContaining("defaultTimeout");
        assertThatThrownBy(() -> ConnectionConfig.builder().connectTimeout(Duration.ofMillis(-1))).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> Request.query("A?").withTimeout(Duration.ZERO)).hasMessageContaining("timeout");
        assertThatThrownBy(() -> StaleReplyPolicy.discardLateReply(Duration.ZERO)).hasMessageContaining("grace");
    }

    // ------------------------------------------------------------------ 9. huge declared lengths

    @Test
    void aBlockAnnouncingOnePointFiveGigabytesFailsFastAndTheLinkServesTheNextQuery() {
        Connection c = ready(ConnectionConfig.DEFAULT);
        List<String> written = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        long curv = c.send(Request.of("CURV?", Expect.block()), T0);
        long idn = c.send(Request.query("*IDN?"), T0);
        drain(c, written, events);
        c.receive(ByteBuffer.wrap("#9999999999abc\n".getBytes(ISO_8859_1)), T0 + MS);
        drain(c, written, events);
        Event.Failed f = (Event.Failed) events.stream().filter(e -> e instanceof Event.Failed x && x.id() == curv).findFirst().orElseThrow();
        assertThat(f.cause()).hasMessageContaining("999999999").hasMessageContaining("maxFrameLength 65536");
        assertThat(c.bufferCapacity()).isLessThan(200_000);
        // the rest never comes: after the grace the link is renewed and *IDN? goes out on it
        long t = c.pollTimeoutNanos();
        c.handleTimeout(t);
        drain(c, written, events);
        assertThat(events.stream().filter(e -> e instanceof Event.CloseLink)).hasSize(1);
        c.linkDown(new IllegalStateException("closed"), t);
        c.handleTimeout(c.pollTimeoutNanos());
        drain(c, written, events);
        c.linkUp(t + 200 * MS);
        drain(c, written, events);
        c.receive(ByteBuffer.wrap("ACME\n".getBytes(ISO_8859_1)), t + 201 * MS);
        drain(c, written, events);
        assertThat(written).containsExactly("CURV?\n", "*IDN?\n");
        assertThat(((Event.Reply) events.stream().filter(e -> e instanceof Event.Reply).findFirst().orElseThrow()).id()).isEqualTo(idn);
    }

    // ------------------------------------------------------------------ cancel

    @Test
    void aCancelBeforeTheBytesWentOutWithdrawsTheRequestAndAfterThemTheLateReplyIsSwallowed() {
        Connection c = ready(ConnectionConfig.DEFAULT);
        List<String> written = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        long a = c.send(Request.query("A?"), T0);
        long b = c.send(Request.query("VOLT 5;*OPC?"), T0);
        drain(c, written, events);
        assertThat(c.cancel(b, T0)).as("queued: withdrawn").isTrue();
        assertThat(c.cancel(b, T0)).as("twice: nothing").isFalse();
        assertThat(c.cancel(a, T0)).as("written: not withdrawn").isFalse();
        drain(c, written, events);
        assertThat(((Event.Failed) events.get(0)).cause()).isInstanceOf(LocalProtocolException.class).hasMessageContaining("cancelled");
        long d = c.send(Request.query("D?"), T0);
        drain(c, written, events);
        assertThat(written).as("B? never goes out; D? waits for A?'s late reply").containsExactly("A?\n");
        c.receive(ByteBuffer.wrap("a\n".getBytes(ISO_8859_1)), T0 + MS);
        drain(c, written, events);
        c.receive(ByteBuffer.wrap("d\n".getBytes(ISO_8859_1)), T0 + 2 * MS);
        drain(c, written, events);
        assertThat(written).containsExactly("A?\n", "D?\n");
        assertThat(replies(events)).containsExactly("d");
        assertThat(events.stream().filter(e -> e instanceof Event.Reply r && r.id() == d)).hasSize(1);
    }

    @Test
    void aBusWithdrawsAQueuedRequest() {
        dev.labwire.core.bus.Bus bus = new dev.labwire.core.bus.Bus(dev.labwire.core.bus.BusConfig.DEFAULT);
        bus.open(T0);
        bus.nextEvent();
        bus.nextEvent();
        bus.linkUp(T0);
        long a = bus.send(dev.labwire.core.bus.Address.of("A"), Request.query("X?"), T0);
        long b = bus.send(dev.labwire.core.bus.Address.of("B"), Request.query("Y?"), T0);
        assertThat(bus.pollTransmit()).isNotNull();
        assertThat(bus.cancel(b, T0)).isTrue();
        assertThat(bus.queuedCount()).isZero();
        assertThat(bus.cancel(a, T0)).isFalse();
    }
}
