package dev.labwire.examples.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.modbus.Modbus;
import dev.labwire.core.modbus.ModbusCall;
import dev.labwire.core.modbus.ModbusException;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.PtyPair;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both clients against {@code faulty_modbus_peer.py}, a Modbus unit written in plain Python (raw socket or pty, its own
 * CRC, no Modbus library) that misbehaves as real devices do: a transaction id it does not echo, another unit's id,
 * another function's reply, a byte count or an MBAP length that lies, half a frame then silence, an exception, a late
 * reply, an answered broadcast, a long reply in pieces with gaps past the RTU frame gap. Each fault costs its own call
 * only, with an exception that says what came; the next call gets its own value (register n holds 1000 + n, so a reply
 * taken by the wrong call shows).
 */
class ModbusFaultyPeerTest {
    enum Link { RTU, TCP }

    static final int UNIT = 7;
    static final Duration SHORT = Duration.ofMillis(400);

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (ModbusClients.Kind k : ModbusClients.Kind.values()) {
            for (Link l : Link.values()) {
                all.add(Arguments.of(k, l));
            }
        }
        return all.stream();
    }

    /** The call at {@code address} fails as {@code check} says, within its deadline; the next call gets its value. */
    static void faultThenFine(ModbusClients.Unit u, int address, java.util.function.Consumer<Throwable> check) {
        long t0 = System.nanoTime();
        Throwable thrown = null;
        try {
            u.call(ModbusCall.readHoldingRegisters(address, 2), SHORT);
        } catch (RuntimeException e) {
            thrown = e;
        }
        assertThat(thrown).as("the faulty reply to address %d fails its call", address).isNotNull();
        check.accept(thrown);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the call ends by its deadline").isLessThan(Duration.ofSeconds(2));
        assertThat(u.call(ModbusCall.readHoldingRegisters(10, 3), Duration.ofSeconds(3)))
                .as("the call after the fault at %d gets its own reply", address).containsExactly(1010, 1011, 1012);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyFaultCostsItsOwnCallOnlyAndSaysWhatCame(ModbusClients.Kind kind, Link link) throws Exception {
        assumeTrue(link == Link.TCP || MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        assumeTrue(Files.isExecutable(ModbusPymodbusTest.PYTHON), "/usr/bin/python3 is not installed");
        Path script = Files.createTempFile("faulty_modbus_peer", ".py");
        try (var in = ModbusFaultyPeerTest.class.getResourceAsStream("/modbus/faulty_modbus_peer.py")) {
            Files.write(script, in.readAllBytes());
        }
        try (PtyPair pty = link == Link.TCP ? null : PtyPair.open()) {
            int port = ModbusPymodbusTest.freePort();
            String where = link == Link.TCP ? String.valueOf(port) : pty.peerPath().toString();
            Process peer = new ProcessBuilder(ModbusPymodbusTest.PYTHON.toString(), script.toString(),
                    link.name().toLowerCase(java.util.Locale.ROOT), where, String.valueOf(UNIT)).redirectErrorStream(true).start();
            StringBuffer log = new StringBuffer();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).as("the Python peer starts").isEqualTo("READY");
                Thread drain = new Thread(() -> out.lines().forEach(l -> log.append(l).append('\n')), "faulty-peer-log");
                drain.setDaemon(true);
                drain.start();
                String endpoint = link == Link.TCP ? "tcp://127.0.0.1:" + port : "serial:" + pty.clientPath() + "?baud=9600";
                try (ModbusClients.Bus bus = ModbusClients.open(kind, endpoint, link == Link.TCP ? Modbus.tcp() : Modbus.rtu(9600))) {
                    ModbusClients.Unit u = bus.unit(UNIT);
                    assertThat(u.call(ModbusCall.readHoldingRegisters(0, 2))).containsExactly(1000, 1001);
                    if (link == Link.TCP) {
                        tcpFaults(u);
                    } else {
                        rtuFaults(bus, u);
                    }
                    // 125 registers in 64-byte pieces 30 ms apart, past the RTU frame gap of 20 ms: one reply
                    int[] regs = u.call(ModbusCall.readHoldingRegisters(80, 125), Duration.ofSeconds(3));
                    assertThat(regs).hasSize(125).startsWith(1080, 1081).endsWith(1204);
                    // the first 5 bytes, the rest 600 ms later: the call ends at its timeout saying so, and the rest
                    // (on TCP no header: before, a length-field framer waited for it and the next call timed out too)
                    faultThenFine(u, 89, e -> assertThat(e).isInstanceOf(RequestTimeoutException.class)
                            .hasMessageContaining("no whole reply came: 5 bytes came that make no whole frame"));
                    faultThenFine(u, 98, e -> assertThat(e).isInstanceOf(ModbusException.class)
                            .hasMessage("unit 7 answered READ_HOLDING_REGISTERS (0x03) with exception 0x04 SERVER DEVICE FAILURE"));
                    faultThenFine(u, 99, e -> assertThat(e).isInstanceOf(RequestTimeoutException.class)); // 700 ms late
                }
            } catch (AssertionError | RuntimeException e) {
                e.addSuppressed(new Exception("peer log:\n" + log));
                throw e;
            } finally {
                peer.destroyForcibly();
                peer.waitFor(5, TimeUnit.SECONDS);
                Files.deleteIfExists(script);
            }
        }
    }

    private static void tcpFaults(ModbusClients.Unit u) {
        faultThenFine(u, 91, e -> assertThat(e).isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("transaction id 0x0000 came, the request's is 0x"));
        faultThenFine(u, 92, e -> assertThat(e).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("reply from the wrong unit: expected 7, got 8"));
        faultThenFine(u, 93, e -> assertThat(e).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("answered READ_HOLDING_REGISTERS (0x03) with function code 0x04"));
        faultThenFine(u, 94, e -> assertThat(e).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("byte count 6 in 6 bytes (the request needs 4 data bytes)"));
        faultThenFine(u, 95, e -> assertThat(e).isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("no whole reply came: 6 bytes came that make no whole frame"));
        faultThenFine(u, 96, e -> assertThat(e).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("byte count 4 in 5 bytes"));
        faultThenFine(u, 97, e -> assertThat(e).isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("no whole reply came: 13 bytes came that make no whole frame"));
    }

    private static void rtuFaults(ModbusClients.Bus bus, ModbusClients.Unit u) {
        faultThenFine(u, 92, e -> assertThat(e).isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("could not be its reply and was discarded: unit 8 answered, not unit 7"));
        faultThenFine(u, 93, e -> assertThat(e).isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("function code 0x04 came for the request's 0x03"));
        faultThenFine(u, 94, e -> assertThat(e).isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("no whole reply came: 9 bytes came that make no whole frame (\"\\x07\\x03\\x06\\x04"));
        faultThenFine(u, 95, e -> assertThat(e).isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("no whole reply came: 4 bytes came that make no whole frame (\"\\x07\\x03\\x04\\x04\")"));
        // a transceiver's glitch byte right before the reply (0x00 in a write of its own, 0xFF in the reply's write):
        // before, the glitch and the reply made one corrupt frame "from unit 0/255" and the call timed out
        assertThat(u.call(ModbusCall.readHoldingRegisters(81, 2), SHORT)).containsExactly(1081, 1082);
        assertThat(u.call(ModbusCall.readHoldingRegisters(82, 2), SHORT)).containsExactly(1082, 1083);
        // 0xC0 is a glitch's shape too (a longer low pulse), and an address a unit may answer from
        assertThat(u.call(ModbusCall.readHoldingRegisters(83, 2), SHORT)).containsExactly(1083, 1084);
        // a unit that answers a broadcast, 150 ms later: its answer comes after the broadcast delay, while unit 7's
        // next read is awaited, and must not be taken for it
        assertThat(bus.unit(0).call(ModbusCall.writeSingleRegister(90, 5))).isNull();
        assertThat(u.call(ModbusCall.readHoldingRegisters(20, 1), Duration.ofSeconds(3))).containsExactly(1020);
        assertThat(u.call(ModbusCall.readHoldingRegisters(21, 1), Duration.ofSeconds(3))).containsExactly(1021);
    }
}
