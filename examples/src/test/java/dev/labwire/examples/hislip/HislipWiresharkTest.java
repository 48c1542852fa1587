package dev.labwire.examples.hislip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.mock.MockHislip;
import dev.labwire.mock.MockInstrument;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * An independent reading of our bytes: Wireshark's HiSLIP dissector (tshark, Debian package {@code tshark}, installed
 * by .ci/run) captures a real session between the blocking client (HislipSession) and MockHislip on loopback and
 * decodes every message; the fields it reports must be the ones IVI-6.1 gives them. Neither side of our code reads
 * the other's bytes here: Wireshark does.
 */
class HislipWiresharkTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    @SuppressWarnings("unchecked")
    void wiresharkDecodesEveryMessageOfARealSessionAsTheSpecSays() throws Exception {
        Assumptions.assumeTrue(HislipWiresharkTestSupport.onPath("tshark"), "tshark not installed (apt-get install tshark)");
        try (MockInstrument mock = MockInstrument.tcp().scpi(); MockHislip server = MockHislip.serve(mock, 0)) {
            int port = server.port();
            java.nio.file.Path pcap = java.nio.file.Files.createTempFile("hislip", ".pcapng");
            Process tshark = new ProcessBuilder("tshark", "-i", "lo", "-f", "tcp port " + port, "-w", pcap.toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            List<String> err = new CopyOnWriteArrayList<>();
            pump(tshark.getErrorStream(), err);
            List<String> lines;
            try {
                await(() -> err.stream().anyMatch(l -> l.contains("Capturing on") || l.contains("permission")),
                        "tshark capturing: " + err);
                Assumptions.assumeFalse(err.stream().anyMatch(l -> l.contains("permission")),
                        "tshark may not capture on lo here (needs root or the wireshark group): " + err);
                // tshark says "Capturing on" a moment before packets are really captured (under load the session's
                // first messages were missed): wait until the capture holds a probe connection's SYN
                long live = System.nanoTime() + WAIT.toNanos();
                while (frames(pcap, "tcp.flags.syn==1") == 0) {
                    assertThat(System.nanoTime() - live).as("the capture sees a probe connection").isNegative();
                    try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
                        probe.setSoLinger(true, 0);
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000); // poll interval of the condition
                }
                ConnectionConfig cfg = ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5)).build();
                try (BlockingClient c = BlockingClient.openAndAwait("hislip://127.0.0.1:" + port + "/hislip0", cfg,
                        Duration.ofSeconds(10))) {
                    assertThat(c.query("*IDN?")).startsWith("LABWIRE");
                    c.write("VOLT 5");
                    assertThat(c.query("VOLT?")).isEqualTo("5");
                    server.requestService(0x01);
                    mock.enqueue(dev.labwire.mock.MockReply.line("late").delay(Duration.ofMillis(600)));
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.query("MEAS?", Duration.ofMillis(100)));
                    assertThat(c.query("*IDN?")).startsWith("LABWIRE");
                }
                // read the capture until it holds the session's last reply (DataEnd, id 0xffffff08)
                List<String>[] read = new List[1];
                await(() -> {
                    read[0] = decode(pcap, port);
                    return read[0].stream().anyMatch(line(f -> f[1].equals("0x07") && f[3].equals("0xffffff08")
                            && f[9].startsWith("LABWIRE")));
                }, "the capture holds the whole session");
                lines = read[0];
            } finally {
                tshark.destroy();
                tshark.waitFor(5, TimeUnit.SECONDS);
            }
            String all = String.join("\n", lines);
            assertThat(lines).isNotEmpty().allMatch(l -> l.startsWith("HS"), "every message has the prologue HS");
            assertThat(all).as("no expert complaint").doesNotContain("isn't").doesNotContain("Malformed");
            // Initialize: client protocol 1.0, vendor "LW" (0x4c57), payload the sub-address
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x00") && f[6].equals("0x0100") && f[5].equals("0x4c57")
                    && f[9].equals("hislip0")));
            // InitializeResponse: synchronized (overlap bit 0), server protocol 1.0, session id 1
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x01") && f[11].equals("0x00") && f[7].equals("0x0100")
                    && f[4].equals("0x0001")));
            // AsyncInitialize with that session id; AsyncInitializeResponse with the server's vendor id
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x11") && f[4].equals("0x0001")));
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x12") && f[5].equals("0x4c57")));
            // maximum message size both ways
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x0f") && f[8].equals("1048576")));
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x10") && f[8].equals("1048576")));
            // the first query and its reply carry message id 0xffffff00; each later message id is 2 more
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x07") && f[3].equals("0xffffff00")
                    && f[9].startsWith("*IDN?") && f[2].equals("0x00")));
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x07") && f[3].equals("0xffffff00")
                    && f[9].startsWith("LABWIRE")));
            // RMT-delivered on the first message after a whole reply
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x07") && f[3].equals("0xffffff02")
                    && f[9].startsWith("VOLT 5") && f[2].equals("0x01")));
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x07") && f[3].equals("0xffffff04")
                    && f[9].startsWith("VOLT?")));
            // the service request: AsyncServiceRequest (20) with the status byte 0x41
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x14") && f[12].equals("0x41")));
            // the timed-out MEAS? (0xffffff06) is interrupted by the next query (0xffffff08): Interrupted and
            // AsyncInterrupted carry the new id, and the late reply never goes out
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x0d") && f[3].equals("0xffffff08")));
            assertThat(lines).anyMatch(line(f -> f[1].equals("0x0e") && f[3].equals("0xffffff08")));
            assertThat(lines).noneMatch(l -> l.contains("late"));
        }
    }

    /** Every HiSLIP message in the capture, as Wireshark's dissector reads it, one line per frame. */
    private static List<String> decode(java.nio.file.Path pcap, int port) {
        try {
            Process p = new ProcessBuilder("tshark", "-r", pcap.toString(), "-d", "tcp.port==" + port + ",hislip",
                    "-Y", "hislip", "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;",
                    "-e", "hislip.prologue", "-e", "hislip.messagetype", "-e", "hislip.controlcode.rmt",
                    "-e", "hislip.msgpara.messageid", "-e", "hislip.msgpara.sessionid", "-e", "hislip.msgpara.vendorID",
                    "-e", "hislip.msgpara.clientproto", "-e", "hislip.msgpara.servproto", "-e", "hislip.maxmsgsize",
                    "-e", "hislip.data", "-e", "_ws.expert", "-e", "hislip.controlcode.overlap",
                    "-e", "hislip.controlcode.stb")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            List<String> out = new java.util.ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    out.add(l);
                }
            }
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** How many frames of the capture so far match the display filter {@code filter}. */
    private static int frames(java.nio.file.Path pcap, String filter) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tshark", "-r", pcap.toString(), "-Y", filter, "-T", "fields", "-e",
                "frame.number").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int n = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) {
                n += l.isBlank() ? 0 : 1;
            }
        }
        p.waitFor(30, TimeUnit.SECONDS);
        return n;
    }

    /** A tshark line with one message (segments holding several messages are split on the aggregator). */
    private static Predicate<String> line(Predicate<String[]> fields) {
        return l -> {
            String[] f = l.split("\\|", -1);
            if (f[1].contains(";")) {
                return false;
            }
            return fields.test(f);
        };
    }

    private static void pump(java.io.InputStream in, List<String> into) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    into.add(l);
                }
            } catch (IOException e) {
                into.add("read failed: " + e);
            }
        }, "tshark-output");
        t.setDaemon(true);
        t.start();
    }

    private static void await(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000); // poll interval of the condition
        }
    }
}
