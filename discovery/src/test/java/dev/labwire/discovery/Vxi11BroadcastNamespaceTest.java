package dev.labwire.discovery;

import dev.labwire.testsupport.Netns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The VXI-11 portmapper broadcast against Debian's rpcbind (an independent portmapper) in a network namespace of the
 * test's own holding only {@code lo}: the probe goes to {@code 127.255.255.255:111} (lo's broadcast address). rpcbind
 * answers port 0 until the VXI-11 core program is registered with it (nothing found), then the core port of a
 * VXI-11 {@code MockInstrument} registered there (found, and identified over VXI-11 through rpcbind).
 */
class Vxi11BroadcastNamespaceTest {

    static boolean clientsOpenVxi11() {
        // a client refuses at once an endpoint it has no session machine for (a loopback connect attempt otherwise)
        try (dev.labwire.blocking.BlockingClient c = dev.labwire.blocking.BlockingClient.open("vxi11://127.0.0.1/inst0")) {
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void aPortmapperWithVxi11IsFoundAndOneWithoutIsNot() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/rpcbind")) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs Debian's rpcbind (apt-get install -y rpcbind) and /usr/bin/python3");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        try (Netns ns = new Netns()) {
            Netns.Child rpcbind = ns.start("/usr/sbin/rpcbind", "-f");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ns.exec("rpcinfo", "-p", "127.0.0.1") != null) {
                if (System.nanoTime() > deadline || !rpcbind.process.isAlive()) {
                    abort("rpcbind did not start in the namespace (another rpcbind holding /run/rpcbind?)");
                }
                rpcbind.process.waitFor(50, TimeUnit.MILLISECONDS);
            }

            // rpcbind alone: it answers the probe with port 0, which is no instrument
            Netns.Child none = ns.start(java, "-cp", cp, DiscoverMain.class.getName(), "1500", "plain", "vxi11",
                    "127.255.255.255");
            none.await(l -> l.startsWith("END "), 20_000, "end of the first run");
            assertThat(none.all).hasSize(1);

            Netns.Child mock = ns.start(java, "-cp", cp, Vxi11MockMain.class.getName());
            String core = mock.await(l -> l.startsWith("CORE "), 20_000, "the mock's core port").substring(5);
            Netns.Child set = ns.start("/usr/bin/python3",
                    Path.of("src/test/resources/pmap_set.py").toAbsolutePath().toString(), core);
            set.await(l -> l.equals("SET 1"), 10_000, "rpcbind accepting the registration");
            assertThat(ns.output("rpcinfo", "-p", "127.0.0.1")).containsPattern("395183\\s+1\\s+tcp\\s+" + core);

            Netns.Child found = ns.start(java, "-cp", cp, DiscoverMain.class.getName(), "3000", "identify", "vxi11",
                    "127.255.255.255");
            found.await(l -> l.startsWith("END "), 30_000, "end of the second run");
            List<String> results = found.all.stream().filter(l -> !l.startsWith("END ")).toList();
            assertThat(results).hasSize(1);
            String[] f = results.get(0).split("\t", -1);
            assertThat(f[1]).isEqualTo("vxi11://127.0.0.1:111/inst0");
            assertThat(f[2]).isEqualTo("VXI11_BROADCAST");
            assertThat(f[6]).isEqualTo("portmapper at 127.0.0.1: VXI-11 core on TCP port " + core);
            if (clientsOpenVxi11()) {
                // identified over VXI-11: the client asked rpcbind for the core port, then the mock answered *IDN?
                assertThat(f[5]).isEqualTo(Vxi11MockMain.IDN);
                assertThat(f[3]).isEqualTo("VXI11-DISCOVERY-MOCK");
            } else {
                // this build's clients cannot open vxi11:// yet (core.internal.Sessions): the result says so
                assertThat(f[5]).startsWith("IllegalArgumentException: VXI-11 endpoint vxi11://127.0.0.1:111/inst0 "
                        + "cannot be opened yet");
                assertThat(f[3]).isEqualTo("-");
            }
            assertThat(Long.parseLong(f[0])).isLessThan(3000);

            // cross-check: lxi-tools' own VXI-11 discovery (liblxi, an independent client) broadcasts on lo too and
            // finds the same instrument through rpcbind
            if (Files.isExecutable(Path.of("/usr/bin/lxi"))) {
                String lxi = ns.output("timeout", "15", "lxi", "discover");
                assertThat(lxi).as("lxi discover").contains("127.0.0.1").contains(Vxi11MockMain.IDN.split(",")[1]);
            }
            mock.closeInput();
        }
    }
}
