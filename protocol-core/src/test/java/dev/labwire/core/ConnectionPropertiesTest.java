package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.testing.Chunking;
import dev.labwire.core.testing.Lender;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class ConnectionPropertiesTest {
    private static final long T0 = 5_000_000_000L;

    /** A connection whose link is up and ready, with events drained into {@code sink}. */
    private static Connection ready(ConnectionConfig cfg, List<Event> sink) {
        Connection c = new Connection(cfg);
        c.open(T0);
        c.linkUp(T0);
        drain(c, sink, null);
        return c;
    }

    private static void drain(Connection c, List<Event> sink, ByteArrayOutputStream wire) {
        for (ByteBuffer out; (out = c.pollTransmit()) != null; ) {
            if (wire != null) {
                wire.writeBytes(java.util.Arrays.copyOfRange(out.array(), out.position(), out.limit()));
            }
        }
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            sink.add(e);
        }
        dev.labwire.core.testing.Pair.checkTimeoutTwins(c);
    }

    /**
     * Hands {@code chunk} to {@code c} in a buffer of a random kind, as drivers do ({@link Lender}: heap, heap slice,
     * read-only, direct), checks that all of it was taken, and overwrites the buffer at once, as a driver reusing it
     * does: the events are read only later, so a frame still referring to the driver's bytes would show it.
     */
    private static void receive(Connection c, byte[] chunk, long now, Random r) {
        Lender lender = Lender.of(chunk, r);
        ByteBuffer b = lender.buffer();
        int limit = b.limit();
        c.receive(b, now);
        assertThat(b.position()).as("position after receive of %s", lender).isEqualTo(limit);
        lender.scribble();
    }

    /**
     * Random requests of every expectation, pipelined, their replies with pushed frames between them,
     * delivered in random splits (raw byte counts only on a connection that pushes nothing): every request gets exactly
     * its own reply, pushes come out in order.
     */
    @Property(tries = 10_000)
    void randomValidExchangesInRandomSplitsAlwaysCorrelate(@ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int n) {
        Random r = new Random(seed);
        // raw byte counts only where nothing is pushed: a connection that classifies pushes refuses them
        boolean pushing = r.nextBoolean();
        ConnectionConfig cfg = ConnectionConfig.builder().maxInFlight(n).classifier(pushing
                ? FrameClassifier.pushedIfStartsWith("P:".getBytes(ISO_8859_1)) : FrameClassifier.ALL_REPLIES).build();
        List<Event> events = new ArrayList<>();
        Connection c = ready(cfg, events);
        ByteArrayOutputStream replies = new ByteArrayOutputStream();
        Map<Long, List<String>> expected = new HashMap<>();
        List<String> pushes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String tok = "t" + i + "-" + Long.toHexString(r.nextLong());
            int kind = r.nextInt(pushing ? 4 : 5);
            List<String> want = new ArrayList<>();
            if (pushing && r.nextInt(4) == 0) {
                // a push may precede any reply
                String push = "P:before " + i;
                pushes.add(push);
                replies.writeBytes((push + "\n").getBytes(ISO_8859_1));
            }
            Expect x;
            if (kind == 0) {
                x = Expect.line();
                want.add(tok);
                replies.writeBytes((tok + (r.nextBoolean() ? "\r\n" : "\n")).getBytes(ISO_8859_1));
            } else if (kind == 1) {
                int k = 1 + r.nextInt(4);
                x = Expect.lines(k);
                for (int j = 0; j < k; j++) {
                    want.add(tok + "/" + j);
                    replies.writeBytes((tok + "/" + j + "\n").getBytes(ISO_8859_1));
                    if (pushing && j < k - 1 && r.nextInt(3) == 0) { // between the lines of one reply
                        String push = "P:" + i + "/" + j;
                        pushes.add(push);
                        replies.writeBytes((push + "\n").getBytes(ISO_8859_1));
                    }
                }
            } else if (kind == 2) {
                x = Expect.linesUntil("END");
                int k = r.nextInt(4);
                for (int j = 0; j < k; j++) {
                    want.add(tok + "." + j);
                    replies.writeBytes((tok + "." + j + "\n").getBytes(ISO_8859_1));
                }
                replies.writeBytes("END\n".getBytes(ISO_8859_1));
            } else if (kind == 3) {
                x = Expect.block();
                byte[] payload = new byte[r.nextInt(40)];
                r.nextBytes(payload);
                want.add(new String(payload, ISO_8859_1));
                String len = Integer.toString(payload.length);
                replies.writeBytes(("#" + len.length() + len).getBytes(ISO_8859_1));
                replies.writeBytes(payload);
                if (r.nextBoolean()) {
                    replies.write('\n');
                }
            } else {
                byte[] payload = new byte[1 + r.nextInt(10)];
                r.nextBytes(payload);
                if (payload[0] == '\n' || payload[0] == '\r') {
                    payload[0] = 'x'; // else it may be taken as the optional terminator of a block just before
                }
                x = Expect.bytes(payload.length);
                want.add(new String(payload, ISO_8859_1));
                replies.writeBytes(payload);
            }
            long id = c.send(Request.of("Q" + i + "?", x), T0);
            expected.put(id, want);
        }
        drain(c, events, null);
        for (byte[] chunk : Chunking.randomSplit(replies.toByteArray(), r)) {
            receive(c, chunk, T0, r);
            drain(c, events, null);
        }
        Map<Long, List<String>> got = new HashMap<>();
        List<String> gotPushes = new ArrayList<>();
        for (Event e : events) {
            if (e instanceof Event.Reply rep) {
                assertThat(got.put(rep.id(), rep.frames().stream().map(Frame::asString).toList())).as("ended twice").isNull();
            } else if (e instanceof Event.Pushed p) {
                gotPushes.add(p.frame().asString());
            } else {
                assertThat(e).isInstanceOfAny(Event.StateChanged.class, Event.OpenLink.class);
            }
        }
        assertThat(got).isEqualTo(expected);
        assertThat(gotPushes).isEqualTo(pushes);
    }

    /**
     * Random bytes in random splits, with timers firing between them, under every stale-reply policy,
     * with and without half-duplex echo: nothing but declared behaviour,
     * the buffer stays within its bound, and once every deadline passed each request ended exactly once.
     */
    @Property(tries = 10_000)
    void randomBytesNeverBreakTheBoundOrTheExactlyOnceRule(@ForAll long seed) {
        Random r = new Random(seed);
        int max = 64;
        int inFlight = 1 + r.nextInt(4);
        StaleReplyPolicy[] policies = {StaleReplyPolicy.scpiResync(), StaleReplyPolicy.discardLateReply(Duration.ofMillis(300)),
                StaleReplyPolicy.releaseAfter(Duration.ofMillis(r.nextInt(2) * 100))};
        ConnectionConfig cfg = ConnectionConfig.builder().maxFrameLength(max).maxInFlight(inFlight)
                .staleReplyPolicy(policies[r.nextInt(inFlight == 1 ? 3 : 2)])
                .echo(r.nextInt(3) == 0 ? ConnectionConfig.Echo.CHECK_AND_DROP : ConnectionConfig.Echo.NONE)
                .defaultTimeout(Duration.ofMillis(100 + r.nextInt(200))).build();
        List<Event> events = new ArrayList<>();
        Connection c = ready(cfg, events);
        List<Long> ids = new ArrayList<>();
        Expect[] kinds = {Expect.line(), Expect.lines(2), Expect.linesUntil("."), Expect.block(), Expect.bytes(3), Expect.nothing()};
        long now = T0;
        for (int step = 0; step < 40; step++) {
            if (r.nextInt(3) == 0) {
                ids.add(c.send(Request.of("Q?", kinds[r.nextInt(kinds.length)]), now));
            }
            byte[] junk = new byte[r.nextInt(200)];
            for (int i = 0; i < junk.length; i++) {
                int pick = r.nextInt(10);
                junk[i] = pick == 0 ? (byte) '\n' : pick == 1 ? (byte) '#' : pick == 2 ? (byte) ('0' + r.nextInt(10)) : (byte) r.nextInt(256);
            }
            receive(c, junk, now, r);
            assertThat(c.bufferedBytes()).isLessThanOrEqualTo(max + 16);
            now += r.nextInt(50) * 1_000_000L;
            c.handleTimeout(now);
            drain(c, events, null);
            if (c.state() == State.DOWN || c.state() == State.CONNECTING) {
                if (c.state() == State.DOWN) {
                    c.handleTimeout(c.pollTimeout().orElse(now));
                }
                if (c.state() == State.CONNECTING) {
                    c.linkUp(now);
                }
                drain(c, events, null);
            }
            for (Event e : events) {
                if (e instanceof Event.CloseLink) {
                    c.linkDown(new IllegalStateException("closed on order"), now);
                }
            }
            events.removeIf(e -> e instanceof Event.CloseLink);
            drain(c, events, null);
        }
        now += Duration.ofSeconds(5).toNanos();
        c.handleTimeout(now);
        drain(c, events, null);
        for (long id : ids) {
            long endings = events.stream().filter(e -> e instanceof Event.Reply rep && rep.id() == id
                    || e instanceof Event.Timeout t && t.id() == id || e instanceof Event.Failed f && f.id() == id).count();
            assertThat(endings).as("endings of request #" + id).isEqualTo(1);
        }
    }
}
