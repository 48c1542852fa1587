package dev.labwire.core.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.modbus.Modbus;
import dev.labwire.core.modbus.ModbusCall;
import dev.labwire.core.modbus.ModbusException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Modbus RTU, ASCII and TCP on the core Bus, with a fake clock: replies, exceptions, faults, broadcast, tids. */
class ModbusBusTest {
    static final HexFormat HEX = HexFormat.of().withUpperCase();

    /** Unit {@code unit} answers FC 3 with registers 100, 101, ... and refuses other functions with exception 1. */
    static Function<byte[], byte[]> rtuUnit(int unit) {
        return w -> {
            if ((w[0] & 0xFF) != unit) {
                return null;
            }
            if (w[1] == 3) {
                int n = w[5];
                byte[] pdu = new byte[2 + 2 * n];
                pdu[0] = 3;
                pdu[1] = (byte) (2 * n);
                for (int i = 0; i < n; i++) {
                    pdu[3 + 2 * i] = (byte) (100 + i);
                }
                return rtu(unit, pdu);
            }
            return rtu(unit, new byte[] {(byte) (w[1] | 0x80), 1});
        };
    }

    static byte[] rtu(int unit, byte[] pdu) {
        byte[] raw = new byte[1 + pdu.length];
        raw[0] = (byte) unit;
        System.arraycopy(pdu, 0, raw, 1, pdu.length);
        return Checksum.crc16Modbus().append(raw);
    }

    static Event last(BusRig rig, long id) {
        for (int i = rig.events.size() - 1; i >= 0; i--) {
            Event e = rig.events.get(i);
            if ((e instanceof Event.Reply r && r.id() == id) || (e instanceof Event.Failed f && f.id() == id)
                    || (e instanceof Event.Timeout t && t.id() == id)) {
                return e;
            }
        }
        return null;
    }

    static long send(BusRig rig, int unit, ModbusCall<?> c, BusConfig cfg) {
        return rig.send(Address.of(unit), c.request(unit, cfg.addressing()), Bus.Priority.NORMAL);
    }

    @Test
    void rtuReadOnTheWireAndBack() {
        BusConfig cfg = Modbus.rtu(9600);
        BusRig rig = BusRig.open(cfg, rtuUnit(0x11));
        ModbusCall<int[]> c = ModbusCall.readHoldingRegisters(0x6B, 3);
        long id = send(rig, 0x11, c, cfg);
        assertThat(HEX.formatHex(rig.wire.get(0).bytes())).isEqualTo("1103006B00037687");
        Event e = last(rig, id);
        assertThat(e).isInstanceOf(Event.Reply.class);
        assertThat(c.result(0x11, (Event.Reply) e)).containsExactly(100, 101, 102);
    }

    @Test
    void anExceptionResponseNamesUnitFunctionAndCode() {
        BusConfig cfg = Modbus.rtu(9600);
        BusRig rig = BusRig.open(cfg, rtuUnit(5));
        ModbusCall<int[]> c = ModbusCall.readInputRegisters(0, 1);
        long id = send(rig, 5, c, cfg);
        Event.Reply r = (Event.Reply) last(rig, id);
        assertThatThrownBy(() -> c.result(5, r)).isInstanceOf(ModbusException.class)
                .hasMessage("unit 5 answered READ_INPUT_REGISTERS (0x04) with exception 0x01 ILLEGAL FUNCTION");
    }

    @Test
    void aSilentUnitTimesOutAloneAndTheBusMovesOn() {
        BusConfig cfg = Modbus.rtu(9600);
        BusRig rig = BusRig.open(cfg, rtuUnit(2));
        ModbusCall<int[]> c = ModbusCall.readHoldingRegisters(0, 1);
        long dead = rig.send(Address.of(1), c.request(1, cfg.addressing(), Duration.ofMillis(200)), Bus.Priority.NORMAL);
        long live = send(rig, 2, c, cfg);
        assertThat(last(rig, live)).isNull();
        rig.advanceThroughTimers(Duration.ofMillis(250));
        assertThat(last(rig, dead)).isInstanceOf(Event.Timeout.class);
        assertThat(c.result(2, (Event.Reply) last(rig, live))).containsExactly(100);
    }

    @Test
    void garbageBetweenFramesSeparatedBySilenceIsDiscardedAndTheReplyDelivered() {
        BusConfig cfg = Modbus.rtu(9600);
        BusRig rig = BusRig.open(cfg, w -> null);
        ModbusCall<int[]> c = ModbusCall.readHoldingRegisters(0, 1);
        long id = send(rig, 7, c, cfg);
        rig.deliver(new byte[] {0x55, 0x03, 0x7F}); // noise that looks like a start of a frame
        rig.advance(Duration.ofMillis(30));
        rig.deliver(rtu(7, new byte[] {3, 2, 0, 42}));
        assertThat(c.result(7, (Event.Reply) last(rig, id))).containsExactly(42);
        assertThat(rig.bus.foreignFrames()).isEqualTo(1);
    }

    @Test
    void aCrcDamagedReplyFailsItsCallWithBothValues() {
        BusConfig cfg = Modbus.rtu(9600);
        BusRig rig = BusRig.open(cfg, w -> null);
        long id = send(rig, 7, ModbusCall.readHoldingRegisters(0, 1), cfg);
        byte[] bad = rtu(7, new byte[] {3, 2, 0, 42});
        bad[4] ^= 0x01;
        rig.deliver(bad);
        Event e = last(rig, id);
        assertThat(e).isInstanceOf(Event.Failed.class);
        assertThat(((Event.Failed) e).cause()).hasMessageContaining("bad CRC-16/MODBUS in the reply from unit 7: expected 0x")
                .hasMessageContaining("frame discarded");
    }

    @Test
    void aReplyBrokenOffBySilenceIsDiscardedAndTheCallEndsByItsTimeout() {
        BusConfig cfg = Modbus.rtu(9600);
        BusRig rig = BusRig.open(cfg, w -> null);
        long id = send(rig, 7, ModbusCall.readHoldingRegisters(0, 2), cfg);
        byte[] whole = rtu(7, new byte[] {3, 4, 0, 1, 0, 2});
        rig.deliver(Arrays.copyOf(whole, 5));
        rig.advance(Duration.ofMillis(50));
        rig.deliver(rtu(8, new byte[] {3, 2, 0, 1})); // another unit's frame after the silence
        assertThat(rig.events).contains(new Event.Discarded(dev.labwire.core.frame.Frame.of(Arrays.copyOf(whole, 5)),
                Event.DiscardReason.FOREIGN));
        assertThat(last(rig, id)).isNull();
        rig.advanceThroughTimers(Duration.ofSeconds(10));
        assertThat(last(rig, id)).isInstanceOf(Event.Timeout.class);
    }

    @Test
    void aLateReplyOfAnotherUnitIsForeign() {
        BusConfig cfg = Modbus.rtu(9600);
        BusRig rig = BusRig.open(cfg, w -> null);
        long id = send(rig, 7, ModbusCall.readHoldingRegisters(0, 1), cfg);
        rig.deliver(rtu(9, new byte[] {3, 2, 0, 1}));
        rig.deliver(rtu(7, new byte[] {3, 2, 0, 2}));
        assertThat(ModbusCall.readHoldingRegisters(0, 1).result(7, (Event.Reply) last(rig, id))).containsExactly(2);
        assertThat(rig.bus.foreignFrames()).isEqualTo(1);
    }

    @Test
    void aLateReplyOfTheSameUnitForAnotherFunctionIsForeign() {
        BusConfig cfg = Modbus.rtu(9600);
        BusRig rig = BusRig.open(cfg, w -> null);
        ModbusCall<Void> c = ModbusCall.writeSingleRegister(1, 5);
        long id = send(rig, 7, c, cfg);
        rig.deliver(rtu(7, new byte[] {3, 2, 0, 1})); // an FC 3 reply, late from an earlier request
        assertThat(last(rig, id)).isNull();
        rig.deliver(rtu(7, new byte[] {6, 0, 1, 0, 5}));
        assertThat(last(rig, id)).isInstanceOf(Event.Reply.class);
        assertThat(c.result(7, (Event.Reply) last(rig, id))).isNull();
        assertThat(rig.bus.foreignFrames()).isEqualTo(1);
    }

    @Test
    void aBroadcastIsWrittenNeverAnsweredAndTheTurnaroundDelayPassesBeforeTheNextWrite() {
        BusConfig cfg = Modbus.rtu(9600);
        BusRig rig = BusRig.open(cfg, rtuUnit(1));
        long b = send(rig, 0, ModbusCall.writeSingleRegister(1, 7), cfg);
        assertThat(last(rig, b)).isInstanceOf(Event.Reply.class);
        assertThat(HEX.formatHex(rig.wire.get(0).bytes())).startsWith("000600010007");
        send(rig, 1, ModbusCall.readHoldingRegisters(0, 1), cfg);
        assertThat(rig.wire).hasSize(1);
        rig.advanceThroughTimers(Duration.ofMillis(99));
        assertThat(rig.wire).hasSize(1);
        rig.advanceThroughTimers(Duration.ofMillis(2));
        assertThat(rig.wire).hasSize(2);
        assertThat(rig.wire.get(1).atNanos() - rig.wire.get(0).atNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
    }

    @Test
    void asciiWithLrcBothWays() {
        BusConfig cfg = Modbus.ascii();
        BusRig rig = BusRig.open(cfg, w -> ":1103022B00BF\r\n".getBytes());
        ModbusCall<int[]> c = ModbusCall.readHoldingRegisters(0x6B, 1);
        long id = send(rig, 0x11, c, cfg);
        assertThat(rig.wire.get(0).text()).isEqualTo(":1103006B000180\r\n");
        assertThat(c.result(0x11, (Event.Reply) last(rig, id))).containsExactly(0x2B00);
    }

    @Test
    void asciiBadLrcAndNoiseBeforeTheColon() {
        BusConfig cfg = Modbus.ascii();
        BusRig rig = BusRig.open(cfg, w -> "xx:1103022B00BE\r\n".getBytes());
        long id = send(rig, 0x11, ModbusCall.readHoldingRegisters(0x6B, 1), cfg);
        assertThat(((Event.Failed) last(rig, id)).cause()).hasMessageContaining("bad LRC").hasMessageContaining("expected 0xBF, got 0xBE");
    }

    @Test
    void tcpCarriesTheTransactionIdAndALateReplyOfATimedOutRequestIsNeverDelivered() {
        BusConfig cfg = Modbus.tcp();
        BusRig rig = BusRig.open(cfg, w -> null);
        ModbusCall<int[]> c = ModbusCall.readHoldingRegisters(0, 1);
        long first = rig.send(Address.of(1), c.request(1, cfg.addressing(), Duration.ofMillis(100)), Bus.Priority.NORMAL);
        byte[] w1 = rig.wire.get(0).bytes();
        assertThat(HEX.formatHex(w1)).isEqualTo("000100000006010300000001");
        rig.advanceThroughTimers(Duration.ofMillis(150));
        assertThat(last(rig, first)).isInstanceOf(Event.Timeout.class);
        long second = send(rig, 1, c, cfg);
        byte[] w2 = rig.wire.get(1).bytes();
        assertThat(HEX.formatHex(w2, 0, 2)).isEqualTo("0002");
        rig.deliver(HEX.parseHex("00010000000501030200AA")); // the late reply to tid 1
        assertThat(last(rig, second)).isNull();
        rig.deliver(HEX.parseHex("00020000000501030200BB"));
        assertThat(c.result(1, (Event.Reply) last(rig, second))).containsExactly(0xBB);
    }

    @Test
    void unitAddressesOutsideTheSerialRangeAreRefused() {
        BusConfig cfg = Modbus.rtu(9600);
        BusRig rig = BusRig.open(cfg, w -> null);
        Request r = ModbusCall.readHoldingRegisters(0, 1).request(248, cfg.addressing());
        assertThatThrownBy(() -> rig.bus.send(Address.of(248), r, rig.now())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("248..255 are reserved): 248");
    }
}
