package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.testing.Chunking;
import dev.labwire.core.testing.Pair;
import dev.labwire.core.testing.ScriptedInstrument;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Half-duplex echo removal ({@link ConnectionConfig.Echo}) and the {@link StaleReplyPolicy.ReleaseAfter} policy. */
class EchoAndReleaseTest {
    private static final long T0 = 7_000_000_000L;
    private static final ConnectionConfig ECHO = ConnectionConfig.builder()
            .echo(ConnectionConfig.Echo.CHECK_AND_DROP)
            .backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2, 0))
            .jitter(() -> JitterSource.fixed(0.5))
            .build();

    private static byte[] b(String s) {
        return s.getBytes(ISO_8859_1);
    }

    /** An instrument on a 2-wire link: every command comes back first, then the answer. */
    private static ScriptedInstrument echoing(java.util.function.Function<String, String> answers) {
        return new ScriptedInstrument(cmd -> {
            String a = answers.apply(cmd);
            return cmd + "\n" + (a == null ? "" : a);
        });
    }

    private static Connection ready(ConnectionConfig cfg) {
        Connection c = new Connection(cfg);
        c.open(T0);
        c.linkUp(T0);
        drain(c, new ArrayList<>());
        return c;
    }

    private static List<byte[]> drain(Connection c, List<Event> sink) {
        List<byte[]> written = new ArrayList<>();
        for (ByteBuffer out; (out = c.pollTransmit()) != null; ) {
            byte[] w = new byte[out.remaining()];
            out.get(w);
            written.add(w);
        }
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            sink.add(e);
        }
        return written;
    }

    private static String summary(List<Event> events) {
        StringBuilder sb = new StringBuilder();
        for (Event e : events) {
            if (e instanceof Event.Reply r) {
                sb.append("reply ").append(r.frames()).append(';');
            } else if (e instanceof Event.Failed f) {
                sb.append("failed ").append(f.cause().getMessage()).append(';');
            } else if (e instanceof Event.Discarded d) {
                sb.append("discarded ").append(d.frame().asString()).append(' ').append(d.reason()).append(';');
            } else if (!(e instanceof Event.StateChanged)) {
                sb.append(e).append(';');
            }
        }
        return sb.toString();
    }

    @Test
    void theEchoIsCheckedAndDroppedInEverySplit() {
        byte[] wire = b("FLOW?\nA +14.70\n");
        Chunking.assertEveryChunkingAndGarbage(wire, b("junk\n"), chunks -> {
            Connection c = ready(ECHO);
            List<Event> events = new ArrayList<>();
            c.send(Request.query("FLOW?"), T0);
            assertThat(drain(c, events)).containsExactly(b("FLOW?\n"));
            for (byte[] chunk : chunks) {
                c.receive(ByteBuffer.wrap(chunk), T0);
            }
            drain(c, events);
            return List.of(summary(events).split(";"));
        }, List.of("reply [Frame[8 bytes: \"A +14.70\"]]"));
    }

    @Test
    void aWriteEndsWhenItsEchoIsWholeNotWhenItIsHandedOut() {
        Connection c = ready(ECHO);
        List<Event> events = new ArrayList<>();
        long id = c.send(Request.write("VOLT 5"), T0);
        drain(c, events);
        assertThat(events).isEmpty();
        assertThat(c.isWireBusy()).isTrue();
        assertThat(c.pollTimeout()).hasValue(T0 + Duration.ofSeconds(5).toNanos());
        assertThat(c.pollTimeoutNanos()).as("the primitive twin").isEqualTo(T0 + Duration.ofSeconds(5).toNanos());
        c.receive(ByteBuffer.wrap(b("VOLT")), T0);
        drain(c, events);
        assertThat(events).isEmpty();
        c.receive(ByteBuffer.wrap(b(" 5\n")), T0);
        drain(c, events);
        assertThat(events).containsExactly(new Event.Reply(id, Request.write("VOLT 5"), List.of()));
        assertThat(c.isWireBusy()).isFalse();
    }

    @Test
    void aWriteWhoseEchoNeverComesTimesOutAsWritten() {
        Connection c = ready(ECHO);
        List<Event> events = new ArrayList<>();
        Request volt = Request.write("VOLT 5").withTimeout(Duration.ofMillis(50));
        long id = c.send(volt, T0);
        drain(c, events);
        c.receive(ByteBuffer.wrap(b("VO")), T0);
        c.handleTimeout(T0 + Duration.ofMillis(49).toNanos());
        drain(c, events);
        assertThat(events).isEmpty();
        c.handleTimeout(T0 + Duration.ofMillis(50).toNanos());
        drain(c, events);
        assertThat(events).containsExactly(new Event.Timeout(id, volt, true));
        assertThat(c.isWireBusy()).as("the rest of that echo is still awaited: a late echo is never a reply").isTrue();
        long q = c.send(Request.query("Q?"), T0 + Duration.ofMillis(50).toNanos());
        assertThat(drain(c, events)).as("nothing is written while the echo is owed").isEmpty();
        c.receive(ByteBuffer.wrap(b("LT 5\n")), T0 + Duration.ofMillis(80).toNanos()); // the late rest of the echo
        assertThat(drain(c, events)).as("the late echo was dropped; now Q? goes out").hasSize(1);
        c.receive(ByteBuffer.wrap(b("Q?\n42\n")), T0 + Duration.ofMillis(81).toNanos());
        drain(c, events);
        assertThat(events).hasSize(2);
        assertThat(((Event.Reply) events.get(1)).id()).isEqualTo(q);
        assertThat(((Event.Reply) events.get(1)).text()).isEqualTo("42");
    }

    @Test
    void aWrongEchoFailsThatRequestNamingBothRenewsTheLinkAndTheNextRequestWorks() {
        Pair p = Pair.open(ECHO, echoing(ScriptedInstrument::scpiAnswer));
        p.device.hold(true);
        long q = p.send(Request.query("ECHO? a"));
        p.device.takeOutbox();
        p.device.hold(false);
        // the second byte was damaged on the way back; the answer follows the damaged echo
        p.deliver(b("EXHO? a\na\n"));
        Event e = p.endingOf(q);
        assertThat(e).isInstanceOf(Event.Failed.class);
        assertThat(((Event.Failed) e).cause()).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("echo mismatch")
                .hasMessageContaining("sent \"ECHO? a\\n\" (8 bytes), received \"EX\"")
                .hasMessageContaining("byte 1 should be 0x43 but is 0x58");
        // what was taken for the echo may have held reply bytes: counting frames cannot find the step again, so
        // (default policy) the link is renewed and nothing that came after the damage reaches anyone
        assertThat(p.eventsOf(Event.CloseLink.class)).singleElement().satisfies(c -> assertThat(c.reason()).contains("out of step"));
        assertThat(p.eventsOf(Event.Reply.class)).isEmpty();
        p.advanceThroughTimers(Duration.ofMillis(200));
        assertThat(p.replyText(p.send(Request.query("ECHO? b")))).isEqualTo("b");
        assertThat(p.endingsOf(q)).isEqualTo(1);
        assertThat(p.opens()).isEqualTo(2);
    }

    @Test
    void aWrongEchoOfAWriteFailsTheWrite() {
        Connection c = ready(ECHO);
        List<Event> events = new ArrayList<>();
        long id = c.send(Request.write("OUT 1"), T0);
        drain(c, events);
        c.receive(ByteBuffer.wrap(b("OUT 0\n")), T0);
        drain(c, events);
        assertThat(events).singleElement().isInstanceOfSatisfying(Event.Failed.class, f -> {
            assertThat(f.id()).isEqualTo(id);
            assertThat(f.cause()).hasMessageContaining("echo mismatch").hasMessageContaining("received \"OUT 0\"")
                    .hasMessageContaining("byte 4 should be 0x31 but is 0x30");
        });
        assertThat(c.isWireBusy()).isFalse();
    }

    @Test
    void escapesUnprintableBytesInTheMismatchMessage() {
        Connection c = ready(ECHO.toBuilder().writeTerminator("").framing(Framing.lengthPrefixed(1)).build());
        List<Event> events = new ArrayList<>();
        c.send(Request.of(new byte[] {1, (byte) 0xFE, '"'}, Expect.frame()), T0);
        drain(c, events);
        c.receive(ByteBuffer.wrap(new byte[] {1, (byte) 0xFF}), T0);
        drain(c, events);
        assertThat(((Event.Failed) events.get(0)).cause())
                .hasMessageContaining("sent \"\\x01\\xFE\\\"\" (3 bytes), received \"\\x01\\xFF\"; byte 1 should be 0xFE but is 0xFF");
    }

    @Test
    void aWrongEchoWithTheReconnectPolicyRenewsTheLink() {
        Pair p = Pair.open(ECHO.toBuilder().staleReplyPolicy(StaleReplyPolicy.reconnect()).build(), echoing(c -> "ok\n"));
        p.device.hold(true);
        long q = p.send(Request.query("X?"));
        p.device.takeOutbox();
        p.device.hold(false);
        p.deliver(b("Y?\nok\n"));
        assertThat(p.endingOf(q)).isInstanceOf(Event.Failed.class);
        assertThat(p.eventsOf(Event.CloseLink.class)).singleElement()
                .satisfies(cl -> assertThat(cl.reason()).contains("damaged echo").contains("reconnect"));
    }

    @Test
    void writesAwaitingTheirEchoFailWhenTheLinkDropsOrTheConnectionCloses() {
        Pair p = Pair.open(ECHO, new ScriptedInstrument(cmd -> null)); // the echo never comes
        long w = p.send(Request.write("A"));
        long resend = p.send(Request.write("B").withResend(Request.Resend.ON_RECONNECT));
        IllegalStateException cause = new IllegalStateException("cable pulled");
        p.dropLink(cause);
        assertThat(p.endingOf(w)).isEqualTo(new Event.Failed(w, Request.write("A"), cause));
        assertThat(p.endingOf(resend)).isNull();
        p.conn.close(p.now());
        p.pump();
        assertThat(((Event.Failed) p.endingOf(resend)).cause()).isInstanceOf(LocalProtocolException.class);

        Pair q = Pair.open(ECHO, new ScriptedInstrument(cmd -> null));
        long x = q.send(Request.write("X"));
        q.conn.close(q.now());
        q.pump();
        assertThat(((Event.Failed) q.endingOf(x)).cause()).isInstanceOf(LocalProtocolException.class);
    }

    @Test
    void aDamagedEchoOfTheResyncProbeRenewsTheLink() {
        ConnectionConfig cfg = ECHO.toBuilder().staleReplyPolicy(StaleReplyPolicy.scpiResync()).build();
        Pair p = Pair.open(cfg, echoing(ScriptedInstrument::scpiAnswer));
        p.device.hold(true);
        long q = p.send(Request.query("ECHO? a").withTimeout(Duration.ofMillis(100)));
        p.advance(Duration.ofMillis(150)); // times out; the probe *OPC? goes out
        assertThat(p.endingOf(q)).isInstanceOf(Event.Timeout.class);
        assertThat(p.device.commands()).containsExactly("ECHO? a", "*OPC?;*OPC?");
        p.device.takeOutbox();
        p.device.hold(false);
        p.deliver(b("*OPX?;*OPC?\n"));
        assertThat(p.eventsOf(Event.CloseLink.class)).singleElement()
                .satisfies(cl -> assertThat(cl.reason()).contains("resync probe").contains("echo mismatch"));
    }

    @Test
    void backToBackWritesEndInOrderAsTheirEchoesComeAndAQueryAfterThemGetsItsReply() {
        Connection c = ready(ECHO.toBuilder().maxInFlight(3).build());
        List<Event> events = new ArrayList<>();
        long a = c.send(Request.write("A 1"), T0);
        long b2 = c.send(Request.write("B 2"), T0);
        long q = c.send(Request.query("Q?"), T0);
        assertThat(drain(c, events)).hasSize(3);
        Chunking.randomSplit(b("A 1\nB 2\nQ?\n42\n"), new java.util.Random(7))
                .forEach(chunk -> c.receive(ByteBuffer.wrap(chunk), T0));
        drain(c, events);
        assertThat(events).extracting(e -> ((Event.Reply) e).id()).containsExactly(a, b2, q);
        assertThat(((Event.Reply) events.get(2)).text()).isEqualTo("42");
    }

    @Test
    void withoutEchoTheConnectionDoesNotWaitForOne() {
        Connection c = ready(ConnectionConfig.DEFAULT);
        List<Event> events = new ArrayList<>();
        long w = c.send(Request.write("VOLT 5"), T0);
        drain(c, events);
        assertThat(events).containsExactly(new Event.Reply(w, Request.write("VOLT 5"), List.of()));
        assertThat(c.isWireBusy()).isFalse();
        c.send(Request.query("Q?"), T0);
        drain(c, events);
        c.receive(ByteBuffer.wrap(b("Q!\n")), T0);
        drain(c, events);
        assertThat(((Event.Reply) events.get(1)).text()).as("no echo expected: the bytes are the reply").isEqualTo("Q!");
    }

    // ------------------------------------------------------------------ ReleaseAfter

    @Test
    void releaseAfterZeroFreesTheSlotAtOnceAndKeepsTheLink() {
        ConnectionConfig cfg = ConnectionConfig.builder().staleReplyPolicy(StaleReplyPolicy.releaseAfter(Duration.ZERO)).build();
        Pair p = Pair.open(cfg, ScriptedInstrument.scpi());
        p.device.hold(true);
        long slow = p.send(Request.query("ECHO? slow").withTimeout(Duration.ofMillis(100)));
        long next = p.send(Request.query("*IDN?"));
        assertThat(p.conn.isWireBusy()).isTrue();
        p.device.takeOutbox();
        p.deliver(b("half a li")); // half a reply is in the buffer when the timeout hits
        p.advance(Duration.ofMillis(100));
        assertThat(p.endingOf(slow)).isInstanceOf(Event.Timeout.class);
        assertThat(p.device.commands()).as("written at once after the timeout").containsExactly("ECHO? slow", "*IDN?");
        p.device.hold(false);
        p.pump();
        assertThat(p.replyText(next)).startsWith("ACME").doesNotContain("half");
        assertThat(p.opens()).isEqualTo(1);
        assertThat(p.eventsOf(Event.CloseLink.class)).isEmpty();
    }

    @Test
    void releaseAfterGraceSwallowsALateReplyWithinTheGraceAndThenMovesOnWithoutReconnecting() {
        ConnectionConfig cfg = ConnectionConfig.builder().staleReplyPolicy(StaleReplyPolicy.releaseAfter(Duration.ofMillis(200))).build();
        Pair p = Pair.open(cfg, ScriptedInstrument.scpi());
        p.device.hold(true);
        long a = p.send(Request.query("ECHO? a").withTimeout(Duration.ofMillis(100)));
        long b2 = p.send(Request.query("ECHO? b"));
        p.advance(Duration.ofMillis(100));
        assertThat(p.endingOf(a)).isInstanceOf(Event.Timeout.class);
        assertThat(p.device.commands()).as("the slot is held during the grace").containsExactly("ECHO? a");
        p.device.hold(false);
        p.pump(); // the late "a" comes within the grace: swallowed, slot freed
        assertThat(p.eventsOf(Event.Discarded.class)).extracting(d -> d.frame().asString()).containsExactly("a");
        assertThat(p.replyText(b2)).isEqualTo("b");

        p.device.responder(cmd -> null); // silent from now on
        long c = p.send(Request.query("ECHO? c").withTimeout(Duration.ofMillis(100)));
        long d = p.send(Request.query("ECHO? d").withTimeout(Duration.ofSeconds(1)));
        p.advanceThroughTimers(Duration.ofMillis(299));
        assertThat(p.endingOf(c)).isInstanceOf(Event.Timeout.class);
        assertThat(p.device.commands()).doesNotContain("ECHO? d");
        p.advanceThroughTimers(Duration.ofMillis(1));
        assertThat(p.device.commands()).as("released when the grace is over").endsWith("ECHO? c", "ECHO? d");
        assertThat(p.endingOf(d)).isNull();
        assertThat(p.eventsOf(Event.CloseLink.class)).isEmpty();
    }

    @Test
    void aDamagedEchoUnderReleaseAfterFreesTheSlotOnceTheEchoHasPassed() {
        ConnectionConfig cfg = ECHO.toBuilder().staleReplyPolicy(StaleReplyPolicy.releaseAfter(Duration.ZERO)).build();
        Connection c = ready(cfg);
        List<Event> events = new ArrayList<>();
        c.send(Request.query("A?"), T0);
        drain(c, events);
        c.receive(ByteBuffer.wrap(b("X")), T0);
        drain(c, events);
        assertThat(events).singleElement().isInstanceOf(Event.Failed.class);
        assertThat(c.isWireBusy()).as("two bytes of the damaged echo are still owed").isTrue();
        c.receive(ByteBuffer.wrap(b("?\n")), T0);
        assertThat(c.isWireBusy()).isFalse();
        assertThat(c.pollTimeout()).isEmpty();
    }

    @Test
    void releaseAfterIsValidated() {
        assertThatThrownBy(() -> StaleReplyPolicy.releaseAfter(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> ConnectionConfig.builder().maxInFlight(2).staleReplyPolicy(StaleReplyPolicy.releaseAfter(Duration.ZERO)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight=2").hasMessageContaining("releaseAfter");
        assertThatThrownBy(() -> ConnectionConfig.builder().echo(null)).isInstanceOf(NullPointerException.class);
        assertThat(ECHO.toBuilder().build().echo()).isEqualTo(ConnectionConfig.Echo.CHECK_AND_DROP);
        assertThat(ConnectionConfig.DEFAULT.echo()).isEqualTo(ConnectionConfig.Echo.NONE);
    }
}
