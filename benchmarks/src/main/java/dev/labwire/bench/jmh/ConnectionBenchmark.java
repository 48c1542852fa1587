package dev.labwire.bench.jmh;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The protocol core's cost per request-reply exchange, with no I/O: what a driver does for one
 * {@code query("MEAS:VOLT?")} answered by {@code "+1.234567E+00\n"}, drain loop included:
 * <pre>
 *   send(request)      then drain: pollTransmit() until null (the bytes to write), pollTimeout(), nextEvent() until NeedData
 *   receive(reply)     then drain: pollTransmit(), pollTimeout(), nextEvent() -> Reply, nextEvent() -> NeedData
 * </pre>
 * The clock is a counter (a driver's {@code System.nanoTime()} is not the core's cost). Run with
 * {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated per exchange.
 *
 * <ul>
 *   <li>{@code exchange}: one prepared {@link Request} reused (the core alone), default config (any-EOL lines,
 *       maxInFlight 1).</li>
 *   <li>{@code exchangeAsClient}: as a client call does it: {@code Request.query(text)} per call and the reply
 *       turned into a {@code String}.</li>
 *   <li>{@code pipelined64}: maxInFlight 64; 64 sends, 64 writes, one read holding 64 replies, 64 events; the
 *       score is per exchange.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConnectionBenchmark {
    static final String COMMAND = "MEAS:VOLT?";
    static final byte[] REPLY = "+1.234567E+00\n".getBytes(StandardCharsets.US_ASCII);
    private static final Request QUERY = Request.query(COMMAND);

    private Connection strict;
    private Connection pipelined;
    private final ByteBuffer reply = ByteBuffer.wrap(REPLY);
    private final ByteBuffer replies64 = ByteBuffer.wrap(repeat(REPLY, 64));
    private long now = 1_000_000_000L;

    @Setup(Level.Trial)
    public void setUp() {
        strict = ready(ConnectionConfig.DEFAULT);
        // the raw twins trust every request to be answered; so does this contender (the default confirms by window)
        pipelined = ready(ConnectionConfig.builder().maxInFlight(64).pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build());
        // a wrong reply would make the numbers meaningless
        Event e = exchange(strict, QUERY, null);
        if (!(e instanceof Event.Reply r) || !r.text().equals("+1.234567E+00")) {
            throw new IllegalStateException("unexpected " + e);
        }
        if (pipelined(pipelined, null) != 64) {
            throw new IllegalStateException("pipelined exchange lost replies");
        }
    }

    /** A connection in state READY, as after the driver opened its link. */
    static Connection ready(ConnectionConfig config) {
        Connection c = new Connection(config);
        c.open(0);
        drainAll(c);
        c.linkUp(0);
        drainAll(c);
        if (c.state() != dev.labwire.core.State.READY) {
            throw new IllegalStateException("connection is " + c.state());
        }
        return c;
    }

    private static void drainAll(Connection c) {
        while (c.pollTransmit() != null) {
            // nothing to write on a fresh link
        }
        while (c.nextEvent() != Event.NeedData.INSTANCE) {
            // OpenLink, StateChanged
        }
    }

    @Benchmark
    public Event exchange(Blackhole bh) {
        return exchange(strict, QUERY, bh);
    }

    @Benchmark
    public String exchangeAsClient(Blackhole bh) {
        return ((Event.Reply) exchange(strict, Request.query(COMMAND), bh)).text();
    }

    @Benchmark
    @OperationsPerInvocation(64)
    public int pipelined64(Blackhole bh) {
        return pipelined(pipelined, bh);
    }

    private Event exchange(Connection c, Request request, Blackhole bh) {
        long t = now += 1_000;
        c.send(request, t);
        drain(c, bh);
        reply.clear();
        c.receive(reply, t);
        return drain(c, bh);
    }

    private int pipelined(Connection c, Blackhole bh) {
        long t = now += 1_000;
        for (int i = 0; i < 64; i++) {
            c.send(QUERY, t);
            drain(c, bh);
        }
        replies64.clear();
        c.receive(replies64, t);
        for (ByteBuffer out; (out = c.pollTransmit()) != null; ) {
            if (bh != null) {
                bh.consume(out);
            }
        }
        armTimer(c, bh);
        int replies = 0;
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            if (bh != null) {
                bh.consume(e);
            }
            replies += e instanceof Event.Reply ? 1 : 0;
        }
        return replies;
    }

    /** The driver's drain loop; returns the last event handed out, or null. */
    private static Event drain(Connection c, Blackhole bh) {
        for (ByteBuffer out; (out = c.pollTransmit()) != null; ) {
            if (bh != null) {
                bh.consume(out);
            }
        }
        armTimer(c, bh);
        Event last = null;
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            last = e;
        }
        return last;
    }

    /** What a driver does with {@code pollTimeout()}: reads the deadline (the OptionalLong itself does not escape). */
    private static void armTimer(Connection c, Blackhole bh) {
        OptionalLong t = c.pollTimeout();
        long deadline = t.isPresent() ? t.getAsLong() : -1;
        if (bh != null) {
            bh.consume(deadline);
        }
    }

    private static byte[] repeat(byte[] b, int n) {
        byte[] out = new byte[b.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(b, 0, out, i * b.length, b.length);
        }
        return out;
    }
}
