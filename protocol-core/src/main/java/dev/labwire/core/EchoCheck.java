package dev.labwire.core;

import dev.labwire.core.frame.Printable;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Half-duplex echo removal ({@link ConnectionConfig.Echo#CHECK_AND_DROP}). Every write is remembered in
 * order; received bytes are compared against the oldest write's bytes and dropped until |write| bytes
 * have passed, and only then go on to framing. The comparison is positional: after the first byte that
 * differs, the request is reported at once and the rest of its |write| bytes are still dropped, since
 * they are the damaged echo (a collision or noise changes bytes; it does not change how many the UART
 * hands back). An echo stays owed after its request ended (timed out): a late echo is still dropped, never
 * framed as a reply, until it is whole or its request's stale-reply grace ends.
 */
final class EchoCheck {
    /** The longest stretch of bytes shown in a mismatch message. */
    private static final int SHOW = 48;

    private static final class Echo {
        final Exchange exchange;
        final byte[] sent;
        final byte[] got;
        int pos;
        boolean reported;

        Echo(Exchange exchange, byte[] sent) {
            this.exchange = exchange;
            this.sent = sent;
            this.got = new byte[sent.length];
        }
    }

    private final ArrayDeque<Echo> queue = new ArrayDeque<>();

    /** {@code sent} (a fresh array this check now owns) is being handed to the driver for {@code e}. */
    void expect(Exchange e, byte[] sent) {
        if (sent.length > 0) {
            queue.addLast(new Echo(e, sent));
        }
    }

    /** True while some written bytes have not come back yet. */
    boolean pending() {
        return !queue.isEmpty();
    }

    /** The exchange whose echo the next received byte belongs to, or null when no echo is owed. */
    Exchange head() {
        Echo e = queue.peekFirst();
        return e == null ? null : e.exchange;
    }

    /** The first byte of the oldest echo when none of it has come yet, else -1. */
    int firstByteIfNotStarted() {
        Echo echo = queue.peekFirst();
        return echo == null || echo.pos > 0 ? -1 : echo.sent[0] & 0xFF;
    }

    /**
     * Drops echo bytes from {@code data}, at most up to the end of the echoes owed. Reports each echo to
     * {@code outcomes} once: at its first wrong byte, or when it is whole and right; and then when all its bytes
     * have passed ({@link EchoOutcomes#echoWhole}).
     */
    void consume(ByteBuffer data, EchoOutcomes outcomes) {
        while (data.hasRemaining() && !queue.isEmpty()) {
            Echo echo = queue.peekFirst();
            byte b = data.get();
            echo.got[echo.pos] = b;
            if (b != echo.sent[echo.pos] && !echo.reported) {
                echo.reported = true;
                outcomes.echoDone(echo.exchange, mismatch(echo));
            }
            if (++echo.pos == echo.sent.length) {
                queue.pollFirst();
                if (!echo.reported) {
                    echo.reported = true;
                    outcomes.echoDone(echo.exchange, null);
                }
                outcomes.echoWhole(echo.exchange);
            }
        }
    }

    private static RemoteProtocolException mismatch(Echo echo) {
        int i = echo.pos;
        return new RemoteProtocolException("echo mismatch after writing " + echo.exchange.request + ": sent "
                + Printable.quoted(echo.sent, 0, echo.sent.length, SHOW)
                + (echo.sent.length > SHOW ? "" : " (" + echo.sent.length + " bytes)") // a cut one says its length
                + ", received " + Printable.quoted(echo.got, 0, i + 1, SHOW) + "; byte " + i + " should be "
                + Printable.hex(echo.sent[i]) + " but is " + Printable.hex(echo.got[i]) + lineEndNote(echo, i));
    }

    /**
     * A hint when the command came back right but its line end did not: a terminal with echo on sends CR LF for the
     * end of every line it is typed, whatever ended it.
     */
    private static String lineEndNote(Echo echo, int i) {
        int b = echo.got[i];
        if (i < echo.exchange.request.payloadNoCopy().length || (b != '\r' && b != '\n')) {
            return "";
        }
        return ": the command came back whole but its line end did not (a terminal with echo on echoes CR LF for any"
                + " line end); set ConnectionConfig.writeTerminator to the line end the device echoes (\"\\r\\n\" for most)";
    }

    /** Live exchanges expecting nothing whose echo has not been reported: they end when it is (or by their deadline). */
    List<Exchange> awaiting() {
        List<Exchange> out = new ArrayList<>();
        for (Echo echo : queue) {
            if (!echo.reported && !echo.exchange.ended && echo.exchange.expect() instanceof Expect.None) {
                out.add(echo.exchange);
            }
        }
        return out;
    }

    /** The exchanges whose echo is owed, in write order. */
    List<Exchange> owedBy() {
        List<Exchange> out = new ArrayList<>(queue.size());
        for (Echo echo : queue) {
            out.add(echo.exchange);
        }
        return out;
    }

    /**
     * The earliest deadline among the echoes owed: a live write-only exchange's timeout, an ended exchange's grace;
     * {@link Exchange#NO_DEADLINE} when none. Allocates nothing.
     */
    long earliestDeadline() {
        long t = Exchange.NO_DEADLINE;
        if (queue.isEmpty()) {
            return t;
        }
        for (Echo echo : queue) {
            Exchange e = echo.exchange;
            if (e.zombie) {
                t = Math.min(t, e.graceDeadline);
            } else if (!echo.reported && !e.ended && e.expect() instanceof Expect.None) {
                t = Math.min(t, e.deadline);
            }
        }
        return t;
    }

    /** True when some bytes of {@code e}'s echo have come already. */
    boolean started(Exchange e) {
        for (Echo echo : queue) {
            if (echo.exchange == e) {
                return echo.pos > 0 || echo.reported;
            }
        }
        return false;
    }

    /** Stops waiting for {@code e}'s echo (its grace ended under a policy that releases it). */
    void forget(Exchange e) {
        for (Iterator<Echo> it = queue.iterator(); it.hasNext(); ) {
            if (it.next().exchange == e) {
                it.remove();
            }
        }
    }

    void clear() {
        queue.clear();
    }
}
