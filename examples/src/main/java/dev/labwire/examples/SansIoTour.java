package dev.labwire.examples;

import dev.labwire.core.Backoff;
import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.JitterSource;
import dev.labwire.core.Request;
import dev.labwire.core.StaleReplyPolicy;
import dev.labwire.core.frame.Printable;
import dev.labwire.core.scpi.Scpi;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The README's first command: drives labwire's Sans-IO core against an in-memory simulated SCPI power
 * supply and prints the exchange. Time is virtual (the core takes {@code nowNanos} as a parameter), so
 * slow replies, timeouts and reconnect backoff play out exactly and instantly.
 *
 * <p>Run: {@code mvn -q -B install -DskipTests && mvn -q -B -pl examples exec:java}
 */
public final class SansIoTour {
    private final PrintStream out;
    private final SimulatedPowerSupply psu = new SimulatedPowerSupply();
    private final Map<Long, Event> endings = new HashMap<>();
    private final Connection conn;
    private long now;
    private boolean linkUp;

    SansIoTour(PrintStream out) {
        this.out = out;
        ConnectionConfig config = ConnectionConfig.builder()
                .maxInFlight(4)
                .defaultTimeout(Duration.ofSeconds(2))
                .onConnect(Request.write("SYST:REM"), Request.write("VOLT 5"))
                .staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofSeconds(5)))
                .backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2, 0.2))
                .jitter(() -> JitterSource.fixed(0.5))
                .build();
        conn = new Connection(config);
    }

    public static void main(String[] args) {
        new SansIoTour(System.out).run();
    }

    void run() {
        section("link up: the on-connect hook goes first");
        conn.open(now);
        runUntil(() -> conn.state() == dev.labwire.core.State.READY);

        section("1. *IDN? (one line back)");
        query(Request.query("*IDN?"));

        section("2. set, then measure");
        query(Request.write(Scpi.command("VOLT", 12.5)));
        query(Request.write(Scpi.command("OUTP", 1)));
        Event.Reply v = query(Request.query("MEAS:VOLT?"));
        out.printf("           parsed: %.4f V%n", Scpi.parseNumber(v.text()));

        section("3. a binary waveform (IEEE 488.2 definite block)");
        Event.Reply wave = query(Request.of("TRAC:DATA?", Expect.block()));
        byte[] samples = wave.frame().toByteArray();
        StringBuilder sb = new StringBuilder();
        for (byte s : samples) {
            sb.append(s).append(' ');
        }
        out.println("           " + samples.length + " samples: " + sb.toString().trim());

        section("4. a pipelined batch: 8 queries, at most 4 on the wire");
        long first = -1;
        long last = -1;
        for (int i = 0; i < 8; i++) {
            long id = conn.send(Request.query(i % 2 == 0 ? "MEAS:VOLT?" : "MEAS:CURR?"), now);
            first = first < 0 ? id : first;
            last = id;
        }
        long lastId = last;
        long start = now;
        runUntil(() -> endings.containsKey(lastId));
        out.printf("           8 replies in %.1f ms of virtual time (ids %d..%d, matched in order)%n", (now - start) / 1e6, first, last);

        section("5. the PyVISA-py trap: *OPC? times out, its late '1' must not answer *IDN?");
        psu.slowNext(Duration.ofMillis(800).toNanos());
        query(Request.query("*OPC?").withTimeout(Duration.ofMillis(300)));
        Event.Reply idn = query(Request.query("*IDN?"));
        out.println("           *IDN? got: " + idn.text() + (idn.text().equals("1") ? "   <-- WRONG" : "   (correct)"));

        section("6. the instrument is switched off: reconnect with backoff, hook replayed");
        linkUp = false;
        psu.linkLost();
        out.printf("[%9.3f ms] link lost%n", now / 1e6);
        conn.linkDown(new java.io.EOFException("instrument switched off"), now);
        Event.Reply volt = query(Request.query("VOLT?"));
        out.println("           VOLT? after reconnect: " + volt.text() + " (restored by the on-connect hook)");

        section("done");
        conn.close(now);
        drain();
    }

    private Event.Reply query(Request r) {
        long id = conn.send(r, now);
        runUntil(() -> endings.containsKey(id));
        Event e = endings.get(id);
        if (e instanceof Event.Reply reply) {
            return reply;
        }
        return null;
    }

    /** The driver loop of Connection's Javadoc, on a virtual clock: drain, then jump to the next due moment. */
    private void runUntil(BooleanSupplier done) {
        for (int guard = 0; guard < 100_000; guard++) {
            drain();
            if (done.getAsBoolean()) {
                return;
            }
            long next = Math.min(linkUp ? psu.nextDue() : Long.MAX_VALUE, conn.pollTimeout().orElse(Long.MAX_VALUE));
            if (next == Long.MAX_VALUE) {
                throw new IllegalStateException("nothing left to wait for");
            }
            now = Math.max(now, next);
            byte[] in = linkUp ? psu.output(now) : new byte[0];
            if (in.length > 0) {
                log("<-", in);
                conn.receive(ByteBuffer.wrap(in), now);
            }
            if (conn.pollTimeout().orElse(Long.MAX_VALUE) <= now) {
                conn.handleTimeout(now);
            }
        }
        throw new IllegalStateException("tour did not settle");
    }

    private void drain() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (ByteBuffer b; (b = conn.pollTransmit()) != null; moved = true) {
                log("->", java.util.Arrays.copyOfRange(b.array(), b.position(), b.limit()));
                psu.receive(b, now);
            }
            for (Event e; (e = conn.nextEvent()) != Event.NeedData.INSTANCE; moved = true) {
                onEvent(e);
            }
        }
    }

    private void onEvent(Event e) {
        if (e instanceof Event.OpenLink o) {
            out.printf("[%9.3f ms] open link (attempt %d)%n", now / 1e6, o.attempt());
            linkUp = true;
            conn.linkUp(now);
        } else if (e instanceof Event.CloseLink c) {
            linkUp = false;
            psu.linkLost();
            conn.linkDown(new IllegalStateException(c.reason()), now);
        } else if (e instanceof Event.StateChanged s) {
            out.printf("[%9.3f ms] state %s%s%n", now / 1e6, s.state(), s.cause() == null ? "" : " (" + s.cause().getMessage() + ")");
        } else if (e instanceof Event.Reply r) {
            endings.put(r.id(), r);
            out.printf("[%9.3f ms]    reply #%d %s%n", now / 1e6, r.id(),
                    r.frames().isEmpty() ? "(written, no reply expected)" : r.frames().size() == 1 ? r.frame().toString() : r.frames().toString());
        } else if (e instanceof Event.Timeout t) {
            endings.put(t.id(), t);
            out.printf("[%9.3f ms]    timeout #%d %s (written: %s)%n", now / 1e6, t.id(), t.request().text(), t.written());
        } else if (e instanceof Event.Failed f) {
            endings.put(f.id(), f);
            out.printf("[%9.3f ms]    failed #%d %s: %s%n", now / 1e6, f.id(), f.request().text(), f.cause().getMessage());
        } else if (e instanceof Event.Discarded d) {
            out.printf("[%9.3f ms]    discarded %s (%s)%n", now / 1e6, d.frame(), d.reason());
        } else {
            out.printf("[%9.3f ms]    %s%n", now / 1e6, e);
        }
    }

    private void log(String dir, byte[] bytes) {
        out.printf("[%9.3f ms] %s %s%n", now / 1e6, dir, Printable.of(bytes));
    }

    private void section(String title) {
        out.println();
        out.println("== " + title);
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
