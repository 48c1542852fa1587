package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Pair;
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

/** {@link Connection#pollTransmit(ByteBuffer)} against {@link Connection#pollTransmit()}, on random runs. */
class TransmitPropertiesTest {
    private static final long T0 = 9_000_000_000L;

    /** A driver's drain loop over one connection, writing through one of the two verbs. */
    private static final class Driver {
        final Connection conn;
        final Random sizes; // null: the array verb only
        final ByteArrayOutputStream wire = new ByteArrayOutputStream();
        final List<String> events = new ArrayList<>();

        Driver(ConnectionConfig cfg, Random sizes) {
            this.conn = new Connection(cfg);
            this.sizes = sizes;
        }

        /** Writes everything there is (the buffer verb into buffers of 1 to 24 bytes, now and then the array verb). */
        boolean transmit() {
            boolean moved = false;
            while (true) {
                if (sizes == null || sizes.nextInt(8) == 0) {
                    ByteBuffer out = conn.pollTransmit();
                    if (out == null) {
                        return moved;
                    }
                    wire.write(out.array(), out.arrayOffset() + out.position(), out.remaining());
                } else {
                    ByteBuffer dst = ByteBuffer.allocate(1 + sizes.nextInt(24));
                    if (conn.pollTransmit(dst) == 0) {
                        return moved;
                    }
                    wire.write(dst.array(), 0, dst.position());
                }
                moved = true;
            }
        }

        /** The drain loop until nothing moves; obeys OpenLink and CloseLink at once. */
        void drain(long now) {
            for (boolean moved = true; moved; ) {
                moved = transmit();
                for (Event e; (e = conn.nextEvent()) != Event.NeedData.INSTANCE; moved = true) {
                    events.add(e.toString());
                    if (e instanceof Event.OpenLink) {
                        conn.linkUp(now);
                    } else if (e instanceof Event.CloseLink) {
                        conn.linkDown(new IllegalStateException("closed on order"), now);
                    }
                }
            }
            Pair.checkTimeoutTwins(conn);
        }
    }

    private static ConnectionConfig randomConfig(Random r) {
        StaleReplyPolicy[] policies = {StaleReplyPolicy.scpiResync(), StaleReplyPolicy.discardLateReply(Duration.ofMillis(100)),
                StaleReplyPolicy.releaseAfter(Duration.ofMillis(50)), StaleReplyPolicy.reconnect()};
        StaleReplyPolicy policy = policies[r.nextInt(policies.length)];
        return ConnectionConfig.builder()
                .maxInFlight(policy instanceof StaleReplyPolicy.ReleaseAfter ? 1 : 1 + r.nextInt(4))
                .maxQueued(1 + r.nextInt(20))
                .writeTerminator(r.nextBoolean() ? "\n" : "\r\n")
                .echo(r.nextInt(3) == 0 ? ConnectionConfig.Echo.CHECK_AND_DROP : ConnectionConfig.Echo.NONE)
                .defaultTimeout(Duration.ofMillis(20 + r.nextInt(200)))
                .staleReplyPolicy(policy)
                .backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), 2, 0))
                .jitter(() -> JitterSource.fixed(0.5))
                .onConnect(r.nextInt(4) == 0 ? List.of(Request.write("*CLS")) : List.of())
                .build();
    }

    /**
     * The same inputs (sends, loopback and random bytes, timers, link drops) to two connections, one drained with
     * the array verb, one through buffers of random sizes: at every step the same bytes went out and the same
     * events came out.
     */
    @Property(tries = 3_000)
    void theBufferVerbWritesAndEndsExactlyAsTheArrayVerb(@ForAll long seed) {
        Random r = new Random(seed);
        ConnectionConfig cfg = randomConfig(r);
        Driver a = new Driver(cfg, null);
        Driver b = new Driver(cfg, new Random(r.nextLong()));
        long now = T0;
        a.conn.open(now);
        b.conn.open(now);
        int delivered = 0;
        for (int step = 0; step < 60; step++) {
            int op = r.nextInt(10);
            if (op < 4) {
                String text = "Q" + step + "x".repeat(r.nextInt(30)) + "?";
                int kind = r.nextInt(3);
                Request req = kind == 0 ? Request.of(text, Expect.nothing()) : kind == 1 ? Request.query(text) : Request.of(text, Expect.lines(2));
                String ra = sendOutcome(a.conn, req, now);
                assertThat(sendOutcome(b.conn, req, now)).isEqualTo(ra);
            } else if (op < 7) {
                // the loopback: what was written comes back (its echo, or a line that answers a query)
                byte[] all = a.wire.toByteArray();
                byte[] back = java.util.Arrays.copyOfRange(all, delivered, all.length);
                delivered = all.length;
                a.conn.receive(ByteBuffer.wrap(back), now);
                b.conn.receive(ByteBuffer.wrap(back), now);
            } else if (op == 7) {
                byte[] junk = ("R" + r.nextInt(100) + (r.nextBoolean() ? "\n" : "")).getBytes(ISO_8859_1);
                a.conn.receive(ByteBuffer.wrap(junk), now);
                b.conn.receive(ByteBuffer.wrap(junk), now);
            } else if (op == 8) {
                now += r.nextInt(150) * 1_000_000L;
                if (a.conn.pollTimeoutNanos() <= now) {
                    a.conn.handleTimeout(now);
                    b.conn.handleTimeout(now);
                }
            } else if (a.conn.state() == State.READY || a.conn.state() == State.ON_CONNECT) {
                IllegalStateException cause = new IllegalStateException("cable pulled");
                a.conn.linkDown(cause, now);
                b.conn.linkDown(cause, now);
                delivered = a.wire.size();
            }
            a.drain(now);
            b.drain(now);
            assertThat(b.wire.toByteArray()).as("bytes written after step " + step).isEqualTo(a.wire.toByteArray());
            assertThat(b.events).as("events after step " + step).isEqualTo(a.events);
            assertThat(b.conn.pollTimeoutNanos()).isEqualTo(a.conn.pollTimeoutNanos());
        }
    }

    private static String sendOutcome(Connection c, Request req, long now) {
        try {
            return "id " + c.send(req, now);
        } catch (LocalProtocolException e) {
            return e.getMessage();
        }
    }

    /**
     * Requests written a few bytes at a time, the driver stopping after any call while replies and echoes arrive in
     * between: the device sees every request whole, in send order, never interleaved, and each query gets its own
     * answer.
     */
    @Property(tries = 3_000)
    void splitRequestsReachTheDeviceWholeAndInOrderAcrossInputs(@ForAll long seed) throws java.io.IOException {
        Random r = new Random(seed);
        boolean echo = r.nextInt(3) == 0;
        ConnectionConfig cfg = ConnectionConfig.builder().maxInFlight(1 + r.nextInt(8))
                .echo(echo ? ConnectionConfig.Echo.CHECK_AND_DROP : ConnectionConfig.Echo.NONE).build();
        Connection c = new Connection(cfg);
        c.open(T0);
        c.linkUp(T0);
        while (c.nextEvent() != Event.NeedData.INSTANCE) {
            continue; // the state changes up to READY
        }
        int n = 1 + r.nextInt(20);
        ByteArrayOutputStream expectedWire = new ByteArrayOutputStream();
        Map<Long, String> expected = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String cmd = (r.nextInt(3) == 0 ? "W" : "Q") + i + ":" + "y".repeat(r.nextInt(12));
            expectedWire.writeBytes((cmd + "\n").getBytes(ISO_8859_1));
            long id = c.send(cmd.startsWith("W") ? Request.write(cmd) : Request.query(cmd), T0);
            expected.put(id, cmd.startsWith("W") ? "" : "A" + i);
        }
        ByteArrayOutputStream deviceSaw = new ByteArrayOutputStream();
        StringBuilder line = new StringBuilder();
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        Map<Long, String> got = new HashMap<>();
        for (int guard = 0, k = 1; guard < 100_000 && (got.size() < n || k > 0); guard++) {
            ByteBuffer dst = ByteBuffer.allocate(1 + r.nextInt(8));
            k = c.pollTransmit(dst);
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            // the device, byte by byte: the echo at once; the answer to each whole query, on a 2-wire (echo) link
            // only once the host is silent (no request half-written), as answering then would collide
            for (int i = 0; i < k; i++) {
                byte x = dst.get(i);
                deviceSaw.write(x);
                if (echo) {
                    back.write(x);
                }
                if (x == '\n') {
                    String cmd = line.toString();
                    line.setLength(0);
                    if (cmd.startsWith("Q")) {
                        answers.writeBytes(("A" + cmd.substring(1, cmd.indexOf(':')) + "\n").getBytes(ISO_8859_1));
                    }
                } else {
                    line.append((char) x);
                }
            }
            if (!echo || line.length() == 0) {
                answers.writeTo(back);
                answers.reset();
            }
            byte[] answer = back.toByteArray();
            int cut = answer.length == 0 ? 0 : r.nextInt(answer.length + 1);
            c.receive(ByteBuffer.wrap(answer, 0, cut), T0);
            c.receive(ByteBuffer.wrap(answer, cut, answer.length - cut), T0);
            for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
                assertThat(e).isInstanceOf(Event.Reply.class);
                Event.Reply rep = (Event.Reply) e;
                assertThat(got.put(rep.id(), rep.frames().isEmpty() ? "" : rep.text())).as("ended twice").isNull();
            }
        }
        assertThat(deviceSaw.toByteArray()).isEqualTo(expectedWire.toByteArray());
        assertThat(got).isEqualTo(expected);
    }
}
