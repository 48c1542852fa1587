package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Pair;
import dev.labwire.core.testing.ScriptedInstrument;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 16 item 6: queries are retried after a link drop when asked (per request with {@link Request.Resend}, per
 * connection with {@link ConnectionConfig#retryQueriesOnLinkDown()}), never on a timeout, never for requests that
 * expect nothing, always by their own deadline, and nothing of the lost attempt's reply reaches the retried one.
 */
class RetryOnLinkDownTest {
    private static final ConnectionConfig FIXED = ConnectionConfig.builder()
            .backoff(new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 2, 0))
            .jitter(() -> JitterSource.fixed(0.5))
            .build();
    private static final ConnectionConfig RETRY = FIXED.toBuilder().retryQueriesOnLinkDown(true).build();
    private static final IllegalStateException PULLED = new IllegalStateException("cable pulled");

    @Test
    void byDefaultAQueryOnTheWireFailsWithTheLinkLoss() {
        Pair p = Pair.open(FIXED, ScriptedInstrument.scpi());
        p.device.hold(true);
        long q = p.send(Request.query("ECHO? a"));
        p.dropLink(PULLED);
        assertThat(p.endingOf(q)).isEqualTo(new Event.Failed(q, Request.query("ECHO? a"), PULLED));
        assertThat(Request.query("ECHO? a").resend()).isEqualTo(Request.Resend.AS_CONFIGURED);
    }

    @Test
    void aConnectionThatRetriesQueriesSendsTheQueryAgainButNotOneMarkedNever() {
        Pair p = Pair.open(RETRY.toBuilder().maxInFlight(2).build(), ScriptedInstrument.scpi());
        p.device.hold(true);
        long retried = p.send(Request.query("ECHO? meas"));
        long never = p.send(Request.query("ECHO? err").withResend(Request.Resend.NEVER));
        p.dropLink(PULLED);
        assertThat(p.endingOf(retried)).as("waits for the next link").isNull();
        assertThat(p.endingOf(never)).isInstanceOf(Event.Failed.class);
        p.device.hold(false);
        p.advanceThroughTimers(Duration.ofMillis(150));
        assertThat(p.replyText(retried)).isEqualTo("meas");
        assertThat(p.endingsOf(retried)).isEqualTo(1);
        assertThat(p.device.commands()).containsExactly("ECHO? meas", "ECHO? err", "ECHO? meas");
    }

    @Test
    void aRequestThatExpectsNothingIsNeverRetriedByTheConnectionSetting() {
        ConnectionConfig cfg = RETRY.toBuilder().echo(ConnectionConfig.Echo.CHECK_AND_DROP).build();
        Pair p = Pair.open(cfg, new ScriptedInstrument(cmd -> null)); // no echo comes: the write stays on the wire
        long w = p.send(Request.write("VOLT 5"));
        p.dropLink(PULLED);
        p.advanceThroughTimers(Duration.ofMillis(150));
        assertThat(p.endingOf(w)).isInstanceOf(Event.Failed.class);
        assertThat(p.device.commands()).containsExactly("VOLT 5");
    }

    @Test
    void aWriteMarkedOnReconnectIsRetried() {
        ConnectionConfig cfg = FIXED.toBuilder().echo(ConnectionConfig.Echo.CHECK_AND_DROP).build();
        ScriptedInstrument echoing = new ScriptedInstrument(cmd -> null);
        Pair p = Pair.open(cfg, echoing);
        long w = p.send(Request.write("VOLT 5").withResend(Request.Resend.ON_RECONNECT));
        p.dropLink(PULLED);
        echoing.responder(cmd -> cmd + "\n"); // the echo, on the new link
        p.advanceThroughTimers(Duration.ofMillis(150));
        assertThat(p.endingOf(w)).isInstanceOf(Event.Reply.class);
        assertThat(p.device.commands()).containsExactly("VOLT 5", "VOLT 5");
    }

    @Test
    void nothingOfTheLostAttemptsReplyReachesTheRetriedOne() {
        ScriptedInstrument device = new ScriptedInstrument(cmd -> null);
        Pair p = Pair.open(RETRY, device);
        long q = p.send(Request.of("DUMP?", Expect.lines(3)));
        p.deliver("old 1\n".getBytes(StandardCharsets.ISO_8859_1)); // one line of three, then the cable is pulled
        p.dropLink(PULLED);
        device.responder(cmd -> "new 1\nnew 2\nnew 3\n");
        p.advanceThroughTimers(Duration.ofMillis(150));
        Event.Reply r = (Event.Reply) p.endingOf(q);
        assertThat(r.frames()).extracting(f -> f.asString())
                .isEqualTo(List.of("new 1", "new 2", "new 3"));
    }

    @Test
    void aRetriedQueryStillEndsByItsOwnDeadline() {
        Pair p = Pair.open(RETRY, ScriptedInstrument.scpi());
        p.device.hold(true);
        long sentAt = p.now();
        long q = p.send(Request.query("ECHO? x").withTimeout(Duration.ofMillis(500)));
        p.advance(Duration.ofMillis(300));
        p.refuseLinks(1000); // the instrument stays off
        p.dropLink(PULLED);
        p.advanceThroughTimers(Duration.ofSeconds(5));
        assertThat(p.endingOf(q)).isInstanceOf(Event.Timeout.class);
        assertThat(p.endedAt(q) - sentAt).as("ends at its deadline, counted from the first send")
                .isEqualTo(Duration.ofMillis(500).toNanos());
    }

    @Test
    void aQueryIsRetriedOnEveryDropWithinItsDeadline() {
        Pair p = Pair.open(RETRY, ScriptedInstrument.scpi());
        p.device.hold(true);
        long q = p.send(Request.query("ECHO? y").withTimeout(Duration.ofSeconds(2)));
        p.dropLink(PULLED);
        p.advanceThroughTimers(Duration.ofMillis(150)); // new link, the query written again, still held
        p.dropLink(PULLED);
        p.device.hold(false);
        p.advanceThroughTimers(Duration.ofMillis(400));
        assertThat(p.replyText(q)).isEqualTo("y");
        assertThat(p.device.commands()).containsExactly("ECHO? y", "ECHO? y", "ECHO? y");
    }

    @Test
    void aTimeoutIsNeverRetried() {
        Pair p = Pair.open(RETRY, ScriptedInstrument.scpi());
        p.device.hold(true);
        long q = p.send(Request.query("ECHO? z").withTimeout(Duration.ofMillis(100)));
        p.advanceThroughTimers(Duration.ofMillis(200));
        assertThat(p.endingOf(q)).isInstanceOf(Event.Timeout.class);
        p.dropLink(PULLED);
        p.advanceThroughTimers(Duration.ofMillis(300));
        assertThat(p.device.commands()).containsExactly("ECHO? z");
        assertThat(p.endingsOf(q)).isEqualTo(1);
    }
}
