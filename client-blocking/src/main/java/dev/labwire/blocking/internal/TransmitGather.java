package dev.labwire.blocking.internal;

import dev.labwire.core.LinkMachine;
import dev.labwire.core.internal.WireTrace;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.slf4j.Logger;

/**
 * Gathers everything a machine has to transmit into one reused buffer, so that several requests sent at once
 * (queryAll, pipelining) take one write instead of one each. The machine's buffers are copied as they come, so
 * nothing is assumed about how long they stay valid. Not thread-safe: the driver uses it under its lock.
 */
final class TransmitGather {
    private static final int INITIAL = 1024;
    private static final int MAX_KEPT = 64 * 1024; // a bigger buffer (a large upload) is let go after use
    private byte[] buffer = new byte[INITIAL];

    /**
     * All bytes {@code machine.pollTransmit()} hands out now, in order, valid until the next call; null when none.
     * Each chunk (one request's bytes) is traced to {@code wire} as it comes, when that is at TRACE.
     */
    ByteBuffer all(LinkMachine machine, Logger wire, WireTrace trace) {
        if (!wire.isTraceEnabled()) {
            return copied(machine);
        }
        byte[] buf = buffer;
        int n = 0;
        for (ByteBuffer x; (x = machine.pollTransmit()) != null; ) { // one request's bytes at a time, each traced
            wire.trace(trace.sent(machine, x, System.nanoTime()));
            int len = x.remaining();
            if (buf.length - n < len) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + len));
            }
            x.get(buf, n, len);
            n += len;
        }
        return gathered(buf, n);
    }

    /**
     * {@link #all} without tracing: the machine copies its bytes straight into the buffer ({@link
     * LinkMachine#pollTransmit(ByteBuffer)}), several requests a call, with no buffer object made for each request.
     */
    private ByteBuffer copied(LinkMachine machine) {
        byte[] buf = buffer;
        ByteBuffer dst = ByteBuffer.wrap(buf);
        while (machine.pollTransmit(dst) > 0 && !dst.hasRemaining()) { // full: there may be more
            int n = dst.position();
            buf = Arrays.copyOf(buf, buf.length * 2);
            dst = ByteBuffer.wrap(buf).position(n);
        }
        return gathered(buf, dst.position());
    }

    /** The first {@code n} bytes of {@code buf} (null when none); {@code buf} is kept for the next call unless too big. */
    private ByteBuffer gathered(byte[] buf, int n) {
        if (n == 0) {
            return null;
        }
        buffer = buf.length <= MAX_KEPT ? buf : new byte[INITIAL];
        return ByteBuffer.wrap(buf, 0, n);
    }
}
