package dev.labwire.core.bus;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class BusPropertiesTest {
    private static final String[] NAMES = {"A", "B", "C", "D", "E"};

    /**
     * Whatever is queued, in whatever order, the wire sees strict rounds: every high-priority request
     * first, one per address per round, then the normal ones the same way; addresses take their places in
     * the round in the order they first sent at that priority.
     */
    @Property(tries = 300)
    void turnsAreStrictRoundRobinRoundsHighPriorityFirst(@ForAll long seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(NAMES.length);
        List<String[]> sends = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            for (int i = r.nextInt(21); i > 0; i--) {
                sends.add(new String[] {NAMES[a], "N"});
            }
            for (int i = r.nextInt(5); i > 0; i--) {
                sends.add(new String[] {NAMES[a], "H"});
            }
        }
        Collections.shuffle(sends, r);
        BusRig rig = new BusRig(BusTest.ASCII, cmd -> {
            String s = new String(cmd, ISO_8859_1);
            return (s.charAt(0) + " ok\r").getBytes(ISO_8859_1);
        });
        Map<String, Integer> high = new LinkedHashMap<>();
        Map<String, Integer> normal = new LinkedHashMap<>();
        for (String[] s : sends) {
            boolean h = s[1].equals("H");
            (h ? high : normal).merge(s[0], 1, Integer::sum);
            rig.bus.send(Address.of(s[0]), Request.query(s[1] + "?"), h ? Bus.Priority.HIGH : Bus.Priority.NORMAL, rig.now());
        }
        rig.bus.open(rig.now());
        rig.pump();
        List<String> expected = new ArrayList<>();
        rounds(high, "H", expected);
        rounds(normal, "N", expected);
        assertThat(rig.written()).isEqualTo(expected);
        assertThat(rig.eventsOf(Event.Reply.class)).hasSize(sends.size()).allSatisfy(e -> assertThat(e.text()).isEqualTo(" ok"));
    }

    private static void rounds(Map<String, Integer> counts, String cmd, List<String> out) {
        int max = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        for (int round = 0; round < max; round++) {
            for (Map.Entry<String, Integer> e : counts.entrySet()) {
                if (e.getValue() > round) {
                    out.add(e.getKey() + cmd + "?\r");
                }
            }
        }
    }

    /**
     * Random traffic on a bus of five devices that answer right, late, never, from the wrong address or
     * with garbage, their bytes arriving in random splits while time jumps: every request ends exactly
     * once, by its deadline, and a reply is only ever one sent by the addressed device, never another device's (a
     * late answer of the same device can answer its next request only when later than timeout plus
     * BusConfig.lateReplyGrace, which is 0 or 20 ms here).
     */
    @Property(tries = 10_000)
    void repliesNeverReachAnotherDeviceAndEveryRequestEndsOnce(@ForAll long seed) {
        Random r = new Random(seed);
        BusConfig cfg = BusTest.ASCII.toBuilder()
                .connection(BusTest.CR.toBuilder().echo(r.nextInt(4) == 0 ? ConnectionConfig.Echo.CHECK_AND_DROP : ConnectionConfig.Echo.NONE).build())
                .turnaround(Duration.ofMillis(r.nextInt(3) * 2L)).lateReplyGrace(Duration.ofMillis(r.nextInt(2) * 20L)).build();
        boolean echo = cfg.connection().echo() == ConnectionConfig.Echo.CHECK_AND_DROP;
        BusRig rig = BusRig.open(cfg, cmd -> {
            String s = new String(cmd, ISO_8859_1);
            String token = s.substring(2, s.length() - 2); // "AQ17?\r" -> "17"
            int pick = r.nextInt(10);
            // a reply says in its body which device sent it: "<addr> <token>/<addr>"
            String from = pick < 6 ? String.valueOf(s.charAt(0)) : NAMES[r.nextInt(NAMES.length)]; // maybe another device
            String reply = pick < 7 ? from + " " + token + "/" + from
                    : pick < 8 ? "\u00ff" + token // garbage
                    : null;                        // silent
            return reply == null ? null : (reply + "\r").getBytes(ISO_8859_1);
        });
        rig.echo(echo);
        rig.hold(true);
        Map<Long, String> addressOf = new HashMap<>();
        Map<Long, Long> deadlineOf = new HashMap<>();
        int token = 0;
        for (int step = 0; step < 60; step++) {
            int op = r.nextInt(4);
            if (op <= 1) {
                String a = NAMES[r.nextInt(NAMES.length)];
                Request q = Request.query("Q" + (++token) + "?").withTimeout(Duration.ofMillis(20 + r.nextInt(150)));
                long id = rig.bus.send(Address.of(a), q, r.nextInt(5) == 0 ? Bus.Priority.HIGH : Bus.Priority.NORMAL, rig.now());
                addressOf.put(id, a);
                deadlineOf.put(id, rig.now() + q.timeout().toNanos());
            } else if (op == 2) {
                for (byte[] chunk : Chunking.randomSplit(rig.takeOutbox(), r)) {
                    rig.bus.receive(ByteBuffer.wrap(chunk), rig.now());
                    rig.pump();
                }
            } else {
                rig.advanceThroughTimers(Duration.ofMillis(r.nextInt(40))); // the timer fires on time, as a driver fires it
            }
            rig.pump();
            int perAddress = 0;
            for (String a : NAMES) {
                perAddress += rig.bus.queuedCount(Address.of(a));
            }
            assertThat(perAddress).isEqualTo(rig.bus.queuedCount());
        }
        rig.hold(false);
        rig.advanceThroughTimers(Duration.ofSeconds(2));
        for (Map.Entry<Long, String> e : addressOf.entrySet()) {
            Event end = rig.endingOf(e.getKey()); // throws if it ended twice
            assertThat(end).as("ending of request #%d", e.getKey()).isNotNull();
            if (end instanceof Event.Reply rep) {
                String sender = rep.text().substring(rep.text().indexOf('/') + 1);
                assertThat(sender).as("sender of reply %s to %s", rep.text(), e.getValue()).isEqualTo(e.getValue());
            }
        }
        assertThat(rig.bus.queuedCount()).isZero();
        assertThat(rig.bus.isWireBusy()).isFalse();
        for (int i = 0; i < rig.events.size(); i++) {
            Event e = rig.events.get(i);
            long id = e instanceof Event.Reply rp ? rp.id() : e instanceof Event.Timeout t ? t.id() : e instanceof Event.Failed f ? f.id() : -1;
            if (deadlineOf.containsKey(id)) {
                assertThat(rig.eventAt.get(i)).as("request #%d ended by its deadline: %s", id, e).isLessThanOrEqualTo(deadlineOf.get(id));
            }
        }
    }
}
