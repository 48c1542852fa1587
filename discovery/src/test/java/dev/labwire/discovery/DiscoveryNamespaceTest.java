package dev.labwire.discovery;

import dev.labwire.testsupport.Netns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Discovery against an independent mDNS responder (Debian's python3-zeroconf) inside a network namespace of the
 * test's own that holds only {@code lo}: multicast never leaves it. The discovery side runs as a child JVM inside the
 * namespace ({@link DiscoverMain}); so does a {@code MockInstrument} for {@code *IDN?} ({@link MockMain}).
 */
class DiscoveryNamespaceTest {

    static final String PYTHON = "/usr/bin/python3";

    @BeforeAll
    static void zeroconfInstalled() {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)) && Netns.run(PYTHON, "-c", "import zeroconf") == null,
                "needs /usr/bin/python3 with python3-zeroconf (apt-get install -y python3-zeroconf)");
    }

    static String services() {
        return """
                [{"type": "_scpi-raw._tcp", "name": "Bench PSU", "port": 5025, "addresses": ["127.0.0.1"],
                  "txt": {"txtvers": "1", "Manufacturer": "ACME", "Model": "PSU-3000", "SerialNumber": "SN42",
                          "FirmwareVersion": "1.2"}},
                 {"type": "_hislip._tcp", "name": "Bench PSU", "port": 4880, "addresses": ["127.0.0.1"],
                  "txt": {"Manufacturer": "ACME", "Model": "PSU-3000"}},
                 {"type": "_scpi-raw._tcp", "name": "Second port", "port": 5026, "addresses": ["127.0.0.1"]},
                 {"type": "_scpi-raw._tcp", "name": "IPv6 only", "port": 5027, "addresses": ["::1"],
                  "server": "v6.local."},
                 {"type": "_lxi._tcp", "name": "Scope web", "port": 80, "addresses": ["127.0.0.2"],
                  "server": "scope.local.", "txt": {"Model": "DSO-1"}},
                 {"type": "_vxi-11._tcp", "name": "Scope", "port": 111, "addresses": ["127.0.0.3"],
                  "server": "scope3.local."},
                 {"type": "_http._tcp", "name": "Not an instrument", "port": 8080, "addresses": ["127.0.0.1"]}]
                """.replace("\n", " ");
    }

    @Test
    void findsEveryServiceAsItsOwnEndpointAndIdentifiesWhatAnswers() throws Exception {
        Path script = Netns.publishServicesScript();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        try (Netns ns = new Netns()) {
            Netns.Child mock = ns.start(java, "-cp", cp, MockMain.class.getName(), "5025");
            mock.await(l -> l.equals("tcp://127.0.0.1:5025"), 15_000, "mock endpoint");
            Netns.Child pub = ns.start(PYTHON, script.toString(), services());
            pub.await(l -> l.startsWith("registered 7"), 20_000, "services registered");

            long timeoutMs = 6000;
            long started = System.nanoTime();
            Netns.Child d = ns.start(java, "-cp", cp, DiscoverMain.class.getName(), Long.toString(timeoutMs),
                    "identify");
            String end = d.await(l -> l.startsWith("END "), timeoutMs + 20_000, "end of the discovery run");
            assertThat(d.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
            long wallMs = (System.nanoTime() - started) / 1_000_000;

            Map<String, String[]> byEndpoint = new HashMap<>();
            List<Long> arrivals = new ArrayList<>();
            for (String l : d.all) {
                if (l.startsWith("END ")) {
                    continue;
                }
                String[] f = l.split("\t", -1);
                assertThat(byEndpoint.put(f[1], f)).as("each endpoint once: %s", l).isNull();
                arrivals.add(Long.parseLong(f[0]));
            }
            assertThat(byEndpoint.keySet()).containsExactlyInAnyOrder(
                    "tcp://127.0.0.1:5025", "hislip://127.0.0.1:4880/hislip0", "tcp://127.0.0.1:5026",
                    "tcp://[::1]:5027", "vxi11://127.0.0.2:111/inst0", "vxi11://127.0.0.3:111/inst0");
            // TXT record fields
            String[] psu = byEndpoint.get("tcp://127.0.0.1:5025");
            assertThat(psu[2]).isEqualTo("MDNS");
            assertThat(psu[3]).isEqualTo("PSU-3000");
            assertThat(psu[4]).isEqualTo("SN42");
            // identified: the mock answered *IDN? on the announced address and port
            assertThat(psu[5]).isEqualTo("LABWIRE,MOCK-INSTRUMENT,SN0001,1.0");
            // nothing listens on 5026: identifying fails, the result is still there, saying why
            assertThat(byEndpoint.get("tcp://127.0.0.1:5026")[5]).contains("refused");
            assertThat(byEndpoint.get("tcp://127.0.0.1:5026")[4]).isEqualTo("-");
            // fields from *IDN? fill what the announcement left out
            assertThat(byEndpoint.get("vxi11://127.0.0.2:111/inst0")[6]).contains("_lxi._tcp", "Scope web",
                    "http://127.0.0.2:80/");
            // streamed: results came before the deadline, and the run ended at it, not much later
            assertThat(arrivals).allMatch(t -> t < timeoutMs);
            long endMs = Long.parseLong(end.substring(4));
            assertThat(endMs).isBetween(timeoutMs, timeoutMs + 1500);
            assertThat(wallMs).isLessThan(timeoutMs + 15_000);
            pub.closeInput();
            mock.closeInput();
        }
    }
}
