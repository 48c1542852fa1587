package dev.labwire.examples.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.mock.Vxi11InterruptTarget;
import dev.labwire.mock.Vxi11Options;
import dev.labwire.netty.NettyClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * VXI-11 faults with both real clients against MockInstrument's VXI-11 personality over loopback: service requests on
 * the interrupt channel after {@code *ESE 1;*SRE 32;*OPC}; an instrument that refuses the interrupt channel; a reply
 * later than its timeout and a read the device never answers (device_abort, device_clear, nothing reaches the next
 * call); a restart in the middle of a call (reconnect with backoff, the hook run again, the lock re-taken, the query
 * on the wire sent again, service requests back); PyVISA-py's RPC client calling device_intr_srq and waiting for each
 * reply; the wire trace naming requests; a reply sent in 1-byte record-marking fragments.
 */
class Vxi11FaultsTest {
    enum Kind { BLOCKING, NETTY }

    private static final String IDN = "ACME,VXI-FAULTS,1,0.1";
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    /** The calls both tests make, on either client; a Netty failure surfaces as its cause, as the blocking one's. */
    interface Client extends AutoCloseable {
        String query(String command, Duration timeout);

        void write(String command);

        void lock(Duration timeout);

        AutoCloseable onServiceRequest(IntConsumer listener);
    }

    private static <T> T get(CompletableFuture<T> f) {
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Client connect(Kind kind, String endpoint, ConnectionConfig cfg) {
        Client c;
        if (kind == Kind.BLOCKING) {
            BlockingClient b = BlockingClient.openAndAwait(endpoint, cfg, WAIT);
            c = new Client() {
                public String query(String command, Duration timeout) {
                    return b.query(command, timeout);
                }

                public void write(String command) {
                    b.write(command);
                }

                public void lock(Duration timeout) {
                    b.lock(timeout);
                }

                public AutoCloseable onServiceRequest(IntConsumer listener) {
                    return b.onServiceRequest(listener);
                }

                public void close() {
                    b.close();
                }
            };
        } else {
            NettyClient n = NettyClient.open(endpoint, cfg);
            get(n.ready(WAIT));
            c = new Client() {
                public String query(String command, Duration timeout) {
                    return get(n.query(command, timeout));
                }

                public void write(String command) {
                    get(n.write(command));
                }

                public void lock(Duration timeout) {
                    get(n.lock(timeout));
                }

                public AutoCloseable onServiceRequest(IntConsumer listener) {
                    return n.onServiceRequest(listener);
                }

                public void close() {
                    n.close();
                }
            };
        }
        open.add(c);
        return c;
    }

    private MockInstrument mock(Vxi11Options options) {
        MockInstrument mock = MockInstrument.vxi11(options.portmapperPort(0)).scpi();
        open.add(mock);
        mock.dictionary().identity(IDN);
        return mock;
    }

    private static String endpoint(MockInstrument mock) {
        return "vxi11://127.0.0.1:" + mock.portmapperPort() + "/inst0";
    }

    private static ConnectionConfig.Builder config() {
        return ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5)).serviceRequestChannel(true)
                .backoff(dev.labwire.core.Backoff.exponential(Duration.ofMillis(50), Duration.ofMillis(400)));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void serviceRequestReachesOnServiceRequestAfterOpc(Kind kind) throws Exception {
        MockInstrument mock = mock(Vxi11Options.defaults());
        Client c = connect(kind, endpoint(mock), config().build());
        BlockingQueue<Integer> srq = new LinkedBlockingQueue<>();
        open.add(c.onServiceRequest(srq::add));
        c.write("*ESE 1;*SRE 32;*OPC");
        Integer stb = srq.poll(10, TimeUnit.SECONDS);
        assertThat(stb).as("a service request came over the interrupt channel").isNotNull();
        assertThat(stb & 0x40).as("RQS").isEqualTo(0x40);
        assertThat(stb & 0x20).as("ESB: *OPC set the event status register's bit 0, enabled by *ESE 1").isEqualTo(0x20);
        assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
    }

    /**
     * An independent ONC RPC implementation plays the instrument's side of the interrupt channel: PyVISA-py's
     * {@code RawTCPClient} (its own record marking and XDR) connects where create_intr_chan said, calls NULL and then
     * device_intr_srq twice with the handle device_enable_srq gave, and, unlike most instruments, waits for each
     * reply and checks its xid and accept status. Each call must come back answered and become a service request.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void pyvisaPyRpcClientCallsDeviceIntrSrqAndGetsEachReply(Kind kind) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "/usr/bin/python3 is not installed");
        Process probe = new ProcessBuilder(python.toString(), "-c", "from pyvisa_py.protocols import rpc")
                .redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "PyVISA-py is not installed for /usr/bin/python3 (Debian python3-pyvisa-py)");
        MockInstrument mock = mock(Vxi11Options.defaults().interruptCallback(false));
        Client c = connect(kind, endpoint(mock), config().build());
        BlockingQueue<Integer> srq = new LinkedBlockingQueue<>();
        open.add(c.onServiceRequest(srq::add));
        Vxi11InterruptTarget t = mock.vxi11InterruptTarget();
        assertThat(t).as("create_intr_chan came").isNotNull();
        assertThat(t.host()).isEqualTo("127.0.0.1");
        assertThat(t.program()).isEqualTo(0x0607B1);
        assertThat(t.version()).isEqualTo(1);
        assertThat(t.handle()).as("device_enable_srq came before the link was ready").isNotEmpty();
        String script = String.join("\n",
                "import sys",
                "from pyvisa_py.protocols import rpc",
                "host, port, handle = sys.argv[1], int(sys.argv[2]), bytes.fromhex(sys.argv[3])",
                "c = rpc.RawTCPClient(host, 0x0607B1, 1, port)",
                "c.packer, c.unpacker = rpc.Packer(), rpc.Unpacker(b'')",
                "c.call_0()",
                "for i in range(2):",
                "    c.make_call(30, handle, c.packer.pack_opaque, None)",
                "print('answered', c.lastxid)");
        Process p = new ProcessBuilder(python.toString(), "-c", script, t.host(), Integer.toString(t.port()),
                t.handleHex()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the python RPC client ended").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("python output: %s", out).isZero();
        assertThat(out).contains("answered 3");
        assertThat(srq.poll(10, TimeUnit.SECONDS)).as("first service request").isNotNull();
        assertThat(srq.poll(10, TimeUnit.SECONDS)).as("second service request").isNotNull();
        assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
    }

    /**
     * Both clients' wire trace (the endpoint's logger at TRACE, slf4j-simple writing to System.err) names the request
     * of each VXI-11 call they write and of each reply they read.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void wireTraceNamesTheRequestOfEachCallAndReply(Kind kind) throws Exception {
        MockInstrument mock = mock(Vxi11Options.defaults());
        String endpoint = endpoint(mock);
        String logger = dev.labwire.core.internal.WireTrace.loggerName(endpoint);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        System.setProperty("org.slf4j.simpleLogger.log." + logger, "trace");
        System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Client c = connect(kind, endpoint, config().serviceRequestChannel(false).build());
            assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
            c.close();
        } finally {
            System.setErr(err);
            System.clearProperty("org.slf4j.simpleLogger.log." + logger);
        }
        List<String> lines = log.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains(" TRACE ") && l.contains(" " + logger + " - ")).toList();
        java.util.regex.Pattern write = java.util.regex.Pattern.compile(">> \\+\\d+\\.\\d{3} ms #(\\d+) \\d+ bytes .*\\*IDN\\?.*");
        String id = lines.stream().map(write::matcher).filter(java.util.regex.Matcher::find).map(m -> m.group(1))
                .findFirst().orElseThrow(() -> new AssertionError("no >> line naming the device_write of *IDN?: " + lines));
        assertThat(lines).as("the replies to device_write and device_read name the query")
                .filteredOn(l -> l.contains("<< ") && l.contains(" #" + id + " \"*IDN?\" ")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines).as("create_link is the machine's own: its reply names no request")
                .anyMatch(l -> l.contains("<< ") && l.contains(" unsolicited "));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void instrumentThatRefusesTheInterruptChannelStillServesEveryCall(Kind kind) {
        MockInstrument mock = mock(Vxi11Options.defaults().interruptChannel(false));
        Client c = connect(kind, endpoint(mock), config().build());
        assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
        c.write("VOLT 3");
        assertThat(c.query("VOLT?", WAIT)).isEqualTo("3");
        assertThat(mock.vxi11Links()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void lateReplyAndStalledReadNeverReachTheNextCall(Kind kind) {
        MockInstrument mock = mock(Vxi11Options.defaults());
        Client c = connect(kind, endpoint(mock), config().build());
        mock.enqueue(MockReply.line("late").delay(Duration.ofMillis(800)));
        assertThatThrownBy(() -> c.query("MEAS?", Duration.ofMillis(250))).hasMessageContaining("MEAS?");
        assertThat(c.query("*IDN?", WAIT)).as("the late answer went nowhere").isEqualTo(IDN);
        c.write("VOLT 2");
        mock.enqueue(MockReply.stall());   // a hung instrument: nothing answered until device_clear
        assertThatThrownBy(() -> c.query("CURV?", Duration.ofMillis(250))).hasMessageContaining("CURV?");
        assertThat(c.query("VOLT?", WAIT)).as("device_clear unhung it; nothing stale came").isEqualTo("2");
        assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
        assertThat(mock.vxi11Links()).as("abort and clear, not a new link").isEqualTo(1);
        assertThat(mock.commands().stream().filter(Vxi11Options.DEVICE_CLEAR_COMMAND::equals).count())
                .as("a device_clear after each query that ended without its answer").isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReplyInOneByteRecordFragmentsArrivesWithinItsTimeout(Kind kind) {
        // RFC 5531 record marking allows fragments of any length: 300 000 bytes of answer as 1-byte fragments.
        // Regrowing the record buffer per fragment copied ~45 GB: the query timed out and the reader thread spun.
        MockInstrument mock = mock(Vxi11Options.defaults().replyFragment(1));
        Client c = connect(kind, endpoint(mock), config().maxFrameLength(1 << 20).build());
        String big = "7".repeat(300_000);
        mock.enqueue(MockReply.line(big));
        assertThat(c.query("CURV?", Duration.ofSeconds(3))).isEqualTo(big);
        assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void restartMidCallReconnectsRerunsTheHookRetakesTheLockAndResendsTheQuery(Kind kind) throws Exception {
        MockInstrument mock = mock(Vxi11Options.defaults());
        ConnectionConfig cfg = config().retryQueriesOnLinkDown(true)
                .onConnect(List.of(Request.write("SYST:REM"))).build();
        Client c = connect(kind, endpoint(mock), cfg);
        BlockingQueue<Integer> srq = new LinkedBlockingQueue<>();
        open.add(c.onServiceRequest(srq::add));
        c.lock(Duration.ofSeconds(3));
        mock.enqueue(MockReply.line("never seen").delay(Duration.ofSeconds(3)));
        CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> c.query("*IDN?", Duration.ofSeconds(15)));
        for (String cmd = mock.takeCommand(WAIT); !"*IDN?".equals(cmd); cmd = mock.takeCommand(WAIT)) {
            assertThat(cmd).as("*IDN? reached the mock (the hook's SYST:REM came first)").isNotNull();
        }
        int restarts = mock.restartCount();
        mock.restart();   // the core channel drops in the middle of the query: its link and its lock are gone
        mock.awaitRestarts(restarts + 1, WAIT);
        assertThat(inFlight.get(20, TimeUnit.SECONDS)).as("sent again on the new link").isEqualTo(IDN);
        assertThat(mock.commands().stream().filter("SYST:REM"::equals).count()).as("the hook ran again").isEqualTo(2);
        try (BlockingClient other = BlockingClient.openAndAwait(endpoint(mock),
                ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(3)).build(), WAIT)) {
            assertThatThrownBy(() -> other.lock(Duration.ofMillis(300))).as("our lock was re-taken on the new link")
                    .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("device_lock: VXI-11 error 11");
        }
        c.write("*ESE 1;*SRE 32;*OPC");
        Integer stb = srq.poll(10, TimeUnit.SECONDS);
        assertThat(stb).as("service requests on the new link's interrupt channel").isNotNull();
        assertThat(stb & 0x40).isEqualTo(0x40);
    }
}
