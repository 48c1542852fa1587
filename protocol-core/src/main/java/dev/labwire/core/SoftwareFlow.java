package dev.labwire.core;

import java.nio.ByteBuffer;

/**
 * XON/XOFF software flow control as seen from the bytes a serial link ({@code flow=xonxoff}) delivers.
 *
 * <p>Theory of operation. A device whose input buffer fills sends XOFF (DC3, 0x13) and, once it can take more, XON
 * (DC1, 0x11), anywhere in what it sends, even inside a reply. With {@code flow=xonxoff} the operating system normally
 * does all of it: termios {@code IXON} (Linux, macOS; Windows' {@code fOutX}) stops the port's output at XOFF and
 * takes both bytes out of the input, so they never reach a driver. They still can: bytes that came in before the port
 * was configured (a device that says XON when it powers up, a pty that kept what came while nobody had it open), a
 * USB adapter or terminal server that passes them through. So with {@code flow=xonxoff} the connection also takes
 * every XON and XOFF out of what it receives, before framing: they are never part of a reply or a pushed frame (which
 * is why binary data on such a link must avoid both bytes, as it must anyway). An XOFF that reaches it holds what it
 * writes, between requests, until the next XON; a request whose deadline passes meanwhile ends unwritten, saying the
 * device sent XOFF. A new link starts released: what the device said on the last one is not known to hold any more.
 *
 * <pre>
 *   received:  t 0x13 0x11 1 \n     framed as:  t 1 \n        -&gt; reply "t1"
 *   received:  0x13                 held: pollTransmit() gives nothing until 0x11 comes
 * </pre>
 *
 * With {@code flow=none} (the default) both bytes are data, as the device sent them.
 */
final class SoftwareFlow {
    static final byte XON = 0x11;
    static final byte XOFF = 0x13;

    private boolean held;
    private long heldSince;
    /** Set when a receive changed {@link #held}: what may be written changed, so the driver must drain again. */
    private boolean changed;

    /**
     * Takes {@code data} whole (its position moves to its limit) and returns its bytes without XON and XOFF: {@code data}
     * itself when it holds neither, else a new heap buffer. Each XOFF holds, each XON releases, in their order.
     */
    ByteBuffer receive(ByteBuffer data, long nowNanos) {
        changed = false;
        int from = data.position();
        int to = data.limit();
        int first = -1;
        for (int i = from; i < to; i++) {
            byte b = data.get(i);
            if (b == XON || b == XOFF) {
                first = i;
                break;
            }
        }
        if (first < 0) {
            return data;
        }
        byte[] kept = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = data.get(i);
            if (b == XOFF) {
                hold(nowNanos);
            } else if (b == XON) {
                release();
            } else {
                kept[n++] = b;
            }
        }
        data.position(to);
        return ByteBuffer.wrap(kept, 0, n);
    }

    private void hold(long nowNanos) {
        if (!held) {
            held = true;
            heldSince = nowNanos;
            changed = true;
        }
    }

    private void release() {
        if (held) {
            held = false;
            changed = true;
        }
    }

    /** Whether the last {@link #receive} held or released the output. */
    boolean changed() {
        return changed;
    }

    /** Whether an XOFF came and no XON since: nothing may be written. */
    boolean held() {
        return held;
    }

    /** A new link: nothing the device said on the last one holds. */
    void reset() {
        held = false;
        changed = false;
    }

    /** Why nothing is written while held, for a request that ends unwritten; null when not held. */
    String whyHeld(long nowNanos) {
        if (!held) {
            return null;
        }
        return "the device sent XOFF " + Math.max(0, (nowNanos - heldSince) / 1_000_000) + " ms before and no XON since"
                + " (flow=xonxoff: its input buffer is full), so nothing was written to it";
    }
}
