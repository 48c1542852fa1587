package dev.labwire.core;

import java.nio.ByteBuffer;

/**
 * The write side of a {@link Connection}: turns the next request to write into bytes, either as a fresh buffer
 * ({@link #poll()}) or copied into the driver's buffer ({@link #poll(ByteBuffer)}).
 *
 * <p>Theory of operation. A request's wire bytes are its payload followed by the write terminator. The moment
 * its first byte is handed out, the request is taken from its queue and counts as written
 * ({@link ReplyMatcher#written}): that is the moment the old buffer-returning {@code pollTransmit()} hands out
 * the whole buffer, so both verbs keep one rule for slots, timeouts, echoes and write-only replies. A request
 * that does not fit the driver's buffer is split: the cursor remembers how far it got, and its rest goes out
 * first on the next call of either verb, so bytes are never lost, reordered or interleaved with another
 * request's while the link stays up. A new link starts clean ({@link #reset()}): the rest of a split request
 * belongs to the old byte stream.
 */
final class Transmitter {
    private final Connection owner;
    private final ReplyMatcher matcher;
    private final byte[] terminator;
    /** The payload of the request being written, or null when no request is split. */
    private byte[] payload;
    /** How many of {@code payload ++ terminator} went out. */
    private int pos;
    /** The id of the split request, while {@code payload} is not null. */
    private long payloadId;
    /** The ids of the requests whose bytes the latest poll handed out first and last; -1 when it handed out none. */
    long firstId = -1;
    long lastId = -1;

    Transmitter(Connection owner, ReplyMatcher matcher, byte[] terminator) {
        this.owner = owner;
        this.matcher = matcher;
        this.terminator = terminator;
    }

    /** The next request's bytes (or the rest of a split one) as a fresh array-backed buffer, or null. */
    ByteBuffer poll() {
        firstId = lastId = payload != null ? payloadId : -1;
        if (payload != null) {
            ByteBuffer rest = ByteBuffer.allocate(payload.length + terminator.length - pos);
            copyTo(rest);
            return rest.flip();
        }
        Exchange e = start();
        return e == null ? null : ByteBuffer.wrap(wireBytes(e.request.payloadNoCopy(), terminator));
    }

    /** Copies what fits of the next requests' bytes into {@code dst}; returns how many bytes it copied. */
    int poll(ByteBuffer dst) {
        int start = dst.position();
        firstId = lastId = payload != null ? payloadId : -1;
        while (dst.hasRemaining()) {
            if (payload == null) {
                Exchange e = start();
                if (e == null) {
                    break;
                }
                payload = e.request.payloadNoCopy();
                payloadId = e.id;
                pos = 0;
            }
            copyTo(dst);
        }
        return dst.position() - start;
    }

    /** The latest poll handed out nothing: it was not called (the link is not up). */
    void idle() {
        firstId = lastId = -1;
    }

    /** Forgets the rest of a split request: the link it was going to is gone. */
    void reset() {
        payload = null;
        firstId = lastId = -1;
    }

    /** Takes the next request to write and marks it written; null when none may go now. */
    private Exchange start() {
        Exchange e = owner.nextToWrite();
        if (e != null) {
            matcher.written(e);
            if (firstId < 0) {
                firstId = e.id;
            }
            lastId = e.id;
        }
        return e;
    }

    private void copyTo(ByteBuffer dst) {
        byte[] p = payload;
        if (pos < p.length) {
            int n = Math.min(p.length - pos, dst.remaining());
            put(dst, p, pos, n);
            pos += n;
        }
        if (pos >= p.length) {
            int k = pos - p.length;
            int n = Math.min(terminator.length - k, dst.remaining());
            put(dst, terminator, k, n);
            pos += n;
        }
        if (pos == p.length + terminator.length) {
            payload = null;
        }
    }

    /**
     * {@code dst.put(src, off, n)}; into a writable heap buffer straight into its array (a driver gathering many short
     * requests into one reused buffer, as the blocking client's {@code queryAll} does, spent a tenth of its time in
     * the checks of {@code ByteBuffer.put}).
     */
    private static void put(ByteBuffer dst, byte[] src, int off, int n) {
        if (dst.hasArray()) {
            int at = dst.position();
            System.arraycopy(src, off, dst.array(), dst.arrayOffset() + at, n);
            dst.position(at + n);
        } else {
            dst.put(src, off, n);
        }
    }

    /** {@code payload ++ terminator}, in a fresh array. */
    static byte[] wireBytes(byte[] payload, byte[] terminator) {
        byte[] out = new byte[payload.length + terminator.length];
        System.arraycopy(payload, 0, out, 0, payload.length);
        System.arraycopy(terminator, 0, out, payload.length, terminator.length);
        return out;
    }
}
