package dev.labwire.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.mock.MockInstrument;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The gateway and RemoteInstrument over TLS with username/password, against mosquitto with a certificate made by
 * openssl for a CA of the test's own (SAN IP:127.0.0.1, so host name verification passes only for it).
 */
class TlsTest {

    @Test
    void gatewayAndCallerConnectWithTlsAndCredentialsAndRefuseAnUntrustedBroker() throws Exception {
        assumeTrue(Mosquitto.available() && Files.isExecutable(Path.of("/usr/bin/openssl")), "mosquitto or openssl missing");
        String acl = "user gateway\ntopic readwrite labwire/#\nuser alice\ntopic write labwire/psu/req\n"
                + "pattern read labwire/reply/%c\n";
        try (Mosquitto broker = Mosquitto.start(new String[] {"gateway", "gw-secret", "alice", "alice-pw"}, acl,
                TlsTest::makeCertificates);
             MockInstrument psu = MockInstrument.tcp().scpi()) {
            TrustManagerFactory trust = trust(broker.dir.resolve("ca.crt"));
            Broker tls = broker.broker().withTls(trust);
            // the JDK's default trust store does not know the test's CA: the handshake fails, so does start
            assertThatThrownBy(() -> MqttGateway.builder(broker.broker().withTls(null).withCredentials("gateway", "gw-secret"))
                    .instrument(InstrumentSpec.of("psu", psu.endpoint())).start(Duration.ofSeconds(5)))
                    .isInstanceOf(IllegalStateException.class);
            try (MqttGateway gw = MqttGateway.builder(tls.withCredentials("gateway", "gw-secret"))
                    .instrument(InstrumentSpec.of("psu", psu.endpoint())).start(Duration.ofSeconds(10));
                 RemoteInstrument alice = RemoteInstrument.builder(tls.withCredentials("alice", "alice-pw"), "psu")
                         .clientId("alice-tls").build()) {
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
                String idn = null;
                while (idn == null && System.nanoTime() < deadline) {
                    try {
                        idn = alice.query("*IDN?", Duration.ofSeconds(2));
                    } catch (dev.labwire.core.LinkDownException e) {
                        // the instrument link is still coming up
                    }
                }
                assertThat(idn).startsWith("LABWIRE");
                assertThat(gw.served()).isPositive();
            }
            assertThat(broker.log()).contains("u'gateway'").contains("u'alice'");
        }
    }

    private static String makeCertificates(Path dir) throws Exception {
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=labwire test CA",
                "-keyout", "ca.key", "-out", "ca.crt");
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
                "-out", "server.csr");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "san.ext", "-out", "server.crt");
        for (String f : List.of("ca.crt", "server.crt", "server.key")) {
            Files.setPosixFilePermissions(dir.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
        }
        return "cafile " + dir.resolve("ca.crt") + "\ncertfile " + dir.resolve("server.crt") + "\nkeyfile "
                + dir.resolve("server.key") + "\n";
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + Files.readString(dir.resolve("openssl.log"))).isZero();
    }

    private static TrustManagerFactory trust(Path caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf;
    }
}
