package dev.labwire.core.bus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Event;
import dev.labwire.core.modbus.Modbus;
import dev.labwire.core.modbus.ModbusCall;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A request that times out while replies did come says what came: frames discarded as not its reply (another unit, a
 * transaction id not echoed, another function) and bytes that never made a whole frame (a byte count or length field
 * that lies, a frame broken off). Before, each said "no reply came". And a Modbus TCP reply whose length field lies
 * costs its own request only: before, its stray byte made the next reply unreadable.
 */
class ModbusTimeoutDetailTest {
    static final HexFormat HEX = HexFormat.of().withUpperCase();
    static final ModbusCall<int[]> READ = ModbusCall.readHoldingRegisters(0, 1);

    /** Sends READ to unit 1 with a 100 ms timeout, delivers {@code reply}, runs the clock on; the ending event. */
    static Event call(BusRig rig, BusConfig cfg, byte[] reply) {
        long id = rig.send(Address.of(1), READ.request(1, cfg.addressing(), Duration.ofMillis(100)), Bus.Priority.NORMAL);
        if (reply != null) {
            rig.deliver(reply);
        }
        rig.advanceThroughTimers(Duration.ofMillis(1500)); // past the timeout and the unit's late-reply grace
        return ModbusBusTest.last(rig, id);
    }

    static String timeoutDetail(Event e) {
        assertThat(e).isInstanceOf(Event.Timeout.class);
        return ((Event.Timeout) e).detail();
    }

    @Test
    void rtuTimeoutsNameTheFramesThatCameAndTheBytesThatMadeNoFrame() {
        BusConfig cfg = Modbus.rtu(9600);
        Map<byte[], String> cases = Map.of(
                ModbusBusTest.rtu(2, new byte[] {3, 2, 0, 7}),
                "no reply came; 1 frame came that could not be its reply and was discarded: unit 2 answered, not unit 1: \"\\x02\\x03",
                ModbusBusTest.rtu(1, new byte[] {4, 2, 0, 7}),
                "no reply came; 1 frame came that could not be its reply and was discarded: function code 0x04 came for the request's 0x03",
                ModbusBusTest.rtu(1, new byte[] {3, 4, 0, 7}), // the byte count says 4, 2 came
                "no whole reply came: 7 bytes came that make no whole frame (\"\\x01\\x03\\x04\\x00\\x07",
                java.util.Arrays.copyOf(ModbusBusTest.rtu(1, new byte[] {3, 2, 0, 7}), 4), // half a frame, then silence
                "no whole reply came: 4 bytes came that make no whole frame (\"\\x01\\x03\\x02\\x00\") under RtuFramer");
        for (Map.Entry<byte[], String> c : cases.entrySet()) {
            BusRig rig = BusRig.open(cfg, w -> null);
            assertThat(timeoutDetail(call(rig, cfg, c.getKey()))).startsWith(c.getValue());
            // and the next call gets its own reply (the unit's bytes after a silence start a new frame)
            rig.advance(Duration.ofMillis(50));
            Event next = call(rig, cfg, ModbusBusTest.rtu(1, new byte[] {3, 2, 0, 9}));
            assertThat(READ.result(1, (Event.Reply) next)).containsExactly(9);
        }
    }

    @Test
    void asciiTimeoutsNameAnotherUnitAndNoise() {
        BusConfig cfg = Modbus.ascii();
        byte[] unit2 = (":020302000" + "7" + String.format("%02X", Modbus.lrc(new byte[] {2, 3, 2, 0, 7})) + "\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        BusRig rig = BusRig.open(cfg, w -> null);
        assertThat(timeoutDetail(call(rig, cfg, unit2))).isEqualTo("no reply came; 1 frame came that could not be its reply and"
                + " was discarded: unit 2 answered, not unit 1: \":0203020007F2\"");
        rig = BusRig.open(cfg, w -> null);
        assertThat(timeoutDetail(call(rig, cfg, "noise\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))))
                .endsWith("discarded: no ':' starts a message in it (noise): \"noise\"");
    }

    @Test
    void aTcpServerThatDoesNotEchoTheTransactionIdIsNamed() {
        BusConfig cfg = Modbus.tcp();
        BusRig rig = BusRig.open(cfg, w -> null);
        assertThat(timeoutDetail(call(rig, cfg, HEX.parseHex("0000000000050103020007")))).isEqualTo("no reply came; 1 frame came that"
                + " could not be its reply and was discarded: transaction id 0x0000 came, the request's is 0x0001 (a late reply to an"
                + " earlier request, or a server that does not echo the transaction id): \"\\x00\\x00\\x00\\x00\\x00\\x05\\x01\\x03\\x02\\x00\\x07\"");
    }

    @Test
    void aTcpReplyWhoseLengthFieldLiesCostsItsOwnCallOnly() {
        BusConfig cfg = Modbus.tcp();
        // one short: the reply's last byte stands before the next reply's header
        BusRig rig = BusRig.open(cfg, w -> null);
        Event first = call(rig, cfg, HEX.parseHex("0001000000040103020007"));
        assertThat(first).isInstanceOf(Event.Reply.class); // "03 02 00": ModbusCall.decode refuses its byte count
        assertThat(READ.result(1, (Event.Reply) call(rig, cfg, HEX.parseHex("0002000000050103020009")))).containsExactly(9);
        // zero and past the largest frame: the request fails at once, naming the field; the next one is read
        for (String head : new String[] {"0000", "FFFF"}) {
            rig = BusRig.open(cfg, w -> null);
            Event bad = call(rig, cfg, HEX.parseHex("00010000" + head + "0103020007"));
            assertThat(((Event.Failed) bad).cause()).hasMessageStartingWith("Modbus TCP reply has length field " + Integer.parseInt(head, 16)
                    + ", outside 2..254 (unit id and PDU)");
            assertThat(READ.result(1, (Event.Reply) call(rig, cfg, HEX.parseHex("0002000000050103020009")))).containsExactly(9);
        }
        // one long: the request times out naming the bytes held; the next one is read
        rig = BusRig.open(cfg, w -> null);
        assertThat(timeoutDetail(call(rig, cfg, HEX.parseHex("0001000000060103020007"))))
                .isEqualTo("no whole reply came: 11 bytes came that make no whole frame (\"\\x00\\x01\\x00\\x00\\x00\\x06\\x01\\x03\\x02\\x00\\x07\")"
                        + " under MbapFramer[protocol 0, length 2..254]");
        assertThat(READ.result(1, (Event.Reply) call(rig, cfg, HEX.parseHex("0002000000050103020009")))).containsExactly(9);
    }

    /**
     * A TCP reply that straddles its request's timeout: its first bytes come before, the rest after, with the next
     * reply. The rest is no header (here its "length field" says 170): it is skipped, and the next call is answered.
     * Before, a length-field framer waited for those 176 bytes and the next call timed out too.
     */
    @Test
    void theRestOfATcpReplyThatStraddledItsTimeoutDoesNotCostTheNextCall() {
        BusConfig cfg = Modbus.tcp();
        BusRig rig = BusRig.open(cfg, w -> null);
        long first = rig.send(Address.of(1), READ.request(1, cfg.addressing(), Duration.ofMillis(100)), Bus.Priority.NORMAL);
        rig.advance(Duration.ofMillis(50));
        rig.deliver(HEX.parseHex("0001000000"));
        rig.advanceThroughTimers(Duration.ofMillis(100));
        assertThat(ModbusBusTest.last(rig, first)).isInstanceOf(Event.Timeout.class);
        long second = rig.send(Address.of(1), READ.request(1, cfg.addressing(), Duration.ofMillis(100)), Bus.Priority.NORMAL);
        rig.deliver(HEX.parseHex("0501030200AA" + "0002000000050103020009"));
        rig.advanceThroughTimers(Duration.ofMillis(150));
        assertThat(READ.result(1, (Event.Reply) ModbusBusTest.last(rig, second))).containsExactly(9);
    }

    /**
     * A line that echoes what the master writes, while the bus was not told ({@code Echo.NONE}): every read failed on
     * its own echo with a bad CRC (RTU) or a byte count (ASCII) and nothing hinted at the echo. The failure now says it.
     */
    @Test
    void aFailureOnTheRequestsOwnEchoSaysTheLineEchoes() {
        String hint = "the link seems to echo what is written (a 2-wire RS485 adapter without echo suppression?); then set"
                + " ConnectionConfig.echo(Echo.CHECK_AND_DROP)";
        BusConfig rtu = Modbus.rtu(9600);
        BusRig rig = BusRig.open(rtu, ModbusBusTest.rtuUnit(1));
        rig.echo(true);
        Event e = call(rig, rtu, null);
        assertThat(((Event.Failed) e).cause()).hasMessageStartingWith("bad CRC-16/MODBUS in the reply from unit 1")
                .hasMessageEndingWith("; those bytes are the start of the request as it was written: " + hint);
        ModbusCall<Void> write = ModbusCall.writeMultipleRegisters(0, new int[] {1, 2});
        long id = rig.send(Address.of(1), write.request(1, rtu.addressing()), Bus.Priority.NORMAL);
        rig.advanceThroughTimers(Duration.ofMillis(1500));
        assertThat(((Event.Failed) ModbusBusTest.last(rig, id)).cause()).hasMessageEndingWith(hint);

        BusConfig ascii = Modbus.ascii();
        rig = BusRig.open(ascii, w -> null);
        rig.echo(true);
        Event.Reply r = (Event.Reply) call(rig, ascii, null); // the echo is a well-formed ASCII frame of unit 1
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> READ.result(1, r))
                .hasMessage("unit 1 answered READ_HOLDING_REGISTERS (0x03) with byte count 0 in 5 bytes (the request needs 2 data"
                        + " bytes); that reply is the request's own PDU: " + hint);
        // a damaged reply that is no echo keeps its message as it was
        rig = BusRig.open(rtu, w -> null);
        Event bad = call(rig, rtu, ModbusBusTest.rtu(1, new byte[] {3, 2, 0, 7, 0}));
        assertThat(((Event.Failed) bad).cause().getMessage()).doesNotContain("echo");
    }

    @Test
    void aLineBusWithTheWrongTerminatorSaysWhatCame() {
        Function<byte[], byte[]> device = w -> "A+1.25\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1); // LF, not CR
        BusConfig cfg = BusConfig.builder().connection(dev.labwire.core.ConnectionConfig.builder().framing(
                dev.labwire.core.Framing.lines("\r")).writeTerminator("\r").defaultTimeout(Duration.ofMillis(100)).build()).build();
        BusRig rig = BusRig.open(cfg, device);
        long id = rig.send(Address.of("A"), "FLOW?");
        rig.advanceThroughTimers(Duration.ofMillis(200));
        assertThat(timeoutDetail(rig.endingOf(id))).startsWith("no whole reply came: 7 bytes came that make no whole frame (\"A+1.25\\n\") under LineFramer[\"\\r\"");
    }
}
