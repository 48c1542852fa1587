package dev.labwire.core;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.Printable;

/**
 * Tells a device that echoes what it is sent when the connection was not told so ({@link ConnectionConfig.Echo#NONE}):
 * an RS232 terminal or board with echo on, a USB-serial console. Such a device sends every command line back before
 * its reply, so, matched by position, each call would get an echo or the reply of the call before it, with no error:
 *
 * <pre>
 *   written:   ECHO? t0\n                         SET 1\n  ECHO? t1\n
 *   received:  ECHO? t0\r\n t0\r\n                SET 1\r\n ECHO? t1\r\n t1\r\n
 *   matched:   call "ECHO? t0" = "ECHO? t0"       call "ECHO? t1" = "SET 1"      (both wrong, silently)
 * </pre>
 *
 * <p>Theory of operation. A line a device sends is never, in practice, the very text of a query written, so the first
 * frame of a reply that is exactly its own request's text, or the text of one of the {@value #RECENT} latest queries
 * written before it (a CR at its end aside), is taken for an echo ({@link #echoOf}). Once the device is known to echo
 * (that, or a frame no request awaited that is the text of one of them, {@link #unaskedFrame}), the first frame of a
 * reply that is exactly the text of one of the latest writes (requests expecting nothing) is an echo too. The matcher
 * fails the call with a message that says so and what to set, and renews the link: the frames still coming (the echo,
 * the reply) cannot be counted. A write's text is not taken for an echo before the device was seen to echo: a device
 * may answer "MODE?" with "MODE A", the very setting written before.
 *
 * <p>Only for line framings (text): a binary reply may well repeat its request, as Modbus answers a register write.
 * Not thread-safe; owned by the {@link ReplyMatcher}. Allocates nothing per frame.
 */
final class EchoSuspicion {
    /** How many of the latest requests written are remembered: an echo comes at most a few commands late. */
    static final int RECENT = 4;

    private final boolean on;
    /** The latest requests written (not their exchanges, which hold their replies) and their write order. */
    private final Request[] recent = new Request[RECENT];
    private final long[] recentSeq = new long[RECENT];
    private int next;
    private boolean seen;
    /** A line that came after a write, with nothing awaited, was told once ({@link #unaskedFrame}). */
    private boolean answeredWriteTold;

    /**
     * On for lines ({@code lineFraming}) without echo checking: a binary reply may well repeat its request (Modbus
     * answers a register write with the request itself).
     */
    EchoSuspicion(ConnectionConfig config, boolean lineFraming) {
        this.on = lineFraming && config.echo() == ConnectionConfig.Echo.NONE;
    }

    /** {@code e}'s bytes went out. */
    void written(Exchange e) {
        if (on) {
            recent[next] = e.request;
            recentSeq[next] = e.writeSeq;
            next = (next + 1) % RECENT;
        }
    }

    /**
     * The request whose echo {@code frame}, the first frame of {@code head}'s reply, is: {@code head}'s own, or one of
     * the latest queries written before it, or (once the device was seen to echo) one of the latest writes; null when
     * it is no echo.
     */
    Request echoOf(Exchange head, Frame frame) {
        if (!on || head.received != 0) {
            return null;
        }
        if (sameText(frame, head.request)) {
            seen = true;
            return head.request;
        }
        for (int i = 0; i < RECENT; i++) {
            Request r = recent[i];
            if (r != null && recentSeq[i] < head.writeSeq && sameText(frame, r)
                    && (seen || !(r.expect() instanceof Expect.None))) {
                seen = true;
                return r;
            }
        }
        return null;
    }

    /**
     * A frame no request awaited came, while the stream was in step: when it is the text of a recent request, the
     * device echoes; else, when the latest request written expects nothing, the device seems to answer that write (an
     * "OK" after each setting). Each is told once, as an error (a reply may have reached the wrong call already, as it
     * does whenever the next query is written before such a line comes); else null.
     */
    RemoteProtocolException unaskedFrame(Frame frame) {
        if (!on || seen) {
            return null;
        }
        Request latest = recent[(next + RECENT - 1) % RECENT];
        if (!answeredWriteTold && latest != null && latest.expect() instanceof Expect.None && !sameText(frame, latest)) {
            answeredWriteTold = true;
            return new RemoteProtocolException("a line came that no call awaited ("
                    + Printable.quoted(frame.toByteArray(), 0, frame.length(), 64) + ") after the write of "
                    + latest.shownText() + ": the device seems to answer that command (an \"OK\" after each setting), or sends"
                    + " lines of its own; such a line reaches the next query whenever that query is written before it comes."
                    + " For a device that answers every write, set ConnectionConfig.writeAcknowledgement (e.g. \"OK\"), so"
                    + " each write awaits its answer; else send commands the device answers with query(), so the line is"
                    + " their reply; tell lines of its own apart with a FrameClassifier");
        }
        for (Request r : recent) {
            if (r != null && sameText(frame, r)) {
                seen = true;
                return new RemoteProtocolException("a line came that no call awaited and that is the command "
                        + r.shownText() + " as written: the device (or the link) seems to echo what it is sent"
                        + " (a terminal with echo on), so a reply may have reached the call after its own. " + advice());
            }
        }
        return null;
    }

    /** The failure of {@code head}, whose reply's first frame is the echo of {@code echoed}. */
    static RemoteProtocolException echoed(Exchange head, Request echoed, Frame frame) {
        String what = head.request == echoed ? "the command itself" : "the command written before it, " + echoed.shownText();
        return new RemoteProtocolException("the reply to " + head.request.shownText() + " is " + what + " ("
                + Printable.quoted(frame.toByteArray(), 0, frame.length(), 64) + "): the device (or the link) echoes what"
                + " it is sent, as a terminal with echo on does, so each reply would reach the call after its own; the link"
                + " is renewed. " + advice());
    }

    private static String advice() {
        return "Turn the echo off on the device, or set ConnectionConfig.echo(Echo.CHECK_AND_DROP) with the"
                + " writeTerminator the device echoes (\"\\r\\n\" for most terminals), which checks and drops each echo";
    }

    /** True when {@code frame} is {@code r}'s command text, a CR at its end aside (a line ended by CR LF, framed at LF). */
    private static boolean sameText(Frame frame, Request r) {
        byte[] p = r.payloadNoCopy();
        int n = frame.length();
        if (p.length == 0 || (n != p.length && !(n == p.length + 1 && frame.byteAt(p.length) == '\r'))) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (frame.byteAt(i) != p[i]) {
                return false;
            }
        }
        return true;
    }
}
