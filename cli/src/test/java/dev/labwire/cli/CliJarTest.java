package dev.labwire.cli;

import dev.labwire.testsupport.Netns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.mock.MockInstrument;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar ({@code java -jar labwire-cli-<version>-all.jar}), run by the {@code package} phase after the shade
 * plugin made it (surefire execution {@code runnable-jar-test}, property {@code labwire.cli.jar}).
 */
class CliJarTest {

    static Path jar;

    @BeforeAll
    static void theJar() {
        String p = System.getProperty("labwire.cli.jar");
        assumeTrue(p != null && Files.isRegularFile(Path.of(p)), "runs at package, on the shaded jar");
        jar = Path.of(p);
    }

    @Test
    void theJarHoldsOneSlf4jBindingNoModuleDescriptorAndAnEntryPoint() throws Exception {
        try (JarFile j = new JarFile(jar.toFile())) {
            assertThat(j.getEntry("module-info.class")).isNull();
            assertThat(j.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(Main.class.getName());
            assertThat(j.getManifest().getMainAttributes().getValue("Enable-Native-Access")).isEqualTo("ALL-UNNAMED");
            String providers = new String(j.getInputStream(j.getEntry(
                    "META-INF/services/org.slf4j.spi.SLF4JServiceProvider")).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(providers.strip()).isEqualTo(CliLogging.class.getName());
            assertThat(j.getEntry("com/fazecast/jSerialComm/SerialPort.class")).isNotNull();
            assertThat(j.getEntry("javax/jmdns/JmDNS.class")).isNotNull();
            assertThat(j.getEntry("org/jline/reader/LineReader.class")).isNotNull();
        }
    }

    @Test
    void versionQueryAndInfoFromTheJar() throws Exception {
        Cli cli = Cli.jar(jar);
        Cli.Result v = cli.run(null, "--version");
        assertThat(v.exit()).isZero();
        assertThat(v.out()).startsWith("labwire 0.2.0\n");
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            Cli.Result q = cli.run(null, "query", mock.endpoint(), "*IDN?");
            assertThat(q.exit()).as(q.toString()).isZero();
            assertThat(q.out()).isEqualTo(CliProcessTest.IDN + "\n");
            assertThat(q.err()).isEmpty(); // no SLF4J "no providers" warning: the binding is found
        }
        Cli.Result info = cli.run(null, "info");
        assertThat(info.out()).as(info.toString()).contains("labwire         0.2.0", "labwire-discovery 0.2.0",
                "labwire-client-blocking 0.2.0", "JmDNS           3.6.1");
    }

    @Test
    void theThinJarRunsOnTheModulePath() throws Exception {
        // the module path: the thin jar and the dependency jars of this test run (not the build folders)
        Path thin = jar.resolveSibling(jar.getFileName().toString().replace("-all.jar", ".jar"));
        java.util.List<String> path = new java.util.ArrayList<>(java.util.List.of(thin.toString()));
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.endsWith(".jar") && !e.contains("junit") && !e.contains("assertj") && !e.contains("opentest4j")
                    && !e.contains("apiguardian")) {
                path.add(e);
            }
        }
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            Process p = new ProcessBuilder(Cli.java(), "-p", String.join(java.io.File.pathSeparator, path),
                    "-m", "dev.labwire.cli/" + Main.class.getName(), "query", mock.endpoint(), "*IDN?").start();
            CompletableFuture<String> out = Cli.drain(p, true);
            CompletableFuture<String> err = Cli.drain(p, false);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(err.join()).isZero();
            assertThat(out.join()).isEqualTo(CliProcessTest.IDN + "\n");
        }
    }

    @Test
    void theShellOnATerminalCompletesKeepsHistoryAndAnswers(@TempDir Path home) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs script(1) (util-linux) for a terminal");
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            // script(1) runs the shell on a pty, so System.console() is there and JLine drives the terminal
            Process p = new ProcessBuilder("/usr/bin/script", "-qfec", Cli.java() + " -Duser.home=" + home
                    + " -jar " + jar + " shell " + mock.endpoint(), "/dev/null").start();
            CompletableFuture<String> out = Cli.drain(p, true);
            OutputStream in = p.getOutputStream();
            mock.awaitConnections(1, java.time.Duration.ofSeconds(20));
            in.write("*ID\t\r".getBytes(StandardCharsets.US_ASCII)); // Tab completes *IDN?
            in.flush();
            assertThat(mock.takeCommand(java.time.Duration.ofSeconds(10))).isEqualTo("*IDN?");
            // a paste of three lines (bracketed paste, as terminals send it), run in order
            in.write("\u001b[200~VOLT 3\nVOLT?\nECHO? pasted\u001b[201~\r".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            assertThat(mock.takeCommand(java.time.Duration.ofSeconds(10))).isEqualTo("VOLT 3");
            assertThat(mock.takeCommand(java.time.Duration.ofSeconds(10))).isEqualTo("VOLT?");
            assertThat(mock.takeCommand(java.time.Duration.ofSeconds(10))).isEqualTo("ECHO? pasted");
            in.write(":quit\r".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String text = out.join();
            assertThat(text).contains("connected to " + mock.endpoint(), CliProcessTest.IDN, "pasted");
            // the reply to VOLT? follows the redrawn prompt on its line
            assertThat(text.lines().map(String::strip)).anyMatch(l -> l.endsWith("3") && !l.contains("VOLT"));
            assertThat(Files.readAllLines(home.resolve(".labwire_history")))
                    .map(l -> l.substring(l.indexOf(':') + 1))
                    .contains("*IDN?", ":quit");
            in.close();
        }
    }

    @Test
    void permissionDeniedNamesTheGroupAndTheFix(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root and setpriv to run the jar as another user");
        // a copy that user nobody may read
        Path open = Files.createTempDirectory("labwire-jar", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Path copy = Files.copy(jar, open.resolve("labwire-cli.jar"));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        try (Pty pty = new Pty(dir)) {
            Path device = pty.a.toRealPath(); // /dev/pts/N
            assertThat(Netns.run("chgrp", "dialout", device.toString())).isNull();
            assertThat(Netns.run("chmod", "660", device.toString())).isNull();
            String[] asNobody = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    Cli.java(), "-Djava.io.tmpdir=" + open, "-jar", copy.toString(), "ports", device.toString()};
            Cli.Result r = run(asNobody);
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).contains(device + "  -    -       -            permission denied (owned by group dialout)")
                    .contains("permission denied: add the user to the dialout group (sudo usermod -aG dialout $USER, "
                            + "then log in again)");
            // the fix works: the same user in group dialout may open it
            String[] inDialout = asNobody.clone();
            inDialout[3] = "--groups=dialout";
            Cli.Result ok = run(inDialout);
            assertThat(ok.out()).as(ok.toString()).containsPattern(device + " +- +- +- +ok")
                    .doesNotContain("permission denied");
        } finally {
            Files.deleteIfExists(copy);
            Files.deleteIfExists(open);
        }
    }

    private static Cli.Result run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<String> out = Cli.drain(p, true);
        CompletableFuture<String> err = Cli.drain(p, false);
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Cli.Result(p.exitValue(), out.join(), err.join());
    }
}
