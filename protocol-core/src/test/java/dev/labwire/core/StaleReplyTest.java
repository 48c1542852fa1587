package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Pair;
import dev.labwire.core.testing.ScriptedInstrument;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The PyVISA-py failure, once per stale-reply policy: {@code *OPC?} times out, its {@code 1} arrives
 * late, and the next {@code *IDN?} must get the identity string, never {@code 1}.
 */
class StaleReplyTest {
    private static final String IDN = "ACME,PSU-3000,SN42,1.0";
    private static final Duration OPC_TIMEOUT = Duration.ofMillis(500);

    private static ConnectionConfig config(StaleReplyPolicy policy) {
        return ConnectionConfig.builder()
                .staleReplyPolicy(policy)
                .backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2, 0))
                .jitter(() -> JitterSource.fixed(0.5))
                .build();
    }

    /** The device is slow: it holds its answers until the test releases them. */
    private static Pair slowDevice(StaleReplyPolicy policy) {
        ScriptedInstrument device = ScriptedInstrument.scpi();
        Pair p = Pair.open(config(policy), device);
        assertThat(p.conn.state()).isEqualTo(State.READY);
        device.hold(true);
        return p;
    }

    private static void assertIdnNeverOne(Pair p, long idn) {
        assertThat(p.replyText(idn)).isEqualTo(IDN).isNotEqualTo("1");
        assertThat(p.endingsOf(idn)).isEqualTo(1);
    }

    @Test
    void discardLateReply_keepsTheSlotAndSwallowsTheLateOne() {
        Pair p = slowDevice(StaleReplyPolicy.discardLateReply(Duration.ofSeconds(10)));
        long opc = p.send(Request.query("*OPC?").withTimeout(OPC_TIMEOUT));
        p.advance(Duration.ofMillis(600));
        assertThat(p.endingOf(opc)).isEqualTo(new Event.Timeout(opc, Request.query("*OPC?").withTimeout(OPC_TIMEOUT), true));

        long idn = p.send(Request.query("*IDN?"));
        assertThat(p.device.commands()).as("the timed-out request keeps its slot").containsExactly("*OPC?");

        p.device.hold(false); // the late "1" arrives
        p.pump();
        assertThat(p.eventsOf(Event.Discarded.class)).extracting(d -> d.frame().asString(), Event.Discarded::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("1", Event.DiscardReason.LATE_REPLY));
        assertThat(p.device.commands()).containsExactly("*OPC?", "*IDN?");
        assertIdnNeverOne(p, idn);
        assertThat(p.opens()).as("no reconnect needed").isEqualTo(1);
    }

    @Test
    void discardLateReply_reconnectsWhenTheLateReplyNeverComes() {
        ScriptedInstrument device = new ScriptedInstrument(cmd -> cmd.equals("*OPC?") ? null : ScriptedInstrument.scpiAnswer(cmd));
        Pair p = Pair.open(config(StaleReplyPolicy.discardLateReply(Duration.ofSeconds(2))), device);
        long opc = p.send(Request.query("*OPC?").withTimeout(OPC_TIMEOUT));
        long idn = p.send(Request.query("*IDN?").withTimeout(Duration.ofSeconds(10)));
        p.advanceThroughTimers(Duration.ofSeconds(5));
        assertThat(p.endingOf(opc)).isInstanceOf(Event.Timeout.class);
        assertThat(p.eventsOf(Event.CloseLink.class)).singleElement()
                .satisfies(c -> assertThat(c.reason()).contains("late reply").contains("*OPC?"));
        assertThat(p.opens()).isEqualTo(2);
        assertIdnNeverOne(p, idn);
    }

    @Test
    void resync_probesAndDiscardsEverythingBeforeTheAnswer() {
        Pair p = slowDevice(StaleReplyPolicy.scpiResync());
        long opc = p.send(Request.query("*OPC?").withTimeout(OPC_TIMEOUT));
        p.advance(Duration.ofMillis(600));
        assertThat(p.endingOf(opc)).isInstanceOf(Event.Timeout.class);
        assertThat(p.device.commands()).as("probe sent at once").containsExactly("*OPC?", "*OPC?;*OPC?");

        long idn = p.send(Request.query("*IDN?"));
        assertThat(p.device.commands()).as("user requests wait for the probe's answer").hasSize(2);

        byte[] held = p.device.takeOutbox();
        assertThat(new String(held, java.nio.charset.StandardCharsets.US_ASCII))
                .as("the late answer and the probe's, in wire order").isEqualTo("1\n1;1\n");
        p.device.hold(false);
        p.deliver("1\ngarbage line\n1;1\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)); // junk between them
        assertThat(p.eventsOf(Event.Discarded.class)).extracting(Event.Discarded::reason)
                .containsExactly(Event.DiscardReason.LATE_REPLY, Event.DiscardReason.RESYNC);
        assertThat(p.device.commands()).containsExactly("*OPC?", "*OPC?;*OPC?", "*IDN?");
        assertIdnNeverOne(p, idn);
    }

    @Test
    void resync_reconnectsWhenTheProbeIsNeverAnswered() {
        ScriptedInstrument device = ScriptedInstrument.scpi();
        Pair p = Pair.open(config(StaleReplyPolicy.resync(Request.query("*OPC?").withTimeout(Duration.ofSeconds(1)), "1")), device);
        device.responder(cmd -> null); // the device went deaf
        long opc = p.send(Request.query("*OPC?").withTimeout(OPC_TIMEOUT));
        long idn = p.send(Request.query("*IDN?").withTimeout(Duration.ofSeconds(10)));
        p.advanceThroughTimers(Duration.ofMillis(1550)); // OPC times out at 500 ms, the probe at 1500 ms
        assertThat(p.endingOf(opc)).isInstanceOf(Event.Timeout.class);
        assertThat(p.eventsOf(Event.CloseLink.class)).singleElement()
                .satisfies(c -> assertThat(c.reason()).contains("resync probe"));
        device.responder(ScriptedInstrument::scpiAnswer); // and it recovers on the new link
        p.advanceThroughTimers(Duration.ofSeconds(1));
        assertIdnNeverOne(p, idn);
    }

    @Test
    void resync_whenTheTimedOutQueryNeverAnswers_theProbesAnswerIsNotSwallowedByItAndTheLinkIsKept() {
        // FOO? is an unknown command: the device answers nothing (SCPI error -113 in its queue)
        ScriptedInstrument device = ScriptedInstrument.scpi();
        Pair p = Pair.open(config(StaleReplyPolicy.resync(Request.query("*OPC?").withTimeout(Duration.ofSeconds(1)), "1")), device);
        long foo = p.send(Request.query("FOO?").withTimeout(OPC_TIMEOUT));
        long idn = p.send(Request.query("*IDN?").withTimeout(Duration.ofSeconds(10)));
        p.advanceThroughTimers(Duration.ofSeconds(5));
        assertThat(p.endingOf(foo)).isInstanceOf(Event.Timeout.class);
        assertIdnNeverOne(p, idn);
        assertThat(p.opens()).as("the probe's answer proves the stream is in step: no new link").isEqualTo(1);
    }

    @Test
    void reconnect_dropsTheLinkSoTheLateReplyCannotArrive() {
        Pair p = slowDevice(StaleReplyPolicy.reconnect());
        long opc = p.send(Request.query("*OPC?").withTimeout(OPC_TIMEOUT));
        long idn = p.send(Request.query("*IDN?"));
        p.advance(Duration.ofMillis(600));
        assertThat(p.endingOf(opc)).isInstanceOf(Event.Timeout.class);
        assertThat(p.eventsOf(Event.CloseLink.class)).hasSize(1);
        assertThat(p.linkUp()).isFalse();
        p.device.hold(false);
        p.advanceThroughTimers(Duration.ofMillis(200)); // backoff 100 ms, then the new link
        assertThat(p.opens()).isEqualTo(2);
        assertIdnNeverOne(p, idn);
        assertThat(p.eventsOf(Event.Discarded.class)).isEmpty();
    }

    @Test
    void pipelined_requestsWrittenWithATimedOutOneFailAsAmbiguousAndTheLinkIsRenewed() {
        ScriptedInstrument device = ScriptedInstrument.scpi();
        Pair p = Pair.open(config(StaleReplyPolicy.discardLateReply(Duration.ofSeconds(10))).toBuilder().maxInFlight(4).build(), device);
        device.hold(true);
        long a = p.send(Request.query("ECHO? a").withTimeout(OPC_TIMEOUT));
        long b = p.send(Request.query("ECHO? b").withTimeout(Duration.ofSeconds(5)));
        p.advance(Duration.ofMillis(600));
        long c = p.send(Request.query("ECHO? c"));
        device.hold(false);
        p.pump();
        assertThat(p.endingOf(a)).isInstanceOf(Event.Timeout.class);
        assertThat(((Event.Failed) p.endingOf(b)).cause()).isInstanceOf(AmbiguousReplyException.class)
                .hasMessageContaining("ECHO? b").hasMessageContaining("ECHO? a");
        // the window lost its place (a may never be answered): the replies still owed cannot be counted, so the link
        // is renewed at once and c goes out on the new one
        assertThat(p.eventsOf(Event.CloseLink.class)).singleElement().satisfies(cl -> assertThat(cl.reason()).contains("lost its place"));
        p.advanceThroughTimers(Duration.ofMillis(200));
        assertThat(p.replyText(c)).isEqualTo("c");
        assertThat(p.opens()).isEqualTo(2);
    }

    /**
     * A device that greets each new link: with quietAfterConnect nothing is written until the line has been quiet that
     * long, the greeting is discarded, and it restarts the quiet; the first query gets its own reply.
     */
    @Test
    void aGreetingOnANewLinkIsDiscardedWhileTheLineMustBeQuiet() {
        Pair p = Pair.open(ConnectionConfig.builder().quietAfterConnect(Duration.ofMillis(200)).build(), ScriptedInstrument.scpi());
        long idn = p.send(Request.query("*IDN?"));
        p.advanceThroughTimers(Duration.ofMillis(50));
        p.deliver("Welcome\r\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        p.advanceThroughTimers(Duration.ofMillis(190));
        assertThat(p.device.commands()).as("nothing written until 200 ms of quiet after the greeting").isEmpty();
        p.advanceThroughTimers(Duration.ofMillis(20));
        assertThat(p.replyText(idn)).startsWith("ACME");
        assertThat(p.eventsOf(Event.Discarded.class)).extracting(d -> d.frame().asString()).containsExactly("Welcome");
    }

    /**
     * A call that ends while a new link must still be quiet (a board that reboots when its port opens, quietAfterConnect
     * longer than its boot) says so. Before (2026-12-04), it said "the on-connect hook was still running", on a client
     * with no hook at all.
     */
    @Test
    void aCallEndingWhileTheNewLinkMustBeQuietSaysWhy() {
        Pair p = Pair.open(ConnectionConfig.builder().quietAfterConnect(Duration.ofMillis(2000)).build(), ScriptedInstrument.scpi());
        p.send(Request.query("*IDN?").withTimeout(Duration.ofMillis(300)));
        p.advanceThroughTimers(Duration.ofMillis(400));
        assertThat(p.eventsOf(Event.Timeout.class)).singleElement().satisfies(t -> assertThat(t.detail())
                .contains("waiting for the line to be quiet for 2000 ms (quietAfterConnect)").doesNotContain("hook"));
        assertThat(p.device.commands()).isEmpty();
    }

    /**
     * A driver's own hook (externalHook) starts with ON_CONNECT, while the line must still be quiet: it may send at
     * once (before, sendHook was refused, the hook failed and the link was renewed again and again, on a serial link
     * renewed out of step as with quietAfterConnect), and what it sends goes out once the quiet has passed.
     */
    @Test
    void anExternalHookMaySendWhileTheLineMustStillBeQuiet() {
        Pair p = Pair.open(ConnectionConfig.builder().externalHook(true).quietAfterConnect(Duration.ofMillis(200)).build(),
                ScriptedInstrument.scpi());
        assertThat(p.conn.state()).isEqualTo(State.ON_CONNECT);
        long idn = p.conn.sendHook(Request.query("*IDN?"), p.now());
        p.pump();
        assertThat(p.device.commands()).isEmpty();
        p.advanceThroughTimers(Duration.ofMillis(250));
        assertThat(p.replyText(idn)).startsWith("ACME");
        p.conn.hookDone(p.now());
        p.pump();
        assertThat(p.conn.state()).isEqualTo(State.READY);
    }

    /** An external hook that is done before the quiet has passed: READY only once it has. */
    @Test
    void anExternalHookDoneDuringTheQuietMakesTheLinkReadyOnlyAfterIt() {
        Pair p = Pair.open(ConnectionConfig.builder().externalHook(true).quietAfterConnect(Duration.ofMillis(200)).build(),
                ScriptedInstrument.scpi());
        p.conn.hookDone(p.now());
        p.pump();
        assertThat(p.conn.state()).isEqualTo(State.ON_CONNECT);
        long q = p.send(Request.query("*IDN?"));
        p.advanceThroughTimers(Duration.ofMillis(250));
        assertThat(p.conn.state()).isEqualTo(State.READY);
        assertThat(p.replyText(q)).startsWith("ACME");
    }

    /**
     * The same on a serial link renewed while a late reply was owed (its new link starts quiet for the grace): a
     * driver's own hook could not send at all (sendHook threw "only allowed while an external on-connect hook runs"),
     * so the hook failed and the link was renewed again, for as long as the device stayed quiet.
     */
    @Test
    void anExternalHookMaySendOnASerialLinkRenewedOutOfStep() {
        Pair p = Pair.openSerial(ConnectionConfig.builder().externalHook(true)
                .backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(10), 2, 0))
                .staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofMillis(300))).build(), ScriptedInstrument.scpi());
        p.conn.hookDone(p.now());
        p.pump();
        p.device.responder(cmd -> null); // the device stops answering
        p.send(Request.query("MEAS?").withTimeout(Duration.ofMillis(100)));
        p.advanceThroughTimers(Duration.ofMillis(500)); // timeout, grace, renewal: the new link must be quiet first
        assertThat(p.conn.state()).isEqualTo(State.ON_CONNECT);
        p.device.responder(ScriptedInstrument::scpiAnswer);
        long idn = p.conn.sendHook(Request.query("*IDN?"), p.now());
        p.advanceThroughTimers(Duration.ofMillis(400));
        assertThat(p.replyText(idn)).startsWith("ACME");
    }
    /**
     * Drivers start their own hook on the ON_CONNECT event, so it is told only once the quiet has passed: a hook query
     * with a timeout under the quiet time then goes out and is answered, instead of timing out unwritten on every link.
     */
    @Test
    void onConnectIsToldOnlyWhenTheQuietHasPassed() {
        Pair p = Pair.open(ConnectionConfig.builder().externalHook(true).defaultTimeout(Duration.ofMillis(100))
                .quietAfterConnect(Duration.ofMillis(300)).build(), ScriptedInstrument.scpi());
        assertThat(p.eventsOf(Event.StateChanged.class)).extracting(Event.StateChanged::state).containsExactly(State.CONNECTING);
        p.advanceThroughTimers(Duration.ofMillis(290));
        assertThat(p.eventsOf(Event.StateChanged.class)).extracting(Event.StateChanged::state).containsExactly(State.CONNECTING);
        p.advanceThroughTimers(Duration.ofMillis(20));
        assertThat(p.eventsOf(Event.StateChanged.class)).extracting(Event.StateChanged::state)
                .containsExactly(State.CONNECTING, State.ON_CONNECT);
        long idn = p.conn.sendHook(Request.query("*IDN?"), p.now()); // as a driver's hook started by that event
        p.pump();
        assertThat(p.replyText(idn)).startsWith("ACME");
        p.conn.hookDone(p.now());
        p.pump();
        assertThat(p.eventsOf(Event.StateChanged.class)).extracting(Event.StateChanged::state)
                .containsExactly(State.CONNECTING, State.ON_CONNECT, State.READY);
    }
}
