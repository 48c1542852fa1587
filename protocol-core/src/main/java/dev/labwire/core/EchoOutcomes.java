package dev.labwire.core;

import java.util.List;

/**
 * What an echo that came back means for its request and for the reply line ({@link ConnectionConfig.Echo#CHECK_AND_DROP}):
 * a whole, right echo ends a request that expects nothing; a damaged one fails its request, and, since the bytes taken
 * for it may have been a reply, fails every live request in the line as ambiguous (or renews the link when counting
 * frames cannot find the step again). {@link EchoCheck} compares the bytes and reports here.
 *
 * <p>Separate from {@link ReplyMatcher}, which frames and matches replies, because it decides how requests end on an
 * echo, not who owns the next byte; it only reads the line and hands endings to the connection and
 * {@link StaleReplies}. Not thread-safe.
 */
final class EchoOutcomes {
    private final Connection owner;
    private final ReplyMatcher matcher;
    private final ConnectionConfig config;

    EchoOutcomes(Connection owner, ReplyMatcher matcher, ConnectionConfig config) {
        this.owner = owner;
        this.matcher = matcher;
        this.config = config;
    }

    /**
     * The echo of {@code e}'s bytes came back whole and right ({@code mismatch} null), or wrong (reported at its
     * first wrong byte; the rest of its bytes are still dropped, then {@link #echoWhole} follows).
     */
    void echoDone(Exchange e, RemoteProtocolException mismatch) {
        if (e.ended) {
            return; // a late echo of an ended request: dropped, nothing more to tell
        }
        if (e.expect() instanceof Expect.None) {
            owner.end(e, mismatch == null ? new Event.Reply(e.id, e.request, List.of()) : new Event.Failed(e.id, e.request, mismatch));
        } else if (mismatch != null && e.kind == Exchange.Kind.PROBE) {
            owner.requestClose("resync probe " + e.request.shownText() + " came back damaged: " + mismatch.getMessage());
        } else if (mismatch != null) {
            matcher.stale.endEarly(e, new Event.Failed(e.id, e.request, mismatch), "failed on a damaged echo");
        }
        if (mismatch != null && config.staleReplyPolicy() instanceof StaleReplyPolicy.DiscardLateReply && !matcher.inFlight.isEmpty()) {
            // a reply is owed, and the bytes taken for the echo may have held part of it: counting frames cannot find
            // the step again
            owner.requestClose("the echo of " + e.request.shownText() + " came back damaged, so the reply stream is out of step: "
                    + mismatch.getMessage());
        }
        if (mismatch != null) {
            // the bytes taken for this echo may have been a reply: no reply in the line can be matched any more
            for (Exchange x : matcher.liveInLine()) {
                owner.end(x, new Event.Failed(x.id, x.request, new AmbiguousReplyException("reply to " + x.request.shownText()
                        + " cannot be told apart: the echo of " + e.request.shownText() + " came back damaged, so the bytes"
                        + " taken for it may have been this reply (" + mismatch.getMessage() + ")")));
                matcher.stale.zombify(x);
            }
        }
    }

    /** Every byte of {@code e}'s echo has passed (right or wrong). */
    void echoWhole(Exchange e) {
        e.echoOwed = false;
        matcher.stale.settle(e);
    }
}
