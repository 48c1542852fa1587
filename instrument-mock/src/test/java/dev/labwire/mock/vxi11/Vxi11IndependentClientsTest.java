package dev.labwire.mock.vxi11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The VXI-11 mock against independent VXI-11 clients from Debian: {@code lxi} (lxi-tools, liblxi over libtirpc),
 * PyVISA-py, and {@code rpcinfo} (rpcbind's portmapper client: DUMP and NULL calls). Both ask the portmapper on port 111, so the mock runs (as a child JVM, {@link Vxi11MockMain}) in a
 * network namespace made for this test that holds only {@code lo}, and the clients run in the same namespace.
 * Skipped, saying why, when the namespace cannot be made (not root, no {@code ip}) or a client is not installed
 * ({@code apt-get install lxi-tools python3-pyvisa-py iproute2}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Vxi11IndependentClientsTest {

    private static final long STEP_SECONDS = 60;

    private static String namespace;
    private static Process mock;
    private static final List<String> mockOut = new CopyOnWriteArrayList<>();
    private static CompletableFuture<Void> mockOutDone;

    @BeforeAll
    static void startMockInANamespace() throws Exception {
        String ns = "lw-vxi11-" + ProcessHandle.current().pid() + "-" + (System.nanoTime() % 100_000);
        Result made = run(List.of("ip", "netns", "add", ns));
        if (made.code != 0) {
            abort("cannot make a network namespace (needs root and iproute2): " + made.output);
        }
        namespace = ns;
        Result up = run(List.of("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
        assertThat(up.code).as("ip link set lo up: %s", up.output).isZero();
        Result links = run(List.of("ip", "netns", "exec", ns, "ip", "-o", "link"));
        assertThat(links.output.strip().lines()).as("the namespace holds only lo").hasSize(1).allMatch(l -> l.contains(" lo:"));

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        mock = new ProcessBuilder("ip", "netns", "exec", ns, java, "-cp", cp, Vxi11MockMain.class.getName())
                .redirectErrorStream(true).start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        mockOutDone = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(mock.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    mockOut.add(line);
                    if (line.startsWith("READY ")) {
                        ready.complete(line);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("the mock ended before READY: " + mockOut));
        }, OWN_THREAD);
        ready.get(STEP_SECONDS, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopMockAndNamespace() throws Exception {
        try {
            if (mock != null) {
                mock.getOutputStream().close();   // the mock prints its command log and exits
                if (!mock.waitFor(STEP_SECONDS, TimeUnit.SECONDS)) {
                    mock.destroyForcibly();
                }
                mockOutDone.get(STEP_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            if (namespace != null) {
                run(List.of("ip", "netns", "del", namespace));
            }
        }
    }

    @Test
    @Order(1)
    void lxiToolsQueriesIdentity() throws Exception {
        assumeTrue(onPath("lxi"), "lxi (Debian lxi-tools) is not installed");
        Result r = run(List.of("ip", "netns", "exec", namespace, "lxi", "scpi", "-a", "127.0.0.1", "*IDN?"));
        assertThat(r.code).as("lxi exit code; output: %s", r.output).isZero();
        assertThat(r.output.strip()).isEqualTo(Vxi11MockMain.IDN);
    }

    @Test
    @Order(2)
    void rpcinfoListsAndPingsThePrograms() throws Exception {
        assumeTrue(onPath("rpcinfo"), "rpcinfo (Debian rpcbind) is not installed");
        String port = mockOut.stream().filter(l -> l.startsWith("READY ")).findFirst().orElseThrow().substring(6);
        Result dump = run(List.of("ip", "netns", "exec", namespace, "rpcinfo", "-p", "127.0.0.1"));   // PMAPPROC_DUMP
        assertThat(dump.code).as("rpcinfo -p: %s", dump.output).isZero();
        assertThat(dump.output.lines().map(l -> l.trim().replaceAll("\\s+", " ")))
                .contains("395183 1 tcp " + port, "100000 2 tcp 111 portmapper", "100000 2 udp 111 portmapper");
        for (List<String> ping : List.of(List.of("-t", "127.0.0.1", "395183", "1"),     // NULL on the core channel
                List.of("-u", "127.0.0.1", "100000", "2"))) {                            // NULL to the UDP portmapper
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "rpcinfo"));
            cmd.addAll(ping);
            Result r = run(cmd);
            assertThat(r.code).as("rpcinfo %s: %s", ping, r.output).isZero();
            assertThat(r.output).contains("program " + ping.get(2) + " version " + ping.get(3) + " ready and waiting");
        }
    }

    @Test
    @Order(3)
    void pyvisaPyDrivesQueryStatusClearAndLocks() throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "/usr/bin/python3 is not installed");
        assumeTrue(run(List.of(python.toString(), "-c", "import pyvisa, pyvisa_py")).code == 0,
                "PyVISA-py is not installed for /usr/bin/python3 (Debian python3-pyvisa-py)");
        Path script = Files.createTempFile("labwire-pyvisa", ".py");
        try (InputStream in = Vxi11IndependentClientsTest.class.getResourceAsStream("/vxi11/pyvisa_client.py")) {
            Files.write(script, in.readAllBytes());
        }
        Result r;
        try {
            r = run(List.of("ip", "netns", "exec", namespace, python.toString(), script.toString()));
        } finally {
            Files.deleteIfExists(script);
        }
        assertThat(r.code).as("pyvisa script exit code; output: %s", r.output).isZero();
        Map<String, String> seen = new HashMap<>();
        for (String line : r.output.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                seen.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String idn = "'" + Vxi11MockMain.IDN + "\\n'";
        assertThat(seen).as("pyvisa output: %s", r.output)
                .containsEntry("IDN", idn)
                .containsEntry("STB_WITH_ANSWER_WAITING", "16")    // MAV
                .containsEntry("READ", idn)
                .containsEntry("STB_AFTER_READ", "0")
                .containsEntry("STB_AFTER_SRQ", "96")               // RQS + ESB after *ESE 1;*SRE 32;*OPC
                .containsEntry("STB_AFTER_POLL", "32")              // RQS cleared by the poll, ESB stays
                .containsEntry("STB_AFTER_CLS", "0")
                .containsEntry("READ_AFTER_CLEAR_FAILED", "-1073807339")   // VI_ERROR_TMO: the answer was cleared
                .containsEntry("OTHER_WHILE_LOCKED_FAILED", "-1073807298")  // VI_ERROR_IO: PyVISA-py's report of error 11
                .containsEntry("OTHER_AFTER_UNLOCK", idn)
                .containsEntry("LONG", "True")                     // 3006 bytes in chunks of maxRecvSize 1024
                .containsEntry("DONE", "True");
        assertThat(seen).doesNotContainKey("OTHER_WHILE_LOCKED").doesNotContainKey("READ_AFTER_CLEAR");
    }

    @Test
    @Order(4)
    void theMockSawEveryCommandWhole() throws Exception {
        assumeTrue(onPath("lxi") || Files.isExecutable(Path.of("/usr/bin/python3")), "no independent client ran");
        mock.getOutputStream().close();
        assertThat(mock.waitFor(STEP_SECONDS, TimeUnit.SECONDS)).as("the mock exits when its stdin ends").isTrue();
        mockOutDone.get(STEP_SECONDS, TimeUnit.SECONDS);
        int at = mockOut.indexOf("COMMANDS");
        assertThat(at).as("mock output: %s", mockOut).isPositive();
        List<String> commands = new ArrayList<>(mockOut.subList(at + 1, mockOut.size()));
        assertThat(commands).contains("*IDN?", "*ESE 1;*SRE 32;*OPC", "*CLS", dev.labwire.mock.Vxi11Options.DEVICE_CLEAR_COMMAND);
        assertThat(commands.stream().filter(c -> c.startsWith("ECHO? ")).toList())
                .as("the 3006-byte command arrived as one command").hasSize(1)
                .allMatch(c -> c.length() == 3006);
        assertThat(Collections.frequency(commands, "*IDN?")).isGreaterThanOrEqualTo(1);
    }

    /**
     * Each reader on a thread of its own. The default executor is no place for them: on a JDK 25 with one
     * common-pool thread (two CPUs) the mock's reader, which runs to the end, held that thread and every
     * tool's reader waited behind it until its 60 s step timed out. JDK 17 gave each task a new thread.
     */
    private static final java.util.concurrent.Executor OWN_THREAD = task -> {
        Thread t = new Thread(task, "vxi11-test-reader");
        t.setDaemon(true);
        t.start();
    };

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private record Result(int code, String output) {
    }

    /** Runs a command with a deadline; its stdout and stderr together. */
    private static Result run(List<String> command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
        try (OutputStream stdin = p.getOutputStream()) {
            // nothing to send
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        }, OWN_THREAD);
        if (!p.waitFor(STEP_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-2, "timed out after " + STEP_SECONDS + " s: " + command);
        }
        return new Result(p.exitValue(), out.get(STEP_SECONDS, TimeUnit.SECONDS));
    }
}
