package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection#receivedOnlyPushed()}, the hint that lets a driver skip the write and timer steps of its drain
 * after a streaming device's frame: true only when the latest receive did nothing but queue pushed frames while nothing
 * was awaited or held, and then what {@code pollTransmit} and {@code pollTimeoutNanos} give is what they gave before.
 * Fixtures whole, byte by byte, at every split and at random splits, with trailing garbage; a random script checked
 * against that promise; a fake clock.
 */
class ReceivedOnlyPushedTest {
    private static final long MS = 1_000_000L;
    private static final FrameClassifier STAT = FrameClassifier.pushedIfStartsWith(ascii("STAT:"));

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Connection ready(ConnectionConfig cfg) {
        Connection c = new Connection(cfg);
        c.open(0);
        c.linkUp(0);
        drain(c);
        return c;
    }

    private static List<Event> drain(Connection c) {
        List<Event> out = new ArrayList<>();
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            out.add(e);
        }
        return out;
    }

    private static int transmitAll(Connection c) {
        int n = 0;
        for (ByteBuffer b; (b = c.pollTransmit()) != null; ) {
            n += b.remaining();
        }
        return n;
    }

    private static boolean receive(Connection c, byte[] chunk, long now) {
        c.receive(ByteBuffer.wrap(chunk), now);
        return c.receivedOnlyPushed();
    }

    @Test
    void pushedFramesWhileNothingIsAwaitedSayTrueAtEveryFrameBoundaryAndFalseInsideAFrame() {
        byte[] fixture = ascii("STAT:1\nSTAT:22\nSTAT:333\n");
        for (List<byte[]> chunks : Chunking.chunkings(fixture)) {
            Connection c = ready(ConnectionConfig.builder().classifier(STAT).build());
            int at = 0;
            for (byte[] chunk : chunks) {
                boolean startsAtBoundary = at == 0 || fixture[at - 1] == '\n';
                at += chunk.length;
                boolean endsAtBoundary = at == 0 || fixture[at - 1] == '\n';
                assertThat(receive(c, chunk, at * MS)).as("chunk ending at %d of %s", at, Chunking.show(fixture))
                        .isEqualTo(startsAtBoundary && endsAtBoundary);
            }
            assertThat(drain(c)).as("every frame came out, pushed").hasSize(3).allMatch(e -> e instanceof Event.Pushed);
        }
    }

    @Test
    void trailingGarbageThatIsNotPushedSaysFalse() {
        byte[] fixture = ascii("STAT:1\njunk\n");
        for (List<byte[]> chunks : Chunking.chunkings(fixture)) {
            Connection c = ready(ConnectionConfig.builder().classifier(STAT).build());
            boolean last = false;
            for (byte[] chunk : chunks) {
                last = receive(c, chunk, 1);
            }
            assertThat(last).as("the receive that framed the unexpected line").isFalse();
            assertThat(drain(c)).hasSize(2).last().isInstanceOf(Event.Discarded.class);
        }
    }

    @Test
    void aPushedFrameWhileAReplyIsAwaitedSaysFalse() {
        Connection c = ready(ConnectionConfig.builder().classifier(STAT).build());
        c.send(Request.query("MEAS?"), 0);
        transmitAll(c);
        assertThat(receive(c, ascii("STAT:1\n"), 1)).as("a request on the wire: its deadline is armed").isFalse();
        assertThat(receive(c, ascii("1.5\n"), 2)).as("its reply").isFalse();
        assertThat(receive(c, ascii("STAT:2\n"), 3)).as("nothing awaited any more").isTrue();
        assertThat(drain(c)).hasSize(3);
    }

    @Test
    void theLateReplyOfATimedOutRequestSaysFalse() {
        Connection c = ready(ConnectionConfig.builder().classifier(STAT).defaultTimeout(Duration.ofMillis(100))
                .staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofSeconds(1))).build());
        c.send(Request.query("SLOW?"), 0);
        transmitAll(c);
        c.handleTimeout(100 * MS);
        drain(c);
        assertThat(receive(c, ascii("STAT:1\n"), 150 * MS)).as("a late reply is still owed").isFalse();
        assertThat(receive(c, ascii("slow answer\n"), 160 * MS)).isFalse();
        assertThat(receive(c, ascii("STAT:2\n"), 170 * MS)).as("the owed reply came: nothing awaited").isTrue();
    }

    @Test
    void duringTheOnConnectHookAndWithServiceRequestPollingItSaysFalse() {
        Connection hooked = new Connection(ConnectionConfig.builder().classifier(STAT).onConnect(Request.query("*IDN?")).build());
        hooked.open(0);
        hooked.linkUp(0);
        transmitAll(hooked);
        assertThat(receive(hooked, ascii("STAT:1\n"), 1)).as("not READY yet").isFalse();
        assertThat(receive(hooked, ascii("ACME,PSU,1,2\n"), 2)).isFalse();
        drain(hooked);
        assertThat(hooked.state()).isEqualTo(State.READY);
        assertThat(receive(hooked, ascii("STAT:2\n"), 3)).isTrue();

        Connection polled = ready(ConnectionConfig.builder().classifier(STAT).serviceRequestPolling(Duration.ofMillis(50)).build());
        assertThat(receive(polled, ascii("STAT:1\n"), 1)).as("polling has its own timer and writes").isFalse();
    }

    @Test
    void afterTheLinkIsLostItSaysFalse() {
        Connection c = ready(ConnectionConfig.builder().classifier(STAT).build());
        assertThat(receive(c, ascii("STAT:1\n"), 1)).isTrue();
        c.linkDown(new java.io.IOException("gone"), 2);
        assertThat(receive(c, ascii("STAT:2\n"), 3)).isFalse();
    }

    /**
     * A random script of requests (queries that get answered or time out, writes), pushed frames, unexpected lines and
     * timer firings, each input followed by a full drain as a driver does, except that when the latest receive said
     * true, the write and timer steps are checked instead of run: nothing to write, and the same deadline as after the
     * drain before it.
     */
    @Property(tries = 300)
    void whenItSaysTrueThereIsNothingNewToWriteAndNoDeadlineMoved(@ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int seed) {
        Random r = new Random(seed);
        Connection c = ready(ConnectionConfig.builder().classifier(STAT).maxInFlight(1 + r.nextInt(3))
                .defaultTimeout(Duration.ofMillis(20 + r.nextInt(50)))
                .staleReplyPolicy(r.nextBoolean() ? StaleReplyPolicy.discardLateReply(Duration.ofMillis(30))
                        : StaleReplyPolicy.resync(Request.query("*OPC?"), "1")).build());
        long now = 0;
        long deadline = c.pollTimeoutNanos();
        for (int step = 0; step < 60; step++) {
            now += r.nextInt(10) * MS;
            int what = r.nextInt(10);
            byte[] in = null;
            if (what < 2) {
                c.send(r.nextBoolean() ? Request.query("Q" + step + "?") : Request.write("W" + step), now);
            } else if (what < 6) {
                in = ascii("STAT:" + step + "\n");
            } else if (what < 8) {
                in = ascii(r.nextBoolean() ? "r" + step + "\n" : "STAT:" + step + "\nr" + step + "\n");
            } else if (what < 9) {
                in = ascii("1\n"); // a *OPC? answer, a late reply or an unexpected line
            } else if (deadline != Long.MAX_VALUE && deadline <= now) {
                c.handleTimeout(now);
            }
            if (in != null) {
                c.receive(ByteBuffer.wrap(in), now);
                if (c.receivedOnlyPushed()) {
                    assertThat(c.pollTimeoutNanos()).as("step %d: the deadline", step).isEqualTo(deadline);
                    assertThat(transmitAll(c)).as("step %d: bytes to write", step).isZero();
                    assertThat(drain(c)).as("step %d", step).allMatch(e -> e instanceof Event.Pushed);
                    continue;
                }
            }
            transmitAll(c);
            drain(c);
            deadline = c.pollTimeoutNanos();
        }
    }
}
