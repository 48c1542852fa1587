package dev.labwire.core.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.Event;
import dev.labwire.core.frame.FramingException;
import dev.labwire.core.modbus.Modbus;
import dev.labwire.core.modbus.ModbusCall;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Modbus ASCII's inter-character timeout (Serial Line v1.02 section 2.5.2.1: more than 1 s between two characters of
 * a frame is an error), on the core Bus with a fake clock. The reply is the spec's example (":1103022B00BF").
 */
class ModbusAsciiGapTest {
    private static final byte[] HEAD = ":110302".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TAIL = "2B00BF\r\n".getBytes(StandardCharsets.US_ASCII);

    private static BusRig rig(BusConfig cfg) {
        return BusRig.open(cfg, w -> null);
    }

    private static long send(BusRig rig, BusConfig cfg) {
        return rig.send(Address.of(0x11), ModbusCall.readHoldingRegisters(0x6B, 1).request(0x11, cfg.addressing()),
                Bus.Priority.NORMAL);
    }

    @Test
    void aGapOfOneSecondIsAllowed() {
        BusConfig cfg = Modbus.ascii();
        BusRig rig = rig(cfg);
        long id = send(rig, cfg);
        rig.deliver(HEAD);
        rig.advance(Duration.ofSeconds(1));
        rig.deliver(TAIL);
        assertThat(ModbusCall.readHoldingRegisters(0x6B, 1).result(0x11, (Event.Reply) rig.endingOf(id))).containsExactly(0x2B00);
    }

    @Test
    void aLongerGapDropsThePartialFrameWithAClearError() {
        BusConfig cfg = Modbus.ascii();
        BusRig rig = rig(cfg);
        long id = send(rig, cfg);
        rig.deliver(HEAD);
        rig.advance(Duration.ofMillis(1001));
        rig.deliver(TAIL);
        Throwable cause = rig.failureOf(id);
        assertThat(cause).isInstanceOf(FramingException.class).hasMessageContaining("7 bytes of an unfinished frame")
                .hasMessageContaining("1001 ms passed between characters").hasMessageContaining("inter-character timeout");
        assertThat(((FramingException) cause).kind()).isEqualTo(FramingException.Kind.TRUNCATED);
        // the stream is in step again: the next request (written after the unit's lateReplyGrace) gets its whole reply
        long next = send(rig, cfg);
        rig.advanceThroughTimers(Duration.ofMillis(1100));
        assertThat(rig.wire).hasSize(2);
        rig.deliver(HEAD);
        rig.deliver(TAIL);
        assertThat(rig.endingOf(next)).isInstanceOf(Event.Reply.class);
    }

    @Test
    void anIdleLineBetweenFramesIsNoGapAndTheTimeoutCanBeChanged() {
        BusConfig cfg = Modbus.ascii();
        BusRig rig = rig(cfg);
        rig.advance(Duration.ofSeconds(30));                // idle, nothing buffered
        long id = send(rig, cfg);
        rig.deliver(HEAD);
        rig.deliver(TAIL);
        assertThat(rig.endingOf(id)).isInstanceOf(Event.Reply.class);

        BusConfig longer = Modbus.ascii(Duration.ofSeconds(3));
        BusRig slow = rig(longer);
        long s = send(slow, longer);
        slow.deliver(HEAD);
        slow.advance(Duration.ofMillis(2500));
        slow.deliver(TAIL);
        assertThat(slow.endingOf(s)).isInstanceOf(Event.Reply.class);

        BusConfig off = Modbus.ascii(Duration.ZERO);
        BusRig never = rig(off);
        long n = send(never, off);
        never.deliver(HEAD);
        never.advance(Duration.ofMillis(4000));
        never.deliver(TAIL);
        assertThat(never.endingOf(n)).isInstanceOf(Event.Reply.class);   // default 5 s call timeout not reached
        assertThatThrownBy(() -> Modbus.ascii(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("interCharacterTimeout");
    }

    /** The reply byte by byte, each byte 900 ms after the previous one: slow but within the rule. */
    @Test
    void slowButSteadyCharactersPass() {
        BusConfig cfg = Modbus.ascii();
        BusConfig patient = cfg.toBuilder().connection(cfg.connection().toBuilder().defaultTimeout(Duration.ofSeconds(30)).build()).build();
        BusRig rig = rig(patient);
        long id = send(rig, patient);
        byte[] all = ":1103022B00BF\r\n".getBytes(StandardCharsets.US_ASCII);
        for (byte b : all) {
            rig.deliver(new byte[] {b});
            rig.advance(Duration.ofMillis(900));
        }
        assertThat(rig.endingOf(id)).isInstanceOf(Event.Reply.class);
    }
}
