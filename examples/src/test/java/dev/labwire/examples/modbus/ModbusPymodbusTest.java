package dev.labwire.examples.modbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.modbus.Modbus;
import dev.labwire.core.modbus.ModbusCall;
import dev.labwire.core.modbus.ModbusException;
import dev.labwire.core.modbus.WordOrder;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.PtyPair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Both clients against an independent Modbus server: Debian's python3-pymodbus (3.0.0rc1), as an RTU or ASCII server on
 * the other end of a socat pty pair and as a TCP server on loopback, seeded by {@code pymodbus_server.py}. Asserts the values the Python side was seeded with, writes
 * read back, an exception response, and a unit that never answers while the served one still does.
 */
class ModbusPymodbusTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    static boolean pymodbusAvailable() {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import pymodbus.server").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    enum Mode { RTU, ASCII, TCP }

    /** Waits, with a deadline, until the Python server accepts TCP connections on {@code port}. */
    static void awaitListening(int port) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("pymodbus did not listen on port " + port + " within 20 s", e);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L); // a connect retry interval, not a wait for a condition we could observe otherwise
            }
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> cases() {
        java.util.List<org.junit.jupiter.params.provider.Arguments> all = new java.util.ArrayList<>();
        for (ModbusClients.Kind k : ModbusClients.Kind.values()) {
            for (Mode m : Mode.values()) {
                all.add(org.junit.jupiter.params.provider.Arguments.of(k, m));
            }
        }
        return all.stream();
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("cases")
    void readsAndWritesAPymodbusServer(ModbusClients.Kind kind, Mode mode) throws Exception {
        assumeTrue(mode == Mode.TCP || MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        assumeTrue(pymodbusAvailable(), "/usr/bin/python3 with pymodbus is not installed (apt-get install -y python3-pymodbus)");
        Path script = Files.createTempFile("pymodbus_server", ".py");
        try (var in = ModbusPymodbusTest.class.getResourceAsStream("/modbus/pymodbus_server.py")) {
            Files.write(script, in.readAllBytes());
        }
        try (PtyPair pty = mode == Mode.TCP ? null : PtyPair.open()) {
            int port = freePort();
            String where = mode == Mode.TCP ? String.valueOf(port) : pty.peerPath().toString();
            Process server = new ProcessBuilder(PYTHON.toString(), script.toString(), mode.name().toLowerCase(java.util.Locale.ROOT),
                    where, "7", "9600").redirectErrorStream(true).start();
            String endpoint = mode == Mode.TCP ? "tcp://127.0.0.1:" + port : "serial:" + pty.clientPath() + "?baud=9600";
            dev.labwire.core.bus.BusConfig config = switch (mode) {
                case RTU -> Modbus.rtu(9600);
                case ASCII -> Modbus.ascii();
                case TCP -> Modbus.tcp();
            };
            StringBuffer serverLog = new StringBuffer();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).as("the Python server starts").isEqualTo("READY");
                Thread drain = new Thread(() -> out.lines().forEach(l -> serverLog.append(l).append('\n')), "pymodbus-log");
                drain.setDaemon(true);
                drain.start();
                if (mode == Mode.TCP) {
                    awaitListening(port);
                }
                try (ModbusClients.Bus bus = ModbusClients.open(kind, endpoint, config)) {
                    ModbusClients.Unit unit = bus.unit(7);
                    // the server opens its port after printing READY: poll until it answers, within a deadline
                    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                    int[] first = null;
                    while (first == null) {
                        try {
                            first = unit.call(ModbusCall.readHoldingRegisters(0, 4), Duration.ofMillis(500));
                        } catch (RequestTimeoutException e) {
                            if (System.nanoTime() > deadline) {
                                throw new AssertionError("pymodbus never answered within 20 s", e);
                            }
                        }
                    }
                    assertThat(first).containsExactly(1000, 1001, 1002, 1003);
                    assertThat(unit.call(ModbusCall.readInputRegisters(5, 3))).containsExactly(2005, 2006, 2007);
                    assertThat(unit.call(ModbusCall.readCoils(0, 5))).containsExactly(true, false, true, false, true);
                    assertThat(unit.call(ModbusCall.readDiscreteInputs(0, 4))).containsExactly(true, false, false, true);
                    assertThat(unit.readFloat(10, WordOrder.ABCD)).isEqualTo(1.5f);

                    unit.call(ModbusCall.writeSingleRegister(20, 4242));
                    assertThat(unit.call(ModbusCall.readHoldingRegisters(20, 1))).containsExactly(4242);
                    unit.call(ModbusCall.writeMultipleRegisters(30, new int[] {1, 2, 65535}));
                    assertThat(unit.call(ModbusCall.readHoldingRegisters(30, 3))).containsExactly(1, 2, 65535);
                    unit.call(ModbusCall.writeSingleCoil(1, true));
                    unit.call(ModbusCall.writeMultipleCoils(40, new boolean[] {true, true, false, true, false, false, true, true, true}));
                    assertThat(unit.call(ModbusCall.readCoils(0, 2))).containsExactly(true, true);
                    assertThat(unit.call(ModbusCall.readCoils(40, 9))).containsExactly(true, true, false, true, false, false, true, true, true);
                    assertThat(unit.call(ModbusCall.readWriteMultipleRegisters(60, 3, 61, new int[] {7, 8}))).containsExactly(1060, 7, 8);
                    unit.call(ModbusCall.writeMultipleRegisters(70, WordOrder.CDAB.fromFloat(-2.25f)));
                    assertThat(unit.readFloat(70, WordOrder.CDAB)).isEqualTo(-2.25f);

                    assertThatThrownBy(() -> unit.call(ModbusCall.readHoldingRegisters(98, 5)))
                            .isInstanceOf(ModbusException.class)
                            .hasMessage("unit 7 answered READ_HOLDING_REGISTERS (0x03) with exception 0x02 ILLEGAL DATA ADDRESS");

                    // unit 3 is not on this bus (pymodbus ignores it): it times out alone, and unit 7 answers the next call
                    long t0 = System.nanoTime();
                    assertThatThrownBy(() -> bus.unit(3).call(ModbusCall.readHoldingRegisters(0, 1), Duration.ofMillis(300)))
                            .isInstanceOf(RequestTimeoutException.class);
                    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
                    assertThat(unit.call(ModbusCall.readHoldingRegisters(0, 1))).containsExactly(1000);

                    if (mode != Mode.TCP) {
                        // a broadcast (unit 0) to a server that does not take broadcasts: whatever it answers, if
                        // anything, is no reply to unit 7's next read, which gets its own value
                        assertThat(bus.unit(0).call(ModbusCall.writeSingleRegister(50, 5))).isNull();
                        assertThat(unit.call(ModbusCall.readHoldingRegisters(1, 1))).containsExactly(1001);
                        assertThat(unit.call(ModbusCall.readHoldingRegisters(2, 1))).containsExactly(1002);
                    }
                }
            } catch (AssertionError | RuntimeException e) {
                e.addSuppressed(new Exception("pymodbus server log:\n" + serverLog));
                throw e;
            } finally {
                server.destroyForcibly();
                server.waitFor(5, TimeUnit.SECONDS);
                Files.deleteIfExists(script);
            }
        }
    }
}
