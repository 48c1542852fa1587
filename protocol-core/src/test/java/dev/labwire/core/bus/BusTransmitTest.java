package dev.labwire.core.bus;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Framing;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.testing.Pair;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** {@link Bus#pollTransmit(ByteBuffer)}: the bus's bytes copied into the driver's buffer. */
class BusTransmitTest {
    private static final Address A = Address.of("A");
    private static final Address C = Address.of("C");
    private static final long T0 = 2_000_000_000L;
    private static final ConnectionConfig CR = ConnectionConfig.builder().framing(Framing.lines("\r")).writeTerminator("\r")
            .defaultTimeout(Duration.ofMillis(50)).build();
    private static final Duration TURNAROUND = Duration.ofMillis(5);

    private static Bus ready(BusConfig cfg) {
        Bus bus = new Bus(cfg);
        bus.open(T0);
        bus.linkUp(T0);
        events(bus);
        return bus;
    }

    private static List<Event> events(Bus bus) {
        List<Event> out = new ArrayList<>();
        for (Event e; (e = bus.nextEvent()) != Event.NeedData.INSTANCE; ) {
            out.add(e);
        }
        return out;
    }

    private static String poll(Bus bus, int size) {
        ByteBuffer dst = ByteBuffer.allocate(size);
        int n = bus.pollTransmit(dst);
        assertThat(dst.position()).isEqualTo(n);
        return new String(dst.array(), 0, n, ISO_8859_1);
    }

    @Test
    void theRestOfASplitRequestGoesOutAtOnceButTheNextExchangeStillWaitsForTheTurnaround() {
        Bus bus = ready(BusConfig.builder().connection(CR).turnaround(TURNAROUND).build());
        bus.send(C, Request.write("SET 1"), T0);
        bus.send(A, Request.query("FLOW?"), T0);
        assertThat(poll(bus, 3)).isEqualTo("CSE");
        assertThat(poll(bus, 64)).as("the rest, not the next exchange").isEqualTo("T 1\r");
        assertThat(poll(bus, 64)).as("the turnaround").isEmpty();
        long after = T0 + TURNAROUND.toNanos();
        assertThat(bus.pollTimeoutNanos()).isEqualTo(after);
        bus.handleTimeout(after);
        assertThat(poll(bus, 64)).isEqualTo("AFLOW?\r");
    }

    @Test
    void theVerbsMixAndALostLinkDropsTheRest() {
        Bus bus = ready(BusConfig.builder().connection(CR.toBuilder().backoff(new dev.labwire.core.Backoff(
                Duration.ofMillis(10), Duration.ofMillis(10), 1, 0)).build()).build());
        bus.send(A, Request.query("FLOW?"), T0);
        assertThat(poll(bus, 2)).isEqualTo("AF");
        ByteBuffer rest = bus.pollTransmit();
        assertThat(new String(rest.array(), rest.position(), rest.remaining(), ISO_8859_1)).isEqualTo("LOW?\r");
        bus.receive(ByteBuffer.wrap("A 1\r".getBytes(ISO_8859_1)), T0);
        bus.send(A, Request.query("FLOW?").withResend(Request.Resend.ON_RECONNECT), T0);
        assertThat(poll(bus, 2)).isEqualTo("AF");
        bus.linkDown(new IllegalStateException("cable pulled"), T0);
        assertThat(poll(bus, 64)).isEmpty();
        long reconnect = bus.pollTimeoutNanos();
        bus.handleTimeout(reconnect);
        bus.linkUp(reconnect);
        assertThat(bus.state()).isEqualTo(State.READY);
        assertThat(poll(bus, 64)).as("resent whole").isEqualTo("AFLOW?\r");
    }

    @Test
    void aReadOnlyBufferIsRefused() {
        Bus bus = ready(BusConfig.builder().connection(CR).build());
        bus.send(A, Request.query("FLOW?"), T0);
        assertThatThrownBy(() -> bus.pollTransmit(ByteBuffer.allocate(8).asReadOnlyBuffer())).isInstanceOf(IllegalArgumentException.class);
        assertThat(poll(bus, 64)).isEqualTo("AFLOW?\r");
    }

    /** A driver over one bus: the array verb, or buffers of random sizes. */
    private static final class Driver {
        final Bus bus;
        final Random sizes;
        final ByteArrayOutputStream wire = new ByteArrayOutputStream();
        final List<String> events = new ArrayList<>();

        Driver(BusConfig cfg, Random sizes) {
            this.bus = new Bus(cfg);
            this.sizes = sizes;
        }

        void drain(long now) {
            for (boolean moved = true; moved; ) {
                moved = false;
                while (true) {
                    if (sizes == null) {
                        ByteBuffer out = bus.pollTransmit();
                        if (out == null) {
                            break;
                        }
                        wire.write(out.array(), out.arrayOffset() + out.position(), out.remaining());
                    } else {
                        ByteBuffer dst = ByteBuffer.allocate(1 + sizes.nextInt(10));
                        if (bus.pollTransmit(dst) == 0) {
                            break;
                        }
                        wire.write(dst.array(), 0, dst.position());
                    }
                    moved = true;
                }
                for (Event e; (e = bus.nextEvent()) != Event.NeedData.INSTANCE; moved = true) {
                    events.add(e.toString());
                    if (e instanceof Event.OpenLink) {
                        bus.linkUp(now);
                    } else if (e instanceof Event.CloseLink) {
                        bus.linkDown(new IllegalStateException("closed on order"), now);
                    }
                }
            }
            Pair.checkTimeoutTwins(bus);
        }
    }

    /**
     * The same inputs to two buses, one drained with the array verb, one through buffers of random sizes: at every
     * step the same bytes went out and the same events came out (so the turnaround and the turns are kept).
     */
    @Property(tries = 2_000)
    void theBufferVerbWritesAndEndsExactlyAsTheArrayVerb(@ForAll long seed) {
        Random r = new Random(seed);
        BusConfig cfg = BusConfig.builder().connection(CR.toBuilder().maxQueued(1 + r.nextInt(10))
                        .backoff(new dev.labwire.core.Backoff(Duration.ofMillis(10), Duration.ofMillis(10), 1, 0)).build())
                .turnaround(Duration.ofMillis(r.nextInt(3) * 2)).build();
        Driver a = new Driver(cfg, null);
        Driver b = new Driver(cfg, new Random(r.nextLong()));
        long now = T0;
        a.bus.open(now);
        b.bus.open(now);
        int delivered = 0;
        Address[] addresses = {A, C, Address.of("B")};
        for (int step = 0; step < 60; step++) {
            int op = r.nextInt(10);
            if (op < 4) {
                Address to = addresses[r.nextInt(addresses.length)];
                Request req = r.nextBoolean() ? Request.write("S" + step) : Request.query("Q" + step + "?");
                Bus.Priority p = r.nextInt(4) == 0 ? Bus.Priority.HIGH : Bus.Priority.NORMAL;
                assertThat(send(b.bus, to, req, p, now)).isEqualTo(send(a.bus, to, req, p, now));
            } else if (op < 7) {
                byte[] all = a.wire.toByteArray(); // the loopback: each command comes back as its own reply
                byte[] back = java.util.Arrays.copyOfRange(all, delivered, all.length);
                delivered = all.length;
                a.bus.receive(ByteBuffer.wrap(back), now);
                b.bus.receive(ByteBuffer.wrap(back), now);
            } else if (op < 9) {
                now += r.nextInt(30) * 1_000_000L;
                if (a.bus.pollTimeoutNanos() <= now) {
                    a.bus.handleTimeout(now);
                    b.bus.handleTimeout(now);
                }
            } else if (a.bus.state() == State.READY) {
                IllegalStateException cause = new IllegalStateException("cable pulled");
                a.bus.linkDown(cause, now);
                b.bus.linkDown(cause, now);
                delivered = a.wire.size();
            }
            a.drain(now);
            b.drain(now);
            assertThat(b.wire.toByteArray()).as("bytes written after step " + step).isEqualTo(a.wire.toByteArray());
            assertThat(b.events).as("events after step " + step).isEqualTo(a.events);
        }
    }

    private static String send(Bus bus, Address to, Request req, Bus.Priority p, long now) {
        try {
            return "id " + bus.send(to, req, p, now);
        } catch (LocalProtocolException e) {
            return e.getMessage();
        }
    }
}
