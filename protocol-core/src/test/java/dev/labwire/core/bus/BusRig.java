package dev.labwire.core.bus;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.labwire.core.Event;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * A {@link Bus} wired through memory to a simulated multi-drop bus, with a fake clock: what the bus
 * writes is logged with its time and shown to a responder (all devices at once, as on RS485), whose
 * answer waits in an outbox until the rig delivers it. With {@link #echo} on, every write comes back
 * first, as on a 2-wire link. Tests never sleep: {@link #advance} moves the clock.
 */
final class BusRig {
    /** One write on the wire. */
    record Write(long atNanos, byte[] bytes) {
        String text() {
            return new String(bytes, ISO_8859_1);
        }
    }

    final Bus bus;
    final List<Event> events = new ArrayList<>();
    /** When each of {@link #events} came out, on the rig's clock. */
    final List<Long> eventAt = new ArrayList<>();
    final List<Write> wire = new ArrayList<>();
    private final ByteArrayOutputStream outbox = new ByteArrayOutputStream();
    private Function<byte[], byte[]> responder;
    private long now = 1_000_000_000L;
    private boolean linkUp;
    private boolean holding;
    private boolean echo;
    private int opens;

    BusRig(BusConfig config, Function<byte[], byte[]> responder) {
        this.bus = new Bus(config);
        this.responder = responder;
    }

    /** A rig whose link is up, ready for requests. */
    static BusRig open(BusConfig config, Function<byte[], byte[]> responder) {
        BusRig rig = new BusRig(config, responder);
        rig.bus.open(rig.now);
        rig.pump();
        return rig;
    }

    /**
     * ASCII devices keyed by address text, each answering a command (address and {@code \r} removed)
     * with a reply body (null: silent). The rig adds the replier's address and {@code \r}.
     */
    static Function<byte[], byte[]> asciiDevices(Map<String, Function<String, String>> devices) {
        return bytes -> {
            String cmd = new String(bytes, ISO_8859_1);
            if (!cmd.endsWith("\r")) {
                return null;
            }
            for (Map.Entry<String, Function<String, String>> d : devices.entrySet()) {
                if (cmd.startsWith(d.getKey())) {
                    String reply = d.getValue().apply(cmd.substring(d.getKey().length(), cmd.length() - 1));
                    return reply == null ? null : (d.getKey() + reply + "\r").getBytes(ISO_8859_1);
                }
            }
            return null;
        };
    }

    long now() {
        return now;
    }

    int opens() {
        return opens;
    }

    void responder(Function<byte[], byte[]> responder) {
        this.responder = responder;
    }

    /** While holding, answers stay in the outbox. */
    void hold(boolean holding) {
        this.holding = holding;
    }

    /** Every write comes back first (half-duplex echo). */
    void echo(boolean echo) {
        this.echo = echo;
    }

    byte[] takeOutbox() {
        byte[] b = outbox.toByteArray();
        outbox.reset();
        return b;
    }

    long send(Address a, String text) {
        return send(a, dev.labwire.core.Request.query(text), Bus.Priority.NORMAL);
    }

    long send(Address a, dev.labwire.core.Request r, Bus.Priority p) {
        long id = bus.send(a, r, p, now);
        pump();
        return id;
    }

    /** Raw bytes from the devices' side, delivered now. */
    void deliver(byte[] bytes) {
        bus.receive(ByteBuffer.wrap(bytes), now);
        pump();
    }

    /** Moves the clock by {@code d} and fires the timer if it is due (as a driver would), then pumps. */
    void advance(Duration d) {
        now += d.toNanos();
        OptionalLong t = bus.pollTimeout();
        if (t.isPresent() && t.getAsLong() <= now) {
            bus.handleTimeout(now);
        }
        pump();
    }

    /** Advances the clock to each due timer in turn, up to {@code d} in total. */
    void advanceThroughTimers(Duration d) {
        long end = now + d.toNanos();
        for (int guard = 0; guard < 1_000_000; guard++) {
            OptionalLong t = bus.pollTimeout();
            if (t.isEmpty() || t.getAsLong() > end) {
                break;
            }
            now = Math.max(now, t.getAsLong());
            bus.handleTimeout(now);
            pump();
        }
        now = end;
        pump();
    }

    /** The driver's drain loop, repeated until nothing moves. */
    void pump() {
        pumpOnce();
        dev.labwire.core.testing.Pair.checkTimeoutTwins(bus);
    }

    private void pumpOnce() {
        for (int guard = 0; guard < 1_000_000; guard++) {
            boolean moved = false;
            ByteBuffer out;
            while ((out = bus.pollTransmit()) != null) {
                byte[] w = new byte[out.remaining()];
                out.get(w);
                wire.add(new Write(now, w));
                if (linkUp) {
                    if (echo) {
                        outbox.writeBytes(w);
                    }
                    byte[] reply = responder.apply(w);
                    if (reply != null) {
                        outbox.writeBytes(reply);
                    }
                }
                moved = true;
            }
            for (Event e = bus.nextEvent(); e != Event.NeedData.INSTANCE; e = bus.nextEvent()) {
                events.add(e);
                eventAt.add(now);
                moved = true;
                if (e instanceof Event.OpenLink) {
                    opens++;
                    linkUp = true;
                    bus.linkUp(now);
                } else if (e instanceof Event.CloseLink c && linkUp) {
                    linkUp = false;
                    outbox.reset();
                    bus.linkDown(new IllegalStateException("closed on order: " + c.reason()), now);
                }
            }
            if (linkUp && !holding && outbox.size() > 0) {
                bus.receive(ByteBuffer.wrap(takeOutbox()), now);
                moved = true;
            }
            if (!moved) {
                return;
            }
        }
        throw new AssertionError("rig never settled");
    }

    /** The texts written, in order. */
    List<String> written() {
        return wire.stream().map(Write::text).toList();
    }

    /** The event that ended request {@code id}, or null. */
    Event endingOf(long id) {
        Event found = null;
        for (Event e : events) {
            if (e instanceof Event.Reply r && r.id() == id || e instanceof Event.Timeout t && t.id() == id
                    || e instanceof Event.Failed f && f.id() == id) {
                if (found != null) {
                    throw new AssertionError("request #" + id + " ended twice: " + found + " and " + e);
                }
                found = e;
            }
        }
        return found;
    }

    /** The reply text of request {@code id}; fails the test if it did not end with a reply. */
    String replyText(long id) {
        Event e = endingOf(id);
        if (!(e instanceof Event.Reply r)) {
            throw new AssertionError("request #" + id + " ended with " + e + ", not a reply");
        }
        return r.text();
    }

    /** The reply bytes of request {@code id}. */
    byte[] replyBytes(long id) {
        Event e = endingOf(id);
        if (!(e instanceof Event.Reply r)) {
            throw new AssertionError("request #" + id + " ended with " + e + ", not a reply");
        }
        return r.frame().toByteArray();
    }

    /** The cause of request {@code id}'s failure; fails the test if it did not fail. */
    Throwable failureOf(long id) {
        Event e = endingOf(id);
        if (!(e instanceof Event.Failed f)) {
            throw new AssertionError("request #" + id + " ended with " + e + ", not a failure");
        }
        return f.cause();
    }

    <T extends Event> List<T> eventsOf(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
