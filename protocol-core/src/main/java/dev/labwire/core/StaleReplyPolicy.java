package dev.labwire.core;

import java.time.Duration;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a connection does after a written request ended without its whole reply (it timed out, or its reply broke
 * off), when the device may still send the rest. Whatever the policy, a late reply is never handed to a later
 * request: that is the PyVISA-py failure (a timed-out {@code *OPC?}'s late {@code 1} returned as the answer to
 * {@code *IDN?}).
 *
 * <h2>The rule every policy keeps</h2>
 * Replies are matched by position. A request that timed out may be answered late, or never (a SCPI instrument
 * sends nothing back for a query with an error, e.g. {@code FOO:BAR?}, and queues the error instead). Until the
 * connection knows which, no reply after it can be matched, so:
 * <ul>
 *   <li>the timed-out request keeps its place in the reply line and what it is owed is swallowed when it comes
 *       ({@link Event.Discarded}, {@code LATE_REPLY});</li>
 *   <li>with {@code maxInFlight > 1}, every request written after it fails at once with an
 *       {@link AmbiguousReplyException} naming it, and is swallowed the same way;</li>
 *   <li>nothing new is written until the stream is known to be in step again: every late reply came, the probe's
 *       answer came, or the link was renewed. Queued requests wait (their own timeout still runs, and a timeout
 *       message names the request that holds the link and the policy).</li>
 * </ul>
 *
 * <h2>The policies</h2>
 * <ul>
 *   <li>{@link DiscardLateReply} (the default, grace 1 s): wait up to {@code grace} for what is owed; the grace
 *       restarts whenever bytes of it arrive, so a long late block is swallowed whole. If it has not all come by
 *       then, the connection drops and reopens the link ({@link Event.CloseLink}): a new TCP connection cannot carry
 *       the old one's late bytes. With the defaults (timeout 5 s, grace 1 s), {@code query("FOO:BAR?")} times out
 *       after 5 s and a following {@code query("*IDN?")} is answered about 1 s later on a new link. On a serial
 *       link ({@code serial:}, and {@code rfc2217://}, a serial port behind a terminal server) a reopened port
 *       still carries what the device sends afterwards, so there the new link writes nothing, not even the
 *       on-connect hook, until the line has been quiet for the grace (at most a minute): every frame that is not
 *       a pushed one starts the quiet again, and one under way when it ends is waited for (dropped as a late reply
 *       if it has not ended within another grace). A reply that comes after a whole grace of silence on the new
 *       link is taken for the next request; choose a grace longer than the slowest reply, or {@link Resync}. (A
 *       {@link Connection} driven directly is a TCP link; the clients tell it which it is.)</li>
 *   <li>{@link Resync}: write a probe at once, ahead of everything; frames are swallowed until one equals the
 *       probe's answer, which proves the stream is in step (the device answers in order). If the probe is not
 *       answered within its timeout, the link is dropped and reopened. The answer must be a frame no timed-out
 *       request can produce: {@link #scpiResync()} sends {@code *OPC?;*OPC?}, whose answer {@code 1;1} only a
 *       compound query gives (a plain {@code *OPC?} probe's {@code 1} could be the late reply of {@code OUTP?}).
 *       Needs an instrument that accepts compound queries (IEEE 488.2 7.3.3 requires it).</li>
 *   <li>{@link Reconnect}: drop and reopen the link at once.</li>
 *   <li>{@link ReleaseAfter}: as {@code DiscardLateReply} for {@code grace} (which may be zero), then forget what
 *       is owed and keep the link, with any half-received bytes dropped. A reply later than that would reach the
 *       next request, so use it only where a reply names what it answers: a {@link dev.labwire.core.bus.Bus}
 *       checks every reply's address and swallows one from another device. It needs {@code maxInFlight} 1;
 *       {@link ConnectionConfig.Builder#build()} refuses anything else.</li>
 * </ul>
 */
public sealed interface StaleReplyPolicy {

    /** Swallow the late reply; reconnect if it does not come within {@code grace}. */
    static StaleReplyPolicy discardLateReply(Duration grace) {
        return new DiscardLateReply(grace);
    }

    /** Probe with {@code probe} and wait for a frame equal to {@code answer}. */
    static StaleReplyPolicy resync(Request probe, String answer) {
        return new Resync(probe, answer.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * SCPI resync: the compound query {@code *OPC?;*OPC?}, answered by {@code 1;1}, with a 2 s probe timeout. A
     * late reply of a single query can never look like that answer.
     */
    static StaleReplyPolicy scpiResync() {
        return resync(Request.query("*OPC?;*OPC?").withTimeout(Duration.ofSeconds(2)), "1;1");
    }

    /** Swallow the late reply for {@code grace} (zero or more), then free the slot and keep the link (for addressed buses). */
    static StaleReplyPolicy releaseAfter(Duration grace) {
        return new ReleaseAfter(grace);
    }

    /** Drop and reopen the link after any timeout of a written request. */
    static StaleReplyPolicy reconnect() {
        return Reconnect.INSTANCE;
    }

    /**
     * Policy (a).
     *
     * @param grace how long after the timeout the late reply may still come; positive
     */
    record DiscardLateReply(Duration grace) implements StaleReplyPolicy {
        @Override
        public String toString() {
            return "discardLateReply(" + dev.labwire.core.internal.Durations.show(grace) + ")";
        }

        public DiscardLateReply {
            dev.labwire.core.internal.Durations.positive("grace", grace);
        }
    }

    /**
     * Policy (b).
     *
     * @param probe  the probe request; must expect one frame; its timeout (or the connection default)
     *               bounds the wait for the answer
     * @param answer the probe's expected answer frame, exactly (copied)
     */
    record Resync(Request probe, byte[] answer) implements StaleReplyPolicy {
        public Resync {
            Objects.requireNonNull(probe, "probe");
            if (!(probe.expect() instanceof Expect.Frames f) || f.count() != 1) {
                throw new IllegalArgumentException("resync probe must expect one frame: " + probe);
            }
            answer = answer.clone();
        }

        @Override
        public byte[] answer() {
            return answer.clone();
        }

        boolean isAnswer(dev.labwire.core.frame.Frame f) {
            return f.contentEquals(answer);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Resync r && r.probe.equals(probe) && Arrays.equals(r.answer, answer);
        }

        @Override
        public int hashCode() {
            return probe.hashCode() * 31 + Arrays.hashCode(answer);
        }

        @Override
        public String toString() {
            return "resync(" + probe.shownText() + " -> " + new String(answer, StandardCharsets.ISO_8859_1) + ")";
        }
    }

    /**
     * Policy (d), for addressed buses.
     *
     * @param grace how long after the timeout the late reply is still swallowed; zero or positive
     */
    record ReleaseAfter(Duration grace) implements StaleReplyPolicy {
        @Override
        public String toString() {
            return "releaseAfter(" + dev.labwire.core.internal.Durations.show(grace) + ")";
        }

        public ReleaseAfter {
            dev.labwire.core.internal.Durations.notNegative("grace", grace);
        }
    }

    /** Policy (c). */
    enum Reconnect implements StaleReplyPolicy {
        /** The only value. */
        INSTANCE;

        @Override
        public String toString() {
            return "reconnect";
        }
    }
}
