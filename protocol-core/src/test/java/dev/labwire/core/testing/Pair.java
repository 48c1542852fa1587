package dev.labwire.core.testing;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A {@link Connection} wired to a {@link ScriptedInstrument} through memory, with a fake clock. The
 * pair obeys {@link Event.OpenLink} (the link comes up at once unless {@link #refuseLinks} says so) and
 * {@link Event.CloseLink} (the link goes down). Tests never sleep: {@link #advance} moves the clock.
 */
public final class Pair {
    public final Connection conn;
    public final ScriptedInstrument device;
    public final List<Event> events = new ArrayList<>();
    private final java.util.Map<Long, Long> endedAt = new java.util.HashMap<>();
    private long now = 1_000_000_000L;
    private int refuse;
    private int opens;
    private boolean linkUp;
    /** A serial port: what the device sends after a link was closed still arrives on the next one. */
    private final boolean serial;

    public Pair(ConnectionConfig config, ScriptedInstrument device) {
        this(config, device, false);
    }

    private Pair(ConnectionConfig config, ScriptedInstrument device, boolean serial) {
        this(serial ? dev.labwire.core.internal.CoreAccess.streamOutlivesLink(new Connection(config)) : new Connection(config),
                device, serial);
    }

    private Pair(Connection conn, ScriptedInstrument device, boolean serial) {
        this.conn = conn;
        this.device = device;
        this.serial = serial;
    }

    /** As {@link #openSerial}, with {@code flow=xonxoff}: the connection the clients make for such an endpoint. */
    public static Pair openXonXoff(ConnectionConfig config, ScriptedInstrument device) {
        Connection c = (Connection) dev.labwire.core.internal.Sessions.create(
                dev.labwire.core.endpoint.Endpoint.parse("serial:/dev/ttyS0?flow=xonxoff"), config);
        Pair p = new Pair(c, device, true);
        p.conn.open(p.now);
        p.pump();
        return p;
    }

    /**
     * As {@link #open}, over a serial port: the connection is told that the device's bytes outlive a link (as the
     * clients do for {@code serial:} and {@code rfc2217://}), and what the device sends after a link was closed reaches
     * the next one.
     */
    public static Pair openSerial(ConnectionConfig config, ScriptedInstrument device) {
        Pair p = new Pair(config, device, true);
        p.conn.open(p.now);
        p.pump();
        return p;
    }

    /** A pair opened and pumped until the link is ready. */
    public static Pair open(ConnectionConfig config, ScriptedInstrument device) {
        Pair p = new Pair(config, device);
        p.conn.open(p.now);
        p.pump();
        return p;
    }

    public long now() {
        return now;
    }

    public boolean linkUp() {
        return linkUp;
    }

    /** Link openings performed so far. */
    public int opens() {
        return opens;
    }

    /** The next {@code n} link attempts fail. */
    public void refuseLinks(int n) {
        refuse = n;
    }

    public long send(Request r) {
        long id = conn.send(r, now);
        pump();
        return id;
    }

    /** Delivers raw bytes from the device side to the connection, then pumps. */
    public void deliver(byte[] bytes) {
        conn.receive(ByteBuffer.wrap(bytes), now);
        pump();
    }

    /** Moves the clock and fires the timer if it is due (as a driver would), then pumps. */
    public void advance(Duration d) {
        now += d.toNanos();
        OptionalLong t = conn.pollTimeout();
        if (t.isPresent() && t.getAsLong() <= now) {
            conn.handleTimeout(now);
        }
        pump();
    }

    /** Advances the clock to each due timer in turn, up to {@code d} in total. */
    public void advanceThroughTimers(Duration d) {
        long end = now + d.toNanos();
        for (int guard = 0; guard < 10_000; guard++) {
            OptionalLong t = conn.pollTimeout();
            if (t.isEmpty() || t.getAsLong() > end) {
                break;
            }
            now = Math.max(now, t.getAsLong());
            conn.handleTimeout(now);
            pump();
        }
        now = end;
        pump();
    }

    /** The link drops from the device side (cable pulled). */
    public void dropLink(Throwable cause) {
        linkUp = false;
        device.takeOutbox();
        conn.linkDown(cause, now);
        pump();
    }

    /** The driver's drain loop, repeated until nothing moves. */
    public void pump() {
        for (int guard = 0; guard < 100_000; guard++) {
            boolean moved = false;
            ByteBuffer out;
            while ((out = conn.pollTransmit()) != null) {
                if (linkUp) {
                    device.receive(out);
                }
                moved = true;
            }
            for (Event e = conn.nextEvent(); e != Event.NeedData.INSTANCE; e = conn.nextEvent()) {
                events.add(e);
                if (e instanceof Event.Reply r) {
                    endedAt.putIfAbsent(r.id(), now);
                } else if (e instanceof Event.Timeout t) {
                    endedAt.putIfAbsent(t.id(), now);
                } else if (e instanceof Event.Failed f) {
                    endedAt.putIfAbsent(f.id(), now);
                }
                moved = true;
                if (e instanceof Event.OpenLink) {
                    opens++;
                    if (refuse > 0) {
                        refuse--;
                        conn.linkFailed(new IllegalStateException("connection refused (simulated)"), now);
                    } else {
                        linkUp = true;
                        conn.linkUp(now);
                    }
                } else if (e instanceof Event.CloseLink c && linkUp) {
                    linkUp = false;
                    if (!serial) {
                        device.takeOutbox(); // bytes of the old TCP connection never reach a new one
                    }
                    conn.linkDown(new IllegalStateException("closed on order: " + c.reason()), now);
                }
            }
            if (linkUp && !device.holding() && device.outboxSize() > 0) {
                conn.receive(ByteBuffer.wrap(device.takeOutbox()), now);
                moved = true;
            }
            if (!moved) {
                checkTimeoutTwins(conn);
                return;
            }
        }
        throw new AssertionError("pair never settled");
    }

    /** {@code pollTimeoutNanos()} says what {@code pollTimeout()} says, with {@code Long.MAX_VALUE} for none. */
    public static void checkTimeoutTwins(dev.labwire.core.LinkMachine m) {
        OptionalLong t = m.pollTimeout();
        long nanos = m.pollTimeoutNanos();
        if (nanos != t.orElse(Long.MAX_VALUE) || t.isPresent() && t.getAsLong() == Long.MAX_VALUE) {
            throw new AssertionError("pollTimeoutNanos() is " + nanos + " but pollTimeout() is " + t);
        }
    }

    /** Events of a type, in order. */
    public <T extends Event> List<T> eventsOf(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Event e : events) {
            if (type.isInstance(e)) {
                out.add(type.cast(e));
            }
        }
        return out;
    }

    /** The event that ended request {@code id}, or null. */
    public Event endingOf(long id) {
        for (Event e : events) {
            if (e instanceof Event.Reply r && r.id() == id
                    || e instanceof Event.Timeout t && t.id() == id
                    || e instanceof Event.Failed f && f.id() == id) {
                return e;
            }
        }
        return null;
    }

    /** The reply text of request {@code id}; fails the test if it did not end with a reply. */
    public String replyText(long id) {
        Event e = endingOf(id);
        if (!(e instanceof Event.Reply r)) {
            throw new AssertionError("request #" + id + " ended with " + e + ", not a reply");
        }
        return r.text();
    }

    /** The clock when request {@code id} ended; fails the test if it did not end. */
    public long endedAt(long id) {
        Long t = endedAt.get(id);
        if (t == null) {
            throw new AssertionError("request #" + id + " did not end");
        }
        return t;
    }

    /** How many ending events request {@code id} got (must be exactly 1 once it ended). */
    public long endingsOf(long id) {
        return events.stream().filter(e -> e instanceof Event.Reply r && r.id() == id
                || e instanceof Event.Timeout t && t.id() == id
                || e instanceof Event.Failed f && f.id() == id).count();
    }
}
