package dev.labwire.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Replies still owed to written requests that already ended (the "zombies" of a {@link Connection}'s reply line),
 * and what its {@link StaleReplyPolicy} does about them: the grace, the resync probe, the renewal of the link.
 *
 * <p>Theory of operation. Replies carry no tag, so position is everything. The rule that keeps it: once a written
 * request ends while still owed something ({@link #endEarly}), nothing written after it can be trusted either (the
 * device may never send what is owed: a SCPI query with an error gets no reply), so every live request written after
 * it fails at once with {@link AmbiguousReplyException} and becomes a zombie too, and nothing new is written
 * ({@link #suspect()}) until every zombie got what it was owed (the stream is in step again), the
 * {@link StaleReplyPolicy.Resync} probe's answer came ({@link #resynced}), a {@link StaleReplyPolicy.ReleaseAfter}
 * grace ended (the zombie is dropped; for addressed buses), or the link is renewed ({@link StaleReplyPolicy.Reconnect}
 * at once, {@link StaleReplyPolicy.DiscardLateReply} when its grace ends). Under {@link StaleReplyPolicy.DiscardLateReply}
 * a zombie's grace restarts whenever bytes arrive for it ({@link #bytesArriving}), so a big late reply that keeps coming
 * is swallowed whole; the rest of a frame already known bad (too long, being discarded) does not restart it, so an
 * endless unterminated stream cannot hold the link for ever. A resync probe that cannot be written in time, or is not answered in time, closes the link. A new
 * link starts in step.
 *
 * <p>Separate from the {@link ReplyMatcher} because it owns the state of getting back in step (how many zombies are
 * owed something, their graces, the probe), while the matcher owns the framing and the matching of each frame to the
 * head of the line; the matcher tells this class when a request ends early, when an owed reply or echo has come, and
 * when the probe's answer is seen. Not thread-safe.
 */
final class StaleReplies {
    private final Connection owner;
    private final ReplyMatcher matcher;
    private final StaleReplyPolicy policy;
    private final long graceNanos;
    /** Exchanges that ended and are still owed a reply (in the line) or an echo. */
    private int zombies;
    /** The time of the latest input that may end a request early (bytes, the timer, a cancel). */
    private long now;
    private Exchange probe;
    private boolean resyncing;
    /**
     * The device's bytes outlive a link: a serial port (or a terminal server's) reopened still carries what the device
     * sends after it, so a new link is not in step by itself ({@link #linkLost}, {@link #linkUp}).
     */
    private boolean streamOutlivesLink;
    /** How long the line must be quiet, on a link whose stream outlived the last one, before anything is written. */
    private final long quietNanos;
    /** How long the line must be quiet on every new link ({@link ConnectionConfig#quietAfterConnect()}); 0: not at all. */
    private final long connectQuietNanos;
    /** The quiet time under way: {@link #quietNanos} or {@link #connectQuietNanos}. */
    private long currentQuietNanos;
    /** The quiet time under way is the new link's {@code quietAfterConnect} alone (for messages). */
    private boolean greetingQuiet;
    /** The link went down out of step on a stream that outlives it: the next link starts quiet. */
    private boolean quietNext;
    /** While not {@link Exchange#NO_DEADLINE}: nothing is written until then (the line must be quiet until then). */
    private long quietUntil = Exchange.NO_DEADLINE;
    /** The quiet time ended inside a frame: the quiet ends with that frame if it is a pushed one. */
    private boolean quietEndsWithFrame;
    /** At most this long a quiet time: a device silent for a minute after the link was renewed is in step. */
    static final long MAX_QUIET_NANOS = 60_000_000_000L;

    StaleReplies(Connection owner, ReplyMatcher matcher, ConnectionConfig config) {
        this.owner = owner;
        this.matcher = matcher;
        this.policy = config.staleReplyPolicy();
        this.graceNanos = graceNanos(policy);
        this.quietNanos = quietNanos(config);
        this.connectQuietNanos = dev.labwire.core.internal.Durations.nanos(config.quietAfterConnect());
    }

    /**
     * The quiet time on a renewed link whose stream outlived the old one: the grace of {@link StaleReplyPolicy.DiscardLateReply}
     * and {@link StaleReplyPolicy.ReleaseAfter}, else (resync, reconnect) the default timeout; at most a minute.
     */
    private static long quietNanos(ConnectionConfig config) {
        StaleReplyPolicy p = config.staleReplyPolicy();
        long n = p instanceof StaleReplyPolicy.DiscardLateReply || p instanceof StaleReplyPolicy.ReleaseAfter
                ? graceNanos(p) : dev.labwire.core.internal.Durations.nanos(config.defaultTimeout());
        return Math.min(n, MAX_QUIET_NANOS);
    }

    /** How long a zombie waits for what it is owed: the policy's grace; without one, until the probe or the new link. */
    private static long graceNanos(StaleReplyPolicy p) {
        if (p instanceof StaleReplyPolicy.DiscardLateReply d) {
            return dev.labwire.core.internal.Durations.nanos(d.grace());
        }
        if (p instanceof StaleReplyPolicy.ReleaseAfter r) {
            return dev.labwire.core.internal.Durations.nanos(r.grace());
        }
        return Long.MAX_VALUE;
    }

    /** The time of the input being handled: graces start from it. */
    void setNow(long nowNanos) {
        now = nowNanos;
    }

    /**
     * True while nothing may be written but a resync probe: some ended request is still owed a reply or an echo, or
     * the line must be quiet first ({@link #linkUp}).
     */
    boolean suspect() {
        return zombies > 0 || quietUntil != Exchange.NO_DEADLINE;
    }

    // ------------------------------------------------------------------ a stream that outlives its link (serial)

    /** From now on a new link does not put the stream in step by itself: see {@link #linkUp}. */
    void streamOutlivesLink() {
        streamOutlivesLink = true;
    }

    /**
     * The link is going down (before the line is forgotten): if its stream outlives it and it was out of step (a
     * zombie still owed something, a resync under way), the next link starts quiet.
     */
    void linkLost() {
        if (streamOutlivesLink && (zombies > 0 || resyncing || probe != null || quietUntil != Exchange.NO_DEADLINE)) {
            quietNext = true;
        }
        quietUntil = Exchange.NO_DEADLINE;
        quietEndsWithFrame = false;
    }

    /**
     * A new link is up. On a TCP link it starts in step: the old connection's late bytes cannot reach it. A serial port
     * reopened (or a terminal server's) still carries whatever the device sends for the requests that were owed on the
     * old link, so after a link that went down out of step nothing is written (not even the on-connect hook) until the
     * line has been quiet for the quiet time: every frame that is not a pushed one starts it again, and a frame under
     * way when it ends is waited for.
     */
    void linkUp(long nowNanos) {
        greetingQuiet = false;
        if (quietNext) {
            quietNext = false;
            quietFrom(nowNanos, Math.max(quietNanos, connectQuietNanos));
        } else if (connectQuietNanos > 0) {
            greetingQuiet = true;
            quietFrom(nowNanos, connectQuietNanos); // a greeting must not be taken for the first reply
        }
    }

    /**
     * A frame that is no reply to anything came at the time of the input being handled (nothing is written while
     * quiet): the quiet time starts again.
     */
    void strayFrame() {
        if (quietUntil != Exchange.NO_DEADLINE) {
            quietFrom(now, currentQuietNanos);
        }
    }

    /** The line must be quiet for {@code quiet} from {@code nowNanos}. */
    private void quietFrom(long nowNanos, long quiet) {
        currentQuietNanos = quiet;
        quietUntil = dev.labwire.core.internal.Durations.deadline(nowNanos, quiet);
        quietEndsWithFrame = false;
    }

    /** A pushed frame came: if the quiet time ended while it was under way, the line is in step now. */
    void pushedFrame() {
        if (quietEndsWithFrame) {
            endQuiet();
        }
    }

    /**
     * The quiet time ends at {@code nowNanos} if it is over: at once when no frame is under way; else with that frame
     * (a pushed one ends it, any other starts it again), and if that frame is not whole within another quiet time
     * its bytes are dropped as a late reply.
     */
    void expireQuiet(long nowNanos) {
        if (quietUntil == Exchange.NO_DEADLINE || nowNanos - quietUntil < 0) {
            return;
        }
        if (!matcher.holdsUnfinishedFrame()) {
            endQuiet();
        } else if (!quietEndsWithFrame) {
            quietEndsWithFrame = true;
            quietUntil = dev.labwire.core.internal.Durations.deadline(nowNanos, currentQuietNanos);
        } else {
            matcher.dropUnowedPartialFrame();
            endQuiet();
        }
    }

    private void endQuiet() {
        quietUntil = Exchange.NO_DEADLINE;
        quietEndsWithFrame = false;
        owner.quietEnded(now);
    }

    /** When the quiet time ends, or {@link Exchange#NO_DEADLINE}. */
    long quietDeadline() {
        return quietUntil;
    }

    /** Bytes arrive while {@code head} leads the line: a zombie's grace under {@link StaleReplyPolicy.DiscardLateReply} restarts. */
    void bytesArriving(Exchange head, long nowNanos) {
        if (head != null && head.zombie && graceNanos > 0 && policy instanceof StaleReplyPolicy.DiscardLateReply) {
            head.graceDeadline = Math.max(head.graceDeadline, dev.labwire.core.internal.Durations.deadline(nowNanos, graceNanos));
        }
    }

    // ------------------------------------------------------------------ the one way a written request ends early

    /**
     * {@code e}, written, ends now with {@code ending} although its reply (or echo) may still come. It becomes a
     * zombie for whatever it is still owed; every live request written after it fails as ambiguous and becomes a
     * zombie too; then the stale-reply policy acts (probe, reconnect).
     */
    void endEarly(Exchange e, Event ending, String why) {
        owner.end(e, ending);
        zombify(e);
        PipelineWindow window = matcher.window;
        if (window.on()) {
            int others = failWindow(window, e, why);
            matcher.maybeResolveWindow();
            if (others > 0) {
                // the window's frames may already be shifted (one reply never sent): what the zombies are owed can
                // no longer be counted, and even with nothing owed (a bad reply taken whole) the bytes that made it
                // may have been part of another reply whose rest is still coming. Only the resync probe's answer or
                // a new link puts the stream in step.
                onStale(e, why);
                if (!(policy instanceof StaleReplyPolicy.Resync)) {
                    owner.requestClose("a pipelined window lost its place: " + e.request.shownText() + " " + why
                            + ", so the replies on the wire may be shifted (" + policy + ")");
                }
                return;
            }
        }
        if (!e.zombie) {
            return;
        }
        for (Exchange later : matcher.liveInLine()) {
            if (later.writeSeq > e.writeSeq) {
                owner.end(later, new Event.Failed(later.id, later.request, new AmbiguousReplyException(
                        "reply to " + later.request.shownText() + " cannot be told apart: " + e.request.shownText() + " (written before it) "
                                + why + " and the device may never answer it; replies are matched by position, so every request"
                                + " written after it fails and the link is resynchronised (" + policy + ")")));
                zombify(later);
            }
        }
        onStale(e, why);
        if (policy instanceof StaleReplyPolicy.ReleaseAfter && e.graceDeadline <= now) {
            release(e, true);
        }
    }

    /**
     * Windowed pipelining: {@code e} ended without its reply, so every reply of its window may be shifted; every other
     * request of the window (replies held, or still awaited, written before or after it) fails as ambiguous.
     */
    private int failWindow(PipelineWindow window, Exchange e, String why) {
        int failed = 0;
        List<Exchange> members = window.takeHeld();
        members.addAll(matcher.liveInLine());
        for (Exchange x : members) {
            if (x == e || x.ended) {
                continue;
            }
            owner.end(x, new Event.Failed(x.id, x.request, new AmbiguousReplyException("reply to " + x.request.shownText()
                    + " cannot be confirmed: " + e.request.shownText() + ", written in the same pipelined window, " + why
                    + "; a reply the device never sent shifts every other reply of the window, so none is handed out"
                    + " (Pipelining.CONFIRM_BY_WINDOW; staleReplyPolicy " + policy + ")")));
            zombify(x);
            failed++;
        }
        return failed;
    }

    /** The caller gave up on {@code e} after its bytes went out: it ends now, and what it is owed is dealt with as after a timeout. */
    void cancelWritten(Exchange e, long nowNanos) {
        now = nowNanos;
        endEarly(e, new Event.Failed(e.id, e.request, new LocalProtocolException("cancelled by the caller after its bytes went out;"
                + " its reply, if it comes, is dealt with by the stale-reply policy (" + policy + ")")),
                "was cancelled after being written");
    }

    /** {@code e} ended: while it is still owed something it is a zombie, whose grace starts now. */
    void zombify(Exchange e) {
        e.ended = true;
        if (e.owesSomething() && !e.zombie) {
            e.zombie = true;
            zombies++;
            e.graceDeadline = dev.labwire.core.internal.Durations.deadline(now, graceNanos);
        }
    }

    /** A zombie that is owed nothing more stops being one. */
    void settle(Exchange e) {
        if (e.zombie && !e.owesSomething()) {
            e.zombie = false;
            zombies--;
        }
    }

    /** The line and the echoes were forgotten (a new link, or closed): no zombie is left. */
    void clearZombies() {
        zombies = 0;
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

    // ------------------------------------------------------------------ graces

    /**
     * A zombie whose grace ended at {@code nowNanos} is released ({@link StaleReplyPolicy.ReleaseAfter}) or closes the
     * link (every other policy).
     */
    void expireGraces(long nowNanos) {
        for (Exchange e : zombiesNow()) {
            if (e.graceDeadline <= nowNanos) {
                if (policy instanceof StaleReplyPolicy.ReleaseAfter) {
                    release(e, false);
                } else {
                    e.graceDeadline = Exchange.NO_DEADLINE; // asked once: the new link forgets it
                    owner.requestClose("the late reply to timed-out " + e + " did not come within the grace period ("
                            + policy + ")");
                }
            }
        }
    }

    private List<Exchange> zombiesNow() {
        List<Exchange> out = new ArrayList<>();
        if (zombies == 0) {
            return out;
        }
        for (Exchange e : matcher.inFlight) {
            if (e.zombie) {
                out.add(e);
            }
        }
        for (Exchange e : matcher.echo.owedBy()) {
            if (e.zombie && !e.inLine) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Frees {@code e}, whose grace ended under {@link StaleReplyPolicy.ReleaseAfter}: it leaves the line and its echo
     * is no longer awaited; half-received bytes are dropped so that the next reply starts on a clean stream.
     */
    private void release(Exchange e, boolean keepEchoUnderWay) {
        if (e.inLine) {
            matcher.dropFromLine(e);
        }
        EchoCheck echo = matcher.echo;
        if (e.echoOwed && !(keepEchoUnderWay && echo.started(e))) { // a damaged echo under way is still dropped as it comes
            echo.forget(e);
            e.echoOwed = false;
        }
        settle(e);
    }

    // ------------------------------------------------------------------ the resync probe

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

    /** The probe's answer came: every zombie before it in the line is dropped, the stream is in step again. */
    void resynced(Exchange probe) {
        while (!matcher.inFlight.isEmpty()) {
            Exchange e = matcher.inFlight.pollFirst();
            e.inLine = false;
            settle(e);
            if (e == probe) {
                break;
            }
        }
        this.probe = null;
        resyncing = false;
    }

    /** A probe not written by its deadline closes the link. */
    void expireUnwrittenProbe(long nowNanos) {
        if (probe != null && !probe.written && probe.deadline <= nowNanos) {
            probe = null;
            owner.requestClose("resync probe could not be sent in time");
        }
    }

    /** The written resync probe timed out (the matcher took it out of the reply line): the link is closed. */
    void probeLost(String why) {
        probe = null;
        owner.requestClose(why);
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

    /**
     * Why nothing is written while the stream is out of step, or null when it is in step: what holds the link, the
     * policy, and what to change.
     */
    String whyHeld() {
        if (probe != null) {
            return "the link was resynchronising: probe " + probe.request.shownText() + " not answered yet (staleReplyPolicy " + policy + ")";
        }
        if (!suspect()) {
            return null;
        }
        if (zombies == 0 && greetingQuiet) {
            return "the new link was waiting for the line to be quiet for "
                    + java.time.Duration.ofNanos(connectQuietNanos).toMillis() + " ms (quietAfterConnect)";
        }
        if (zombies == 0) {
            return "the link was renewed while late replies were owed, and its stream outlives a link (a serial port):"
                    + " nothing is written until the line has been quiet for "
                    + java.time.Duration.ofNanos(quietNanos).toMillis() + " ms (staleReplyPolicy " + policy + ")";
        }
        Exchange z = null;
        for (Exchange e : matcher.inFlight) {
            if (e.zombie) {
                z = e;
                break;
            }
        }
        // a zombie timed out, or failed on a bad reply whose rest was still owed (an oversized line, an echo mismatch)
        String held = z == null ? "an ended request whose echo is still owed"
                : z.request.shownText() + " (it timed out or failed before its whole reply came)";
        return "the link was held by " + held + ": its late reply is awaited before anything else is written, and if it"
                + " does not come the link is renewed (staleReplyPolicy " + policy + "). A device that never answers such"
                + " a query costs the grace; to wait less, shorten the grace or use StaleReplyPolicy.scpiResync() or reconnect()";
    }
}
