package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Pair;
import dev.labwire.core.testing.ScriptedInstrument;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * XON/XOFF that reach the connection of a {@code flow=xonxoff} link (the OS normally takes them first; see
 * {@link SoftwareFlow}): never part of a reply or a push, an XOFF holds what is written until XON, a request whose
 * deadline passes meanwhile ends unwritten saying so. With {@code flow=none} they are data. Fake clock, no I/O.
 */
class XonXoffTest {
    private static final String XOFF = "\u0013";
    private static final String XON = "\u0011";

    private static ConnectionConfig.Builder config() {
        return ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(500))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(20), 1, 0));
    }

    private static Pair xonXoff(ConnectionConfig cfg) {
        Pair p = Pair.openXonXoff(cfg, ScriptedInstrument.scpi());
        assertThat(p.linkUp()).isTrue();
        return p;
    }

    @ParameterizedTest(name = "delivered in pieces of {0}")
    @ValueSource(ints = {1, 2, 3, 100})
    void xonAndXoffAreNeverPartOfAReplyOrAPush(int piece) {
        Pair p = xonXoff(config().classifier(FrameClassifier.pushedIfStartsWith(bytes("STAT "))).build());
        List<Long> ids = new ArrayList<>();
        for (String t : List.of("t0", "t1")) {
            p.device.hold(true);
            ids.add(p.send(Request.query("ECHO? " + t)));
            p.device.takeOutbox();
            p.device.hold(false);
            byte[] wire = bytes(XOFF + "STAT 1\n" + XON + t.charAt(0) + XOFF + XON + t.charAt(1) + "\n" + XOFF + XON);
            for (int i = 0; i < wire.length; i += piece) {
                p.deliver(java.util.Arrays.copyOfRange(wire, i, Math.min(wire.length, i + piece)));
            }
        }
        assertThat(p.replyText(ids.get(0))).isEqualTo("t0");
        assertThat(p.replyText(ids.get(1))).isEqualTo("t1");
        assertThat(p.eventsOf(Event.Pushed.class)).extracting(e -> e.frame().asString()).containsExactly("STAT 1", "STAT 1");
    }

    @Test
    void anXoffHoldsWritesUntilXonAndACallWhoseDeadlinePassesMeanwhileEndsUnwrittenSayingSo() {
        Pair p = xonXoff(config().build());
        p.deliver(bytes(XOFF));
        long held = p.send(Request.query("ECHO? held"));
        assertThat(p.device.commands()).as("nothing written after XOFF").isEmpty();
        p.advanceThroughTimers(Duration.ofMillis(600));
        Event.Timeout t = (Event.Timeout) p.endingOf(held);
        assertThat(t.written()).isFalse();
        assertThat(t.detail()).contains("the device sent XOFF 500 ms before and no XON since")
                .contains("flow=xonxoff").contains("nothing was written");
        long next = p.send(Request.query("ECHO? next").withTimeout(Duration.ofSeconds(5)));
        p.advance(Duration.ofMillis(300));
        assertThat(p.device.commands()).isEmpty();
        assertThat(p.conn.receivedOnlyPushed()).isFalse();
        p.deliver(bytes(XON));
        assertThat(p.device.commands()).as("written at XON, and only the live request").containsExactly("ECHO? next");
        assertThat(p.replyText(next)).isEqualTo("next");
    }

    @Test
    void anXonAloneMakesTheDriverDrainAgain() {
        Pair p = xonXoff(config().build());
        p.deliver(bytes(XOFF));
        p.send(Request.query("ECHO? a").withTimeout(Duration.ofSeconds(5)));
        p.conn.receive(ByteBuffer.wrap(bytes(XON)), p.now());
        assertThat(p.conn.receivedOnlyPushed()).as("what may be written changed").isFalse();
        assertThat(p.conn.pollTransmit()).isNotNull();
    }

    @Test
    void aNewLinkStartsReleased() {
        Pair p = xonXoff(config().build());
        p.deliver(bytes(XOFF));
        p.dropLink(new IllegalStateException("cable pulled"));
        p.advanceThroughTimers(Duration.ofMillis(50));
        assertThat(p.linkUp()).isTrue();
        long id = p.send(Request.query("ECHO? fresh"));
        assertThat(p.replyText(id)).isEqualTo("fresh");
    }

    @Test
    void withFlowNoneTheyAreData() {
        Pair p = Pair.openSerial(config().build(), ScriptedInstrument.scpi());
        p.device.hold(true);
        long id = p.send(Request.query("ECHO? x"));
        p.device.takeOutbox();
        p.device.hold(false);
        p.deliver(bytes(XOFF + "t" + XON + "1\n"));
        assertThat(p.replyText(id)).isEqualTo(XOFF + "t" + XON + "1");
        assertThat(p.conn.pollReceiveWindow()).isNull();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
