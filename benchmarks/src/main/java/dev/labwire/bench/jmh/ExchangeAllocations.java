package dev.labwire.bench.jmh;

import com.sun.management.ThreadMXBean;
import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Where the bytes of one request-reply exchange are allocated, step by step: HotSpot's exact per-thread
 * allocation counter read around each call of the driver's loop, averaged over 200,000 warmed-up exchanges.
 * (JMH's {@code gc.alloc.rate.norm} gives the total; this splits it.)
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.labwire.bench.jmh.ExchangeAllocations</pre>
 */
public final class ExchangeAllocations {
    private static final String[] STEPS = {
        "send(request)", "pollTransmit() x2 (bytes, then null)", "pollTimeout() after send", "nextEvent() after send",
        "receive(reply)", "pollTransmit() after receive", "pollTimeout() after receive", "nextEvent() x2 (Reply, NeedData)",
        "Request.query(text) (client call)", "Reply.text() (client call)"};

    private ExchangeAllocations() {
    }

    public static void main(String[] args) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Connection c = ConnectionBenchmark.ready(ConnectionConfig.DEFAULT);
        Request q = Request.query(ConnectionBenchmark.COMMAND);
        ByteBuffer reply = ByteBuffer.wrap(ConnectionBenchmark.REPLY);
        long[] bytes = new long[STEPS.length];
        long now = 1;
        long sink = 0;
        int n = 200_000;
        for (int pass = 0; pass < 3; pass++) { // passes 0 and 1 warm up
            java.util.Arrays.fill(bytes, 0);
            for (int i = 0; i < n; i++) {
                now += 1000;
                long a = mx.getCurrentThreadAllocatedBytes();
                Request r = Request.query(ConnectionBenchmark.COMMAND);
                long b = mx.getCurrentThreadAllocatedBytes();
                bytes[8] += b - a;
                sink += r.payload().length;
                a = mx.getCurrentThreadAllocatedBytes();
                c.send(q, now);
                b = mx.getCurrentThreadAllocatedBytes();
                bytes[0] += b - a;
                ByteBuffer out = c.pollTransmit();
                sink += out.remaining() + (c.pollTransmit() == null ? 0 : 1);
                a = mx.getCurrentThreadAllocatedBytes();
                bytes[1] += a - b;
                OptionalLong t = c.pollTimeout();
                sink += t.isPresent() ? t.getAsLong() : 0;
                b = mx.getCurrentThreadAllocatedBytes();
                bytes[2] += b - a;
                sink += c.nextEvent() == Event.NeedData.INSTANCE ? 0 : 1;
                a = mx.getCurrentThreadAllocatedBytes();
                bytes[3] += a - b;
                reply.clear();
                c.receive(reply, now);
                b = mx.getCurrentThreadAllocatedBytes();
                bytes[4] += b - a;
                sink += c.pollTransmit() == null ? 0 : 1;
                a = mx.getCurrentThreadAllocatedBytes();
                bytes[5] += a - b;
                t = c.pollTimeout();
                sink += t.isPresent() ? t.getAsLong() : 0;
                b = mx.getCurrentThreadAllocatedBytes();
                bytes[6] += b - a;
                Event e = c.nextEvent();
                sink += c.nextEvent() == Event.NeedData.INSTANCE ? 0 : 1;
                a = mx.getCurrentThreadAllocatedBytes();
                bytes[7] += a - b;
                String text = ((Event.Reply) e).text();
                b = mx.getCurrentThreadAllocatedBytes();
                bytes[9] += b - a;
                sink += text.length();
            }
        }
        long total = 0;
        for (int i = 0; i < STEPS.length; i++) {
            System.out.printf(Locale.ROOT, "%-40s %6.1f B%n", STEPS[i], bytes[i] / (double) n);
            total += i < 8 ? bytes[i] : 0;
        }
        System.out.printf(Locale.ROOT, "%-40s %6.1f B%n", "core exchange (first 8 steps)", total / (double) n);
        System.out.println("(checksum " + sink + ")");
    }
}
