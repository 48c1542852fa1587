package dev.labwire.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code labwire ports} on real ptys (socat): held open by another process, missing, and the table. */
class PortsTest {

    @Test
    void aPortHeldByAnotherProcessIsBusyNamingIt(@TempDir Path dir) throws Exception {
        try (Pty pty = new Pty(dir)) {
            PortAccess.Access access = PortAccess.check(pty.a.toString());
            assertThat(access.verdict()).isEqualTo(PortAccess.Verdict.BUSY);
            assertThat(access.detail()).isEqualTo("open in socat (pid " + pty.socat.pid() + ")");

            Cli.Result r = Cli.classPath().run(null, "ports", pty.a.toString(), dir.resolve("gone").toString(),
                    "--json");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).contains("{\"path\":\"" + pty.a + "\",\"endpoint\":\"serial:" + pty.a + "\"")
                    .contains("\"access\":\"busy\",\"accessDetail\":\"open in socat (pid " + pty.socat.pid() + ")\"")
                    .contains("{\"path\":\"" + dir.resolve("gone") + "\"", "\"access\":\"missing\"");

            Cli.Result table = Cli.classPath().run(null, "ports", pty.b.toString());
            assertThat(table.out()).as(table.toString()).startsWith("PATH").contains("USB", "SERIAL", "DESCRIPTION",
                    "ACCESS").containsPattern(pty.b + " +- +- +- +busy \\(open in socat \\(pid " + pty.socat.pid()
                    + "\\)\\)");
        }
        // socat gone: the ptys are gone with it
        assertThat(PortAccess.check(dir.resolve("ptyA").toString()).verdict()).isEqualTo(PortAccess.Verdict.MISSING);
    }
}
