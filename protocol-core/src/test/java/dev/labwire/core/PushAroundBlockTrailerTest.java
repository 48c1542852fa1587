package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Pair;
import dev.labwire.core.testing.ScriptedInstrument;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A board that pushes status lines from a timer writes its block reply and the block's end of line in two writes, and
 * a push can land between them: {@code #13abc}, {@code STAT 7\n}, then the block's {@code \n}. That end of line is the
 * block's trailer, not an empty reply to the next query (red team: 28 of 196 queries of an independent python board
 * pushing every 1-25 ms got "" instead of their reply, in both clients).
 */
class PushAroundBlockTrailerTest {
    private static final ConnectionConfig CFG = ConnectionConfig.builder()
            .classifier(FrameClassifier.pushedIfStartsWith(b("STAT ")))
            .build();

    private static byte[] b(String s) {
        return s.getBytes(ISO_8859_1);
    }

    private static Pair pair(String curvAnswer) {
        return Pair.open(CFG, new ScriptedInstrument(cmd -> switch (cmd) {
            case "CURV?" -> curvAnswer;
            case "*IDN?" -> null; // answered by hand below, after its write
            default -> ScriptedInstrument.scpiAnswer(cmd);
        }));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r"})
    void theEndOfLineAfterAPushIsTheBlocksTrailerNotTheNextReply(String eol) {
        Pair p = pair("#13abcSTAT 7\n");
        long curv = p.send(Request.of("CURV?", Expect.block()));
        assertThat(p.replyText(curv)).isEqualTo("abc");
        long idn = p.send(Request.query("*IDN?"));
        p.deliver(b(eol));              // the block's trailer, after the push and after *IDN? went out
        p.deliver(b("ACME,PSU\n"));
        assertThat(p.replyText(idn)).isEqualTo("ACME,PSU");
        assertThat(p.eventsOf(Event.Pushed.class)).extracting(e -> e.frame().asString()).containsExactly("STAT 7");
    }

    @Test
    void manyPushesBeforeTheTrailerAndTheNextBlock() {
        Pair p = pair("#13abcSTAT 1\nSTAT 2\r\n");
        long curv = p.send(Request.of("CURV?", Expect.block()));
        assertThat(p.replyText(curv)).isEqualTo("abc");
        p.device.responder(cmd -> cmd.equals("CURV?") ? "\r\nSTAT 3\n#12de\n" : ScriptedInstrument.scpiAnswer(cmd));
        long next = p.send(Request.of("CURV?", Expect.block()));
        assertThat(p.replyText(next)).isEqualTo("de");
        long idn = p.send(Request.query("*IDN?"));
        assertThat(p.replyText(idn)).startsWith("ACME");
        assertThat(p.eventsOf(Event.Pushed.class)).extracting(e -> e.frame().asString())
                .containsExactly("STAT 1", "STAT 2", "STAT 3");
    }

    @Test
    void aBlockWithoutTrailerStillLetsAnEmptyReplyThroughOnceAReplyCame() {
        // no push between: the first byte after the block settles it as usual, so an empty reply later is a reply
        Pair p = pair("#13abc");
        long curv = p.send(Request.of("CURV?", Expect.block()));
        assertThat(p.replyText(curv)).isEqualTo("abc");
        long idn = p.send(Request.query("*IDN?"));
        p.deliver(b("ACME,PSU\n"));
        assertThat(p.replyText(idn)).isEqualTo("ACME,PSU");
        p.device.responder(cmd -> "\n");
        long empty = p.send(Request.query("EMPTY?"));
        assertThat(p.replyText(empty)).isEmpty();
    }

    @Test
    void withoutAClassifierNothingChanges() {
        Pair p = Pair.open(ConnectionConfig.DEFAULT, new ScriptedInstrument(cmd -> cmd.equals("CURV?") ? "#13abc" : null));
        long curv = p.send(Request.of("CURV?", Expect.block()));
        assertThat(p.replyText(curv)).isEqualTo("abc");
        long idn = p.send(Request.query("*IDN?"));
        p.deliver(b("ACME\n"));
        assertThat(p.replyText(idn)).isEqualTo("ACME");
        p.advance(Duration.ofMillis(1));
    }
}
