package dev.labwire.core.bus;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Framing;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.frame.FramingException;
import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BusBinaryEchoAndLifecycleTest {
    private static final ConnectionConfig RAW = ConnectionConfig.builder().writeTerminator("").build();

    private static BusConfig binary(Checksum c) {
        return BusConfig.builder().connection(RAW).addressing(Addressing.binary(c)).build();
    }

    /** Modbus-style devices 1..3: "read" (0x03) answers 03 02 00 &lt;address&gt;, framed as address + payload + check. */
    private static Function<byte[], byte[]> registers(Checksum c) {
        return cmd -> {
            int addr = cmd[0] & 0xFF;
            if (addr < 1 || addr > 3 || cmd[1] != 0x03) {
                return null;
            }
            return c.append(BusRig.bytes(addr, 0x03, 0x02, 0x00, addr));
        };
    }

    @Test
    void binaryRequestsCarryAddressAndCrcAndRepliesAreStripped() {
        BusRig rig = BusRig.open(binary(Checksum.crc16Modbus()), registers(Checksum.crc16Modbus()));
        Request read = Request.of(BusRig.bytes(0x03, 0x00, 0x6B, 0x00, 0x01), Expect.bytes(4));
        long one = rig.send(Address.of(1), read, Bus.Priority.NORMAL);
        long three = rig.send(Address.of(3), read, Bus.Priority.NORMAL);
        assertThat(rig.wire.get(0).bytes()).containsExactly(Checksum.crc16Modbus().append(BusRig.bytes(1, 0x03, 0x00, 0x6B, 0x00, 0x01)));
        assertThat(rig.replyBytes(one)).containsExactly(0x03, 0x02, 0x00, 0x01);
        assertThat(rig.replyBytes(three)).containsExactly(0x03, 0x02, 0x00, 0x03);
    }

    @Test
    void aBadCheckFailsThatRequestNamingExpectedAndActualForEveryChecksum() {
        for (Checksum c : List.of(Checksum.crc16Modbus(), Checksum.sum8(), Checksum.xor8())) {
            Function<byte[], byte[]> good = registers(c);
            // device 2 flips a bit of its last payload byte on the way back
            BusRig rig = BusRig.open(binary(c), cmd -> {
                byte[] r = good.apply(cmd);
                if (r != null && cmd[0] == 2) {
                    r[r.length - c.size() - 1] ^= 0x10;
                }
                return r;
            });
            Request read = Request.of(BusRig.bytes(0x03), Expect.bytes(4));
            long one = rig.send(Address.of(1), read, Bus.Priority.NORMAL);
            long two = rig.send(Address.of(2), read, Bus.Priority.NORMAL);
            long three = rig.send(Address.of(3), read, Bus.Priority.NORMAL);
            byte[] sent = Arrays.copyOf(good.apply(BusRig.bytes(2, 0x03)), 5);
            sent[4] ^= 0x10;
            String expected = Checksums.hex(c.compute(sent), c.size());
            String actual = Checksums.hex(c.compute(BusRig.bytes(2, 0x03, 0x02, 0x00, 2)), c.size());
            assertThat(rig.failureOf(two)).as(c.name()).isInstanceOf(RemoteProtocolException.class)
                    .hasMessage("reply for address 2 (0x02): bad " + c.name() + " over 5 bytes: expected " + expected + ", got " + actual);
            assertThat(rig.replyBytes(one)).containsExactly(0x03, 0x02, 0x00, 0x01);
            assertThat(rig.replyBytes(three)).containsExactly(0x03, 0x02, 0x00, 0x03);
        }
    }

    @Test
    void aBinaryReplyFromAnotherAddressIsDiscardedAndTheRequestWaitsForItsOwn() {
        Checksum crc = Checksum.crc16Modbus();
        BusRig rig = BusRig.open(binary(crc), cmd -> cmd[0] == 2 ? crc.append(BusRig.bytes(3, 0x03, 0x02, 0x00, 3)) : registers(crc).apply(cmd));
        Request read = Request.of(BusRig.bytes(0x03), Expect.bytes(4));
        long two = rig.send(Address.of(2), read.withTimeout(Duration.ofMillis(100)), Bus.Priority.NORMAL);
        long three = rig.send(Address.of(3), read, Bus.Priority.NORMAL);
        assertThat(rig.eventsOf(Event.Discarded.class)).singleElement().extracting(Event.Discarded::reason).isEqualTo(Event.DiscardReason.FOREIGN);
        rig.advanceThroughTimers(Duration.ofMillis(100));
        assertThat(rig.endingOf(two)).isInstanceOf(Event.Timeout.class);
        assertThat(rig.replyBytes(three)).containsExactly(0x03, 0x02, 0x00, 0x03);
    }

    @Test
    void binaryFramesCanAlsoComeLengthPrefixed() {
        Checksum sum = Checksum.sum8();
        BusConfig cfg = BusConfig.builder().addressing(Addressing.binary(sum))
                .connection(RAW.toBuilder().framing(Framing.lengthPrefixed(1)).build()).build();
        BusRig rig = BusRig.open(cfg, cmd -> {
            byte[] body = sum.append(BusRig.bytes(cmd[0], 'o', 'k'));
            return BusRig.concat(BusRig.bytes(body.length), body);
        });
        assertThat(rig.replyText(rig.send(Address.of(9), Request.of(BusRig.bytes(1), Expect.frame()), Bus.Priority.NORMAL))).isEqualTo("ok");
    }

    // ------------------------------------------------------------------ half-duplex echo

    private static final BusConfig ASCII_ECHO = BusConfig.builder()
            .connection(BusTest.CR.toBuilder().echo(ConnectionConfig.Echo.CHECK_AND_DROP).build()).build();

    @Test
    void theEchoIsDroppedWhateverTheSplitAndTheReplyStillMatches() {
        byte[] wire = BusTest.b("AFLOW?\rA +1.00\r");
        Chunking.assertEveryChunkingAndGarbage(wire, BusTest.b("BFL0W?\rB 0\r"), chunks -> {
            BusRig rig = BusRig.open(ASCII_ECHO, cmd -> null);
            long a = rig.send(BusTest.A, "FLOW?");
            rig.send(BusTest.B, "FLOW?");
            for (byte[] c : chunks) {
                rig.deliver(c);
            }
            List<String> out = new ArrayList<>();
            out.add(rig.replyText(a));
            out.add(rig.written().toString());
            return out;
        }, List.of(" +1.00", "[AFLOW?\r, BFLOW?\r]"));
    }

    @Test
    void aWriteOnAnEchoingBusEndsWithItsEchoAndTheNextTurnWaitsForIt() {
        BusRig rig = BusRig.open(ASCII_ECHO, BusTest.threeDevices());
        rig.echo(true);
        rig.hold(true);
        long w = rig.send(BusTest.A, Request.write("ZERO"), Bus.Priority.NORMAL);
        long bId = rig.send(BusTest.B, "ID?");
        assertThat(rig.written()).as("the write's echo has not come back yet").containsExactly("AZERO\r");
        assertThat(rig.bus.isWireBusy()).isTrue();
        rig.hold(false);
        rig.pump();
        assertThat(((Event.Reply) rig.endingOf(w)).frames()).isEmpty();
        assertThat(rig.replyText(bId)).isEqualTo(" B");
        assertThat(rig.written()).containsExactly("AZERO\r", "BID?\r");
    }

    @Test
    void aWrongEchoFailsThatRequestAndTheOtherAddressesGoOn() {
        BusRig rig = BusRig.open(ASCII_ECHO, BusTest.threeDevices());
        rig.hold(true);
        long a = rig.send(BusTest.A, "FLOW?");
        long bId = rig.send(BusTest.B, "ID?");
        rig.takeOutbox();
        rig.echo(true);
        rig.hold(false);
        rig.deliver(BusTest.b("AFL\u00d6W?\rA +1.00\r")); // a collision damaged one byte of the echo
        assertThat(rig.failureOf(a)).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("echo mismatch")
                .hasMessageContaining("sent \"AFLOW?\\r\" (7 bytes), received \"AFL\\xD6\"")
                .hasMessageContaining("byte 3 should be 0x4F but is 0xD6");
        assertThat(rig.replyText(bId)).isEqualTo(" B");
        assertThat(rig.eventsOf(Event.Discarded.class)).as("A's answer to the damaged command reaches nobody")
                .extracting(d -> d.frame().asString()).containsExactly("A +1.00");
        assertThat(rig.written()).containsExactly("AFLOW?\r", "BID?\r");
    }

    // ------------------------------------------------------------------ lifecycle and misuse

    @Test
    void linkLossFailsTheExchangeOnTheWireKeepsTheQueueAndCarriesOnAfterTheReconnect() {
        ConnectionConfig cc = BusTest.CR.toBuilder().backoff(new dev.labwire.core.Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2, 0))
                .jitter(() -> dev.labwire.core.JitterSource.fixed(0.5)).build();
        BusRig rig = BusRig.open(BusConfig.builder().connection(cc).build(), BusTest.threeDevices());
        rig.hold(true);
        long a = rig.send(BusTest.A, "ID?");
        long bId = rig.send(BusTest.B, "ID?");
        IllegalStateException cable = new IllegalStateException("cable pulled");
        rig.bus.linkDown(cable, rig.now());
        rig.pump();
        assertThat(rig.failureOf(a)).isSameAs(cable);
        assertThat(rig.endingOf(bId)).isNull();
        assertThat(rig.bus.state()).isEqualTo(State.DOWN);
        rig.takeOutbox();
        rig.hold(false);
        rig.advanceThroughTimers(Duration.ofMillis(150));
        assertThat(rig.replyText(bId)).isEqualTo(" B");
    }

    @Test
    void queuedRequestsFailOnLinkLossWhenSoConfiguredAndSendsAreRefusedWithoutReconnect() {
        ConnectionConfig cc = BusTest.CR.toBuilder().queuedOnLinkDown(ConnectionConfig.QueuedOnLinkDown.FAIL).build();
        BusRig rig = BusRig.open(BusConfig.builder().connection(cc).build(), BusTest.threeDevices());
        rig.hold(true);
        rig.send(BusTest.A, "ID?");
        long bId = rig.send(BusTest.B, "ID?");
        long cId = rig.send(BusTest.C, "ID?");
        IllegalStateException gone = new IllegalStateException("gone");
        rig.bus.linkDown(gone, rig.now());
        rig.pump();
        assertThat(rig.failureOf(bId)).isSameAs(gone);
        assertThat(rig.failureOf(cId)).isSameAs(gone);
        assertThat(rig.bus.queuedCount()).isZero();

        BusRig off = BusRig.open(BusConfig.builder().connection(BusTest.CR.toBuilder().autoReconnect(false).build()).build(), BusTest.threeDevices());
        off.bus.linkDown(gone, off.now());
        assertThatThrownBy(() -> off.bus.send(BusTest.A, Request.query("ID?"), off.now()))
                .isInstanceOf(LocalProtocolException.class).hasMessageContaining("autoReconnect is off").hasMessageContaining("\"A\"");
    }

    @Test
    void closeFailsEverythingNotEndedAndRefusesMore() {
        BusRig rig = BusRig.open(BusTest.ASCII, BusTest.threeDevices());
        rig.hold(true);
        long a = rig.send(BusTest.A, "ID?");
        long bId = rig.send(BusTest.B, "ID?");
        rig.bus.close(rig.now());
        rig.bus.close(rig.now());
        rig.pump();
        assertThat(rig.failureOf(a)).isInstanceOf(LocalProtocolException.class);
        assertThat(rig.failureOf(bId)).isInstanceOf(LocalProtocolException.class).hasMessageContaining("bus closed");
        assertThat(rig.bus.state()).isEqualTo(State.CLOSED);
        assertThat(rig.bus.pollTimeout()).isEmpty();
        assertThat(rig.bus.pollTransmit()).isNull();
        assertThatThrownBy(() -> rig.bus.send(BusTest.A, Request.query("ID?"), rig.now()))
                .isInstanceOf(LocalProtocolException.class).hasMessageContaining("closed");
    }

    @Test
    void aReplyCutShortByEndOfStreamFailsAsTruncated() {
        BusRig rig = BusRig.open(BusTest.ASCII, cmd -> null);
        long a = rig.send(BusTest.A, "ID?");
        rig.deliver(BusTest.b("A hal"));
        rig.bus.receiveEof(rig.now());
        rig.pump();
        assertThat(((FramingException) rig.failureOf(a)).kind()).isEqualTo(FramingException.Kind.TRUNCATED);
    }

    @Test
    void linkAttemptsThatFailAreRetriedThroughTheBus() {
        BusRig rig = new BusRig(BusTest.ASCII, BusTest.threeDevices());
        rig.bus.open(rig.now());
        assertThat(rig.bus.nextEvent()).isInstanceOf(Event.StateChanged.class);
        assertThat(rig.bus.nextEvent()).isEqualTo(new Event.OpenLink(1));
        rig.bus.linkFailed(new IllegalStateException("refused"), rig.now());
        assertThat(rig.bus.state()).isEqualTo(State.DOWN);
        assertThat(rig.bus.pollTimeout()).isPresent();
    }

    @Test
    void misuseIsRefusedNamingTheValue() {
        BusRig rig = BusRig.open(BusTest.ASCII.toBuilder().connection(BusTest.CR.toBuilder().maxQueued(2).build()).build(), cmd -> null);
        assertThatThrownBy(() -> rig.bus.send(Address.of(5), Request.query("ID?"), rig.now()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 (0x05)");
        assertThatThrownBy(() -> rig.bus.send(BusTest.A, Request.of("CURV?", Expect.block()), rig.now()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block").hasMessageContaining("CURV?");
        assertThatThrownBy(() -> rig.bus.send(BusTest.A, Request.query("X\rY"), rig.now()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write terminator at index 2");
        assertThatThrownBy(() -> rig.bus.send(null, Request.query("X"), rig.now())).isInstanceOf(NullPointerException.class);
        rig.hold(true);
        rig.send(BusTest.A, "ID?"); // on the wire, not queued
        rig.send(BusTest.A, "ID?");
        rig.send(BusTest.B, "ID?");
        assertThatThrownBy(() -> rig.bus.send(BusTest.C, Request.query("ID?"), rig.now()))
                .isInstanceOf(LocalProtocolException.class).hasMessageContaining("maxQueued");
    }

    @Test
    void aChecksumByteEqualToTheTerminatorIsRefusedAtSend() {
        BusConfig cfg = BusConfig.builder().addressing(Addressing.binary(Checksum.sum8())).connection(BusTest.CR).build();
        Bus bus = new Bus(cfg);
        // address 1 + payload 0x0C sums to 0x0D = '\r'
        assertThatThrownBy(() -> bus.send(Address.of(1), Request.of(BusRig.bytes(0x0C), Expect.bytes(1)), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("write terminator at index 2").hasMessageContaining("\"\\x01\\x0C\\r\"") // the one printer: CR as \r
                .hasMessageContaining("writeTerminator \"\"");
        assertThat(bus.send(Address.of(1), Request.of(BusRig.bytes(0x0B), Expect.bytes(1)), 0)).isEqualTo(1);
    }

    @Test
    void checkRefusesWhatSendWouldAndQueuesNothing() {
        BusConfig cfg = BusConfig.builder().addressing(Addressing.binary(Checksum.sum8())).connection(BusTest.CR).build();
        Bus bus = new Bus(cfg);
        assertThatThrownBy(() -> bus.check(Address.of(1), Request.of(BusRig.bytes(0x0C), Expect.bytes(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("write terminator at index 2");
        assertThatThrownBy(() -> bus.check(Address.of(1), Request.of("CURV?", Expect.block())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block");
        assertThatThrownBy(() -> bus.check(null, Request.query("X"))).isInstanceOf(NullPointerException.class);
        bus.check(Address.of(1), Request.of(BusRig.bytes(0x0B), Expect.bytes(1)));
        assertThat(bus.queuedCount()).isZero();
        assertThat(bus.send(Address.of(1), Request.of(BusRig.bytes(0x0B), Expect.bytes(1)), 0)).isEqualTo(1);
    }

    @Test
    void configIsValidated() {
        assertThatThrownBy(() -> BusConfig.builder().connection(ConnectionConfig.builder().maxInFlight(2).build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxInFlight=2");
        assertThatThrownBy(() -> BusConfig.builder().connection(ConnectionConfig.builder().externalHook(true).build()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("externalHook");
        assertThatThrownBy(() -> BusConfig.builder().turnaround(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("turnaround").hasMessageContaining("-0.001");
        assertThatThrownBy(() -> BusConfig.builder().lateReplyGrace(Duration.ofMillis(-2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lateReplyGrace");
        assertThatThrownBy(() -> BusConfig.builder().addressing(null)).isInstanceOf(NullPointerException.class);
        BusConfig c = BusConfig.builder().turnaround(Duration.ofMillis(4)).lateReplyGrace(Duration.ofMillis(7))
                .addressing(Addressing.binary(Checksum.xor8())).build();
        BusConfig copy = c.toBuilder().build();
        assertThat(copy.turnaround()).isEqualTo(Duration.ofMillis(4));
        assertThat(copy.lateReplyGrace()).isEqualTo(Duration.ofMillis(7));
        assertThat(copy.addressing()).isEqualTo(Addressing.binary(Checksum.xor8()));
        assertThat(copy.connection().staleReplyPolicy()).isEqualTo(dev.labwire.core.StaleReplyPolicy.releaseAfter(Duration.ZERO));
        assertThat(BusConfig.DEFAULT.lateReplyGrace()).isEqualTo(Duration.ofSeconds(1));
        assertThat(BusConfig.DEFAULT.addressing()).isEqualTo(Addressing.asciiPrefix());
        assertThat(BusConfig.DEFAULT.turnaround()).isZero();
        assertThat(new String(BusConfig.DEFAULT.connection().writeTerminator(), ISO_8859_1)).isEqualTo("\n");
    }

    @Test
    void pollTransmitDoesNothingBeforeTheLinkIsUp() {
        Bus bus = new Bus(BusTest.ASCII);
        bus.send(BusTest.A, Request.query("ID?"), 0);
        assertThat(bus.pollTransmit()).isNull();
        assertThat(bus.state()).isEqualTo(State.IDLE);
        bus.receive(ByteBuffer.wrap(BusTest.b("A x\r")), 0);
        assertThat(bus.nextEvent()).isEqualTo(Event.NeedData.INSTANCE);
    }
}
