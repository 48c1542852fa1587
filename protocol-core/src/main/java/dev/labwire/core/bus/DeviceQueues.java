package dev.labwire.core.bus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The requests of a {@link Bus} waiting for their device's turn: one queue per address and priority, the round-robin
 * rings of addresses, the order of deadlines, and the devices kept quiet ({@link QuietDevices}).
 *
 * <p>Theory of operation. An address is in a ring exactly while its queue of that priority is not empty. A turn
 * ({@link #nextTurn}) goes to the first address of the {@link Bus.Priority#HIGH} ring that is not quiet, else of the
 * normal ring; that address gives its oldest request and goes to the back of the ring if it has more, so an address
 * with 1000 requests queued gets one turn per round like any other. A quiet address (its late reply may still come)
 * goes to the back without its turn while the others take theirs. Deadlines are kept in one sorted set, so the
 * earliest is found, and expired requests are taken out, without a scan.
 *
 * <p>Separate from the bus because it owns the fairness bookkeeping only: what is written, when, and how replies are
 * told apart is the bus's. Not thread-safe: the bus owns it.
 */
final class DeviceQueues {
    private static final long NONE = Long.MAX_VALUE;

    /** The queues of one address. */
    private static final class Line {
        final ArrayDeque<BusRequest> high = new ArrayDeque<>();
        final ArrayDeque<BusRequest> normal = new ArrayDeque<>();

        ArrayDeque<BusRequest> queue(Bus.Priority p) {
            return p == Bus.Priority.HIGH ? high : normal;
        }
    }

    private final Map<Address, Line> lines = new HashMap<>();
    private final ArrayDeque<Line> highRing = new ArrayDeque<>();
    private final ArrayDeque<Line> normalRing = new ArrayDeque<>();
    private final TreeSet<BusRequest> byDeadline = new TreeSet<>(
            Comparator.<BusRequest>comparingLong(i -> i.deadline).thenComparingLong(i -> i.id));
    /** Addresses whose late reply may still come: no request is written to them before the time given. */
    private final QuietDevices quiet;

    DeviceQueues(long lateReplyGraceNanos) {
        this.quiet = new QuietDevices(lateReplyGraceNanos);
    }

    /** Requests waiting, all addresses. */
    int size() {
        return byDeadline.size();
    }

    /** Requests waiting for {@code address}. */
    int size(Address address) {
        Line line = lines.get(address);
        return line == null ? 0 : line.high.size() + line.normal.size();
    }

    boolean isEmpty() {
        return byDeadline.isEmpty();
    }

    void add(BusRequest item) {
        Line line = lines.computeIfAbsent(item.address, a -> new Line());
        ArrayDeque<BusRequest> q = line.queue(item.priority);
        if (q.isEmpty()) {
            ring(item.priority).addLast(line);
        }
        q.addLast(item);
        byDeadline.add(item);
    }

    /** The request whose address has the turn at {@code now}, taken out; null when every waiting address is quiet, or none waits. */
    BusRequest nextTurn(long now) {
        Line line = null;
        ArrayDeque<Line> ring = null;
        for (ArrayDeque<Line> r : List.of(highRing, normalRing)) {
            for (int i = 0, n = r.size(); i < n && line == null; i++) {
                Line l = r.pollFirst();
                if (isQuiet(l, now)) {
                    r.addLast(l); // its late reply may still come: it waits, the others take their turns
                } else {
                    line = l;
                    ring = r;
                }
            }
            if (line != null) {
                break;
            }
        }
        if (line == null) {
            return null;
        }
        ArrayDeque<BusRequest> q = ring == highRing ? line.high : line.normal;
        BusRequest item = q.pollFirst();
        if (!q.isEmpty()) {
            ring.addLast(line);
        }
        dequeued(item);
        return item;
    }

    private boolean isQuiet(Line line, long now) {
        BusRequest first = line.high.isEmpty() ? line.normal.peekFirst() : line.high.peekFirst();
        if (first == null) {
            return false;
        }
        return quiet.isQuiet(first.address, now);
    }

    /** Takes out the waiting request {@code id} and returns it; null when it is not waiting. */
    BusRequest withdraw(long id) {
        for (BusRequest item : byDeadline) {
            if (item.id == id) {
                unqueue(item);
                return item;
            }
        }
        return null;
    }

    /** The waiting request with the earliest deadline when that deadline has passed at {@code now}, taken out; else null. */
    BusRequest takeExpired(long now) {
        if (byDeadline.isEmpty() || byDeadline.first().deadline > now) {
            return null;
        }
        BusRequest item = byDeadline.first();
        unqueue(item);
        return item;
    }

    /** Takes out every waiting request and returns them in the order they were sent. */
    List<BusRequest> takeAll() {
        List<BusRequest> all = new ArrayList<>(byDeadline);
        all.sort(Comparator.comparingLong(i -> i.id));
        byDeadline.clear();
        lines.clear();
        highRing.clear();
        normalRing.clear();
        return all;
    }

    /**
     * The earliest of {@code t}, the waiting requests' deadlines and the end of a quiet time of an address with requests
     * waiting (after {@code now}).
     */
    long earliestDeadline(long now, long t) {
        if (byDeadline.isEmpty()) {
            return t;
        }
        t = Math.min(t, byDeadline.first().deadline);
        if (!quiet.isEmpty()) {
            t = quiet.earliestEnd(now, t, lines::containsKey);
        }
        return t;
    }

    // ------------------------------------------------------------------ quiet devices

    /** {@code address}'s request ended without its whole reply at {@code now}: it gets nothing for the grace. */
    void quiet(Address address, long now) {
        quiet.quiet(address, now);
    }

    boolean isQuiet(Address address, long now) {
        return quiet.isQuiet(address, now);
    }

    /** Forgets every quiet that ended by {@code now}. */
    void expireQuiet(long now) {
        quiet.expire(now);
    }

    /** Removes a request that ended while queued from its line and, if that empties it, the line from its ring. */
    private void unqueue(BusRequest item) {
        Line line = lines.get(item.address);
        ArrayDeque<BusRequest> q = line.queue(item.priority);
        q.remove(item);
        if (q.isEmpty()) {
            ring(item.priority).remove(line);
        }
        dequeued(item);
    }

    private void dequeued(BusRequest item) {
        byDeadline.remove(item);
        Line line = lines.get(item.address);
        if (line.high.isEmpty() && line.normal.isEmpty()) {
            lines.remove(item.address);
        }
    }

    private ArrayDeque<Line> ring(Bus.Priority p) {
        return p == Bus.Priority.HIGH ? highRing : normalRing;
    }
}
