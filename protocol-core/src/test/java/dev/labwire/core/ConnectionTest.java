package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FramingException;
import dev.labwire.core.testing.Chunking;
import dev.labwire.core.testing.Pair;
import dev.labwire.core.testing.ScriptedInstrument;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionTest {
    private static final ConnectionConfig FIXED = ConnectionConfig.builder()
            .backoff(new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 2, 0))
            .jitter(() -> JitterSource.fixed(0.5))
            .build();

    private static byte[] b(String s) {
        return s.getBytes(ISO_8859_1);
    }

    @Test
    void queryWriteAndEveryExpectation() {
        ScriptedInstrument dev = new ScriptedInstrument(cmd -> switch (cmd) {
            case "*IDN?" -> "ACME,PSU\r\n";
            case "STAT?" -> "a\nb\nc\n";
            case "HELP?" -> "!one\n!two\n.\n";
            case "CURV?" -> "#15hello\n";
            case "RAW?" -> "\u0001\u0002\n\u0004";
            default -> null;
        });
        Pair p = Pair.open(FIXED, dev);
        long idn = p.send(Request.query("*IDN?"));
        long set = p.send(Request.write("VOLT 5"));
        long stat = p.send(Request.of("STAT?", Expect.lines(3)));
        long help = p.send(Request.of("HELP?", Expect.linesUntil(".")));
        long curv = p.send(Request.of("CURV?", Expect.block()));
        long raw = p.send(Request.of("RAW?", Expect.bytes(4)));
        long after = p.send(Request.query("*IDN?"));
        assertThat(p.replyText(idn)).isEqualTo("ACME,PSU");
        assertThat(((Event.Reply) p.endingOf(set)).frames()).isEmpty();
        assertThat(((Event.Reply) p.endingOf(stat)).frames()).extracting(Frame::asString).containsExactly("a", "b", "c");
        assertThat(((Event.Reply) p.endingOf(help)).frames()).extracting(Frame::asString).containsExactly("!one", "!two");
        assertThat(p.replyText(curv)).isEqualTo("hello");
        assertThat(((Event.Reply) p.endingOf(raw)).frame().toByteArray()).containsExactly(1, 2, '\n', 4);
        assertThat(p.replyText(after)).isEqualTo("ACME,PSU");
        assertThat(p.device.commands()).containsExactly("*IDN?", "VOLT 5", "STAT?", "HELP?", "CURV?", "RAW?", "*IDN?");
    }

    /** One recorded session's reply bytes, fed every way a link can split them: same events each time. */
    @Test
    void everyChunkingOfTheRepliesGivesTheSameEvents() {
        byte[] replies = b("ACME,PSU\r\n#15a\nb#c\n\nx\ny\n.\n+1.5E+00\n");
        Chunking.assertEveryChunkingAndGarbage(replies, b("\u00ff\u00fejunk"), chunks -> {
            // pipelined, so all four requests are on the wire before the first reply byte comes
            Pair p = Pair.open(FIXED.toBuilder().maxInFlight(4).build(), new ScriptedInstrument(cmd -> null));
            List<Long> ids = List.of(
                    p.send(Request.query("*IDN?")),
                    p.send(Request.of("CURV?", Expect.block())),
                    p.send(Request.of("HELP?", Expect.linesUntil("."))),
                    p.send(Request.query("MEAS?")));
            for (byte[] c : chunks) {
                p.deliver(c);
            }
            List<String> out = new ArrayList<>();
            for (long id : ids) {
                Event e = p.endingOf(id);
                out.add(e instanceof Event.Reply r ? r.frames().toString() : String.valueOf(e));
            }
            return out;
        }, List.of("[Frame[8 bytes: \"ACME,PSU\"]]", "[Frame[5 bytes: \"a\\nb#c\"]]",
                // one \n after the block is its optional terminator, the second is an empty line of HELP?
                "[Frame[0 bytes: \"\"], Frame[1 bytes: \"x\"], Frame[1 bytes: \"y\"]]", "[Frame[8 bytes: \"+1.5E+00\"]]"));
    }

    @Test
    void pipelinedRepliesMatchInOrder() {
        Pair p = Pair.open(FIXED.toBuilder().maxInFlight(16).build(), ScriptedInstrument.scpi());
        p.device.hold(true);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(p.conn.send(Request.query("ECHO? token-" + i), p.now()));
        }
        p.pump();
        assertThat(p.device.commands()).as("no more than maxInFlight on the wire").hasSize(16);
        p.device.hold(false);
        p.pump();
        for (int i = 0; i < ids.size(); i++) {
            assertThat(p.replyText(ids.get(i))).isEqualTo("token-" + i);
        }
    }

    @Test
    void onConnectHookRunsFirstOnEveryLinkAndUserRequestsWait() {
        ConnectionConfig cfg = FIXED.toBuilder().onConnect(Request.write("SYST:REM"), Request.query("*IDN?")).build();
        Pair p = new Pair(cfg, ScriptedInstrument.scpi());
        p.conn.send(Request.query("ECHO? early"), p.now());
        p.conn.open(p.now());
        p.pump();
        assertThat(p.device.commands()).containsExactly("SYST:REM", "*IDN?", "ECHO? early");
        p.dropLink(new IllegalStateException("cable pulled"));
        long again = p.send(Request.query("ECHO? again"));
        p.advanceThroughTimers(Duration.ofMillis(150));
        assertThat(p.device.commands()).containsExactly("SYST:REM", "*IDN?", "ECHO? early", "SYST:REM", "*IDN?", "ECHO? again");
        assertThat(p.replyText(again)).isEqualTo("again");
        assertThat(p.eventsOf(Event.StateChanged.class)).extracting(Event.StateChanged::state).containsExactly(
                State.CONNECTING, State.ON_CONNECT, State.READY, State.DOWN, State.CONNECTING, State.ON_CONNECT, State.READY);
    }

    @Test
    void failingHookClosesTheLinkAndRetriesWithBackoff() {
        ConnectionConfig cfg = FIXED.toBuilder().onConnect(Request.query("CONF?").withTimeout(Duration.ofMillis(50))).build();
        ScriptedInstrument dev = new ScriptedInstrument(cmd -> null); // never answers the hook
        Pair p = Pair.open(cfg, dev);
        long user = p.send(Request.query("*IDN?").withTimeout(Duration.ofSeconds(10)));
        assertThat(p.conn.state()).isEqualTo(State.ON_CONNECT);
        p.advanceThroughTimers(Duration.ofMillis(60));
        assertThat(p.eventsOf(Event.CloseLink.class)).singleElement()
                .satisfies(c -> assertThat(c.reason()).contains("on-connect hook").contains("CONF?"));
        assertThat(p.device.commands()).doesNotContain("*IDN?");
        dev.responder(cmd -> cmd.equals("CONF?") ? "OK\n" : ScriptedInstrument.scpiAnswer(cmd));
        p.advanceThroughTimers(Duration.ofMillis(200));
        assertThat(p.replyText(user)).startsWith("ACME");
    }

    @Test
    void externalHookMayQueryTheDevice() {
        ConnectionConfig cfg = FIXED.toBuilder().externalHook(true).build();
        Pair p = new Pair(cfg, ScriptedInstrument.scpi());
        long user = p.conn.send(Request.query("ECHO? user"), p.now());
        p.conn.open(p.now());
        p.pump();
        assertThat(p.conn.state()).isEqualTo(State.ON_CONNECT);
        long h = p.conn.sendHook(Request.query("*IDN?"), p.now());
        p.pump();
        assertThat(p.replyText(h)).startsWith("ACME");
        assertThat(p.device.commands()).containsExactly("*IDN?");
        p.conn.hookDone(p.now());
        p.pump();
        assertThat(p.replyText(user)).isEqualTo("user");
        assertThatThrownBy(() -> p.conn.sendHook(Request.query("X?"), p.now()))
                .isInstanceOf(LocalProtocolException.class).hasMessageContaining("READY");
    }

    @Test
    void externalHookFailureClosesTheLink() {
        Pair p = Pair.open(FIXED.toBuilder().externalHook(true).build(), ScriptedInstrument.scpi());
        p.conn.hookFailed(new IllegalStateException("wrong model"), p.now());
        p.pump();
        assertThat(p.eventsOf(Event.CloseLink.class)).singleElement()
                .satisfies(c -> assertThat(c.reason()).contains("wrong model"));
    }

    @Test
    void reconnectBacksOffExponentiallyUpToTheCap() {
        Pair p = new Pair(FIXED, ScriptedInstrument.scpi());
        p.refuseLinks(5);
        p.conn.open(p.now());
        p.pump();
        List<Long> gaps = new ArrayList<>();
        long last = p.now();
        for (int i = 0; i < 5; i++) {
            long due = p.conn.pollTimeout().orElseThrow();
            gaps.add((due - last) / 1_000_000);
            p.advance(Duration.ofNanos(due - p.now()));
            last = p.now();
        }
        assertThat(gaps).containsExactly(100L, 200L, 400L, 800L, 1000L);
        assertThat(p.conn.state()).isEqualTo(State.READY);
        assertThat(p.eventsOf(Event.OpenLink.class)).extracting(Event.OpenLink::attempt).containsExactly(1, 2, 3, 4, 5, 6);
    }

    /**
     * A device that accepts and at once closes (one client at a time, a busy terminal server port): each link reaches
     * READY, so before, each loss counted as the first failure and the client reconnected every initial delay for
     * ever (measured: 40 connections in 5 s with the default backoff, 244 with 10 ms initial, 200 ms cap). A link lost
     * within a second of READY now counts one more failure; one that lived longer, or that labwire closed itself,
     * starts the count again.
     */
    @Test
    void aLinkTheDeviceDropsRightAfterItIsReadyBacksOffAsAFailedAttemptDoes() {
        Pair p = Pair.open(FIXED, ScriptedInstrument.scpi());
        List<Long> gaps = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            p.dropLink(new IllegalStateException("closed by the device right after accept"));
            long down = p.now();
            long due = p.conn.pollTimeout().orElseThrow();
            gaps.add((due - down) / 1_000_000);
            p.advance(Duration.ofNanos(due - p.now()));
            assertThat(p.conn.state()).isEqualTo(State.READY);
        }
        assertThat(gaps).containsExactly(100L, 200L, 400L, 800L, 1000L);
        p.advance(Duration.ofSeconds(1));
        p.dropLink(new IllegalStateException("closed after a second of service"));
        assertThat((p.conn.pollTimeout().orElseThrow() - p.now()) / 1_000_000).isEqualTo(100L);
    }

    @Test
    void jitterSpreadsTheDelay() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 2, 0.2);
        assertThat(b.delayNanos(1, 0.0)).isEqualTo(80_000_000L);
        assertThat(b.delayNanos(1, 0.5)).isEqualTo(100_000_000L);
        assertThat(b.delayNanos(3, 0.999999)).isBetween(479_000_000L, 480_000_000L);
        assertThat(b.delayNanos(30, 0.5)).isEqualTo(10_000_000_000L);
    }

    @Test
    void linkLossFailsInFlightKeepsQueuedAndResendsIdempotentOnes() {
        ConnectionConfig cfg = FIXED.toBuilder().maxInFlight(2).build();
        Pair p = Pair.open(cfg, ScriptedInstrument.scpi());
        p.device.hold(true);
        long set = p.send(Request.of("ECHO? set", Expect.line()));
        long idem = p.send(Request.query("ECHO? idem").withResend(Request.Resend.ON_RECONNECT));
        long queued = p.send(Request.query("ECHO? queued"));
        IllegalStateException cause = new IllegalStateException("cable pulled");
        p.dropLink(cause);
        assertThat(p.endingOf(set)).isEqualTo(new Event.Failed(set, Request.query("ECHO? set"), cause));
        assertThat(p.endingOf(idem)).isNull();
        assertThat(p.endingOf(queued)).isNull();
        p.device.hold(false);
        p.advanceThroughTimers(Duration.ofMillis(150));
        assertThat(p.replyText(idem)).isEqualTo("idem");
        assertThat(p.replyText(queued)).isEqualTo("queued");
        assertThat(p.device.commands()).containsExactly("ECHO? set", "ECHO? idem", "ECHO? idem", "ECHO? queued");
    }

    @Test
    void queuedRequestsFailOnLinkLossWhenSoConfigured() {
        Pair p = Pair.open(FIXED.toBuilder().queuedOnLinkDown(ConnectionConfig.QueuedOnLinkDown.FAIL).build(), ScriptedInstrument.scpi());
        p.device.hold(true);
        p.send(Request.query("*IDN?"));
        long queued = p.send(Request.query("ECHO? q"));
        p.dropLink(new IllegalStateException("gone"));
        assertThat(p.endingOf(queued)).isInstanceOf(Event.Failed.class);
    }

    @Test
    void withoutAutoReconnectTheLinkStaysDownAndSendsAreRefused() {
        Pair p = Pair.open(FIXED.toBuilder().autoReconnect(false).build(), ScriptedInstrument.scpi());
        p.dropLink(new IllegalStateException("gone"));
        assertThat(p.conn.pollTimeout()).isEmpty();
        assertThat(p.conn.pollTimeoutNanos()).as("no deadline").isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> p.conn.send(Request.query("*IDN?"), p.now()))
                .isInstanceOf(LocalProtocolException.class).hasMessageContaining("autoReconnect is off");
    }

    @Test
    void pushedFramesInterleaveWithReplies() {
        ConnectionConfig cfg = FIXED.toBuilder().classifier(FrameClassifier.pushedIfStartsWith(b("STAT "))).build();
        Pair p = Pair.open(cfg, ScriptedInstrument.scpi());
        p.device.hold(true);
        long idn = p.send(Request.query("*IDN?"));
        p.device.hold(false);
        p.deliver(b("STAT 1\nSTAT 2\n"));
        p.pump();
        p.deliver(b("STAT 3\n"));
        assertThat(p.replyText(idn)).startsWith("ACME");
        assertThat(p.eventsOf(Event.Pushed.class)).extracting(e -> e.frame().asString())
                .containsExactly("STAT 1", "STAT 2", "STAT 3");
    }

    @Test
    void aPushedLineBeforeABlockReplyIsPushedAndALineInsteadOfABlockFailsOnlyThatRequest() {
        ConnectionConfig cfg = FIXED.toBuilder().classifier(FrameClassifier.pushedIfStartsWith(b("STAT "))).build();
        Pair p = Pair.open(cfg, new ScriptedInstrument(cmd -> switch (cmd) {
            case "CURV?" -> "STAT 1\r\n#13abc\nSTAT 2\n";
            case "BAD?" -> "ERR 7\n";
            default -> ScriptedInstrument.scpiAnswer(cmd);
        }));
        long curv = p.send(Request.of("CURV?", Expect.block()));
        long bad = p.send(Request.of("BAD?", Expect.block()));
        long idn = p.send(Request.query("*IDN?"));
        assertThat(p.replyText(curv)).isEqualTo("abc");
        assertThat(((Event.Failed) p.endingOf(bad)).cause()).hasMessageContaining("'#'").hasMessageContaining("ERR 7");
        assertThat(p.replyText(idn)).startsWith("ACME");
        assertThat(p.eventsOf(Event.Pushed.class)).extracting(e -> e.frame().asString()).containsExactly("STAT 1", "STAT 2");
    }

    @Test
    void pureStreamingLinkNeedsNoRequests() {
        Pair p = Pair.open(FIXED.toBuilder().framing(Framing.cobs()).writeTerminator("")
                .classifier(FrameClassifier.ALL_PUSHED).build(), new ScriptedInstrument(c -> null));
        for (int i = 0; i < 100; i++) {
            p.deliver(dev.labwire.core.frame.CobsFramer.encode(new byte[] {0, (byte) i, 0}));
        }
        assertThat(p.eventsOf(Event.Pushed.class)).hasSize(100)
                .allSatisfy(e -> assertThat(e.frame().length()).isEqualTo(3));
    }

    @Test
    void aReplyNobodyAskedForIsDiscardedAsUnexpected() {
        Pair p = Pair.open(FIXED, ScriptedInstrument.scpi());
        p.deliver(b("surprise\n"));
        assertThat(p.eventsOf(Event.Discarded.class)).singleElement()
                .isEqualTo(new Event.Discarded(Frame.of("surprise"), Event.DiscardReason.UNEXPECTED));
        assertThat(p.replyText(p.send(Request.query("*IDN?")))).startsWith("ACME");
    }

    @Test
    void anOversizedReplyFailsItsRequestNamingBothLengthsAndTheNextOneWorks() {
        Pair p = Pair.open(FIXED.toBuilder().maxFrameLength(64).build(), ScriptedInstrument.scpi());
        p.device.responder(cmd -> cmd.equals("BIG?") ? "x".repeat(1000) + "\n" : ScriptedInstrument.scpiAnswer(cmd));
        long big = p.send(Request.query("BIG?"));
        long idn = p.send(Request.query("*IDN?"));
        Event e = p.endingOf(big);
        assertThat(e).isInstanceOf(Event.Failed.class);
        Throwable cause = ((Event.Failed) e).cause();
        assertThat(cause).isInstanceOf(FramingException.class).hasMessageContaining("64");
        assertThat(((FramingException) cause).kind()).isEqualTo(FramingException.Kind.TOO_LONG);
        assertThat(p.replyText(idn)).startsWith("ACME");
    }

    /**
     * An oversized line that arrives in pieces: the request fails as soon as the limit is passed, and the line's end,
     * when it comes, puts the stream back in step at once. Before, nothing was written until the stale-reply grace had
     * passed and the link was renewed ("the late reply ... did not come within the grace period"), though the rest of
     * the line had come within a millisecond: a long ASCII reply cost the next call a second and a new link.
     */
    @Test
    void anOversizedLineArrivingInPiecesReleasesTheLinkWhenItsEndComes() {
        Pair p = Pair.open(FIXED.toBuilder().maxFrameLength(64).build(), ScriptedInstrument.scpi());
        p.device.responder(cmd -> cmd.equals("BIG?") ? null : ScriptedInstrument.scpiAnswer(cmd));
        long big = p.send(Request.query("BIG?"));
        p.deliver(b("x".repeat(100)));
        Event e = p.endingOf(big);
        assertThat(((FramingException) ((Event.Failed) e).cause()).kind()).isEqualTo(FramingException.Kind.TOO_LONG);
        long idn = p.send(Request.query("*IDN?"));
        p.deliver(b("x".repeat(1000)));
        p.advance(Duration.ofMillis(1));
        p.deliver(b("xx\n"));
        assertThat(p.replyText(idn)).startsWith("ACME");
        assertThat(p.opens()).isEqualTo(1);
        assertThat(p.events).noneMatch(ev -> ev instanceof Event.CloseLink);
    }

    /**
     * A device that streams an endless line without a terminator (a binary mode, a wrong setting): the request fails
     * as too long, and the link is renewed once the grace has passed. Before, every chunk of the bad line restarted the
     * grace, as for a big late reply, so the link was held for as long as the device kept sending: every later call
     * timed out unwritten (measured: 6 calls in 6 s, one link).
     */
    @Test
    void anEndlessOversizedLineDoesNotHoldTheLinkForEver() {
        Pair p = Pair.open(FIXED.toBuilder().maxFrameLength(64)
                .staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofMillis(300))).build(), ScriptedInstrument.scpi());
        p.device.responder(cmd -> cmd.equals("BIN?") ? null : ScriptedInstrument.scpiAnswer(cmd));
        long bin = p.send(Request.query("BIN?"));
        p.deliver(b("x".repeat(100)));
        assertThat(p.endingOf(bin)).isInstanceOf(Event.Failed.class);
        for (int i = 0; i < 10; i++) {
            p.advanceThroughTimers(Duration.ofMillis(100));
            if (p.linkUp() && p.opens() == 1) { // the old connection streams; a new one does not
                p.deliver(b("x".repeat(100)));
            }
        }
        assertThat(p.eventsOf(Event.CloseLink.class)).isNotEmpty();
        long idn = p.send(Request.query("*IDN?"));
        p.advanceThroughTimers(Duration.ofSeconds(2));
        assertThat(p.replyText(idn)).startsWith("ACME");
    }

    @Test
    void nonAsciiByteFailsTheRequestWithAnEncodingError() {
        Pair p = Pair.open(FIXED.toBuilder().framing(Framing.asciiLines()).build(), ScriptedInstrument.scpi());
        p.device.responder(cmd -> cmd.equals("T?") ? "25\u00b0C\n" : ScriptedInstrument.scpiAnswer(cmd));
        long t = p.send(Request.query("T?"));
        long idn = p.send(Request.query("*IDN?"));
        assertThat(((Event.Failed) p.endingOf(t)).cause()).isInstanceOf(FramingException.class).hasMessageContaining("0xB0");
        assertThat(p.replyText(idn)).startsWith("ACME");
    }

    @Test
    void endOfStreamInTheMiddleOfAReplyFailsItAsTruncated() {
        Pair p = Pair.open(FIXED, new ScriptedInstrument(cmd -> null));
        long q = p.send(Request.query("MEAS?"));
        p.deliver(b("+1.2"));
        p.conn.receiveEof(p.now());
        p.pump();
        Throwable cause = ((Event.Failed) p.endingOf(q)).cause();
        assertThat(((FramingException) cause).kind()).isEqualTo(FramingException.Kind.TRUNCATED);
        p.dropLink(new IllegalStateException("eof"));
        assertThat(p.endingsOf(q)).isEqualTo(1);
    }

    @Test
    void aBadBlockHeaderFailsOnlyThatRequest() {
        Pair p = Pair.open(FIXED, new ScriptedInstrument(cmd -> cmd.equals("CURV?") ? "#x12\n" : ScriptedInstrument.scpiAnswer(cmd)));
        long curv = p.send(Request.of("CURV?", Expect.block()));
        long idn = p.send(Request.query("*IDN?"));
        assertThat(((Event.Failed) p.endingOf(curv)).cause()).isInstanceOf(FramingException.class);
        assertThat(p.replyText(idn)).startsWith("ACME");
    }

    @Test
    void aBadFrameInAMultiFrameReplyDoesNotLeakItsRestIntoTheNextRequest() {
        Pair p = Pair.open(FIXED.toBuilder().maxFrameLength(24).build(),
                new ScriptedInstrument(cmd -> cmd.equals("STAT?") ? "x".repeat(40) + "\nb\nc\n" : ScriptedInstrument.scpiAnswer(cmd)));
        long stat = p.send(Request.of("STAT?", Expect.lines(3)));
        long idn = p.send(Request.query("*IDN?"));
        assertThat(p.endingOf(stat)).isInstanceOf(Event.Failed.class);
        assertThat(p.replyText(idn)).startsWith("ACME");
        assertThat(p.eventsOf(Event.Discarded.class)).extracting(d -> d.frame().asString()).containsExactly("b", "c");
    }

    @Test
    void tooManyFramesBeforeTheMarkerFailButStayAligned() {
        Pair p = Pair.open(FIXED, new ScriptedInstrument(cmd -> cmd.equals("LIST?") ? "a\nb\nc\nd\n.\n" : ScriptedInstrument.scpiAnswer(cmd)));
        long list = p.send(Request.of("LIST?", new Expect.UntilMarker(b("."), 2)));
        long idn = p.send(Request.query("*IDN?"));
        assertThat(((Event.Failed) p.endingOf(list)).cause()).hasMessageContaining("more than 2 frames");
        assertThat(p.replyText(idn)).startsWith("ACME");
    }

    @Test
    void memoryStaysBoundedWhateverArrives() {
        Pair p = Pair.open(FIXED.toBuilder().maxFrameLength(1024).build(), new ScriptedInstrument(cmd -> null));
        long q = p.send(Request.query("MEAS?"));
        byte[] flood = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(flood, (byte) 'x');
        p.conn.receive(ByteBuffer.wrap(flood), p.now());
        assertThat(p.conn.bufferCapacity()).isLessThanOrEqualTo(2 * (1024 + Connection.CHUNK));
        p.pump();
        assertThat(p.endingOf(q)).isInstanceOf(Event.Failed.class);
    }

    @Test
    void queuedRequestTimesOutUnwrittenAndEveryRequestEndsExactlyOnce() {
        Pair p = Pair.open(FIXED, new ScriptedInstrument(cmd -> null));
        long a = p.send(Request.query("A?").withTimeout(Duration.ofSeconds(1)));
        long b2 = p.send(Request.query("B?").withTimeout(Duration.ofMillis(200)));
        p.conn.handleTimeout(p.now()); // early: nothing happens
        p.pump();
        assertThat(p.endingOf(a)).isNull();
        p.advanceThroughTimers(Duration.ofMillis(250));
        assertThat(p.endingOf(b2)).isEqualTo(new Event.Timeout(b2, Request.query("B?").withTimeout(Duration.ofMillis(200)), false));
        p.advanceThroughTimers(Duration.ofSeconds(1));
        assertThat(p.endingOf(a)).isInstanceOf(Event.Timeout.class);
        assertThat(p.endingsOf(a) + p.endingsOf(b2)).isEqualTo(2);
    }

    @Test
    void misuseIsRefusedWithClearMessages() {
        Pair p = Pair.open(FIXED.toBuilder().maxQueued(1).build(), new ScriptedInstrument(cmd -> null));
        assertThatThrownBy(() -> p.conn.send(Request.query("A?\nB?"), p.now()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write terminator at index 2");
        assertThatThrownBy(() -> p.conn.open(p.now())).isInstanceOf(LocalProtocolException.class).hasMessageContaining("READY");
        assertThatThrownBy(() -> p.conn.linkUp(p.now())).isInstanceOf(LocalProtocolException.class);
        assertThatThrownBy(() -> p.conn.hookDone(p.now())).isInstanceOf(LocalProtocolException.class);
        p.conn.send(Request.query("A?"), p.now());
        p.pump(); // A? is on the wire, so it no longer counts as queued
        p.conn.send(Request.query("B?"), p.now());
        assertThatThrownBy(() -> p.conn.send(Request.query("C?"), p.now()))
                .isInstanceOf(LocalProtocolException.class).hasMessageContaining("maxQueued");
        p.conn.close(p.now());
        p.conn.close(p.now());
        p.pump();
        assertThat(p.eventsOf(Event.Failed.class)).hasSize(2)
                .allSatisfy(f -> assertThat(f.cause()).isInstanceOf(LocalProtocolException.class));
        assertThat(p.conn.state()).isEqualTo(State.CLOSED);
        assertThatThrownBy(() -> p.conn.send(Request.query("D?"), p.now()))
                .isInstanceOf(LocalProtocolException.class).hasMessageContaining("closed");
        assertThat(p.conn.pollTimeout()).isEmpty();
    }

    @Test
    void badArgumentsNameTheValue() {
        assertThatThrownBy(() -> ConnectionConfig.builder().maxInFlight(0)).hasMessageContaining("0");
        assertThatThrownBy(() -> ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(-1))).hasMessageContaining("-1");
        assertThatThrownBy(() -> Request.query("VOLT? \u2126")).hasMessageContaining("U+2126");
        assertThatThrownBy(() -> Request.query("*IDN?").withTimeout(Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Expect.lines(0)).hasMessageContaining("0");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0)).hasMessageContaining("PT1S");
        assertThatThrownBy(() -> StaleReplyPolicy.resync(Request.write("*CLS"), "1")).hasMessageContaining("*CLS");
    }
}
