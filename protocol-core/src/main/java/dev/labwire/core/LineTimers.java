package dev.labwire.core;

/**
 * The timers of a {@link ReplyMatcher}'s reply line: the earliest deadline among the requests written (a live request's
 * timeout, a zombie's grace, an echo's, a pipelined window's), and what ends when one has passed.
 *
 * <p>Separate from the matcher, which owns the next incoming byte, because time only reads the line and hands what
 * expired to {@link StaleReplies}; the words of each {@link Event.Timeout} come from {@link TimeoutNotes}. Not
 * thread-safe.
 */
final class LineTimers {
    private final ReplyMatcher matcher;
    private final TimeoutNotes notes;

    LineTimers(ReplyMatcher matcher, TimeoutNotes notes) {
        this.matcher = matcher;
        this.notes = notes;
    }

    /**
     * The earliest deadline in the reply line and of the echoes: a live request's timeout, a zombie's grace.
     * With {@code monotonic} deadlines and no zombie, only the head can be the earliest live one. Reads only.
     */
    long earliestDeadline(boolean monotonic) {
        long t = matcher.echo.earliestDeadline();
        t = matcher.window.earliestDeadline(t);
        if (monotonic && !matcher.stale.suspect()) {
            Exchange head = matcher.inFlight.peekFirst();
            return head == null ? t : Math.min(t, head.deadline);
        }
        for (Exchange e : matcher.inFlight) {
            t = Math.min(t, e.zombie ? e.graceDeadline : e.deadline);
        }
        return t;
    }

    /**
     * The timer part: every live request whose deadline has passed at {@code now} ends with a written
     * {@link Event.Timeout} ({@link StaleReplies#endEarly}); an unanswered resync probe closes the link; a zombie whose
     * grace ended is released ({@link StaleReplyPolicy.ReleaseAfter}) or closes the link (every other policy).
     */
    void expire(long nowNanos) {
        StaleReplies stale = matcher.stale;
        stale.setNow(nowNanos);
        for (Exchange e : matcher.echo.awaiting()) {
            if (e.deadline <= nowNanos) {
                stale.endEarly(e, new Event.Timeout(e.id, e.request, true, "its echo did not come back whole"), "timed out awaiting its echo");
            }
        }
        for (Exchange e : matcher.window.takeExpired(nowNanos)) {
            if (!e.ended) {
                stale.endEarly(e, new Event.Timeout(e.id, e.request, true, "its reply came, but another request written with it"
                        + " in the same pipelined window was not answered by then, so it could not be confirmed"
                        + " (Pipelining.CONFIRM_BY_WINDOW)"), "timed out with its reply unconfirmed");
            }
        }
        for (Exchange e : matcher.inFlight.toArray(new Exchange[0])) {
            if (e.ended || e.deadline > nowNanos) {
                continue;
            }
            if (e.kind == Exchange.Kind.PROBE) {
                matcher.removeFromLine(e);
                stale.probeLost("resync probe " + e.request.shownText() + " was not answered in time");
                continue;
            }
            stale.endEarly(e, new Event.Timeout(e.id, e.request, true, notes.progress(e) + notes.readPausedNote(nowNanos)),
                    "timed out after being written");
        }
        stale.expireGraces(nowNanos);
        stale.expireQuiet(nowNanos);
    }
}
