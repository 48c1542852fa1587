package dev.labwire.core;

import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.InputBuffer;

/**
 * The words an {@link Event.Timeout} of a {@link Connection} carries about what came before it: how much of a written
 * request's reply came (with the bytes of a frame never finished), that the driver had stopped reading the link, or,
 * for a request never written, what held it back and behind whom it waited.
 *
 * <p>Separate from the connection and its {@link ReplyMatcher} because it only reads their state to describe it: no
 * decision depends on these words, and they are made only when a timeout happens. Not thread-safe.
 */
final class TimeoutNotes {
    private final ConnectionConfig config;
    private final ReplyMatcher matcher;
    private final LinkLifecycle link;
    private final RequestQueue pending;
    private boolean readPaused;
    private long readPausedSince;

    TimeoutNotes(ConnectionConfig config, ReplyMatcher matcher, LinkLifecycle link, RequestQueue pending) {
        this.config = config;
        this.matcher = matcher;
        this.link = link;
        this.pending = pending;
    }

    /** The driver stopped (or resumed) reading the link ({@link Connection#readingPaused}). */
    void readingPaused(boolean paused, long nowNanos) {
        if (paused && !readPaused) {
            readPausedSince = nowNanos;
        }
        readPaused = paused;
    }

    /** What a timeout adds while the driver does not read ({@link Connection#readingPaused}), or "" when it reads. */
    String readPausedNote(long nowNanos) {
        return readPaused ? "; but the client had stopped reading the link " + Math.max(0, (nowNanos - readPausedSince) / 1_000_000)
                + " ms before, because a consumer of pushed frames was behind, so the reply may be among the unread bytes:"
                + " keep pushed-frame consumers faster than the device, or let them drop frames instead" : "";
    }

    /** How much of {@code e}'s reply came, for the timeout of a written request. */
    String progress(Exchange e) {
        String held = matcher.inFlight.peekFirst() == e ? heldNote() : "";
        if (e.received == 0) {
            return held.isEmpty() ? "no reply came" : "no whole reply came" + held;
        }
        Expect x = e.expect();
        String of = x instanceof Expect.Frames n ? " of " + n.count() : "";
        return e.received + of + " frames of the reply came" + held;
    }

    /** The bytes of an unfinished frame held now, for a timeout's message: a reply that never made a whole frame. */
    private String heldNote() {
        Framer current = matcher.currentFramer();
        InputBuffer input = matcher.input;
        int n = current.heldBytes(input);
        if (n == 0) {
            return "";
        }
        String bytes = "";
        if (input.readableBytes() == n) {
            byte[] b = new byte[n];
            input.copy(0, b, 0, n);
            bytes = " (" + dev.labwire.core.frame.Printable.quoted(b, 0, n, 48) + ")";
        }
        return ": " + n + (n == 1 ? " byte" : " bytes") + " came that make no whole frame" + bytes + " under " + current;
    }

    /**
     * Why queued requests are not written now: what holds the link, the policy, and what to change.
     * {@code hookWaitsForQuiet}: a new link must first be quiet, so the on-connect hook has not even started.
     */
    String whyNotWritten(boolean hookWaitsForQuiet) {
        StaleReplies stale = matcher.stale;
        // while a new link must first be quiet, the hook has not even started: say why (quietAfterConnect, a renewed
        // serial link), not "the on-connect hook was still running"
        String held = hookWaitsForQuiet ? stale.whyHeld() : null;
        if (held == null) {
            held = link.whyNotWriting();
        }
        if (held == null) {
            held = stale.whyHeld();
        }
        if (held != null) {
            return held;
        }
        Exchange head = null;
        for (Exchange e : matcher.inFlight) {
            if (!e.ended) {
                head = e;
                break;
            }
        }
        if (head != null) {
            return "it waited behind " + head.request.shownText() + " (in flight; maxInFlight " + config.maxInFlight()
                    + ") and " + pending.size() + " queued requests";
        }
        return "it waited behind " + pending.size() + " queued requests";
    }
}
