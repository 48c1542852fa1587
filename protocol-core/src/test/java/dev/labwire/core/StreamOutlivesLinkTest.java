package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Pair;
import dev.labwire.core.testing.ScriptedInstrument;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A serial port reopened still carries what the device sends afterwards: renewing the link does not put the replies
 * in step. On such a link (the clients mark {@code serial:} and {@code rfc2217://}), after a link that went down with
 * late replies owed, nothing is written, not even the hook, until the line has been quiet for the stale-reply grace;
 * every frame that is no pushed one starts the quiet again, and a frame under way when it ends is waited for (dropped
 * as a late reply if it never ends). A TCP link starts in step, as before. Fake clock; the device's bytes are fed whole
 * and split.
 */
class StreamOutlivesLinkTest {
    private static final Duration TIMEOUT = Duration.ofMillis(250);
    private static final Duration GRACE = Duration.ofMillis(300);

    private static ConnectionConfig.Builder config() {
        return ConnectionConfig.builder()
                .maxInFlight(4)
                .defaultTimeout(TIMEOUT)
                .staleReplyPolicy(StaleReplyPolicy.discardLateReply(GRACE))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(20), 1, 0))
                .jitter(() -> JitterSource.fixed(0.5));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A pipelined window whose first query is answered late: the window is lost and the link renewed at the timeout. */
    private static Pair windowLost(boolean serial, ConnectionConfig cfg) {
        ScriptedInstrument device = ScriptedInstrument.scpi();
        Pair p = serial ? Pair.openSerial(cfg, device) : Pair.open(cfg, device);
        device.hold(true); // the answers wait until the test lets them out
        for (String t : List.of("b", "c", "d")) {
            p.send(Request.query("ECHO? " + t));
        }
        p.advanceThroughTimers(TIMEOUT.plusMillis(30)); // the timeout, the CloseLink, the backoff, a new link
        assertThat(p.eventsOf(Event.CloseLink.class)).hasSize(1);
        assertThat(p.opens()).isEqualTo(2);
        assertThat(p.linkUp()).isTrue();
        return p;
    }

    @ParameterizedTest(name = "late bytes in pieces of {0}")
    @ValueSource(ints = {1, 2, 3, 5, 100})
    void aWindowsLateRepliesOnTheRenewedSerialLinkAreSwallowedAndTheNextCallGetsItsOwn(int piece) {
        Pair p = windowLost(true, config().build());
        long upAt = p.now();
        assertThat(p.conn.pollTimeoutNanos() - upAt).as("quiet until the grace after the link came up")
                .isBetween(GRACE.minusMillis(30).toNanos(), GRACE.toNanos());
        long next = p.send(Request.query("ECHO? next").withTimeout(Duration.ofSeconds(5)));
        assertThat(p.device.commands()).as("nothing written while the line must be quiet").doesNotContain("ECHO? next");
        p.advance(Duration.ofMillis(100));
        byte[] late = p.device.takeOutbox(); // "b\nc\nd\n", sent by the device 100 ms into the new link
        assertThat(new String(late, StandardCharsets.US_ASCII)).isEqualTo("b\nc\nd\n");
        p.device.hold(false);
        for (int i = 0; i < late.length; i += piece) {
            p.deliver(java.util.Arrays.copyOfRange(late, i, Math.min(late.length, i + piece)));
        }
        assertThat(p.eventsOf(Event.Discarded.class)).extracting(d -> d.frame().asString())
                .containsExactly("b", "c", "d");
        p.advance(Duration.ofMillis(299));
        assertThat(p.device.commands()).as("the quiet started again with the last stray frame").doesNotContain("ECHO? next");
        p.advanceThroughTimers(Duration.ofMillis(10));
        assertThat(p.device.commands()).endsWith("ECHO? next");
        assertThat(p.replyText(next)).isEqualTo("next");
        assertThat(p.now() - upAt).isLessThan(Duration.ofMillis(500).toNanos());
    }

    @Test
    void aTcpLinkStartsInStepAsBefore() {
        Pair p = windowLost(false, config().build());
        long next = p.send(Request.query("ECHO? next"));
        assertThat(p.device.commands()).endsWith("ECHO? next");
        p.device.hold(false);
        p.pump();
        assertThat(p.replyText(next)).isEqualTo("next");
    }

    @Test
    void aLoneQuerysReplyLaterThanTimeoutPlusGraceIsCaughtByTheQuietTime() {
        ScriptedInstrument device = ScriptedInstrument.scpi();
        Pair p = Pair.openSerial(config().maxInFlight(1).build(), device);
        device.hold(true);
        long a = p.send(Request.query("ECHO? a"));
        p.advanceThroughTimers(TIMEOUT.plus(GRACE).plusMillis(30)); // timeout, grace, CloseLink, backoff, new link
        assertThat(p.endingOf(a)).isInstanceOf(Event.Timeout.class);
        assertThat(p.opens()).isEqualTo(2);
        long next = p.send(Request.query("ECHO? next").withTimeout(Duration.ofSeconds(5)));
        p.advance(Duration.ofMillis(150)); // the device answers "a" 150 ms into the new link, 730 ms after it was asked
        device.hold(false);
        p.pump();
        p.advanceThroughTimers(Duration.ofSeconds(1));
        assertThat(p.eventsOf(Event.Discarded.class)).extracting(d -> d.frame().asString()).containsExactly("a");
        assertThat(p.replyText(next)).isEqualTo("next");
    }

    @Test
    void pushedFramesDoNotHoldTheQuietAndTheHookWaitsForIt() {
        ConnectionConfig cfg = config().classifier(FrameClassifier.pushedIfStartsWith(ascii("STAT ")))
                .onConnect(List.of(Request.write("SYST:REM"))).build();
        Pair p = windowLost(true, cfg);
        long quietEnd = p.conn.pollTimeoutNanos();
        long next = p.send(Request.query("ECHO? next").withTimeout(Duration.ofSeconds(5)));
        p.device.takeOutbox(); // the device never answers the window
        p.device.hold(false);
        int pushed = 0;
        while (!p.device.commands().contains("ECHO? next") && p.now() - quietEnd < Duration.ofSeconds(2).toNanos()) {
            assertThat(java.util.Collections.frequency(p.device.commands(), "SYST:REM")).as("the hook waits for the quiet too")
                    .isEqualTo(1); // the first link's
            p.deliver(ascii("STAT " + pushed++ + "\n")); // a board streaming every 25 ms
            p.advance(Duration.ofMillis(25));
        }
        assertThat(p.now() - quietEnd).as("the quiet ended on time despite the stream")
                .isBetween(0L, Duration.ofMillis(25).toNanos());
        List<String> cmds = p.device.commands();
        assertThat(cmds.subList(cmds.size() - 2, cmds.size())).containsExactly("SYST:REM", "ECHO? next");
        assertThat(p.replyText(next)).isEqualTo("next");
        assertThat(p.eventsOf(Event.Pushed.class)).hasSize(pushed);
    }

    @Test
    void aFrameUnderWayWhenTheQuietEndsIsWaitedForAndOneThatNeverEndsIsDropped() {
        Pair p = windowLost(true, config().classifier(FrameClassifier.pushedIfStartsWith(ascii("STAT "))).build());
        long quietEnd = p.conn.pollTimeoutNanos();
        long next = p.send(Request.query("ECHO? next").withTimeout(Duration.ofSeconds(5)));
        p.device.takeOutbox();
        p.device.hold(false);
        p.advance(Duration.ofNanos(quietEnd - p.now() - 10_000_000));
        p.deliver(ascii("STAT 1 par")); // a pushed frame under way as the quiet ends
        p.advance(Duration.ofMillis(20));
        assertThat(p.device.commands()).doesNotContain("ECHO? next");
        p.deliver(ascii("tial\n"));
        assertThat(p.device.commands()).as("the pushed frame ended the quiet").endsWith("ECHO? next");
        assertThat(p.replyText(next)).isEqualTo("next");
        assertThat(p.now() - quietEnd).isLessThan(Duration.ofMillis(20).toNanos());

        Pair q = windowLost(true, config().build());
        quietEnd = q.conn.pollTimeoutNanos();
        next = q.send(Request.query("ECHO? next").withTimeout(Duration.ofSeconds(5)));
        q.device.takeOutbox();
        q.device.hold(false);
        q.advance(Duration.ofNanos(quietEnd - q.now() - 10_000_000));
        q.deliver(ascii("half a late rep")); // and no more: the device stopped mid-reply
        q.advanceThroughTimers(GRACE.minusMillis(20)); // the quiet's end waits one more grace for the frame to end
        assertThat(q.device.commands()).doesNotContain("ECHO? next");
        q.advanceThroughTimers(GRACE);
        assertThat(q.eventsOf(Event.Discarded.class)).extracting(d -> d.frame().asString(), Event.Discarded::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("half a late rep", Event.DiscardReason.LATE_REPLY));
        assertThat(q.replyText(next)).isEqualTo("next");
        assertThat(q.now() - quietEnd).isLessThan(GRACE.multipliedBy(2).toNanos());
    }
}
