package dev.labwire.core;

/**
 * What a {@link Connection}'s {@link StaleReplyPolicy} does once a written request ended while still owed its reply
 * (or echo): the resync probe of {@link StaleReplyPolicy.Resync}, or the renewal of the link.
 *
 * <p>Theory of operation. A request that ended early keeps its place in the reply line as a zombie ({@link ReplyMatcher}
 * keeps the line); nothing new is written while a zombie is owed something. How the stream gets back in step is the
 * policy's: {@link StaleReplyPolicy.Resync} writes one probe query before anything else and, once its answer is seen,
 * drops every zombie before it ({@link #resynced()}); {@link StaleReplyPolicy.Reconnect} closes the link at once; the
 * grace policies wait for what is owed. A probe that cannot be written in time, or is not answered in time, closes the
 * link. A new link starts in step ({@link #reset()}).
 *
 * <p>Separate from the connection and from the reply matching because it owns the state of getting back in step, which
 * neither the queue nor the matching of replies to the head of the line needs to know. Not thread-safe.
 */
final class StaleReplies {
    private final Connection owner;
    private final StaleReplyPolicy policy;
    private Exchange probe;
    private boolean resyncing;

    StaleReplies(Connection owner, ConnectionConfig config) {
        this.owner = owner;
        this.policy = config.staleReplyPolicy();
    }

    /** The resync probe while one runs (written or not), else null. */
    Exchange probe() {
        return probe;
    }

    /** The resync probe while it waits to be written (it goes before everything), else null. */
    Exchange unwrittenProbe() {
        return probe != null && !probe.written ? probe : null;
    }

    /** True from the moment a resync is decided until its probe's answer was seen (or the link is renewed). */
    boolean resyncing() {
        return resyncing;
    }

    /** The probe's deadline, or {@link Exchange#NO_DEADLINE} when no probe runs. */
    long probeDeadline() {
        return probe != null ? probe.deadline : Exchange.NO_DEADLINE;
    }

    /** {@code e} ended early after being written and is a zombie now: the stale-reply policy acts. */
    void onStale(Exchange e, String why) {
        if (policy instanceof StaleReplyPolicy.Resync r && !resyncing && !owner.closeRequested()) {
            resyncing = true;
            probe = owner.newProbe(r.probe());
        } else if (policy == StaleReplyPolicy.Reconnect.INSTANCE) {
            owner.requestClose("request " + e + " " + why + " (stale-reply policy reconnect)");
        }
    }

    /**
     * Why nothing is written while the stream is out of step ({@code suspect}: a zombie in {@code line} or an echo is
     * owed), or null when it is in step: what holds the link, the policy, and what to change.
     */
    String whyHeld(boolean suspect, Iterable<Exchange> line) {
        if (probe != null) {
            return "the link was resynchronising: probe " + probe.request.shownText() + " not answered yet (staleReplyPolicy " + policy + ")";
        }
        if (!suspect) {
            return null;
        }
        Exchange z = null;
        for (Exchange e : line) {
            if (e.zombie) {
                z = e;
                break;
            }
        }
        String held = z == null ? "a timed-out request whose echo is still owed" : "timed-out " + z.request.shownText();
        return "the link was held by " + held + ": its late reply is awaited before anything else is written, and if it"
                + " does not come the link is renewed (staleReplyPolicy " + policy + "). A device that never answers such"
                + " a query costs the grace; to wait less, shorten the grace or use StaleReplyPolicy.scpiResync() or reconnect()";
    }

    /** A probe not written by its deadline closes the link. */
    void expireUnwrittenProbe(long now) {
        if (probe != null && !probe.written && probe.deadline <= now) {
            probe = null;
            owner.requestClose("resync probe could not be sent in time");
        }
    }

    /** The written resync probe timed out (the matcher took it out of the reply line): the link is closed. */
    void probeLost(String why) {
        probe = null;
        owner.requestClose(why);
    }

    /** The resync probe's answer was seen: user requests may flow again. */
    void resynced() {
        probe = null;
        resyncing = false;
    }

    /** The connection closed: the probe is dropped. */
    void dropProbe() {
        probe = null;
    }

    /** A new link: in step, no probe. */
    void reset() {
        probe = null;
        resyncing = false;
    }
}
