package dev.labwire.core.hislip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Random queries against a simulated overlapped-mode server that answers every query, some after the caller's
 * timeout, with the bytes split at random: every request ends exactly once, and a reply only ever reaches the query it
 * answers (the late ones are dropped by message id). Fake clock; no threads.
 */
class HislipSessionPropertiesTest {

    private static final long MS = 1_000_000L;

    private record Due(long at, long seq, HislipMessage reply) {
    }

    @Property(tries = 200)
    void repliesNeverReachTheWrongQuery(@ForAll long seed, @ForAll @IntRange(min = 1, max = 30) int queries) {
        Random r = new Random(seed);
        HislipSession s = new HislipSession(ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(100))
                .build(), new HislipSession.Endpoint(4880, "hislip0"));
        long[] now = {0};
        HislipDecoder serverIn = new HislipDecoder("server");
        PriorityQueue<Due> due = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
                : Long.compare(a.seq, b.seq));
        Map<Long, String> asked = new HashMap<>();
        Map<Long, Integer> ended = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        long[] seq = {0};

        Runnable drain = () -> {
            ByteBuffer dst = ByteBuffer.allocate(64);
            for (int n; (n = s.pollTransmit(dst)) > 0; ) {
                dst.flip();
                serverIn.receive(dst);
                dst.clear();
            }
            for (Decoded d = serverIn.next(); d instanceof Decoded.Message m; d = serverIn.next()) {
                HislipMessage q = m.message();
                if (q.type() == MessageType.INITIALIZE) {
                    due.add(new Due(now[0], seq[0]++, HislipMessage.initializeResponse(true, 0x0100, 1)));
                } else if (q.type() == MessageType.DATA_END) {
                    String text = q.text().trim(); // "Q<k>"
                    long delay = r.nextInt(4) == 0 ? 100 * MS + r.nextInt(200) * MS : r.nextInt(90) * MS;
                    due.add(new Due(now[0] + delay, seq[0]++,
                            HislipMessage.dataEnd(false, q.messageId(), ("A" + text.substring(1) + "\n").getBytes())));
                }
            }
            while (s.pollTransmit(1, dst) > 0) {
                dst.clear(); // async requests: answered by the handshake script below
            }
            for (Event e = s.nextEvent(); e != Event.NeedData.INSTANCE; e = s.nextEvent()) {
                long id = -1;
                if (e instanceof Event.Reply rep) {
                    id = rep.id();
                    if (!rep.text().equals("A" + asked.get(id).substring(1))) {
                        wrong.add(asked.get(id) + " got " + rep.text());
                    }
                } else if (e instanceof Event.Timeout t) {
                    id = t.id();
                } else if (e instanceof Event.Failed f) {
                    id = f.id();
                }
                if (id >= 0) {
                    ended.merge(id, 1, Integer::sum);
                }
            }
        };

        s.open(0);
        s.linkUp(0);
        drain.run();
        // the server's side of the handshake, delivered at once
        deliver(s, due.poll().reply(), r, 0, false);
        s.channelUp(1, 0);
        deliver(s, HislipMessage.asyncInitializeResponse("XY"), r, 0, true);
        deliver(s, HislipMessage.asyncMaximumMessageSizeResponse(1 << 20), r, 0, true);
        drain.run();
        assertThat(s.state()).isEqualTo(State.READY);

        int sent = 0;
        while (sent < queries || !due.isEmpty() || s.pollTimeout().isPresent()) {
            if (sent < queries && r.nextInt(3) == 0) {
                long id = s.send(Request.query("Q" + sent), now[0]);
                asked.put(id, "Q" + sent);
                sent++;
                drain.run();
                continue;
            }
            long next = Math.min(due.isEmpty() ? Long.MAX_VALUE : due.peek().at, s.pollTimeoutNanos());
            if (next == Long.MAX_VALUE) {
                if (sent < queries) {
                    continue;
                }
                break;
            }
            now[0] = Math.max(now[0], next);
            while (!due.isEmpty() && due.peek().at <= now[0]) {
                deliver(s, due.poll().reply(), r, now[0], false);
            }
            s.handleTimeout(now[0]);
            drain.run();
        }
        assertThat(wrong).isEmpty();
        assertThat(ended.keySet()).isEqualTo(asked.keySet());
        assertThat(ended.values()).allMatch(n -> n == 1);
    }

    /**
     * Queries, status queries and device clears at random against a simulated synchronized-mode server that honours
     * the clear (owed replies dropped at AsyncDeviceClear, DeviceClearAcknowledge after everything sent before it,
     * message ids from 0xFFFFFF00 again), answers some requests after their timeout, and splits every message at
     * random: every request ends exactly once, a query only ever gets its own answer, a clear ends with no frames and a
     * status query with one status byte.
     */
    @Property(tries = 200)
    void aroundDeviceClearsAndStatusQueriesNoReplyReachesTheWrongRequest(@ForAll long seed,
            @ForAll @IntRange(min = 1, max = 30) int requests) {
        Random r = new Random(seed);
        HislipSession s = new HislipSession(ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(100))
                .build(), new HislipSession.Endpoint(4880, "hislip0"));
        long[] now = {0};
        long[] seq = {0};
        long[] syncAt = {0};
        long[] asyncAt = {0};
        int[] stb = {0};
        boolean[] up = {false};
        HislipDecoder serverIn = new HislipDecoder("server");
        HislipDecoder serverAsyncIn = new HislipDecoder("server async");
        List<Due> sync = new ArrayList<>();   // FIFO: one TCP stream each
        List<Due> async = new ArrayList<>();
        Map<Long, String> asked = new HashMap<>();
        Map<Long, Integer> ended = new HashMap<>();
        List<String> wrong = new ArrayList<>();

        Runnable drain = () -> {
            ByteBuffer dst = ByteBuffer.allocate(64);
            for (int n; (n = s.pollTransmit(dst)) > 0; ) {
                dst.flip();
                serverIn.receive(dst);
                dst.clear();
            }
            for (Decoded d = serverIn.next(); d instanceof Decoded.Message m; d = serverIn.next()) {
                HislipMessage q = m.message();
                if (q.type() == MessageType.INITIALIZE) {
                    sync.add(new Due(now[0], seq[0]++, HislipMessage.initializeResponse(false, 0x0100, 1)));
                } else if (q.type() == MessageType.DATA_END) {
                    String text = q.text().trim(); // "Q<k>"
                    long delay = r.nextInt(4) == 0 ? 100 * MS + r.nextInt(200) * MS : r.nextInt(90) * MS;
                    syncAt[0] = Math.max(syncAt[0], now[0] + delay);
                    sync.add(new Due(syncAt[0], seq[0]++,
                            HislipMessage.dataEnd(false, q.messageId(), ("A" + text.substring(1) + "\n").getBytes())));
                } else if (q.type() == MessageType.DEVICE_CLEAR_COMPLETE) {
                    syncAt[0] = Math.max(syncAt[0], now[0] + r.nextInt(20) * MS);
                    sync.add(new Due(syncAt[0], seq[0]++, HislipMessage.deviceClearAcknowledge(false)));
                }
            }
            for (int n; (n = s.pollTransmit(1, dst)) > 0; ) {
                dst.flip();
                if (up[0]) {
                    serverAsyncIn.receive(dst);
                }
                dst.clear();
            }
            for (Decoded d = serverAsyncIn.next(); d instanceof Decoded.Message m; d = serverAsyncIn.next()) {
                HislipMessage q = m.message();
                long delay = r.nextInt(5) == 0 ? 100 * MS + r.nextInt(100) * MS : r.nextInt(50) * MS;
                asyncAt[0] = Math.max(asyncAt[0], now[0] + delay);
                if (q.type() == MessageType.ASYNC_DEVICE_CLEAR) {
                    sync.removeIf(x -> x.at > now[0] && x.reply.type() == MessageType.DATA_END); // owed: dropped
                    async.add(new Due(asyncAt[0], seq[0]++, HislipMessage.asyncDeviceClearAcknowledge(false)));
                } else if (q.type() == MessageType.ASYNC_STATUS_QUERY) {
                    async.add(new Due(asyncAt[0], seq[0]++, HislipMessage.asyncStatusResponse(stb[0]++ & 0xFF)));
                }
            }
            for (Event e = s.nextEvent(); e != Event.NeedData.INSTANCE; e = s.nextEvent()) {
                long id = -1;
                if (e instanceof Event.Reply rep) {
                    id = rep.id();
                    String a = asked.get(id);
                    boolean ok = a.equals("CLEAR") ? rep.frames().isEmpty()
                            : a.equals("STB") ? rep.frames().size() == 1 && rep.text().matches("\\d{1,3}")
                            : rep.text().equals("A" + a.substring(1));
                    if (!ok) {
                        wrong.add(a + " got " + rep.frames());
                    }
                } else if (e instanceof Event.Timeout t) {
                    id = t.id();
                } else if (e instanceof Event.Failed f) {
                    id = f.id();
                }
                if (id >= 0) {
                    ended.merge(id, 1, Integer::sum);
                }
            }
        };

        s.open(0);
        s.linkUp(0);
        drain.run();
        deliver(s, sync.remove(0).reply(), r, 0, false);
        s.channelUp(1, 0);
        deliver(s, HislipMessage.asyncInitializeResponse("XY"), r, 0, true);
        deliver(s, HislipMessage.asyncMaximumMessageSizeResponse(1 << 20), r, 0, true);
        drain.run();
        up[0] = true;
        assertThat(s.state()).isEqualTo(State.READY);

        int sent = 0;
        while (sent < requests || !sync.isEmpty() || !async.isEmpty() || s.pollTimeout().isPresent()) {
            if (s.state() != State.READY) {
                break;   // a clear that did not complete renews the session: beyond this property
            }
            if (sent < requests && r.nextInt(3) == 0) {
                int kind = r.nextInt(5);
                Request q = kind == 0 ? Request.operation(dev.labwire.core.Operation.CLEAR)
                        : kind == 1 ? Request.operation(dev.labwire.core.Operation.READ_STATUS_BYTE)
                        : Request.query("Q" + sent);
                long id = s.send(q, now[0]);
                asked.put(id, kind == 0 ? "CLEAR" : kind == 1 ? "STB" : "Q" + sent);
                sent++;
                drain.run();
                continue;
            }
            long next = Math.min(Math.min(sync.isEmpty() ? Long.MAX_VALUE : sync.get(0).at,
                    async.isEmpty() ? Long.MAX_VALUE : async.get(0).at), s.pollTimeoutNanos());
            if (next == Long.MAX_VALUE) {
                if (sent < requests) {
                    continue;
                }
                break;
            }
            now[0] = Math.max(now[0], next);
            while (!sync.isEmpty() && sync.get(0).at <= now[0]) {
                deliver(s, sync.remove(0).reply(), r, now[0], false);
            }
            while (!async.isEmpty() && async.get(0).at <= now[0]) {
                deliver(s, async.remove(0).reply(), r, now[0], true);
            }
            s.handleTimeout(now[0]);
            drain.run();
        }
        assertThat(wrong).isEmpty();
        if (s.state() == State.READY) {
            assertThat(ended.keySet()).isEqualTo(asked.keySet());
        }
        assertThat(ended.values()).allMatch(n -> n == 1);
    }

    private static void deliver(HislipSession s, HislipMessage m, Random r, long now, boolean async) {
        for (byte[] chunk : Chunking.randomSplit(m.encode(), r)) {
            if (async) {
                s.receive(1, ByteBuffer.wrap(chunk), now);
            } else {
                s.receive(ByteBuffer.wrap(chunk), now);
            }
        }
    }
}
