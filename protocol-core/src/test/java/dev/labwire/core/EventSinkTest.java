package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection#nextEvent(EventSink)}: the same events as {@link Connection#nextEvent()}, in the same order, with a
 * reply of one frame handed over as {@link EventSink#reply} (no {@link Event.Reply} made) and everything else as
 * {@link EventSink#event}. Each case runs two connections fed alike, one drained with each verb, and compares.
 */
class EventSinkTest {
    private static final long MS = 1_000_000L;
    private static final FrameClassifier STAT = FrameClassifier.pushedIfStartsWith(ascii("STAT:"));

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** What a drain saw, one line per event; replies through {@link EventSink#reply} are marked "1-frame". */
    private static final class Recorder implements EventSink {
        final List<String> seen = new ArrayList<>();
        final List<Long> oneFrameIds = new ArrayList<>();
        final List<String> pushedFrames = new ArrayList<>();

        @Override
        public void pushed(Frame frame) {
            pushedFrames.add(frame.asString());
            seen.add(describe(new Event.Pushed(frame)));
        }

        @Override
        public void reply(long id, Request request, Frame frame) {
            oneFrameIds.add(id);
            seen.add(describe(new Event.Reply(id, request, List.of(frame))));
        }

        @Override
        public void event(Event event) {
            assertThat(event).as("the sink is never handed NeedData").isNotSameAs(Event.NeedData.INSTANCE);
            seen.add(describe(event));
        }
    }

    private static String describe(Event e) {
        if (e instanceof Event.Reply r) {
            List<String> texts = new ArrayList<>();
            r.frames().forEach(f -> texts.add(f.asString()));
            return "Reply #" + r.id() + " " + r.request().text() + " " + texts;
        }
        return e.toString();
    }

    private static List<String> drainOld(Connection c) {
        List<String> out = new ArrayList<>();
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            out.add(describe(e));
        }
        return out;
    }

    private static void transmitAll(Connection c) {
        while (c.pollTransmit() != null) {
            // written
        }
    }

    private static Connection ready(ConnectionConfig cfg) {
        Connection c = new Connection(cfg);
        c.open(0);
        c.linkUp(0);
        drainOld(c);
        return c;
    }

    /** Two connections alike: {@code script} runs on both; one is drained with nextEvent(), the other with the sink. */
    private static Recorder twin(ConnectionConfig cfg, Consumer<Connection> script, List<String> expected) {
        Connection old = ready(cfg);
        Connection neu = ready(cfg);
        script.accept(old);
        script.accept(neu);
        List<String> viaEvents = drainOld(old);
        Recorder sink = new Recorder();
        while (neu.nextEvent(sink)) {
            // each call hands out one event
        }
        assertThat(neu.nextEvent(sink)).as("nothing more").isFalse();
        assertThat(sink.seen).isEqualTo(viaEvents);
        if (expected != null) {
            assertThat(sink.seen).isEqualTo(expected);
        }
        return sink;
    }

    private static void feed(Connection c, List<byte[]> chunks, long now) {
        for (byte[] chunk : chunks) {
            c.receive(ByteBuffer.wrap(chunk), now);
        }
    }

    @Test
    void everyChunkingGivesTheEventsOfNextEventAndOneFrameRepliesGoWithoutAnEvent() {
        ConnectionConfig cfg = ConnectionConfig.builder().maxInFlight(8).classifier(STAT)
                .pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build();
        byte[] fixture = ascii("alpha\nSTAT:1\nl1\nl2\n#15bravo\ncharlie\nlate\n");
        List<String> expected = List.of(
                "Reply #1 A? [alpha]",
                new Event.Pushed(Frame.of("STAT:1")).toString(),
                "Reply #2 L? [l1, l2]",
                "Reply #3 B? [bravo]",
                "Reply #4 C? [charlie]",
                new Event.Discarded(Frame.of("late"), Event.DiscardReason.UNEXPECTED).toString());
        for (List<byte[]> chunks : Chunking.chunkings(fixture)) {
            Recorder sink = twin(cfg, c -> {
                c.send(Request.query("A?"), 0);
                c.send(Request.of("L?", Expect.lines(2)), 0);
                c.send(Request.of("B?", Expect.block()), 0);
                c.send(Request.query("C?"), 0);
                transmitAll(c);
                drainOld(c);
                feed(c, chunks, 1);
            }, expected);
            assertThat(sink.oneFrameIds).as("one-frame replies, block included, come without an event object")
                    .containsExactly(1L, 3L, 4L);
            assertThat(sink.pushedFrames).containsExactly("STAT:1");
        }
    }

    @Test
    void aWriteEndsWithAnEmptyReplyEvent() {
        Recorder sink = twin(ConnectionConfig.builder().build(), c -> {
            c.send(Request.write("OUTP ON"), 0);
            transmitAll(c);
        }, List.of("Reply #1 OUTP ON []"));
        assertThat(sink.oneFrameIds).isEmpty();
    }

    @Test
    void aTimedOutRequestsLateReplyNeverReachesTheNextCaller() {
        ConnectionConfig cfg = ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(100))
                .staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofSeconds(1))).build();
        Recorder sink = twin(cfg, c -> {
            c.send(Request.query("SLOW?"), 0);
            transmitAll(c);
            c.handleTimeout(100 * MS);
            c.send(Request.query("FAST?"), 101 * MS);
            transmitAll(c);
            c.receive(ByteBuffer.wrap(ascii("slow answer\n")), 150 * MS);
            transmitAll(c);
            c.receive(ByteBuffer.wrap(ascii("fast answer\n")), 160 * MS);
        }, null);
        assertThat(sink.oneFrameIds).as("only FAST? gets a reply, and its own").containsExactly(2L);
        assertThat(sink.seen).contains("Reply #2 FAST? [fast answer]")
                .noneMatch(s -> s.startsWith("Reply #1"))
                .anyMatch(s -> s.startsWith("Timeout[id=1"))
                .contains(new Event.Discarded(Frame.of("slow answer"), Event.DiscardReason.LATE_REPLY).toString());
    }

    @Test
    void windowedPipeliningHandsOutHeldRepliesInOrder() {
        ConnectionConfig cfg = ConnectionConfig.builder().maxInFlight(3)
                .pipelining(ConnectionConfig.Pipelining.CONFIRM_BY_WINDOW).build();
        Recorder sink = twin(cfg, c -> {
            c.send(Request.query("X?"), 0);
            c.send(Request.query("Y?"), 0);
            c.send(Request.query("Z?"), 0);
            transmitAll(c);
            c.receive(ByteBuffer.wrap(ascii("x\ny\nz\n")), 1);
        }, List.of("Reply #1 X? [x]", "Reply #2 Y? [y]", "Reply #3 Z? [z]"));
        assertThat(sink.oneFrameIds).containsExactly(1L, 2L, 3L);
    }

    @Test
    void theOnConnectHookEndsThroughTheSinkAndTheLinkBecomesReady() {
        Connection c = new Connection(ConnectionConfig.builder().onConnect(Request.query("*IDN?")).build());
        c.open(0);
        c.linkUp(0);
        transmitAll(c);
        c.receive(ByteBuffer.wrap(ascii("ACME,PSU,1,2\n")), 1);
        Recorder sink = new Recorder();
        while (c.nextEvent(sink)) {
            // drain
        }
        assertThat(c.state()).isEqualTo(State.READY);
        assertThat(sink.seen).contains("Reply #1 *IDN? [ACME,PSU,1,2]")
                .contains(new Event.StateChanged(State.READY, null).toString());
    }

    @Test
    void withServiceRequestPollingEveryEventComesWholeAndPollsStayHidden() {
        ConnectionConfig cfg = ConnectionConfig.builder().serviceRequestPolling(Duration.ofMillis(100))
                .defaultTimeout(Duration.ofSeconds(1)).build();
        Recorder sink = twin(cfg, c -> {
            transmitAll(c);
            c.handleTimeout(100 * MS); // the poll goes out first
            long idn = c.send(Request.query("*IDN?"), 100 * MS);
            assertThat(idn).isPositive();
            transmitAll(c);
            c.receive(ByteBuffer.wrap(ascii("+96\n")), 101 * MS);
            transmitAll(c); // *IDN? goes once the poll is answered (one request in flight)
            c.receive(ByteBuffer.wrap(ascii("ACME\n")), 102 * MS);
        }, null);
        assertThat(sink.oneFrameIds).as("with polling on, replies come as events").isEmpty();
        assertThat(sink.seen).contains(new Event.ServiceRequest(96).toString()).anyMatch(s -> s.contains("*IDN? [ACME]"))
                .noneMatch(s -> s.contains("*STB?"));
    }

    @Test
    void theTwoVerbsMayAlternateAndShareOneOrder() {
        Connection c = ready(ConnectionConfig.builder().maxInFlight(4).classifier(STAT)
                .pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build());
        for (String q : List.of("A?", "B?", "C?")) {
            c.send(Request.query(q), 0);
        }
        transmitAll(c);
        c.receive(ByteBuffer.wrap(ascii("a\nSTAT:x\nb\nc\n")), 1);
        Recorder sink = new Recorder();
        assertThat(c.nextEvent(sink)).isTrue();
        assertThat(describe(c.nextEvent())).isEqualTo(new Event.Pushed(Frame.of("STAT:x")).toString());
        assertThat(describe(c.nextEvent())).as("an ended exchange is made an event when asked so").isEqualTo("Reply #2 B? [b]");
        assertThat(c.nextEvent(sink)).isTrue();
        assertThat(c.nextEvent(sink)).isFalse();
        assertThat(c.nextEvent()).isSameAs(Event.NeedData.INSTANCE);
        assertThat(sink.seen).containsExactly("Reply #1 A? [a]", "Reply #3 C? [c]");
    }

    @Test
    void aSinkWithOnlyEventSeesEveryEventAsAnObject() {
        Connection c = ready(ConnectionConfig.builder().classifier(STAT).build());
        long id = c.send(Request.query("A?"), 0);
        transmitAll(c);
        c.receive(ByteBuffer.wrap(ascii("STAT:1\na\n")), 1);
        List<Event> seen = new ArrayList<>();
        EventSink plain = seen::add;
        while (c.nextEvent(plain)) {
            // drain
        }
        assertThat(seen).containsExactly(new Event.Pushed(Frame.of("STAT:1")), new Event.Reply(id, Request.query("A?"), List.of(Frame.of("a"))));
    }

    @Test
    void aNullSinkIsRefusedByName() {
        Connection c = ready(ConnectionConfig.builder().build());
        assertThatThrownBy(() -> c.nextEvent((EventSink) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("sink");
    }

    /** Random replies (one or two lines), pushed lines and late garbage in random splits: both verbs agree, and every reply is its request's. */
    @Property(tries = 2_000)
    void randomRepliesInRandomSplitsGiveTheSameEventsAndTheRightReplies(@ForAll long seed, @ForAll @IntRange(min = 1, max = 20) int n) {
        Random random = new Random(seed);
        ConnectionConfig cfg = ConnectionConfig.builder().maxInFlight(n).maxQueued(n).classifier(STAT)
                .pipelining(random.nextBoolean() ? ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED
                        : ConnectionConfig.Pipelining.CONFIRM_BY_WINDOW).build();
        List<Request> requests = new ArrayList<>();
        StringBuilder wire = new StringBuilder();
        List<String> expectedReplies = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            boolean two = random.nextInt(4) == 0;
            requests.add(two ? Request.of("Q" + i + "?", Expect.lines(2)) : Request.query("Q" + i + "?"));
            if (random.nextInt(3) == 0) {
                wire.append("STAT:").append(i).append('\n');
            }
            wire.append("r").append(i).append('\n');
            if (two) {
                wire.append("s").append(i).append('\n');
            }
            expectedReplies.add("Reply #" + i + " Q" + i + "? " + (two ? "[r" + i + ", s" + i + "]" : "[r" + i + "]"));
        }
        if (random.nextBoolean()) {
            wire.append("garbage\n");
        }
        List<byte[]> chunks = Chunking.randomSplit(ascii(wire.toString()), random);
        Recorder sink = twin(cfg, c -> {
            for (Request r : requests) {
                c.send(r, 0);
            }
            transmitAll(c);
            feed(c, chunks, 1);
        }, null);
        assertThat(sink.seen.stream().filter(s -> s.startsWith("Reply")).toList()).isEqualTo(expectedReplies);
    }
}
