package dev.labwire.core.hislip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The HiSLIP session machine against a server played by hand, on a fake clock (nanos as longs). */
class HislipSessionTest {

    private static final long MS = 1_000_000L;
    private long now = 1_000 * MS;

    private final HislipSession s = new HislipSession(ConnectionConfig.builder()
            .defaultTimeout(Duration.ofMillis(500)).connectTimeout(Duration.ofSeconds(2)).build(),
            new HislipSession.Endpoint(4880, "hislip0"));

    private List<Event> events() {
        List<Event> out = new ArrayList<>();
        for (Event e = s.nextEvent(); e != Event.NeedData.INSTANCE; e = s.nextEvent()) {
            out.add(e);
        }
        return out;
    }

    private List<HislipMessage> sent(int channel) {
        ByteBuffer dst = ByteBuffer.allocate(7); // small: messages are split across calls
        ByteBuffer all = ByteBuffer.allocate(1 << 16);
        while (true) {
            int n = channel == 0 ? s.pollTransmit(dst) : s.pollTransmit(channel, dst);
            if (n == 0) {
                break;
            }
            dst.flip();
            all.put(dst);
            dst.clear();
        }
        all.flip();
        HislipDecoder d = new HislipDecoder("peer");
        d.receive(all);
        List<HislipMessage> out = new ArrayList<>();
        for (Decoded r = d.next(); r instanceof Decoded.Message m; r = d.next()) {
            out.add(m.message());
        }
        return out;
    }

    private void fromServer(HislipMessage m) {
        s.receive(ByteBuffer.wrap(m.encode()), now);
    }

    private void fromServerAsync(HislipMessage m) {
        s.receive(1, ByteBuffer.wrap(m.encode()), now);
    }

    private void ready() {
        s.open(now);
        assertThat(events()).contains(new Event.OpenLink(1));
        s.linkUp(now);
        assertThat(sent(0)).containsExactly(HislipMessage.initialize(0x0100, "LW", "hislip0"));
        fromServer(HislipMessage.initializeResponse(false, 0x0100, 7));
        assertThat(events()).contains(new Event.OpenChannel(1, 4880));
        s.channelUp(1, now);
        assertThat(sent(1)).containsExactly(HislipMessage.asyncInitialize(7));
        fromServerAsync(HislipMessage.asyncInitializeResponse("XY"));
        List<HislipMessage> size = sent(1);
        assertThat(size).hasSize(1);
        assertThat(size.get(0).type()).isEqualTo(MessageType.ASYNC_MAXIMUM_MESSAGE_SIZE);
        fromServerAsync(HislipMessage.asyncMaximumMessageSizeResponse(64));
        assertThat(events()).contains(new Event.StateChanged(State.READY, null));
        assertThat(s.sessionId()).isEqualTo(7);
    }

    @Test
    void handshakeThenAQueryAnsweredInPiecesAtEverySplit() {
        ready();
        long id = s.send(Request.query("*IDN?"), now);
        List<HislipMessage> q = sent(0);
        assertThat(q).containsExactly(HislipMessage.dataEnd(false, 0xFFFFFF00, "*IDN?\n".getBytes()));
        byte[] reply = concat(HislipMessage.data(false, 0xFFFFFF00, "LAB".getBytes()).encode(),
                HislipMessage.dataEnd(false, 0xFFFFFF00, "WIRE\n".getBytes()).encode());
        for (int cut = 1; cut < reply.length; cut++) {
            s.receive(ByteBuffer.wrap(reply, 0, cut), now);
            s.receive(ByteBuffer.wrap(reply, cut, reply.length - cut), now);
            List<Event> ev = events();
            assertThat(ev).hasSize(1);
            assertThat(((Event.Reply) ev.get(0)).text()).isEqualTo("LABWIRE");
            assertThat(((Event.Reply) ev.get(0)).id()).isEqualTo(id);
            // next round: a new query whose reply carries the next id
            s.send(Request.query("*IDN?"), now);
            HislipMessage next = sent(0).get(0);
            assertThat(next.flag()).as("RMT-delivered after a whole reply").isTrue();
            reply = concat(HislipMessage.data(false, next.messageId(), "LAB".getBytes()).encode(),
                    HislipMessage.dataEnd(false, next.messageId(), "WIRE\n".getBytes()).encode());
            id = id + 1;
        }
    }

    @Test
    void aLongRequestIsCutToTheServersMaximumMessageSize() {
        ready(); // server maximum 64: 48 payload bytes per message
        s.send(Request.write("X".repeat(100)), now);
        List<HislipMessage> parts = sent(0);
        assertThat(parts).extracting(HislipMessage::type)
                .containsExactly(MessageType.DATA, MessageType.DATA, MessageType.DATA_END);
        assertThat(parts).extracting(HislipMessage::messageId).containsExactly(0xFFFFFF00, 0xFFFFFF02, 0xFFFFFF04);
        assertThat(parts.get(2).payloadLength()).isEqualTo(101 - 96);
        assertThat(events()).hasSize(1).first().isInstanceOf(Event.Reply.class);
    }

    @Test
    void aTimedOutQuerysLateReplyIsDiscardedByItsIdAndTheNextGoesOutAtOnce() {
        ready();
        long slow = s.send(Request.query("MEAS?"), now);
        sent(0);
        long fast = s.send(Request.query("*IDN?"), now);
        assertThat(sent(0)).as("one at a time").isEmpty();
        assertThat(s.pollTimeout()).hasValue(now + 500 * MS);
        now += 500 * MS;
        s.handleTimeout(now);
        List<Event> ev = events();
        assertThat(ev).hasSize(2);
        assertThat(ev).allMatch(e -> e instanceof Event.Timeout);
        assertThat(ev).extracting(e -> ((Event.Timeout) e).id()).containsExactlyInAnyOrder(slow, fast);
        assertThat(ev).extracting(e -> ((Event.Timeout) e).written()).containsExactlyInAnyOrder(true, false);
        long third = s.send(Request.query("*IDN?"), now);
        HislipMessage q = sent(0).get(0);
        assertThat(q.messageId()).isEqualTo(0xFFFFFF02);
        fromServer(HislipMessage.dataEnd(false, 0xFFFFFF00, "1.5\n".getBytes()));  // late
        fromServer(HislipMessage.dataEnd(false, 0xFFFFFF02, "ID\n".getBytes()));
        ev = events();
        assertThat(ev.get(0)).isEqualTo(new Event.Discarded(dev.labwire.core.frame.Frame.of("1.5\n"),
                Event.DiscardReason.LATE_REPLY));
        assertThat(((Event.Reply) ev.get(1)).id()).isEqualTo(third);
        assertThat(((Event.Reply) ev.get(1)).text()).isEqualTo("ID");
        assertThat(s.discardedReplies()).isEqualTo(1);
        assertThat(fast).isLessThan(third);
    }

    @Test
    void interruptedFirstHoldsTheNextRequestUntilAsyncInterrupted() {
        ready();
        s.send(Request.query("A?"), now);
        sent(0);
        now += 500 * MS;
        s.handleTimeout(now);
        events();
        s.send(Request.query("B?"), now);
        HislipMessage b = sent(0).get(0);
        fromServer(HislipMessage.interrupted(b.messageId()));
        s.send(Request.query("C?"), now);
        fromServer(HislipMessage.dataEnd(false, b.messageId(), "b\n".getBytes()));
        assertThat(((Event.Reply) events().get(0)).text()).isEqualTo("b");
        assertThat(sent(0)).as("no sending between Interrupted and AsyncInterrupted").isEmpty();
        fromServerAsync(HislipMessage.asyncInterrupted(b.messageId()));
        assertThat(sent(0)).hasSize(1);
    }

    @Test
    void serviceRequestIsAServiceRequestEventWithTheStatusByte() {
        ready();
        fromServerAsync(HislipMessage.asyncServiceRequest(0x41));
        assertThat(events()).containsExactly(new Event.ServiceRequest(0x41));
    }

    @Test
    void fatalErrorEndsTheSessionAndItReconnectsAfterTheBackoff() {
        ready();
        long q = s.send(Request.query("X?"), now);
        sent(0);
        fromServer(HislipMessage.fatalError(FatalErrorCode.UNIDENTIFIED.code(), "boom"));
        List<Event> ev = events();
        assertThat(ev).anyMatch(e -> e instanceof Event.ProtocolError p && p.error().getMessage().contains("boom"));
        assertThat(ev).anyMatch(e -> e instanceof Event.Failed f && f.id() == q);
        assertThat(ev).anyMatch(e -> e instanceof Event.CloseLink);
        assertThat(ev).anyMatch(e -> e instanceof Event.CloseChannel c && c.channel() == 1);
        assertThat(s.state()).isEqualTo(State.DOWN);
        long at = s.pollTimeout().getAsLong();
        s.handleTimeout(at - 1);
        assertThat(events()).isEmpty();
        s.handleTimeout(at);
        assertThat(events()).anyMatch(e -> e instanceof Event.OpenLink);
        assertThat(s.state()).isEqualTo(State.CONNECTING);
    }

    @Test
    void aHandshakeThatNeverAnswersFailsAtTheConnectTimeout() {
        s.open(now);
        s.linkUp(now);
        events();
        now += 2_000 * MS;
        s.handleTimeout(now);
        List<Event> ev = events();
        assertThat(ev).anyMatch(e -> e instanceof Event.ProtocolError p
                && p.error().getMessage().contains("AWAIT_INITIALIZE_RESPONSE"));
        assertThat(s.state()).isEqualTo(State.DOWN);
    }

    @Test
    void aBlockReplyAndAShortOne() {
        ready();
        s.send(Request.of("CURV?", Expect.block()), now);
        HislipMessage q = sent(0).get(0);
        fromServer(HislipMessage.dataEnd(false, q.messageId(), "#14abcd\n".getBytes()));
        assertThat(((Event.Reply) events().get(0)).text()).isEqualTo("abcd");
        s.send(Request.of("TWO?", Expect.lines(2)), now);
        q = sent(0).get(0);
        fromServer(HislipMessage.dataEnd(false, q.messageId(), "one\n".getBytes()));
        List<Event> ev = events();
        assertThat(ev).anyMatch(e -> e instanceof Event.Failed f
                && f.cause().getMessage().contains("1 lines, 2 expected"));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void onConnectRequestsRunFirstAndTheirEventsStayInside() {
        HislipSession h = new HislipSession(ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(500))
                .onConnect(Request.write("SYST:REM"), Request.query("*IDN?")).build(),
                new HislipSession.Endpoint(4880, "hislip0"));
        h.open(now);
        h.linkUp(now);
        h.receive(ByteBuffer.wrap(HislipMessage.initializeResponse(false, 0x0100, 3).encode()), now);
        h.channelUp(1, now);
        h.receive(1, ByteBuffer.wrap(HislipMessage.asyncInitializeResponse("XY").encode()), now);
        h.receive(1, ByteBuffer.wrap(HislipMessage.asyncMaximumMessageSizeResponse(1 << 20).encode()), now);
        long user = h.send(Request.query("VOLT?"), now);
        ByteBuffer out = ByteBuffer.allocate(4096);
        while (h.pollTransmit(out) > 0) {
            // collect
        }
        out.flip();
        HislipDecoder d = new HislipDecoder("peer");
        d.receive(out);
        List<String> texts = new ArrayList<>();
        for (Decoded r = d.next(); r instanceof Decoded.Message m; r = d.next()) {
            if (m.message().type() == MessageType.DATA_END) {
                texts.add(m.message().text());
            }
        }
        assertThat(texts).as("the hook's requests, and not the user's yet").containsExactly("SYST:REM\n", "*IDN?\n");
        assertThat(h.state()).isEqualTo(State.ON_CONNECT);
        h.receive(ByteBuffer.wrap(HislipMessage.dataEnd(false, 0xFFFFFF02, "ID\n".getBytes()).encode()), now);
        List<Event> ev = new ArrayList<>();
        for (Event e = h.nextEvent(); e != Event.NeedData.INSTANCE; e = h.nextEvent()) {
            ev.add(e);
        }
        assertThat(ev).noneMatch(e -> e instanceof Event.Reply);
        assertThat(ev).contains(new Event.StateChanged(State.READY, null));
        assertThat(h.state()).isEqualTo(State.READY);
        ByteBuffer next = h.pollTransmit();
        assertThat(next).isNotNull();
        d.receive(next);
        HislipMessage q = ((Decoded.Message) d.next()).message();
        assertThat(q.text()).isEqualTo("VOLT?\n");
        assertThat(q.flag()).as("RMT-delivered: the hook's reply was whole").isTrue();
        assertThat(user).isPositive();
    }

    @Test
    void aFailedOnConnectRequestClosesTheLinkAndTriesAgain() {
        HislipSession h = new HislipSession(ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(500))
                .onConnect(Request.query("*IDN?")).build(), new HislipSession.Endpoint(4880, "hislip0"));
        h.open(now);
        h.linkUp(now);
        h.receive(ByteBuffer.wrap(HislipMessage.initializeResponse(false, 0x0100, 3).encode()), now);
        h.channelUp(1, now);
        h.receive(1, ByteBuffer.wrap(HislipMessage.asyncInitializeResponse("XY").encode()), now);
        h.receive(1, ByteBuffer.wrap(HislipMessage.asyncMaximumMessageSizeResponse(1 << 20).encode()), now);
        now += 500 * MS;
        h.handleTimeout(now);
        List<Event> ev = new ArrayList<>();
        for (Event e = h.nextEvent(); e != Event.NeedData.INSTANCE; e = h.nextEvent()) {
            ev.add(e);
        }
        assertThat(ev).noneMatch(e -> e instanceof Event.Timeout);
        assertThat(ev).anyMatch(e -> e instanceof Event.CloseLink c && c.reason().contains("*IDN?"));
        assertThat(h.state()).isEqualTo(State.DOWN);
        h.handleTimeout(h.pollTimeout().getAsLong());
        h.linkUp(now);
        assertThat(h.state()).as("the handshake runs in CONNECTING").isEqualTo(State.CONNECTING);
    }
}
