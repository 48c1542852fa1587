package dev.labwire.cli;

import dev.labwire.testsupport.Netns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code labwire discover} end to end: inside a network namespace holding only {@code lo}, python3-zeroconf (an
 * independent mDNS responder) announces a SCPI raw socket and a HiSLIP server of one host, where two
 * {@code labwire mock}s listen, and the CLI, run as a process in the same namespace, prints both as JSON, identified.
 */
class DiscoverCommandTest {

    @Test
    void discoverPrintsAnnouncedInstrumentsAsPasteableEndpoints() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3"))
                        && Netns.run("/usr/bin/python3", "-c", "import zeroconf") == null,
                "needs /usr/bin/python3 with python3-zeroconf (apt-get install -y python3-zeroconf)");
        String services = """
                [{"type": "_scpi-raw._tcp", "name": "Mock PSU", "port": 5025, "addresses": ["127.0.0.1"],
                  "txt": {"Manufacturer": "ACME", "Model": "PSU-3000", "SerialNumber": "SN42"}},
                 {"type": "_hislip._tcp", "name": "Mock PSU", "port": 4880, "addresses": ["127.0.0.1"]}]
                """.replace("\n", " ");
        List<String> cli = Cli.classPath().command();
        try (Netns ns = new Netns()) {
            List<String> mockCmd = new java.util.ArrayList<>(cli);
            mockCmd.addAll(List.of("mock", "--port", "5025", "--stdin"));
            Netns.Child mock = ns.start(mockCmd.toArray(String[]::new));
            mock.await(l -> l.equals("tcp://127.0.0.1:5025"), 20_000, "mock endpoint");
            List<String> hislipCmd = new java.util.ArrayList<>(cli);
            hislipCmd.addAll(List.of("mock", "--personality", "hislip", "--port", "4880", "--stdin"));
            Netns.Child hislipMock = ns.start(hislipCmd.toArray(String[]::new));
            hislipMock.await(l -> l.equals("hislip://127.0.0.1:4880/hislip0"), 20_000, "HiSLIP mock endpoint");
            Netns.Child pub = ns.start("/usr/bin/python3", Netns.publishServicesScript().toString(), services);
            pub.await(l -> l.equals("registered 2"), 20_000, "services registered");

            List<String> discover = new java.util.ArrayList<>(cli);
            discover.addAll(List.of("discover", "--json", "--identify", "--no-serial", "--no-vxi11", "--timeout", "6s"));
            Netns.Child d = ns.start(discover.toArray(String[]::new));
            String psu = d.await(l -> l.contains("\"endpoint\":\"tcp://127.0.0.1:5025\""), 20_000, "the PSU");
            assertThat(psu).startsWith("{\"endpoint\":\"tcp://127.0.0.1:5025\",\"source\":\"MDNS\","
                            + "\"via\":\"_scpi-raw._tcp \\\"Mock PSU\\\" on instr.local.\",\"host\":\"instr.local.\","
                            + "\"manufacturer\":\"ACME\",\"model\":\"PSU-3000\",\"serialNumber\":\"SN42\"")
                    .contains("\"identity\":\"" + CliProcessTest.IDN + "\"");
            // streamed: printed while discover still runs (it ends at its 6 s deadline)
            assertThat(d.process.isAlive()).as("discover still running when its first results were printed").isTrue();
            assertThat(d.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(d.process.exitValue()).isZero();
            assertThat(d.all).hasSize(2);
            // the HiSLIP service of the same host is its own result, identified over HiSLIP
            assertThat(d.all).anySatisfy(l -> assertThat(l).startsWith("{\"endpoint\":\"hislip://127.0.0.1:4880/hislip0\"")
                    .contains("\"identity\":\"" + CliProcessTest.IDN + "\""));
            pub.closeInput();
            mock.closeInput();
            hislipMock.closeInput();
        }
    }
}
