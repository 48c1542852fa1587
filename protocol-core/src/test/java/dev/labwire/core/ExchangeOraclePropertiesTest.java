package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.testing.Chunking;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random interleavings of requests, timeouts, late replies, replies that never come (SCPI queries with an error),
 * CR LF after blocks, late echoes and pipelining, against an oracle that knows which reply answers which request:
 * every reply names its request's token, so a reply handed to another request is seen at once. Asserts that no
 * {@link Event.Reply} ever carries another request's reply, that every request ends exactly once, and that it
 * ends by its deadline (time is virtual: the driver loop fires every timer exactly when {@code pollTimeout} says).
 *
 * <p>A pipelined connection configured {@link ConnectionConfig.Pipelining#EVERY_REQUEST_ANSWERED} promises that the
 * device answers every request, so those runs get late replies, never missing ones.
 */
class ExchangeOraclePropertiesTest {
    private static final long MS = 1_000_000L;

    /** The device: reads commands, answers each one in order, possibly late or never, through a FIFO of timed outputs. */
    private static class Device {
        final Random r;
        final boolean echo;
        /** Whether a query may go unanswered (SCPI error). Only with maxInFlight 1: see the class comment. */
        final boolean skips;
        final ArrayDeque<long[]> times = new ArrayDeque<>();
        final ArrayDeque<byte[]> outs = new ArrayDeque<>();
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        long lastOut;
        int blockLeft = -1; // data bytes of a block command still to read

        Device(Random r, boolean echo, boolean skips) {
            this.r = r;
            this.echo = echo;
            this.skips = skips;
        }

        void out(long at, byte[] b) {
            lastOut = Math.max(lastOut, at); // the device's output is one byte stream: nothing overtakes
            times.add(new long[] {lastOut});
            outs.add(b);
        }

        void newLink() {
            times.clear();
            outs.clear();
            line.reset();
            blockLeft = -1;
        }

        void receive(byte[] bytes, long now) {
            if (echo) {
                out(now + (r.nextInt(4) == 0 ? r.nextInt(80) * MS : 0), bytes); // a late echo sometimes
            }
            for (byte b : bytes) {
                line.write(b);
                if (b == '\n') {
                    command(new String(line.toByteArray(), 0, line.size() - 1, ISO_8859_1), now);
                    line.reset();
                }
            }
        }

        private void command(String cmd, long now) {
            int kind = r.nextInt(100);
            long delay = kind < 60 ? r.nextInt(40) * MS : kind < 75 || !skips ? (100 + r.nextInt(500)) * MS : -1; // -1: never
            if (cmd.equals("*OPC?;*OPC?")) {
                out(now + r.nextInt(20) * MS, "1;1\n".getBytes(ISO_8859_1));
                return;
            }
            if (delay < 0 || cmd.startsWith("W")) {
                return;
            }
            String token = cmd.substring(1, cmd.indexOf('?'));
            if (cmd.startsWith("Q")) {
                out(now + delay, ("R" + token + (r.nextBoolean() ? "\n" : "\r\n")).getBytes(ISO_8859_1));
            } else if (cmd.startsWith("B")) {
                byte[] noise = new byte[r.nextInt(12)];
                r.nextBytes(noise);
                byte[] head = ("R" + token + ":").getBytes(ISO_8859_1);
                byte[] data = new byte[head.length + noise.length];
                System.arraycopy(head, 0, data, 0, head.length);
                System.arraycopy(noise, 0, data, head.length, noise.length);
                String len = Integer.toString(data.length);
                ByteArrayOutputStream o = new ByteArrayOutputStream();
                o.writeBytes(("#" + len.length() + len).getBytes(ISO_8859_1));
                o.writeBytes(data);
                String trailer = new String[] {"", "\n", "\r\n"}[r.nextInt(3)];
                out(now + delay, o.toByteArray());
                // the trailer late sometimes; not on a half-duplex (echoing) link, where the device talking after the
                // client's next write would be a collision
                out(now + delay + (!echo && r.nextInt(3) == 0 ? r.nextInt(30) * MS : 0), trailer.getBytes(ISO_8859_1));
            }
        }

        long nextAt() {
            return times.isEmpty() ? Long.MAX_VALUE : times.peekFirst()[0];
        }
    }

    private static final class Run {
        final Connection c;
        final Device device;
        final Random r;
        long now = 1_000 * MS;
        final Map<Long, String> tokenOf = new HashMap<>();
        final Map<Long, Long> deadlineOf = new HashMap<>();
        final Map<Long, Event> ended = new HashMap<>();
        final java.util.List<String> trace = new java.util.ArrayList<>();

        void log(String what) {
            trace.add((now / MS) + " ms " + what);
        }

        String trace() {
            return String.join("\n", trace.subList(Math.max(0, trace.size() - 60), trace.size()));
        }
        boolean up;

        Run(ConnectionConfig cfg, Device device, Random r) {
            this.c = new Connection(cfg);
            this.device = device;
            this.r = r;
        }

        void drain() {
            for (int guard = 0; guard < 10_000; guard++) {
                boolean moved = false;
                for (ByteBuffer out; (out = c.pollTransmit()) != null; ) {
                    byte[] b = new byte[out.remaining()];
                    out.get(b);
                    log("write " + Chunking.show(b));
                    device.receive(b, now);
                    moved = true;
                }
                for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
                    moved = true;
                    on(e);
                }
                if (!moved) {
                    return;
                }
            }
            throw new AssertionError("drain does not settle");
        }

        private void on(Event e) {
            log("event " + e);
            long id = e instanceof Event.Reply rp ? rp.id() : e instanceof Event.Timeout t ? t.id() : e instanceof Event.Failed f ? f.id() : -1;
            if (id >= 0 && tokenOf.containsKey(id)) {
                assertThat(ended.put(id, e)).as("request #%d ended twice", id).isNull();
                assertThat(now).as("request #%d (%s) ended at %d ms, after its deadline %d ms: %s", id, tokenOf.get(id),
                        now / MS, deadlineOf.get(id) / MS, e).isLessThanOrEqualTo(deadlineOf.get(id));
                if (e instanceof Event.Reply rp) {
                    String token = tokenOf.get(id);
                    if (token.startsWith("W")) {
                        assertThat(rp.frames()).isEmpty();
                    } else {
                        Frame f = rp.frame();
                        String text = f.asString();
                        String expect = "R" + token.substring(1) + (token.startsWith("B") ? ":" : "");
                        assertThat(token.startsWith("B") ? text.startsWith(expect) : text.equals(expect))
                                .as("reply %s handed to request %s; trace:\n%s", text, token, trace()).isTrue();
                    }
                }
            } else if (e instanceof Event.OpenLink) {
                c.linkUp(now);
                up = true;
                device.newLink();
            } else if (e instanceof Event.CloseLink) {
                if (up) {
                    up = false;
                    device.newLink(); // a new TCP connection: the old one's late bytes are gone with it
                    c.linkDown(new IllegalStateException("closed by order"), now);
                }
            }
        }

        /** Moves time to {@code until}, delivering the device's bytes and firing timers in time order. */
        void advanceTo(long until) {
            while (true) {
                long timer = c.pollTimeoutNanos();
                long bytes = device.nextAt();
                long next = Math.min(timer, bytes);
                if (next > until) {
                    now = Math.max(now, until);
                    return;
                }
                now = Math.max(now, next);
                if (bytes <= timer) {
                    device.times.pollFirst();
                    byte[] b = device.outs.pollFirst();
                    int at = 0;
                    while (at < b.length) { // in random splits, one byte at a time sometimes
                        int n = Math.min(b.length - at, 1 + r.nextInt(b.length));
                        log("receive " + Chunking.show(java.util.Arrays.copyOfRange(b, at, at + n)));
                        c.receive(ByteBuffer.wrap(b, at, n), now);
                        drain();
                        at += n;
                    }
                    if (b.length == 0) {
                        drain();
                    }
                } else {
                    log("timer");
                    c.handleTimeout(now);
                    drain();
                }
            }
        }
    }

    @Property(tries = 10_000)
    void noReplyReachesAnotherRequestAndEveryRequestEndsOnceByItsDeadline(@ForAll long seed) {
        Random r = new Random(seed);
        int maxInFlight = new int[] {1, 1, 2, 4, 16}[r.nextInt(5)];
        StaleReplyPolicy policy = switch (r.nextInt(4)) {
            case 0 -> StaleReplyPolicy.scpiResync();
            case 1 -> StaleReplyPolicy.reconnect();
            default -> StaleReplyPolicy.discardLateReply(Duration.ofMillis(20 + r.nextInt(400)));
        };
        boolean echo = r.nextInt(4) == 0;
        ConnectionConfig.Pipelining pipelining = r.nextInt(4) == 0 ? ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED
                : ConnectionConfig.Pipelining.CONFIRM_BY_WINDOW;
        ConnectionConfig cfg = ConnectionConfig.builder().maxInFlight(maxInFlight).staleReplyPolicy(policy).pipelining(pipelining)
                .echo(echo ? ConnectionConfig.Echo.CHECK_AND_DROP : ConnectionConfig.Echo.NONE)
                .backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), 2, 0)).jitter(() -> JitterSource.fixed(0.5))
                .build();
        // a device that leaves queries unanswered, unless the test promised the connection it answers every one
        boolean skips = maxInFlight == 1 || pipelining == ConnectionConfig.Pipelining.CONFIRM_BY_WINDOW;
        Run run = new Run(cfg, new Device(r, echo, skips), r);
        run.log("mif " + maxInFlight + " " + pipelining + " " + policy + " echo " + echo);
        run.c.open(run.now);
        run.drain();
        int token = 0;
        for (int step = 0; step < 60; step++) {
            if (r.nextInt(3) > 0) {
                int k = r.nextInt(10);
                String t = (k < 6 ? "Q" : k < 8 ? "B" : "W") + (++token);
                Request req = t.startsWith("Q") ? Request.query(t + "?") : t.startsWith("B") ? Request.of(t + "?", Expect.block())
                        : Request.of(t, Expect.nothing());
                Duration timeout = Duration.ofMillis(20 + r.nextInt(300));
                long id = run.c.send(req.withTimeout(timeout), run.now);
                run.log("send #" + id + " " + t + " timeout " + timeout.toMillis());
                run.tokenOf.put(id, t);
                run.deadlineOf.put(id, run.now + timeout.toNanos());
                run.drain();
            } else {
                run.advanceTo(run.now + r.nextInt(80) * MS);
            }
        }
        run.advanceTo(run.now + 5_000 * MS);
        assertThat(run.ended.keySet()).as("every request ended").containsExactlyInAnyOrderElementsOf(run.tokenOf.keySet());
    }

    /**
     * Closed loop, as a pipelining client with several callers runs: four callers each send their next query the
     * moment their last one ended; the device answers at once but leaves some queries unanswered.
     */
    @Property(tries = 2_000)
    void closedLoopCallersNeverGetAnotherCallersReply(@ForAll long seed) {
        Random r = new Random(seed);
        int maxInFlight = new int[] {2, 4, 16}[r.nextInt(3)];
        ConnectionConfig cfg = ConnectionConfig.builder().maxInFlight(maxInFlight)
                .staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofMillis(300)))
                .backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(50), 2, 0)).jitter(() -> JitterSource.fixed(0.5))
                .build();
        Device device = new Device(r, false, true) {
            @Override
            void receive(byte[] bytes, long now) {
                for (byte b : bytes) {
                    line.write(b);
                    if (b == '\n') {
                        String cmd = new String(line.toByteArray(), 0, line.size() - 1, ISO_8859_1);
                        line.reset();
                        if (r.nextInt(20) > 0) {
                            out(now + r.nextInt(3) * MS, ("R" + cmd.substring(1, cmd.indexOf('?')) + "\n").getBytes(ISO_8859_1));
                        }
                    }
                }
            }
        };
        Run run = new Run(cfg, device, r);
        run.c.open(run.now);
        run.drain();
        int[] token = {0};
        java.util.Map<Long, Integer> callerOf = new java.util.HashMap<>();
        java.util.function.IntConsumer next = caller -> {
            String t = "Q" + (++token[0]);
            long id = run.c.send(Request.query(t + "?").withTimeout(Duration.ofMillis(300)), run.now);
            run.tokenOf.put(id, t);
            run.deadlineOf.put(id, run.now + 300 * MS);
            callerOf.put(id, caller);
        };
        for (int caller = 0; caller < 4; caller++) {
            next.accept(caller);
        }
        run.drain();
        int ended = 0;
        for (int step = 0; step < 400 && token[0] < 200; step++) {
            run.advanceTo(run.now + MS);
            for (java.util.Map.Entry<Long, Event> e : new java.util.ArrayList<>(run.ended.entrySet())) {
                Integer caller = callerOf.remove(e.getKey());
                if (caller != null) {
                    ended++;
                    next.accept(caller);
                    run.drain();
                }
            }
        }
        run.advanceTo(run.now + 5_000 * MS);
        assertThat(ended).isPositive();
    }
}
