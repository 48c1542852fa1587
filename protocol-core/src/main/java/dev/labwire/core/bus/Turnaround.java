package dev.labwire.core.bus;

/**
 * When a {@link Bus} may write next: the turnaround after each exchange (the addressing's own after a request that
 * expects no reply, {@link Addressing#turnaroundAfterWrite}), and the quiet time of the whole link after a request
 * ended without its whole reply ({@link Addressing#quietAfterTimeout}).
 *
 * <p>Theory of operation. One moment, {@code sendAt}, only ever moves later: to the turnaround after a write, to the
 * turnaround after the wire went idle (the exchange ended), to the end of a quiet time. Nothing is written before it,
 * and the bus's timer wakes for it while something waits. When a quiet time ends, an unfinished frame left in the
 * connection is dropped once ({@link #takeDropAfterQuiet()}): what came of a late answer and broke off is no reply's
 * start.
 *
 * <p>Separate from the bus because it owns the link's timing only: which request goes is {@link DeviceQueues}'s.
 * Not thread-safe: the bus owns it.
 */
final class Turnaround {
    private final Addressing addressing;
    private final long turnaroundNanos;
    private long sendAt = Long.MIN_VALUE;
    /** A quiet time after a timeout is running: when it ends, an unfinished frame left in the connection is dropped. */
    private boolean dropAfterQuiet;
    private boolean wireWasBusy;

    Turnaround(Addressing addressing, long turnaroundNanos) {
        this.addressing = addressing;
        this.turnaroundNanos = turnaroundNanos;
    }

    /** True when the turnaround and any quiet time have passed at {@code now}. */
    boolean mayWrite(long now) {
        return now >= sendAt;
    }

    /** The earliest of {@code t} and the end of the turnaround when it is still running at {@code now}. */
    long earliest(long now, long t) {
        return now < sendAt ? Math.min(t, sendAt) : t;
    }

    /** Bytes of {@code item} (null: none of the bus's requests) were handed out at {@code now}; {@code wireBusy} after. */
    void written(BusRequest item, long now, boolean wireBusy) {
        sendAt = Math.max(sendAt, saturatedAdd(now, turnaroundAfter(item)));
        wireWasBusy = wireBusy;
    }

    /** The turnaround after writing {@code item}: its addressing's own for a request that expects no reply. */
    private long turnaroundAfter(BusRequest item) {
        if (item == null || !(item.wire.expect() instanceof dev.labwire.core.Expect.None)) {
            return turnaroundNanos;
        }
        return addressing.turnaroundAfterWrite(item.address).map(dev.labwire.core.internal.Durations::nanos).orElse(turnaroundNanos);
    }

    /** The wire is {@code busy} at {@code now}: when an exchange just ended, the turnaround starts. */
    void wireIs(boolean busy, long now) {
        if (wireWasBusy && !busy) {
            sendAt = Math.max(sendAt, saturatedAdd(now, turnaroundNanos));
        }
        wireWasBusy = busy;
    }

    /** A request to {@code address} ended on the wire without its whole reply at {@code now}: its addressing's quiet time. */
    void quietAfterTimeout(Address address, long now) {
        addressing.quietAfterTimeout(address).ifPresent(d -> {
            sendAt = Math.max(sendAt, saturatedAdd(now, dev.labwire.core.internal.Durations.nanos(d)));
            dropAfterQuiet = true;
        });
    }

    /** True once after a quiet time ended: an unfinished frame left in the connection is to be dropped. */
    boolean takeDropAfterQuiet() {
        if (dropAfterQuiet) {
            dropAfterQuiet = false;
            return true;
        }
        return false;
    }

    private static long saturatedAdd(long now, long nanos) {
        return dev.labwire.core.internal.Durations.deadline(now, nanos);
    }
}
