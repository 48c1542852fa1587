package dev.labwire.core.bus;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Framing;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.StaleReplyPolicy;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BusTest {
    static final Address A = Address.of("A");
    static final Address B = Address.of("B");
    static final Address C = Address.of("C");
    static final ConnectionConfig CR = ConnectionConfig.builder().framing(Framing.lines("\r")).writeTerminator("\r").build();
    static final BusConfig ASCII = BusConfig.builder().connection(CR).build();

    /** Three mass flow controllers A, B, C: {@code FLOW?} answers " +<n>.00" counting per device, {@code ID?} its address. */
    static Function<byte[], byte[]> threeDevices() {
        Map<String, Function<String, String>> devices = new LinkedHashMap<>();
        for (String a : List.of("A", "B", "C")) {
            int[] count = {0};
            devices.put(a, cmd -> switch (cmd) {
                case "FLOW?" -> " +" + (++count[0]) + ".00";
                case "ID?" -> " " + a;
                default -> null;
            });
        }
        return BusRig.asciiDevices(devices);
    }

    static byte[] b(String s) {
        return s.getBytes(ISO_8859_1);
    }

    @Test
    void addressesCommandsAndStripsReplies() {
        BusRig rig = BusRig.open(ASCII, threeDevices());
        long a = rig.send(A, "FLOW?");
        long bId = rig.send(B, "ID?");
        assertThat(rig.written()).containsExactly("AFLOW?\r", "BID?\r");
        assertThat(rig.replyText(a)).isEqualTo(" +1.00");
        assertThat(rig.replyText(bId)).isEqualTo(" B");
        assertThat(((Event.Reply) rig.endingOf(a)).request()).as("the caller's request, unaddressed").isEqualTo(Request.query("FLOW?"));
        assertThat(rig.bus.state()).isEqualTo(State.READY);
        assertThat(rig.bus.config()).isSameAs(ASCII);
    }

    @Test
    void roundRobinAcrossThreeAddressesWithOneFloodedStarvesNobody() {
        BusRig rig = new BusRig(ASCII, threeDevices());
        List<Long> flood = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            flood.add(rig.bus.send(A, Request.query("FLOW?"), rig.now()));
        }
        List<Long> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            others.add(rig.bus.send(B, Request.query("FLOW?"), rig.now()));
            others.add(rig.bus.send(C, Request.query("FLOW?"), rig.now()));
        }
        assertThat(rig.bus.queuedCount()).isEqualTo(1006);
        assertThat(rig.bus.queuedCount(A)).isEqualTo(1000);
        rig.bus.open(rig.now());
        rig.pump();
        assertThat(rig.written().subList(0, 12)).containsExactly(
                "AFLOW?\r", "BFLOW?\r", "CFLOW?\r", "AFLOW?\r", "BFLOW?\r", "CFLOW?\r",
                "AFLOW?\r", "BFLOW?\r", "CFLOW?\r", "AFLOW?\r", "AFLOW?\r", "AFLOW?\r");
        assertThat(rig.written()).hasSize(1006);
        for (int i = 0; i < 1000; i++) {
            assertThat(rig.replyText(flood.get(i))).isEqualTo(" +" + (i + 1) + ".00");
        }
        for (int i = 0; i < 6; i++) {
            assertThat(rig.replyText(others.get(i))).isEqualTo(" +" + (i / 2 + 1) + ".00");
        }
        assertThat(rig.bus.queuedCount()).isZero();
        assertThat(rig.bus.queuedCount(A)).isZero();
    }

    @Test
    void anAddressThatJoinsLateWaitsAtMostOneTurnOfEachOther() {
        BusRig rig = BusRig.open(ASCII, threeDevices());
        rig.hold(true);
        for (int i = 0; i < 50; i++) {
            rig.send(A, "FLOW?");
        }
        rig.hold(false);
        rig.bus.receive(java.nio.ByteBuffer.wrap(rig.takeOutbox()), rig.now()); // A's first reply
        long late = rig.bus.send(B, Request.query("ID?"), rig.now());
        rig.pump();
        // A had its turn and went to the back of the round before B joined behind it
        assertThat(rig.written().subList(0, 4)).containsExactly("AFLOW?\r", "AFLOW?\r", "BID?\r", "AFLOW?\r");
        assertThat(rig.replyText(late)).isEqualTo(" B");
    }

    @Test
    void highPriorityGoesBeforeNormalOnesOneExchangeAtATime() {
        BusRig rig = BusRig.open(ASCII, threeDevices());
        rig.hold(true);
        rig.send(A, "FLOW?");                    // on the wire at once
        rig.send(A, "FLOW?");
        rig.send(B, "FLOW?");
        long urgentC = rig.send(C, Request.query("ID?"), Bus.Priority.HIGH);
        long urgentA = rig.send(A, Request.query("ID?"), Bus.Priority.HIGH);
        assertThat(rig.written()).as("the exchange on the wire is not interrupted").containsExactly("AFLOW?\r");
        rig.hold(false);
        rig.pump();
        assertThat(rig.written()).containsExactly("AFLOW?\r", "CID?\r", "AID?\r", "AFLOW?\r", "BFLOW?\r");
        assertThat(rig.replyText(urgentC)).isEqualTo(" C");
        assertThat(rig.replyText(urgentA)).isEqualTo(" A");
    }

    @Test
    void theTurnaroundSeparatesEveryExchangeFromTheNextWrite() {
        Duration turnaround = Duration.ofMillis(5);
        BusRig rig = BusRig.open(ASCII.toBuilder().turnaround(turnaround).build(), threeDevices());
        rig.hold(true);
        long a = rig.send(A, "FLOW?");
        long bId = rig.send(B, "FLOW?");
        long w = rig.send(C, Request.write("SET 1"), Bus.Priority.NORMAL);
        long cId = rig.send(C, "FLOW?");
        long t0 = rig.now();
        assertThat(rig.written()).containsExactly("AFLOW?\r");
        rig.advance(Duration.ofMillis(2));
        rig.hold(false);
        rig.pump(); // A's reply ends the exchange at t0 + 2 ms
        assertThat(rig.written()).as("nothing before the turnaround has passed").hasSize(1);
        assertThat(rig.bus.pollTransmit()).isNull();
        assertThat(rig.bus.pollTimeout()).hasValue(t0 + Duration.ofMillis(7).toNanos());
        rig.advance(Duration.ofNanos(Duration.ofMillis(5).toNanos() - 1));
        assertThat(rig.written()).hasSize(1);
        rig.advance(Duration.ofNanos(1));
        assertThat(rig.written()).containsExactly("AFLOW?\r", "BFLOW?\r");
        assertThat(rig.wire.get(1).atNanos()).isEqualTo(t0 + Duration.ofMillis(7).toNanos());
        rig.advanceThroughTimers(Duration.ofMillis(100));
        assertThat(rig.written()).containsExactly("AFLOW?\r", "BFLOW?\r", "CSET 1\r", "CFLOW?\r");
        // B answered at once (t0+7), the write needs no answer: each write is a turnaround after the previous end
        assertThat(rig.wire.get(2).atNanos() - rig.wire.get(1).atNanos()).isEqualTo(turnaround.toNanos());
        assertThat(rig.wire.get(3).atNanos() - rig.wire.get(2).atNanos()).isEqualTo(turnaround.toNanos());
        assertThat(rig.replyText(a)).isEqualTo(" +1.00");
        assertThat(rig.replyText(bId)).isEqualTo(" +1.00");
        assertThat(((Event.Reply) rig.endingOf(w)).frames()).isEmpty();
        assertThat(rig.replyText(cId)).isEqualTo(" +1.00");
        assertThat(rig.bus.pollTimeout()).as("no timer once idle").isEmpty();
        long last = rig.send(A, "ID?");
        assertThat(rig.replyText(last)).isEqualTo(" A");
        assertThat(rig.bus.pollTimeout()).as("a turnaround with nothing waiting needs no timer").isEmpty();
        rig.send(B, "ID?");
        assertThat(rig.bus.pollTimeout()).hasValue(rig.now() + turnaround.toNanos());
    }

    @Test
    void aSilentAddressTimesOutAndTheOthersProceedAtOnce() {
        Map<String, Function<String, String>> devices = new LinkedHashMap<>();
        devices.put("A", cmd -> null); // powered off
        devices.put("B", cmd -> " b");
        devices.put("C", cmd -> " c");
        BusRig rig = BusRig.open(ASCII, BusRig.asciiDevices(devices));
        Request silent = Request.query("FLOW?").withTimeout(Duration.ofMillis(100));
        long a = rig.send(A, silent, Bus.Priority.NORMAL);
        long bId = rig.send(B, "FLOW?");
        long cId = rig.send(C, "FLOW?");
        Request patient = Request.query("FLOW?").withTimeout(Duration.ofMillis(500));
        long a2 = rig.send(A, patient, Bus.Priority.NORMAL);
        long t0 = rig.now();
        rig.advanceThroughTimers(Duration.ofMillis(99));
        assertThat(rig.written()).containsExactly("AFLOW?\r");
        rig.advanceThroughTimers(Duration.ofMillis(1));
        assertThat(rig.endingOf(a)).isEqualTo(new Event.Timeout(a, silent, true));
        assertThat(rig.written()).as("A's late reply may still come: A gets nothing for lateReplyGrace (1 s)")
                .containsExactly("AFLOW?\r", "BFLOW?\r", "CFLOW?\r");
        assertThat(rig.wire.get(1).atNanos()).as("B's turn comes the moment A timed out").isEqualTo(t0 + Duration.ofMillis(100).toNanos());
        assertThat(rig.replyText(bId)).isEqualTo(" b");
        assertThat(rig.replyText(cId)).isEqualTo(" c");
        rig.advanceThroughTimers(Duration.ofMillis(400));
        assertThat(rig.endingOf(a2)).as("whole-exchange timeout, counted from send").isEqualTo(new Event.Timeout(a2, patient, false));
        assertThat(((Event.Timeout) rig.endingOf(a2)).detail()).contains("\"A\" was kept quiet").contains("lateReplyGrace 1000 ms");
        assertThat(rig.eventsOf(Event.CloseLink.class)).as("a silent device costs no reconnect").isEmpty();
        assertThat(rig.opens()).isEqualTo(1);
        // what a client makes of the event
        Event.Timeout t = (Event.Timeout) rig.endingOf(a);
        assertThat(new RequestTimeoutException(t.request(), t.request().timeout(), t.written()))
                .hasMessage("no reply to \"FLOW?\" within 100 ms");
    }

    @Test
    void aLateReplyWithinTheGraceIsSwallowedAndNeverReachesTheNextRequest() {
        BusRig rig = BusRig.open(ASCII.toBuilder().lateReplyGrace(Duration.ofMillis(50)).build(), threeDevices());
        assertThat(rig.bus.config().connection().staleReplyPolicy()).isEqualTo(StaleReplyPolicy.releaseAfter(Duration.ZERO));
        rig.hold(true);
        long a = rig.send(A, Request.query("FLOW?").withTimeout(Duration.ofMillis(100)), Bus.Priority.NORMAL);
        long a2 = rig.send(A, "FLOW?");
        long b1 = rig.send(B, "FLOW?");
        rig.advanceThroughTimers(Duration.ofMillis(120));
        assertThat(rig.endingOf(a)).isInstanceOf(Event.Timeout.class);
        assertThat(rig.written()).as("B goes at once; A's next request waits out the grace").containsExactly("AFLOW?\r", "BFLOW?\r");
        rig.hold(false);
        rig.pump(); // "A +1.00" arrives late, then B's reply
        assertThat(rig.eventsOf(Event.Discarded.class)).extracting(d -> d.frame().asString(), Event.Discarded::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("A +1.00", Event.DiscardReason.FOREIGN));
        assertThat(rig.bus.foreignFrames()).isEqualTo(1);
        assertThat(rig.replyText(b1)).as("A's late reply neither failed nor answered B's request").startsWith(" ");
        rig.advanceThroughTimers(Duration.ofMillis(50));
        assertThat(rig.replyText(a2)).isEqualTo(" +2.00");
    }

    @Test
    void aReplyFromAnotherAddressIsDiscardedAndNeitherFailsNorAnswersTheRequestAwaitingOne() {
        Map<String, Function<String, String>> devices = new LinkedHashMap<>();
        devices.put("A", cmd -> " a");
        devices.put("C", cmd -> " c");
        Function<byte[], byte[]> base = BusRig.asciiDevices(devices);
        // B is miswired: it answers with C's address
        BusRig rig = BusRig.open(ASCII, cmd -> cmd[0] == 'B' ? b("C confused\r") : base.apply(cmd));
        long a = rig.send(A, "FLOW?");
        long bId = rig.send(B, Request.query("FLOW?").withTimeout(Duration.ofMillis(100)), Bus.Priority.NORMAL);
        long cId = rig.send(C, "FLOW?");
        assertThat(rig.replyText(a)).isEqualTo(" a");
        assertThat(rig.endingOf(bId)).isNull();
        assertThat(rig.eventsOf(Event.Discarded.class)).extracting(d -> d.frame().asString(), Event.Discarded::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("C confused", Event.DiscardReason.FOREIGN));
        rig.advanceThroughTimers(Duration.ofMillis(100));
        assertThat(rig.endingOf(bId)).isInstanceOf(Event.Timeout.class);
        assertThat(rig.replyText(cId)).isEqualTo(" c");
        assertThat(rig.events.stream().filter(e -> e instanceof Event.Reply r && r.text().contains("confused"))).isEmpty();
    }

    @Test
    void multiFrameRepliesAreCheckedFrameByFrameAndMarkersCarryTheAddress() {
        BusRig rig = BusRig.open(ASCII, cmd -> switch (new String(cmd, ISO_8859_1)) {
            case "ALIST?\r" -> b("Aone\rAtwo\rA.\r");
            case "BSTAT?\r" -> b("Bx\rCy\r");
            case "CRAW?\r" -> b("C\u0001\u0002\r\u0004");
            default -> null;
        });
        long list = rig.send(A, Request.of("LIST?", Expect.linesUntil(".")), Bus.Priority.NORMAL);
        long stat = rig.send(B, Request.of("STAT?", Expect.lines(2)).withTimeout(Duration.ofMillis(100)), Bus.Priority.NORMAL);
        long raw = rig.send(C, Request.of("RAW?", Expect.bytes(4)), Bus.Priority.NORMAL);
        assertThat(((Event.Reply) rig.endingOf(list)).frames()).extracting(Frame::asString).containsExactly("one", "two");
        assertThat(rig.endingOf(stat)).as("C's frame is not B's second line").isNull();
        assertThat(rig.eventsOf(Event.Discarded.class)).extracting(d -> d.frame().asString()).containsExactly("Cy");
        rig.advanceThroughTimers(Duration.ofMillis(100));
        assertThat(rig.endingOf(stat)).isInstanceOf(Event.Timeout.class);
        assertThat(rig.replyBytes(raw)).containsExactly(1, 2, '\r', 4);
    }

    @Test
    void theOnConnectHookIsWrittenUnaddressedAndItsRepliesAreNotReported() {
        ConnectionConfig cc = CR.toBuilder().onConnect(Request.write("*ALL STOP")).build();
        BusRig rig = BusRig.open(BusConfig.builder().connection(cc).build(), threeDevices());
        long a = rig.send(A, "ID?");
        assertThat(rig.written()).containsExactly("*ALL STOP\r", "AID?\r");
        assertThat(rig.eventsOf(Event.Reply.class)).extracting(Event.Reply::id).containsExactly(a);
    }

    @Test
    void pushedFramesAndDiscardsPassThroughWithTheirAddressBytes() {
        ConnectionConfig cc = CR.toBuilder().classifier(f -> f.startsWith(b("*")) ? dev.labwire.core.FrameClassifier.Kind.PUSHED
                : dev.labwire.core.FrameClassifier.Kind.REPLY).build();
        BusRig rig = BusRig.open(BusConfig.builder().connection(cc).build(), threeDevices());
        rig.deliver(b("*A ALARM\rB stray\r"));
        assertThat(rig.eventsOf(Event.Pushed.class)).extracting(p -> p.frame().asString()).containsExactly("*A ALARM");
        assertThat(rig.eventsOf(Event.Discarded.class)).extracting(d -> d.frame().asString()).containsExactly("B stray");
        assertThat(rig.replyText(rig.send(A, "ID?"))).isEqualTo(" A");
    }

    @Test
    void aQueuedRequestWhoseTimeIsUpEndsUnwrittenAndLeavesItsQueue() {
        BusRig rig = BusRig.open(ASCII, threeDevices());
        rig.hold(true);
        rig.send(A, Request.query("FLOW?").withTimeout(Duration.ofSeconds(1)), Bus.Priority.NORMAL);
        Request quick = Request.query("ID?").withTimeout(Duration.ofMillis(10));
        long b1 = rig.send(B, quick, Bus.Priority.NORMAL);
        long c1 = rig.send(C, Request.query("ID?").withTimeout(Duration.ofMillis(20)), Bus.Priority.HIGH);
        assertThat(rig.bus.pollTimeout()).hasValue(rig.now() + Duration.ofMillis(10).toNanos());
        rig.advanceThroughTimers(Duration.ofMillis(30));
        assertThat(rig.endingOf(b1)).isEqualTo(new Event.Timeout(b1, quick, false));
        assertThat(rig.endingOf(c1)).isInstanceOf(Event.Timeout.class);
        assertThat(rig.bus.queuedCount()).isZero();
        assertThat(rig.bus.queuedCount(B)).isZero();
        rig.hold(false);
        rig.pump();
        assertThat(rig.written()).containsExactly("AFLOW?\r");
        assertThat(rig.replyText(rig.send(B, "ID?"))).isEqualTo(" B");
    }
}
