package dev.labwire.testsupport.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 4: with the endpoint's wire logger at TRACE, every chunk each way is logged, naming its request:
 * TCP, a serial link and a bus. Real loopback sockets and pty pairs against MockInstrument; the log is read from
 * slf4j-simple's output, which goes to {@code System.err} as it is at each call, and the logger's level is a system
 * property read when the client makes its logger (so only this test's endpoint traces). Each client module runs these
 * through its {@link Clients}.
 */
public abstract class WireTraceScenarios extends ClientScenarios {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern LINE = Pattern.compile("(>>|<<) \\+\\d+\\.\\d{3} ms (.*?)(\\d+) bytes \"(.*)");

    protected WireTraceScenarios(Clients clients) {
        super(clients);
    }

    @Test
    public void aQueryIsTracedBothWaysNamingItsRequest() throws Exception {
        try (MockInstrument mock = WireLog.tcpMock(true); WireLog log = WireLog.trace(mock.endpoint())) {
            mock.enqueue("+1.25E0");
            try (TestClient c = clients().open(mock.endpoint(), ConnectionConfig.DEFAULT)) {
                assertThat(c.query("MEAS:VOLT?")).isEqualTo("+1.25E0");
            }
            List<String> lines = log.lines();
            String sent = find(lines, ">> ", "\"MEAS:VOLT?\\n\"");
            Matcher m = Pattern.compile(">> \\+\\d+\\.\\d{3} ms (#\\d+) 11 bytes \"MEAS:VOLT\\?\\\\n\"").matcher(sent);
            assertThat(m.matches()).as(sent).isTrue();
            String id = m.group(1);
            assertThat(find(lines, "<< ", "+1.25E0")).as("the reply names the request it answers")
                    .contains(" " + id + " \"MEAS:VOLT?\" 8 bytes \"+1.25E0\\n\"");
        }
    }

    @Test
    public void binaryBytesAreHexALongReplyIsCutAndStrayBytesAreUnsolicited() throws Exception {
        byte[] big = new byte[10_000];
        Arrays.fill(big, (byte) 'A');
        try (MockInstrument mock = WireLog.tcpMock(true); WireLog log = WireLog.trace(mock.endpoint())) {
            mock.enqueue(MockReply.block(new byte[] {0, 1, (byte) 0x7F, (byte) 0xFF, '"', '\\'}));
            mock.enqueue(MockReply.block(big));
            try (TestClient c = clients().open(mock.endpoint(), ConnectionConfig.builder().maxFrameLength(64 * 1024).build())) {
                assertThat(c.queryBlock("CURV?")).hasSize(6);
                assertThat(c.queryBlock("DATA?")).hasSize(10_000);
                mock.push("SRQ 1");
                Await.until(WAIT, () -> log.lines().stream().anyMatch(l -> l.contains("SRQ 1")), "the pushed line is traced");
            }
            List<String> lines = log.lines();
            assertThat(find(lines, "<< ", "\"CURV?\"")).endsWith("\"#16\\x00\\x01\\x7F\\xFF\\\"\\\\\\n\"");
            assertLongReplyIsCut(lines, "\"DATA?\"", 10_000 + 8); // #510000, the data, LF
            assertThat(find(lines, "<< ", "SRQ 1")).contains(" unsolicited 6 bytes \"SRQ 1\\n\"");
        }
    }

    /**
     * A block of megabytes arrives in many reads; the blocking client reads most of them straight into the block's own
     * array (a receive window), not through its read buffer: every byte is traced all the same, once, and the header
     * and data name the request. (The LF after the block may come in a read of its own once the block is whole: that
     * line names no request, as any bytes read while nothing is awaited.)
     */
    @Test
    public void aLargeBlockIsTracedWholeWhereverItsBytesWereRead() throws Exception {
        byte[] big = new byte[3 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) ('A' + i % 26); // printable: the trace shows each byte as itself
        }
        try (MockInstrument mock = WireLog.tcpMock(true); WireLog log = WireLog.trace(mock.endpoint())) {
            mock.enqueue(MockReply.block(big));
            try (TestClient c = clients().open(mock.endpoint(), ConnectionConfig.builder().maxFrameLength(4 << 20).build())) {
                assertThat(c.queryBlock("DATA?")).isEqualTo(big);
                Await.until(WAIT, () -> received(log.lines(), null) == big.length + 10, "every byte traced");
            }
            List<String> lines = log.lines();
            assertThat(received(lines, null)).as("bytes traced: #73145728, the data, LF").isEqualTo(big.length + 10);
            assertThat(received(lines, "\"DATA?\"")).as("bytes traced naming DATA?").isBetween(big.length + 9, big.length + 10);
            assertThat(lines.stream().filter(l -> l.startsWith("<< ") && l.contains("\"DATA?\"")).count())
                    .as("reads traced naming DATA?").isGreaterThan(1);
        }
    }

    /** The bytes of the {@code <<} lines (naming {@code command}, or all when null). */
    private static int received(List<String> lines, String command) {
        int sum = 0;
        for (String l : lines) {
            if (l.startsWith("<< ") && (command == null || l.contains(command))) {
                Matcher m = LINE.matcher(l);
                assertThat(m.matches()).as(l).isTrue();
                sum += Integer.parseInt(m.group(3));
            }
        }
        return sum;
    }

    @Test
    public void bytesNothingWasAskedForAreUnsolicitedAndAnotherEndpointStaysQuiet() throws Exception {
        try (MockInstrument mock = WireLog.tcpMock(true); MockInstrument other = WireLog.tcpMock(false).scpi();
                WireLog log = WireLog.trace(mock.endpoint())) {
            mock.enqueue("1");
            try (TestClient c = clients().open(mock.endpoint(), ConnectionConfig.DEFAULT);
                 TestClient quiet = clients().open(other.endpoint(), ConnectionConfig.DEFAULT)) {
                assertThat(c.query("*OPC?")).isEqualTo("1");
                assertThat(quiet.query("*OPC?")).isEqualTo("1");
                mock.push("SRQ 1");
                Await.until(WAIT, () -> log.lines().stream().anyMatch(l -> l.contains("SRQ 1")), "the pushed line is traced");
            }
            assertThat(find(log.lines(), "<< ", "SRQ 1")).contains(" unsolicited 6 bytes \"SRQ 1\\n\"");
            assertThat(log.all()).as("the other client's logger is not at TRACE").doesNotContain(WireLog.loggerName(other.endpoint()));
        }
    }

    @Test
    public void aSerialLinkIsTracedToo() throws Exception {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        try (MockInstrument mock = MockInstrument.pty(); WireLog log = WireLog.trace(mock.endpoint())) {
            mock.enqueue("42");
            try (TestClient c = clients().open(mock.endpoint(), ConnectionConfig.DEFAULT)) {
                assertThat(c.query("COUNT?")).isEqualTo("42");
            }
            assertThat(log.logger()).startsWith("dev.labwire.wire.serial_");
            assertThat(find(log.lines(), ">> ", "COUNT?")).endsWith("7 bytes \"COUNT?\\n\"");
            assertThat(String.join("\n", log.lines())).contains("\"COUNT?\" ").contains("42\\n\"");
        }
    }

    @Test
    public void aBusIsTracedWithTheAddressedCommand() throws Exception {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        try (MockInstrument mock = MockInstrument.pty(); WireLog log = WireLog.trace(mock.endpoint())) {
            mock.busDevice("A").responder(cmd -> MockReply.line("+7"));
            try (TestBus bus = clients().openBus(mock.endpoint(), BusConfig.builder().build())) {
                assertThat(bus.awaitReady(WAIT).device("A").query("FLOW?")).isEqualTo("+7");
            }
            String sent = find(log.lines(), ">> ", "AFLOW?");
            assertThat(sent).matches(">> \\+\\d+\\.\\d{3} ms #\\d+ 7 bytes \"AFLOW\\?\\\\n\"");
            String id = sent.split(" ")[3];
            assertThat(find(log.lines(), "<< ", "+7")).contains(" " + id + " \"AFLOW?\" ");
        }
    }

    /** Every {@code <<} line of the reply to {@code command} shows at most 200 bytes, and they add up to {@code total}. */
    static void assertLongReplyIsCut(List<String> lines, String command, int total) {
        int sum = 0;
        boolean cut = false;
        for (String l : lines) {
            if (!l.startsWith("<< ") || !l.contains(command)) {
                continue;
            }
            Matcher m = LINE.matcher(l);
            assertThat(m.matches()).as(l).isTrue();
            int n = Integer.parseInt(m.group(3));
            sum += n;
            if (n > 200) {
                cut = true;
                assertThat(m.group(4)).as("a chunk over the bound").endsWith("\"... (" + n + " bytes)").hasSizeLessThan(260);
            } else {
                assertThat(m.group(4)).endsWith("\"");
            }
        }
        assertThat(sum).as("the chunks of the reply add up").isEqualTo(total);
        assertThat(cut).as("some chunk of a 10 kB reply is over 200 bytes").isTrue();
    }

    static String find(List<String> lines, String direction, String part) {
        return lines.stream().filter(l -> l.startsWith(direction) && l.contains(part)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + direction + "line with " + part + " in\n" + String.join("\n", lines)));
    }

    /** One endpoint's wire logger set to TRACE, and what slf4j-simple writes to System.err meanwhile. */
    static final class WireLog implements AutoCloseable {
        private final String logger;
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private WireLog(String logger) {
            this.logger = logger;
            System.setProperty("org.slf4j.simpleLogger.log." + logger, "trace");
            System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        }

        /**
         * A TCP mock on a port whose wire logger, if this JVM made it already, is at TRACE ({@code traced}) or not.
         * slf4j-simple keeps each logger at the level it was made with, and the name holds the port: a port an
         * earlier test of this JVM used would keep that test's level, and the trace would be empty (or, for an
         * endpoint that must stay quiet, full). Such ports are passed over.
         */
        static MockInstrument tcpMock(boolean traced) {
            for (int i = 0; ; i++) {
                MockInstrument m = MockInstrument.tcp();
                String name = loggerName(m.endpoint());
                String property = "org.slf4j.simpleLogger.log." + name;
                if (traced) {
                    System.setProperty(property, "trace");
                }
                boolean usable = org.slf4j.LoggerFactory.getLogger(name).isTraceEnabled() == traced;
                System.clearProperty(property);
                if (usable || i == 20) {
                    return m;
                }
                m.close();
            }
        }

        static WireLog trace(String endpoint) {
            return new WireLog(loggerName(endpoint));
        }

        /** The naming rule as the README gives it. */
        static String loggerName(String endpoint) {
            String s = endpoint.replaceAll("\\?.*", "").replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_+|_+$", "");
            return "dev.labwire.wire." + s;
        }

        String logger() {
            return logger;
        }

        String all() {
            return out.toString(StandardCharsets.UTF_8);
        }

        /** The messages this logger logged, in order. */
        List<String> lines() {
            String marker = " " + logger + " - ";
            return all().lines().filter(l -> l.contains(" TRACE ") && l.contains(marker))
                    .map(l -> l.substring(l.indexOf(marker) + marker.length())).toList();
        }

        @Override
        public void close() {
            System.setErr(original);
            System.clearProperty("org.slf4j.simpleLogger.log." + logger);
        }
    }
}
