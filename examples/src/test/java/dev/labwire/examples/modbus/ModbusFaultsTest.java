package dev.labwire.examples.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.modbus.Modbus;
import dev.labwire.core.modbus.ModbusCall;
import dev.labwire.core.modbus.ModbusException;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockModbus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault model on Modbus RTU (socat pty) and TCP (loopback), both clients, against {@link MockModbus}: a silent
 * unit, a late reply, a damaged reply, garbage between frames, an exception response, a broadcast, and the
 * {@link MockModbus.ReplyFault}s of real devices. No reply reaches the wrong call, every call ends by its deadline, and
 * a call that fails says what came.
 */
class ModbusFaultsTest {
    enum Link { RTU, TCP }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (ModbusClients.Kind k : ModbusClients.Kind.values()) {
            for (Link l : Link.values()) {
                all.add(Arguments.of(k, l));
            }
        }
        return all.stream();
    }

    static MockModbus mock(Link link) {
        if (link == Link.RTU) {
            assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
            return MockModbus.rtu();
        }
        return MockModbus.tcp();
    }

    static BusConfig config(Link link) {
        return link == Link.RTU ? Modbus.rtu(9600) : Modbus.tcp();
    }

    /** Runs {@code call}, asserting it ends (either way) within {@code limit}. */
    static void endsWithin(Duration limit, Runnable call) {
        long t0 = System.nanoTime();
        try {
            call.run();
        } finally {
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the call ends by its deadline").isLessThan(limit);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void valuesWritesExceptionsAndBroadcast(ModbusClients.Kind kind, Link link) {
        try (MockModbus mock = mock(link); ModbusClients.Bus bus = ModbusClients.open(kind, mock.endpoint(), config(link))) {
            mock.setHoldingRegisters(0, 10, 20, 30).setInputRegisters(3, 99).setCoils(5, true);
            ModbusClients.Unit u = bus.unit(1);
            assertThat(u.call(ModbusCall.readHoldingRegisters(0, 3))).containsExactly(10, 20, 30);
            assertThat(u.call(ModbusCall.readInputRegisters(3, 1))).containsExactly(99);
            assertThat(u.call(ModbusCall.readCoils(4, 2))).containsExactly(false, true);
            u.call(ModbusCall.writeMultipleRegisters(100, new int[] {1, 2}));
            assertThat(u.call(ModbusCall.readWriteMultipleRegisters(100, 3, 102, new int[] {3}))).containsExactly(1, 2, 3);
            assertThatThrownBy(() -> u.call(ModbusCall.readHoldingRegisters(MockModbus.DEFAULT_SIZE - 1, 2)))
                    .isInstanceOf(ModbusException.class)
                    .hasMessage("unit 1 answered READ_HOLDING_REGISTERS (0x03) with exception 0x02 ILLEGAL DATA ADDRESS");
            if (link == Link.RTU) {
                assertThat(bus.unit(0).call(ModbusCall.writeSingleRegister(200, 77))).isNull(); // returns once written
                // the next exchange goes after the broadcast delay; by then the mock has acted on it
                assertThat(u.call(ModbusCall.readHoldingRegisters(200, 1))).containsExactly(77);
                assertThatThrownBy(() -> bus.unit(0).call(ModbusCall.readHoldingRegisters(0, 1)))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broadcast");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aSilentUnitTimesOutAloneAndTheBusMovesOn(ModbusClients.Kind kind, Link link) {
        try (MockModbus mock = mock(link); ModbusClients.Bus bus = ModbusClients.open(kind, mock.endpoint(), config(link))) {
            mock.unit(2).silent(2, true).setHoldingRegisters(0, 5);
            endsWithin(Duration.ofSeconds(3), () -> assertThatThrownBy(
                    () -> bus.unit(2).call(ModbusCall.readHoldingRegisters(0, 1), Duration.ofMillis(300)))
                    .isInstanceOf(RequestTimeoutException.class));
            endsWithin(Duration.ofSeconds(3), () -> assertThat(bus.unit(1).call(ModbusCall.readHoldingRegisters(0, 1), Duration.ofSeconds(2)))
                    .containsExactly(5));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aLateReplyNeverAnswersTheNextCall(ModbusClients.Kind kind, Link link) {
        try (MockModbus mock = mock(link); ModbusClients.Bus bus = ModbusClients.open(kind, mock.endpoint(), config(link))) {
            ModbusClients.Unit u = bus.unit(1);
            mock.setHoldingRegisters(0, 1).delay(Duration.ofMillis(600));
            endsWithin(Duration.ofSeconds(3), () -> assertThatThrownBy(() -> u.call(ModbusCall.readHoldingRegisters(0, 1), Duration.ofMillis(300)))
                    .isInstanceOf(RequestTimeoutException.class));
            mock.delay(Duration.ZERO).setHoldingRegisters(0, 2);
            // the stale reply (value 1) comes while this call waits or before it is sent: it must not be its answer
            endsWithin(Duration.ofSeconds(5), () -> assertThat(u.call(ModbusCall.readHoldingRegisters(0, 1), Duration.ofSeconds(4)))
                    .containsExactly(2));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aDamagedReplyFailsItsCallClearlyAndTheNextOneWorks(ModbusClients.Kind kind, Link link) {
        try (MockModbus mock = mock(link); ModbusClients.Bus bus = ModbusClients.open(kind, mock.endpoint(), config(link))) {
            ModbusClients.Unit u = bus.unit(1);
            mock.setHoldingRegisters(0, 3).corruptNextReplies(1);
            endsWithin(Duration.ofSeconds(3), () -> assertThatThrownBy(() -> u.call(ModbusCall.readHoldingRegisters(0, 1), Duration.ofSeconds(2)))
                    .isInstanceOf(RemoteProtocolException.class)
                    .hasMessageContaining(link == Link.RTU ? "bad CRC-16/MODBUS in the reply from unit 1: expected 0x" : "protocol id 1"));
            endsWithin(Duration.ofSeconds(5), () -> assertThat(u.call(ModbusCall.readHoldingRegisters(0, 1), Duration.ofSeconds(4)))
                    .containsExactly(3));
        }
    }

    /**
     * Each {@link MockModbus.ReplyFault} costs its own call only, with a message naming what came (before: a timeout
     * "no reply came" for replies that did come; on TCP a reply whose MBAP length was one short made the next call
     * fail with "TOO_LONG: frame of 1016 bytes").
     */
    @ParameterizedTest
    @MethodSource("cases")
    void aFaultyReplyCostsItsOwnCallAndSaysWhatCame(ModbusClients.Kind kind, Link link) {
        try (MockModbus mock = mock(link); ModbusClients.Bus bus = ModbusClients.open(kind, mock.endpoint(), config(link))) {
            ModbusClients.Unit u = bus.unit(1);
            mock.setHoldingRegisters(0, 11, 12);
            java.util.Map<MockModbus.ReplyFault, String> said = new java.util.LinkedHashMap<>();
            said.put(MockModbus.ReplyFault.WRONG_UNIT, link == Link.RTU ? "was discarded: unit 2 answered, not unit 1"
                    : "reply from the wrong unit: expected 1, got 2");
            said.put(MockModbus.ReplyFault.OTHER_FUNCTION, link == Link.RTU ? "function code 0x04 came for the request's 0x03"
                    : "answered READ_HOLDING_REGISTERS (0x03) with function code 0x04");
            said.put(MockModbus.ReplyFault.BYTE_COUNT_LIES, link == Link.RTU ? "no whole reply came: 9 bytes came that make no whole frame"
                    : "byte count 6 in 6 bytes (the request needs 4 data bytes)");
            said.put(MockModbus.ReplyFault.HALF_FRAME, link == Link.RTU ? "no whole reply came: 4 bytes came that make no whole frame"
                    : "no whole reply came: 6 bytes came that make no whole frame");
            if (link == Link.TCP) {
                said.put(MockModbus.ReplyFault.TRANSACTION_ID_ZERO, "transaction id 0x0000 came, the request's is 0x");
                said.put(MockModbus.ReplyFault.MBAP_LENGTH_SHORT, "byte count 4 in 5 bytes");
                said.put(MockModbus.ReplyFault.MBAP_LENGTH_LONG, "no whole reply came: 13 bytes came that make no whole frame");
            }
            for (java.util.Map.Entry<MockModbus.ReplyFault, String> e : said.entrySet()) {
                mock.faultNextReplies(e.getKey(), 1);
                endsWithin(Duration.ofSeconds(2), () -> assertThatThrownBy(() -> u.call(ModbusCall.readHoldingRegisters(0, 2), Duration.ofMillis(400)))
                        .as("%s", e.getKey()).isInstanceOf(RuntimeException.class).hasMessageContaining(e.getValue()));
                endsWithin(Duration.ofSeconds(4), () -> assertThat(u.call(ModbusCall.readHoldingRegisters(0, 2), Duration.ofSeconds(3)))
                        .as("the call after %s", e.getKey()).containsExactly(11, 12));
            }
            // a reply that straddles its call's timeout: 5 bytes, the rest 600 ms later (before, on TCP, a length-field
            // framer took the rest for a header and the next call failed: "TOO_LONG: frame of 1095 bytes")
            mock.splitReplies(5, Duration.ofMillis(600));
            endsWithin(Duration.ofSeconds(2), () -> assertThatThrownBy(() -> u.call(ModbusCall.readHoldingRegisters(0, 2), Duration.ofMillis(400)))
                    .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("no whole reply came: 5 bytes came that make no whole frame"));
            mock.splitReplies(0, Duration.ZERO);
            endsWithin(Duration.ofSeconds(4), () -> assertThat(u.call(ModbusCall.readHoldingRegisters(0, 2), Duration.ofSeconds(3)))
                    .as("the call after a reply that straddled its timeout").containsExactly(11, 12));
        }
    }

    /**
     * A long reply handed over in pieces with gaps past the RTU frame gap (20 ms), as a USB adapter's packets reach a
     * reader that is a little late: one reply, not a reply cut in four and a timeout (before: "no reply came").
     */
    @ParameterizedTest
    @MethodSource("cases")
    void aLongReplyInPiecesReadLateIsOneReply(ModbusClients.Kind kind, Link link) {
        try (MockModbus mock = mock(link); ModbusClients.Bus bus = ModbusClients.open(kind, mock.endpoint(), config(link))) {
            int[] values = new int[125];
            for (int i = 0; i < values.length; i++) {
                values[i] = 500 + 3 * i;
            }
            mock.setHoldingRegisters(0, values).splitReplies(64, Duration.ofMillis(30));
            ModbusClients.Unit u = bus.unit(1);
            for (int i = 0; i < 3; i++) {
                endsWithin(Duration.ofSeconds(3), () -> assertThat(u.call(ModbusCall.readHoldingRegisters(0, 125), Duration.ofSeconds(2)))
                        .containsExactly(values));
            }
        }
    }

    /**
     * A 2-wire RS485 adapter that echoes what the master writes: without {@code Echo.CHECK_AND_DROP} a read fails on
     * its own echo and says so; with it reads, writes, a broadcast (it ends when its echo is back), a silent unit and a
     * faulty reply behave as without the echo.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void anEchoingHalfDuplexLineServesEveryKindOfCall(ModbusClients.Kind kind, Link link) {
        assumeTrue(link == Link.RTU, "an echo is a serial line's");
        BusConfig rtu = Modbus.rtu(9600);
        BusConfig echoing = rtu.toBuilder().connection(rtu.connection().toBuilder()
                .echo(dev.labwire.core.ConnectionConfig.Echo.CHECK_AND_DROP).build()).build();
        try (MockModbus mock = mock(link).echo(true)) {
            // not told that the line echoes: each read fails on its own echo, and says so (before: only "bad CRC")
            try (ModbusClients.Bus bus = ModbusClients.open(kind, mock.endpoint(), rtu)) {
                endsWithin(Duration.ofSeconds(2), () -> assertThatThrownBy(() -> bus.unit(1).call(ModbusCall.readHoldingRegisters(0, 2), Duration.ofSeconds(1)))
                        .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("bad CRC-16/MODBUS in the reply from unit 1")
                        .hasMessageEndingWith("the link seems to echo what is written (a 2-wire RS485 adapter without echo suppression?);"
                                + " then set ConnectionConfig.echo(Echo.CHECK_AND_DROP)"));
            }
            echoingLine(kind, mock, echoing);
        }
    }

    private static void echoingLine(ModbusClients.Kind kind, MockModbus mock, BusConfig echoing) {
        try (ModbusClients.Bus bus = ModbusClients.open(kind, mock.endpoint(), echoing)) {
            mock.unit(2).silent(2, true).setHoldingRegisters(0, 0xFFFF, 7);
            ModbusClients.Unit u = bus.unit(1);
            assertThat(u.call(ModbusCall.readHoldingRegisters(0, 2))).containsExactly(0xFFFF, 7);
            u.call(ModbusCall.writeMultipleRegisters(5, new int[] {1, 2, 3}));
            assertThat(bus.unit(0).call(ModbusCall.writeSingleRegister(9, 99))).isNull();
            assertThat(u.call(ModbusCall.readHoldingRegisters(5, 5))).containsExactly(1, 2, 3, 0, 99);
            endsWithin(Duration.ofSeconds(2), () -> assertThatThrownBy(() -> bus.unit(2).call(ModbusCall.readHoldingRegisters(0, 1), Duration.ofMillis(300)))
                    .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("no reply came"));
            mock.faultNextReplies(MockModbus.ReplyFault.HALF_FRAME, 1);
            endsWithin(Duration.ofSeconds(2), () -> assertThatThrownBy(() -> u.call(ModbusCall.readHoldingRegisters(0, 2), Duration.ofMillis(400)))
                    .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("no whole reply came: 4 bytes"));
            assertThat(u.call(ModbusCall.readHoldingRegisters(0, 2), Duration.ofSeconds(3))).containsExactly(0xFFFF, 7);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aTransceiversGlitchByteRightBeforeEachReplyLosesNothing(ModbusClients.Kind kind, Link link) {
        assumeTrue(link == Link.RTU, "a turn-around glitch is an RS485 fault");
        try (MockModbus mock = mock(link); ModbusClients.Bus bus = ModbusClients.open(kind, mock.endpoint(), config(link))) {
            ModbusClients.Unit u = bus.unit(1);
            mock.setHoldingRegisters(0, 8, 9);
            // 0x00 and 0xFF, and 0xC0 and 0x80: glitches of a longer low pulse, which are also unit addresses
            for (byte glitch : new byte[] {0x00, (byte) 0xFF, (byte) 0xC0, (byte) 0x80}) {
                mock.garbageBeforeReplies(new byte[] {glitch}, Duration.ZERO);
                for (int i = 0; i < 3; i++) {
                    mock.setHoldingRegisters(1, i);
                    assertThat(u.call(ModbusCall.readHoldingRegisters(0, 2), Duration.ofMillis(500)))
                            .as("glitch 0x%02X, read %d", glitch & 0xFF, i).containsExactly(8, i);
                }
                int value = 40 + (glitch & 1);
                u.call(ModbusCall.writeSingleRegister(4, value), Duration.ofMillis(500));
                assertThat(mock.holdingRegister(4)).isEqualTo(value);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void garbageBetweenFramesLosesNothing(ModbusClients.Kind kind, Link link) {
        assumeTrue(link == Link.RTU, "garbage between frames is a serial-line fault; a TCP stream has no frame gaps");
        try (MockModbus mock = mock(link); ModbusClients.Bus bus = ModbusClients.open(kind, mock.endpoint(), config(link))) {
            ModbusClients.Unit u = bus.unit(1);
            mock.setHoldingRegisters(0, 8, 9).garbageBeforeReplies(new byte[] {0x55, 0x03, 0x02, (byte) 0xAA}, Duration.ofMillis(60));
            for (int i = 0; i < 5; i++) {
                mock.setHoldingRegisters(1, i);
                assertThat(u.call(ModbusCall.readHoldingRegisters(0, 2), Duration.ofSeconds(2))).containsExactly(8, i);
            }
        }
    }
}
