package dev.labwire.examples.vxi11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.netty.NettyClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both clients against {@code faulty_vxi11_peer.py}, a VXI-11 instrument (core and abort channels, its own portmapper)
 * written in plain Python from the VXI-11 specification and RFC 5531/1833 (sockets and struct, no RPC library, nothing
 * of labwire). The fault is chosen per command by its keyword (FRAG?, PIECES?, LATE?, WRONGXID?, GARBAGE?, ERR?,
 * DROPLINK?, HUGELEN?, TRUNC? ...) or per server by an option (--max-recv, --create-delay). Each fault costs its own
 * call at most, that call ends by its deadline, and the next call gets its own reply ({@code ECHO? x} answers
 * {@code x}, so a reply taken by the wrong call shows). The endpoint names the peer's portmapper port
 * ({@code vxi11://127.0.0.1:<port>/inst0}); the portmapper names the core port.
 */
class Vxi11FaultyPeerTest {

    enum Kind { BLOCKING, NETTY }

    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Duration SHORT = Duration.ofMillis(300);
    static final Duration LONG = Duration.ofSeconds(3);
    /** What a call may take beyond its deadline: a timer's lateness on a busy 2-CPU machine. */
    static final Duration SLACK = Duration.ofMillis(250);

    /** The python instrument: started on a free portmapper port, READY awaited, every LOG line kept. */
    static final class Peer implements AutoCloseable {
        private final Process process;
        private final Path script;
        private final List<String> lines = new ArrayList<>();
        final int portmapperPort;

        Peer(String... options) throws IOException {
            assumeTrue(Files.isExecutable(PYTHON), "/usr/bin/python3 is not installed");
            script = Files.createTempFile("faulty_vxi11_peer", ".py");
            try (InputStream in = Vxi11FaultyPeerTest.class.getResourceAsStream("/vxi11/faulty_vxi11_peer.py")) {
                Files.write(script, in.readAllBytes());
            }
            try (ServerSocket probe = new ServerSocket(0)) {
                portmapperPort = probe.getLocalPort();
            }
            List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString(),
                    Integer.toString(portmapperPort)));
            command.addAll(List.of(options));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).as("the python VXI-11 peer's first line").isEqualTo("READY");
            Thread reader = new Thread(() -> out.lines().forEach(this::add), "faulty-vxi11-peer-log");
            reader.setDaemon(true);
            reader.start();
        }

        private synchronized void add(String line) {
            lines.add(line);
            notifyAll();
        }

        String endpoint() {
            return "vxi11://127.0.0.1:" + portmapperPort + "/inst0";
        }

        synchronized long count(String text) {
            return lines.stream().filter(l -> l.contains(text)).count();
        }

        /** Whether the peer logs {@code times} lines containing {@code text} within 5 s. */
        synchronized boolean sawWithin5s(String text, int times) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long left;
            while (count(text) < times && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return count(text) >= times;
        }

        /**
         * How many lines contain {@code text}, once at least {@code atLeast} do or 5 s passed: the peer logs a step
         * before the client can see its outcome, but its log is read on another thread, so a count read at once may
         * lag the reply.
         */
        synchronized long countOnce(String text, int atLeast) throws InterruptedException {
            sawWithin5s(text, atLeast);
            return count(text);
        }

        synchronized String log() {
            return String.join("\n", lines);
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(script);
        }
    }

    /** A query on either client; a Netty failure surfaces as its cause, as the blocking one's. */
    interface Client extends AutoCloseable {
        String query(String command, Duration timeout) throws Exception;

        @Override
        void close();
    }

    static ConnectionConfig.Builder config() {
        return ConnectionConfig.builder().defaultTimeout(LONG).connectTimeout(Duration.ofSeconds(2))
                .backoff(Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(200)));
    }

    static Client open(Kind kind, Peer peer, ConnectionConfig cfg) throws Exception {
        return open(kind, peer, cfg, Duration.ofSeconds(10));
    }

    static Client open(Kind kind, Peer peer, ConnectionConfig cfg, Duration wait) throws Exception {
        if (kind == Kind.BLOCKING) {
            BlockingClient b = BlockingClient.openAndAwait(peer.endpoint(), cfg, wait);
            return new Client() {
                public String query(String command, Duration timeout) { return b.query(command, timeout); }
                public void close() { b.close(); }
            };
        }
        NettyClient n = NettyClient.open(peer.endpoint(), cfg);
        try {
            n.ready(wait).get(wait.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            n.close();
            throw (Exception) e.getCause();
        }
        return new Client() {
            public String query(String command, Duration timeout) throws Exception {
                try {
                    return n.query(command, timeout).get(timeout.toMillis() + 10_000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    throw (Exception) e.getCause();
                }
            }
            public void close() { n.close(); }
        };
    }

    /** {@code command} fails as {@code check} says, by its deadline plus slack; the next call gets its own reply. */
    static void failsThenNextIsFine(Client c, String command, Duration timeout, Consumer<Throwable> check)
            throws Exception {
        long t0 = System.nanoTime();
        Throwable thrown = null;
        String got = null;
        try {
            got = c.query(command, timeout);
        } catch (Exception e) {
            thrown = e;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(thrown).as("%s fails (it got \"%s\" after %d ms)", command, got, ms).isNotNull();
        check.accept(thrown);
        assertThat(ms).as("%s ends by its deadline: %s", command, thrown).isLessThan(timeout.plus(SLACK).toMillis());
        assertThat(c.query("ECHO? after", LONG)).as("the call after %s", command).isEqualTo("after");
    }

    /** A {@link RemoteProtocolException} whose message contains {@code text}. */
    static Consumer<Throwable> remote(String text) {
        return e -> assertThat(e).isInstanceOf(RemoteProtocolException.class).hasMessageContaining(text);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void repliesInSmallFragmentsAndAHeaderSplitAcrossSegments(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer, config().build())) {
            assertThat(c.query("*IDN?", SHORT)).isEqualTo("FAULTY,VXI11-PEER,0,1.0");
            for (int i = 0; i < 5; i++) {
                assertThat(c.query("FRAG? f" + i, LONG)).isEqualTo("f" + i);
                assertThat(c.query("HDRSPLIT? h" + i, LONG)).isEqualTo("h" + i);
            }
            assertThat(peer.countOnce("GETPORT 0x607AF v1 prot 6", 1)).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void repliesWithoutEndInPiecesAndLargerThanRequestSize(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer, config().maxFrameLength(2 << 20).build())) {
            assertThat(c.query("PIECES? abcdefghij", LONG)).isEqualTo("abcdefghij");
            assertThat(peer.countOnce("without END", 5)).isEqualTo(5);
            String big = c.query("BIG? 1500000", Duration.ofSeconds(5));
            assertThat(big).hasSize(1_499_999).startsWith("0123456789");
            assertThat(peer.countOnce("BIG part of", 1)).isGreaterThanOrEqualTo(1);
            assertThat(c.query("ECHO? after", LONG)).isEqualTo("after");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aSmallMaxRecvSizeSplitsEachWrite(Kind kind) throws Exception {
        try (Peer peer = new Peer("--max-recv", "16"); Client c = open(kind, peer, config().build())) {
            String long100 = "x".repeat(100);
            assertThat(c.query("ECHO? " + long100, LONG)).isEqualTo(long100);
            assertThat(peer.countOnce("device_write 16 bytes", 6)).isEqualTo(6);   // 107 bytes: 6 x 16 + 11
            assertThat(peer.count("OVERSIZE")).as(peer.log()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReadAnsweredAfterTheCallerGaveUpNeverAnswersALaterCall(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer, config().build())) {
            for (int i = 0; i < 4; i++) {
                int n = i;
                failsThenNextIsFine(c, "LATE? 700 late" + i, SHORT, e -> assertThat(e).as("late %d", n)
                        .isInstanceOf(RequestTimeoutException.class));
                assertThat(c.query("ECHO? next" + i, LONG)).isEqualTo("next" + i);
            }
            assertThat(peer.countOnce("late reply sent", 4)).isEqualTo(4);
            assertThat(peer.countOnce("device_abort", 4)).isGreaterThanOrEqualTo(4);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void repliesWithAWrongXid(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer, config().build())) {
            // a reply for no call, then the right one: the right one is taken
            assertThat(c.query("WRONGXID? w", LONG)).isEqualTo("w");
            failsThenNextIsFine(c, "BADXID? b", SHORT, e -> assertThat(e)
                    .isInstanceOf(RequestTimeoutException.class));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void rpcLevelErrors(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer, config().build())) {
            failsThenNextIsFine(c, "PROGUNAVAIL? p", LONG, remote("PROG_UNAVAIL"));
            failsThenNextIsFine(c, "GARBAGE? g", LONG, remote("GARBAGE_ARGS"));
            failsThenNextIsFine(c, "DENIED? d", LONG, remote("AUTH_ERROR"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void vxi11ErrorCodes(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer, config().build())) {
            for (int code : new int[] {11, 17, 23}) {
                failsThenNextIsFine(c, "ERR? " + code + " e", LONG, remote("error " + code));
                failsThenNextIsFine(c, "WERR? " + code + " w", LONG, remote("error " + code));
            }
            failsThenNextIsFine(c, "ERR? 15 t", LONG, e -> assertThat(e).isInstanceOf(RequestTimeoutException.class)
                    .hasMessageContaining("I/O timeout"));
            failsThenNextIsFine(c, "ERR? 4 l", LONG, remote("error 4"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aDeviceThatForgetsTheLink(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer, config().build())) {
            failsThenNextIsFine(c, "DROPLINK? x", LONG, remote("error 4"));
            assertThat(c.query("ECHO? again", LONG)).isEqualTo("again");
            assertThat(peer.countOnce("create_link", 2)).as(peer.log()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aHugeRecordTruncatedRepliesAndAClosedConnection(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer, config().build())) {
            failsThenNextIsFine(c, "HUGELEN? x", LONG, remote("2147483632"));
            failsThenNextIsFine(c, "TRUNC? x", LONG, e -> assertThat(e).isInstanceOf(LinkDownException.class));
            failsThenNextIsFine(c, "CLOSE? x", LONG, e -> assertThat(e).isInstanceOf(LinkDownException.class));
            assertThat(peer.countOnce("create_link", 4)).isEqualTo(4);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aSlowCreateLink(Kind kind) throws Exception {
        try (Peer peer = new Peer("--create-delay", "-1")) {
            ConnectionConfig cfg = config().connectTimeout(Duration.ofMillis(500)).build();
            long t0 = System.nanoTime();
            Throwable thrown = null;
            try {
                open(kind, peer, cfg, Duration.ofMillis(1200)).close();
            } catch (Exception e) {
                thrown = e;
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(thrown).as("an open against a create_link never answered").isNotNull();
            assertThat(peer.sawWithin5s("create_link", 2)).as("tried again after connectTimeout:\n%s", peer.log()).isTrue();
            assertThat(ms).as("ended after %d ms: %s", ms, thrown).isLessThan(1200 + 250);
            assertThat(String.valueOf(thrown) + thrown.getCause()).contains("create_link");
        }
    }
}
