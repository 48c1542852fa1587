package dev.labwire.core;

import java.time.Duration;
import java.util.Arrays;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a connection does after a request timed out with its bytes already on the wire, when the device
 * may still answer it. Whatever the policy, a late reply is never handed to a later request: that is the
 * PyVISA-py failure (a timed-out {@code *OPC?}'s late {@code 1} returned as the answer to {@code *IDN?}).
 *
 * <ul>
 *   <li>{@link DiscardLateReply} (the default, grace 10 s): the timed-out request keeps its place in the
 *       reply line and its in-flight slot; its reply is swallowed when it comes
 *       ({@link Event.Discarded}, {@code LATE_REPLY}). If it has not come within {@code grace}, the
 *       stream state is unknown and the connection asks the driver to drop and reopen the link.</li>
 *   <li>{@link Resync}: as above, and also sends a probe at once (for SCPI {@code *OPC?} expecting
 *       {@code 1}) ahead of every other request; every frame after the late replies and before the
 *       probe's answer is discarded ({@code RESYNC}). User requests wait until the answer is seen. If the
 *       probe itself times out, the link is dropped and reopened.</li>
 *   <li>{@link Reconnect}: the connection asks the driver to drop and reopen the link at once.</li>
 *   <li>{@link ReleaseAfter}: as (a) for {@code grace} (which may be zero), then the slot is freed and the
 *       link kept, with any half-received bytes dropped. A reply later than that reaches the next request,
 *       so use it only where a reply names what it answers: a {@link dev.labwire.core.bus.Bus} checks
 *       every reply's address, so a late reply from another device fails the next request instead of
 *       answering it. It needs {@code maxInFlight} 1 (a freed slot in a pipeline would shift every later
 *       reply); {@link ConnectionConfig.Builder#build()} refuses anything else.</li>
 * </ul>
 * A device that never answers a timed-out query (SCPI: a query with an error) costs the grace period
 * (policy a) or the probe's timeout (policy b) and then a reconnect; that is the price of never guessing.
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

    /** SCPI resync: {@code *OPC?} answered by {@code 1}, with a 2 s probe timeout. */
    static StaleReplyPolicy scpiResync() {
        return resync(Request.query("*OPC?").withTimeout(Duration.ofSeconds(2)), "1");
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
        public DiscardLateReply {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative() || grace.isZero()) {
                throw new IllegalArgumentException("grace must be positive: " + grace);
            }
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
            return "Resync[" + probe.text() + " -> " + new String(answer, StandardCharsets.ISO_8859_1) + "]";
        }
    }

    /**
     * Policy (d), for addressed buses.
     *
     * @param grace how long after the timeout the late reply is still swallowed; zero or positive
     */
    record ReleaseAfter(Duration grace) implements StaleReplyPolicy {
        public ReleaseAfter {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("grace must not be negative: " + grace);
            }
        }
    }

    /** Policy (c). */
    enum Reconnect implements StaleReplyPolicy {
        /** The only value. */
        INSTANCE
    }
}
