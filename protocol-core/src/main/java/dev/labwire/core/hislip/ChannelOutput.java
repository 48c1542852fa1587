package dev.labwire.core.hislip;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The bytes a {@link HislipSession} has for its two connections, in the order made: encoded messages for the
 * synchronous channel (the link), each tagged with the request it belongs to for the wire trace (-1: none), and for
 * the asynchronous channel (channel 1). It owns those queues and the ids of the latest synchronous hand-out; it is
 * separate because draining is the driver's business and never changes the session's state.
 */
final class ChannelOutput {

    private record Out(ByteBuffer bytes, long id) {
    }

    private final ArrayDeque<Out> sync = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> async = new ArrayDeque<>();
    private long firstTransmitted = -1;
    private long lastTransmitted = -1;

    /** Queues {@code m} on the synchronous channel for request {@code id} (-1: none). */
    void sync(HislipMessage m, long id) {
        sync.add(new Out(ByteBuffer.wrap(m.encode()), id));
    }

    /** Queues {@code m} on the asynchronous channel. */
    void async(HislipMessage m) {
        async.add(ByteBuffer.wrap(m.encode()));
    }

    /** Forgets everything not yet handed out (a new link, or the old one gone). */
    void clear() {
        sync.clear();
        async.clear();
    }

    /** The next synchronous message whole, or null. */
    ByteBuffer pollSync() {
        Out o = sync.poll();
        if (o == null) {
            firstTransmitted = lastTransmitted = -1;
            return null;
        }
        firstTransmitted = lastTransmitted = o.id;
        return ByteBuffer.allocate(o.bytes.remaining()).put(o.bytes).flip();
    }

    /** Copies synchronous bytes into {@code dst}; the count. */
    int pollSync(ByteBuffer dst) {
        int n = 0;
        firstTransmitted = lastTransmitted = -1;
        while (!sync.isEmpty() && dst.hasRemaining()) {
            Out o = sync.peek();
            int k = copy(o.bytes, dst);
            if (n == 0) {
                firstTransmitted = o.id;
            }
            lastTransmitted = o.id;
            n += k;
            if (!o.bytes.hasRemaining()) {
                sync.poll();
            }
        }
        return n;
    }

    /** Copies asynchronous bytes into {@code dst}; the count. */
    int pollAsync(ByteBuffer dst) {
        int n = 0;
        while (!async.isEmpty() && dst.hasRemaining()) {
            ByteBuffer b = async.peek();
            n += copy(b, dst);
            if (!b.hasRemaining()) {
                async.poll();
            }
        }
        return n;
    }

    /** Moves as much of {@code b} as fits into {@code dst}; the count. */
    private static int copy(ByteBuffer b, ByteBuffer dst) {
        int k = Math.min(b.remaining(), dst.remaining());
        ByteBuffer slice = b.duplicate();
        slice.limit(slice.position() + k);
        dst.put(slice);
        b.position(b.position() + k);
        return k;
    }

    /** The request whose bytes the latest synchronous hand-out began with (-1: none). */
    long firstId() {
        return firstTransmitted;
    }

    /** The request whose bytes the latest synchronous hand-out ended with (-1: none). */
    long lastId() {
        return lastTransmitted;
    }
}
