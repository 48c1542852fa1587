package dev.labwire.bench.jmh;

import com.sun.management.ThreadMXBean;
import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.EventSink;
import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Where the bytes of one request-reply exchange are allocated, step by step: HotSpot's exact per-thread
 * allocation counter read around each call of the driver's loop, averaged over 200,000 warmed-up exchanges, half
 * of them drained with the array verbs ({@code pollTransmit()}, {@code pollTimeout()}, {@code nextEvent()}), half with
 * the buffer verbs ({@code pollTransmit(ByteBuffer)} into a reused buffer, {@code pollTimeoutNanos()},
 * {@code nextEvent(EventSink)}, the text taken from the reply's frame), as the Netty driver does.
 * (JMH's {@code gc.alloc.rate.norm} gives the total; this splits it.)
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.labwire.bench.jmh.ExchangeAllocations</pre>
 */
public final class ExchangeAllocations {
    private static final String[] STEPS = {
        "send(request)", "pollTransmit() x2 (bytes, then null)", "pollTransmit(dst) x2 (reused buffer)",
        "pollTimeout() after send", "pollTimeoutNanos() after send", "nextEvent() after send",
        "receive(reply)", "pollTransmit after receive", "pollTimeout after receive", "nextEvent() x2 (Reply, NeedData)",
        "Request.query(text) (client call)", "Reply.text() (client call)",
        "nextEvent(sink) x2 (reply, none)", "Frame.asString() (client call, sink)"};
    /** The steps of one exchange with the array verbs, and with the buffer verbs (a driver that writes into its buffer). */
    private static final int[] ARRAY_VERBS = {0, 1, 3, 5, 6, 7, 8, 9};
    private static final int[] BUFFER_VERBS = {0, 2, 4, 5, 6, 7, 8, 12};
    /** Steps that ran in half the exchanges (one kind of verb). */
    private static final java.util.Set<Integer> HALF = java.util.Set.of(1, 2, 3, 4, 9, 11, 12, 13);

    /** Takes the one-frame reply's frame; anything else is a failure of the benchmark. */
    private static final class Take implements EventSink {
        Frame frame;

        @Override
        public void reply(long id, Request request, Frame f) {
            frame = f;
        }

        @Override
        public void event(Event e) {
            throw new IllegalStateException("expected a one-frame reply, got " + e);
        }
    }

    private ExchangeAllocations() {
    }

    public static void main(String[] args) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        Connection c = ConnectionBenchmark.ready(ConnectionConfig.DEFAULT);
        Request q = Request.query(ConnectionBenchmark.COMMAND);
        ByteBuffer reply = ByteBuffer.wrap(ConnectionBenchmark.REPLY);
        ByteBuffer dst = ByteBuffer.allocateDirect(1024);
        long[] bytes = new long[STEPS.length];
        long now = 1;
        long sink = 0;
        Take take = new Take();
        int n = 200_000; // even: half the exchanges use each kind of verb
        for (int pass = 0; pass < 3; pass++) { // passes 0 and 1 warm up
            java.util.Arrays.fill(bytes, 0);
            for (int i = 0; i < n; i++) {
                boolean buffer = (i & 1) == 1;
                now += 1000;
                long a = mx.getCurrentThreadAllocatedBytes();
                Request r = Request.query(ConnectionBenchmark.COMMAND);
                long b = mx.getCurrentThreadAllocatedBytes();
                bytes[10] += b - a;
                sink += r.payload().length;
                a = mx.getCurrentThreadAllocatedBytes();
                c.send(q, now);
                b = mx.getCurrentThreadAllocatedBytes();
                bytes[0] += b - a;
                if (buffer) {
                    dst.clear();
                    sink += c.pollTransmit(dst) + c.pollTransmit(dst);
                    a = mx.getCurrentThreadAllocatedBytes();
                    bytes[2] += a - b;
                    sink += c.pollTimeoutNanos();
                    b = mx.getCurrentThreadAllocatedBytes();
                    bytes[4] += b - a;
                } else {
                    ByteBuffer out = c.pollTransmit();
                    sink += out.remaining() + (c.pollTransmit() == null ? 0 : 1);
                    a = mx.getCurrentThreadAllocatedBytes();
                    bytes[1] += a - b;
                    OptionalLong t = c.pollTimeout();
                    sink += t.isPresent() ? t.getAsLong() : 0;
                    b = mx.getCurrentThreadAllocatedBytes();
                    bytes[3] += b - a;
                }
                sink += c.nextEvent() == Event.NeedData.INSTANCE ? 0 : 1;
                a = mx.getCurrentThreadAllocatedBytes();
                bytes[5] += a - b;
                reply.clear();
                c.receive(reply, now);
                b = mx.getCurrentThreadAllocatedBytes();
                bytes[6] += b - a;
                if (buffer) {
                    dst.clear();
                    sink += c.pollTransmit(dst);
                } else {
                    sink += c.pollTransmit() == null ? 0 : 1;
                }
                a = mx.getCurrentThreadAllocatedBytes();
                bytes[7] += a - b;
                if (buffer) {
                    sink += c.pollTimeoutNanos();
                } else {
                    OptionalLong t = c.pollTimeout();
                    sink += t.isPresent() ? t.getAsLong() : 0;
                }
                b = mx.getCurrentThreadAllocatedBytes();
                bytes[8] += b - a;
                if (buffer) {
                    take.frame = null;
                    sink += (c.nextEvent(take) ? 1 : 0) + (c.nextEvent(take) ? 1 : 0);
                    a = mx.getCurrentThreadAllocatedBytes();
                    bytes[12] += a - b;
                    String text = take.frame.asString();
                    b = mx.getCurrentThreadAllocatedBytes();
                    bytes[13] += b - a;
                    sink += text.length();
                } else {
                    Event e = c.nextEvent();
                    sink += c.nextEvent() == Event.NeedData.INSTANCE ? 0 : 1;
                    a = mx.getCurrentThreadAllocatedBytes();
                    bytes[9] += a - b;
                    String text = ((Event.Reply) e).text();
                    b = mx.getCurrentThreadAllocatedBytes();
                    bytes[11] += b - a;
                    sink += text.length();
                }
            }
        }
        for (int i = 0; i < STEPS.length; i++) {
            // the verb-specific steps ran in half the exchanges
            double per = HALF.contains(i) ? n / 2.0 : n;
            System.out.printf(Locale.ROOT, "%-40s %6.1f B%n", STEPS[i], bytes[i] / per);
        }
        System.out.printf(Locale.ROOT, "%-40s %6.1f B%n", "core exchange, array verbs", total(bytes, ARRAY_VERBS, n));
        System.out.printf(Locale.ROOT, "%-40s %6.1f B%n", "core exchange, buffer verbs", total(bytes, BUFFER_VERBS, n));
        System.out.println("(checksum " + sink + ")");
    }

    private static double total(long[] bytes, int[] steps, int n) {
        double t = 0;
        for (int i : steps) {
            t += bytes[i] / (HALF.contains(i) ? n / 2.0 : n);
        }
        return t;
    }
}
