package dev.labwire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.mock.MockInstrument;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code labwire} command end to end, as a separate process against a real {@link MockInstrument}. */
class CliProcessTest {

    static final String IDN = "LABWIRE,MOCK-INSTRUMENT,SN0001,1.0";
    static MockInstrument mock;
    final Cli cli = Cli.classPath();

    @BeforeAll
    static void startMock() {
        mock = MockInstrument.tcp().scpi();
    }

    @AfterAll
    static void stopMock() {
        mock.close();
    }

    @Test
    void queryPrintsTheReplyAndExitsZero() throws Exception {
        Cli.Result r = cli.run(null, "query", mock.endpoint(), "*IDN?");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo(IDN + "\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aCommandWithoutQuestionMarkIsWrittenAndNothingIsRead() throws Exception {
        Cli.Result r = cli.run(null, "query", mock.endpoint(), "VOLT 12.5");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEmpty();
        // the command left before the process ended; the mock reads it when it reads it: wait for it, with a deadline
        assertThat(awaitCommand("VOLT 12.5")).isTrue();
        assertThat(cli.run(null, "query", mock.endpoint(), "VOLT?").out()).isEqualTo("12.5\n");
    }

    /** Takes the mock's commands (other tests only read its log) until {@code command} or 10 s. */
    static boolean awaitCommand(String command) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            if (command.equals(mock.takeCommand(Duration.ofNanos(left)))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aQueryWithoutReplyFailsWithExitOneAndTheReasonOnStderr() throws Exception {
        long t0 = System.nanoTime();
        Cli.Result r = cli.run(null, "query", mock.endpoint(), "NO:SUCH:THING?", "--timeout", "300ms");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("labwire: RequestTimeoutException").contains("NO:SUCH:THING?", "300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aRefusedConnectionFailsAtOnceWithExitOne() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Cli.Result r = cli.run(null, "query", "tcp://127.0.0.1:" + closed, "*IDN?", "--timeout", "10s");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("LinkDownException", "refused", "127.0.0.1:" + closed);
    }

    @Test
    void badCommandLinesExitTwoNamingWhatWasWrong() throws Exception {
        Cli.Result endpoint = cli.run(null, "query", "bogus://x", "*IDN?");
        assertThat(endpoint.exit()).as(endpoint.toString()).isEqualTo(2);
        assertThat(endpoint.err()).contains("unknown scheme 'bogus'");
        Cli.Result duration = cli.run(null, "query", mock.endpoint(), "*IDN?", "--timeout", "soon");
        assertThat(duration.exit()).as(duration.toString()).isEqualTo(2);
        assertThat(duration.err()).contains("bad duration 'soon'");
        Cli.Result unknown = cli.run(null, "frobnicate");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("frobnicate");
    }

    @Test
    void blockToFileAndHexDump(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("data.bin");
        Cli.Result r = cli.run(null, "query", mock.endpoint(), "DATA? 1000", "--block", file.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        byte[] data = Files.readAllBytes(file);
        assertThat(data).hasSize(1000);
        for (int i = 0; i < data.length; i++) {
            assertThat(data[i] & 0xFF).isEqualTo(i % 256);
        }
        assertThat(r.err()).contains("1000 bytes written to " + file);

        Cli.Result hex = cli.run(null, "query", mock.endpoint(), "ECHO? AB", "--hex");
        assertThat(hex.exit()).as(hex.toString()).isZero();
        assertThat(hex.out()).isEqualTo("00000000  41 42" + " ".repeat(44) + " |AB|\n");
    }

    @Test
    void shellRunsAPastedScriptInOrderWithTraceStatusByteAndBlocks(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("block.bin");
        String script = String.join("\n",
                "VOLT 7",
                "VOLT?",
                ":trace on",
                "ECHO? traced",
                ":trace off",
                "ECHO? quiet",
                ":stb",
                "*STB?",
                ":block DATA? 300 > " + file,
                ":block DATA? 20",
                ":hex on",
                "ECHO? hi",
                ":hex off",
                ":clear",
                ":nonsense",
                "*IDN?",
                "");
        long before = mock.commandCount();
        Cli.Result r = cli.run(script, "shell", mock.endpoint(), "--timeout", "2s");
        List<String> out = r.out().lines().toList();
        assertThat(out).as(r.toString()).containsSubsequence("7", "ECHO? traced".substring(6), "quiet",
                "hex on", "00000000  68 69" + " ".repeat(44) + " |hi|", "hex off", IDN);
        // :stb is the status byte, the same number *STB? gives
        int i = out.indexOf("quiet");
        assertThat(out.get(i + 1)).matches("\\d+  \\(bits: .*\\)");
        assertThat(out.get(i + 1).split(" ")[0]).isEqualTo(out.get(i + 2));
        assertThat(Files.readAllBytes(file)).hasSize(300);
        assertThat(out).contains("300 bytes written to " + file, "20 bytes");
        // the wire log while :trace was on, and only then
        assertThat(r.err()).contains("wire >>", "\"ECHO? traced\\n\"", "wire <<", "\"traced\\n\"");
        assertThat(r.err()).doesNotContain("quiet");
        // raw SCPI has no device clear: said, and the shell went on
        assertThat(r.err()).contains("error: ", "device clear", "VXI-11");
        assertThat(r.err()).contains("unknown shell command :nonsense");
        // commands reached the instrument in the order pasted
        List<String> sent = mock.commands();
        assertThat(sent.subList(sent.size() - (int) (mock.commandCount() - before), sent.size()))
                .containsSubsequence("VOLT 7", "VOLT?", "ECHO? traced", "ECHO? quiet", "DATA? 300", "DATA? 20",
                        "ECHO? hi", "*IDN?");
        // a line failed (:clear, :nonsense): a script's exit code says so
        assertThat(r.exit()).isEqualTo(1);
    }

    @Test
    void theShellTalksHislip() throws Exception {
        try (MockInstrument m = MockInstrument.tcp().scpi();
             dev.labwire.mock.MockHislip h = dev.labwire.mock.MockHislip.serve(m, 0)) {
            Cli.Result r = cli.run("*IDN?\nVOLT 4\nVOLT?\n", "shell", "hislip://127.0.0.1:" + h.port() + "/hislip0");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).isEqualTo(IDN + "\n4\n");
            assertThat(r.err()).isEmpty();
        }
    }

    @Test
    void overHislipTheShellReadsTheStatusByteAndClears() throws Exception {
        try (MockInstrument m = MockInstrument.tcp().scpi();
             dev.labwire.mock.MockHislip h = dev.labwire.mock.MockHislip.serve(m, 0)) {
            Cli.Result r = cli.run("*IDN?\n:stb\n:clear\n*IDN?\n", "shell", "hislip://127.0.0.1:" + h.port() + "/hislip0");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out().lines().toList()).hasSize(4).startsWith(IDN).endsWith("cleared", IDN);
            assertThat(r.out().lines().toList().get(1)).matches("\\d+  \\(bits: .*\\)");
        }
    }

    @Test
    void shellExitsZeroWhenEveryLineWorked() throws Exception {
        Cli.Result r = cli.run("*IDN?\n:timeout 1s\n:quit\nVOLT 99\n", "shell", mock.endpoint());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo(IDN + "\ntimeout 1 s\n");
        assertThat(mock.commands()).doesNotContain("VOLT 99"); // after :quit
    }

    @Test
    void mockServesUntilStdinEndsAndItsPersonalitiesAnswer() throws Exception {
        Process p = cli.start("mock", "--stdin");
        try {
            String endpoint = Cli.firstLine(p);
            assertThat(endpoint).startsWith("tcp://127.0.0.1:");
            try (BlockingClient c = BlockingClient.openAndAwait(endpoint, dev.labwire.core.ConnectionConfig.DEFAULT,
                    Duration.ofSeconds(5))) {
                assertThat(c.query("*IDN?")).isEqualTo(IDN);
            }
            p.getOutputStream().close();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
        Process bus = cli.start("mock", "--stdin", "--personality", "bus");
        try {
            String endpoint = Cli.firstLine(bus);
            Cli.Result r = cli.run(null, "query", endpoint, "AFLOW?");
            assertThat(r.out()).as(r.toString()).isEqualTo("A+14.70\n");
        } finally {
            bus.getOutputStream().close();
            bus.waitFor(10, TimeUnit.SECONDS);
            bus.destroyForcibly();
        }
        Path device = Files.createTempFile("psu", ".json");
        Files.writeString(device, "{\"identity\": \"ACME,PSU-1000,SN42,1.2\", \"dialogues\": [{\"q\": \"*TST?\", \"r\": \"0\"}]}");
        Process fromFile = cli.start("mock", "--stdin", "--device", device.toString());
        try {
            String endpoint = Cli.firstLine(fromFile);
            assertThat(cli.run("*IDN?\n*TST?\n", "shell", endpoint).out()).isEqualTo("ACME,PSU-1000,SN42,1.2\n0\n");
        } finally {
            fromFile.getOutputStream().close();
            fromFile.waitFor(10, TimeUnit.SECONDS);
            fromFile.destroyForcibly();
            Files.deleteIfExists(device);
        }
        Cli.Result bad = cli.run(null, "mock", "--personality", "teapot");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("teapot", "scpi", "bus");
    }

    @Test
    void benchMeasuresRoundTripsAndBlocks() throws Exception {
        Cli.Result r = cli.run(null, "bench", mock.endpoint(), "--count", "50", "--warmup", "5",
                "--block", "DATA? 100000", "--blocks", "3");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("round trips  50 x \\*IDN\\? in [0-9.]+ s: [0-9]+/s; latency p50 [0-9.]+ us")
                .containsPattern("blocks       3 x DATA\\? 100000, 100000 bytes each, in [0-9.]+ s: [0-9.]+ MB/s");
    }

    @Test
    void infoNamesVersionsNativeLibraryAndModules() throws Exception {
        Cli.Result r = cli.run(null, "info");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Java            " + System.getProperty("java.version"))
                .containsPattern("jSerialComm     2\\.11\\.\\d")
                .containsPattern("native library  /\\S+libjSerialComm\\.so")
                .contains("temp folder     " + System.getProperty("java.io.tmpdir"))
                .contains("labwire-client-netty absent", "labwire-discovery ")
                .containsPattern("serial access   user \\S+ \\(uid \\d+\\)");
    }
}
