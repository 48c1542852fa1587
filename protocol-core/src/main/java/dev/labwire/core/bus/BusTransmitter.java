package dev.labwire.core.bus;

import java.nio.ByteBuffer;

/**
 * The write side of a {@link Bus}: hands the next request's bytes to the driver, whole ({@link #poll()}) or copied into
 * the driver's buffer ({@link #poll(ByteBuffer)}), keeps the rest of a request that did not fit, and remembers which
 * requests the latest call handed out, for the driver's wire trace.
 *
 * <p>Theory of operation. The bytes come from the connection underneath, one exchange at a time; when a new request may
 * go is the bus's ({@link Bus#nextWrite()}). A request that does not fit the driver's buffer is split: its rest goes out
 * first on the next call of either verb, whatever the turnaround, since its exchange has begun. When the link goes down
 * or the bus closes the rest is dropped ({@link #reset()}): it belongs to the old byte stream. The bytes are copied from
 * the connection's array-backed buffer: a bus runs at serial rates.
 *
 * <p>Separate from the bus because it owns only the state of a write under way; what is written is the bus's.
 * Not thread-safe: the bus owns it.
 */
final class BusTransmitter {
    private final Bus bus;
    /** What {@link #poll(ByteBuffer)} could not fit of the last request handed out, or null. */
    private ByteBuffer rest;
    /** For the wire trace: the id of {@code rest}'s request, and of those the latest poll handed out first and last
     * (-1: none, or the connection's own resync probe). */
    private long restId = -1;
    private long first = -1;
    private long last = -1;

    BusTransmitter(Bus bus) {
        this.bus = bus;
    }

    /** The rest of a split request, else the next request's bytes; null when there are none now. */
    ByteBuffer poll() {
        ByteBuffer out = rest;
        rest = null;
        if (out == null) {
            out = bus.nextWrite();
            restId = bus.nextWriteId();
        }
        first = last = out == null ? -1 : restId;
        return out;
    }

    /** Copies what fits of the next bytes into {@code dst} (writable); returns how many it copied. */
    int poll(ByteBuffer dst) {
        int start = dst.position();
        first = last = -1;
        while (dst.hasRemaining()) {
            if (rest == null) {
                if ((rest = bus.nextWrite()) == null) {
                    break;
                }
                restId = bus.nextWriteId();
            }
            if (first < 0) {
                first = restId;
            }
            last = restId;
            int n = Math.min(dst.remaining(), rest.remaining());
            dst.put(rest.array(), rest.arrayOffset() + rest.position(), n); // the connection's buffers are array-backed
            rest.position(rest.position() + n);
            if (!rest.hasRemaining()) {
                rest = null;
            }
        }
        return dst.position() - start;
    }

    /** The link it was going to is gone (or the bus closed): the rest of a split request is dropped. */
    void reset() {
        rest = null;
    }

    /** The id of the request whose bytes the latest poll handed out first; -1 when none. */
    long firstId() {
        return first;
    }

    /** The id of the request whose bytes the latest poll handed out last; -1 when none. */
    long lastId() {
        return last;
    }
}
