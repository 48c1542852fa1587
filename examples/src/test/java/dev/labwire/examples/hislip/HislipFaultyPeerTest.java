package dev.labwire.examples.hislip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.netty.NettyClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
 * Both clients against {@code faulty_hislip_peer.py}, a HiSLIP 2.0 server written in plain Python from IVI-6.1
 * (sockets and struct, nothing of labwire) that misbehaves as real instruments do, chosen per query by its keyword
 * (SPLIT?, LATE?, STALEID?, ERRONLY?, FATAL?, HUGE?, PROLOGUE? ...) or per server by an option (--overlap,
 * --interrupt, --init-delay). Each fault costs its own call at most, ends by the call's deadline, and the next call
 * gets its own reply ({@code ECHO? x} answers {@code x}, so a reply taken by the wrong call shows).
 */
class HislipFaultyPeerTest {

    enum Kind { BLOCKING, NETTY }

    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Duration SHORT = Duration.ofMillis(300);
    /** What a call may take beyond its deadline: a timer's lateness on a busy 2-CPU machine. */
    static final Duration SLACK = Duration.ofMillis(250);

    /** The python server, its READY line read, its LOG lines kept. */
    static final class Peer implements AutoCloseable {
        final Process process;
        final int port;
        final StringBuffer log = new StringBuffer();
        private final Path script;

        Peer(String... options) throws IOException {
            assumeTrue(Files.isExecutable(PYTHON), "/usr/bin/python3 is not installed");
            script = Files.createTempFile("faulty_hislip_peer", ".py");
            try (var in = HislipFaultyPeerTest.class.getResourceAsStream("/hislip/faulty_hislip_peer.py")) {
                Files.write(script, in.readAllBytes());
            }
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), script.toString(), String.valueOf(port)));
            cmd.addAll(List.of(options));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            assertThat(first).as("the Python peer starts").isEqualTo("READY");
            Thread drain = new Thread(() -> out.lines().forEach(this::append), "faulty-hislip-peer-log");
            drain.setDaemon(true);
            drain.start();
        }

        private synchronized void append(String line) {
            log.append(line).append('\n');
            notifyAll();
        }

        String endpoint() {
            return "hislip://127.0.0.1:" + port + "/hislip0";
        }

        /** Waits (up to 5 s) until the peer has logged a line containing {@code text}. */
        boolean logged(String text) throws InterruptedException {
            return logged(text, 1);
        }

        /** Waits (up to 5 s) until the peer has logged {@code times} lines containing {@code text}. */
        synchronized boolean logged(String text, int times) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (long left = end - System.nanoTime(); count(text) < times && left > 0; left = end - System.nanoTime()) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return count(text) >= times;
        }

        private int count(String text) {
            return log.toString().split(java.util.regex.Pattern.quote(text), -1).length - 1;
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(script);
        }
    }

    interface Client extends AutoCloseable {
        String query(String q, Duration timeout) throws Exception;

        @Override
        void close();
    }

    static ConnectionConfig config() {
        return ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5)).connectTimeout(Duration.ofSeconds(2))
                .backoff(dev.labwire.core.Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(200))).build();
    }

    static Client open(Kind kind, String endpoint, ConnectionConfig cfg) throws Exception {
        if (kind == Kind.BLOCKING) {
            BlockingClient b = BlockingClient.openAndAwait(endpoint, cfg, Duration.ofSeconds(10));
            return new Client() {
                public String query(String q, Duration t) { return b.query(q, t); }
                public void close() { b.close(); }
            };
        }
        NettyClient n = NettyClient.open(endpoint, cfg);
        try {
            n.ready(Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            n.close();
            throw (Exception) e.getCause();
        }
        return new Client() {
            public String query(String q, Duration t) throws Exception {
                try {
                    return n.query(q, t).get(t.toMillis() + 10_000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    throw (Exception) e.getCause();
                }
            }
            public void close() { n.close(); }
        };
    }

    /** The call fails as {@code check} says by its deadline (plus slack); the next call gets its own reply. */
    static void faultThenFine(Client c, String query, Duration timeout, Consumer<Throwable> check) throws Exception {
        long t0 = System.nanoTime();
        Throwable thrown = null;
        String got = null;
        try {
            got = c.query(query, timeout);
        } catch (Exception e) {
            thrown = e;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(thrown).as("%s fails its call (it got %s after %d ms)", query, got, took.toMillis()).isNotNull();
        check.accept(thrown);
        assertThat(took).as("%s ends by its deadline: %s", query, thrown).isLessThan(timeout.plus(SLACK));
        assertThat(c.query("ECHO? after", Duration.ofSeconds(5))).as("the call after %s", query).isEqualTo("after");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void repliesSplitAcrossSegmentsAndAHeaderApartFromItsPayload(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer.endpoint(), config())) {
            assertThat(c.query("*IDN?", SHORT)).isEqualTo("FAULTY,HISLIP-PEER,0,2.0");
            for (int i = 0; i < 5; i++) {
                assertThat(c.query("SPLIT? s" + i, Duration.ofSeconds(2))).isEqualTo("s" + i);
                assertThat(c.query("HDRSPLIT? h" + i, Duration.ofSeconds(2))).isEqualTo("h" + i);
            }
            assertThat(peer.logged("Initialize from vendor LW, version 0x0100")).isTrue();
        }
    }

    /** A reply 700 ms late against a 300 ms call, five times: the late DataEnd never reaches the next call. */
    static void lateRepliesNeverReachTheNextCall(Client c) throws Exception {
        for (int i = 0; i < 5; i++) {
            int n = i;
            faultThenFine(c, "LATE? 700 late" + i, SHORT, e -> assertThat(e).as("late %d", n)
                    .isInstanceOf(dev.labwire.core.RequestTimeoutException.class));
            assertThat(c.query("ECHO? next" + i, Duration.ofSeconds(5))).isEqualTo("next" + i);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aLateReplyFromABusySynchronizedServer(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer.endpoint(), config())) {
            lateRepliesNeverReachTheNextCall(c);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aLateReplyInterruptedBySynchronizedServer(Kind kind) throws Exception {
        try (Peer peer = new Peer("--interrupt"); Client c = open(kind, peer.endpoint(), config())) {
            lateRepliesNeverReachTheNextCall(c);
            assertThat(peer.logged("Interrupted, AsyncInterrupted, the reply dropped")).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aLateReplyFromAnOverlappedServer(Kind kind) throws Exception {
        try (Peer peer = new Peer("--overlap"); Client c = open(kind, peer.endpoint(), config())) {
            lateRepliesNeverReachTheNextCall(c);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReplyWithAWrongOrStaleMessageId(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer.endpoint(), config())) {
            for (String q : List.of("WRONGID? w", "STALEID? s", "UNSOLID? u")) {
                faultThenFine(c, q, SHORT, e -> assertThat(e)
                        .isInstanceOf(dev.labwire.core.RequestTimeoutException.class)
                        .hasMessageContaining("with another message id came and was discarded"));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void errorMessagesMidSession(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer.endpoint(), config())) {
            // IVI-6.1 6.2: a message reported in error is discarded; a reply that still follows is dropped by its id
            faultThenFine(c, "ERROR? e", Duration.ofSeconds(2), e -> assertThat(e)
                    .isInstanceOf(dev.labwire.core.RemoteProtocolException.class).hasMessageContaining("Error 0"));
            faultThenFine(c, "ERRONLY? x", Duration.ofSeconds(2), e -> assertThat(e)
                    .isInstanceOf(dev.labwire.core.RemoteProtocolException.class).hasMessageContaining("Error 0"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFatalErrorOrAClosedChannelMidSession(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer.endpoint(), config())) {
            // which of the FatalError and the asynchronous channel's end the client reads first is a race
            faultThenFine(c, "FATAL? x", Duration.ofSeconds(2), e -> assertThat(e)
                    .hasMessageMatching("(?s).*(FatalError 0|channel 1 .*end of stream).*"));
            faultThenFine(c, "CLOSESYNC? x", Duration.ofSeconds(2), e -> assertThat(e).isInstanceOf(dev.labwire.core.LinkDownException.class));
            faultThenFine(c, "CLOSEASYNC? x", Duration.ofSeconds(2), e -> assertThat(e).isInstanceOf(dev.labwire.core.LinkDownException.class));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aHugeLengthAnUnknownTypeAndABadPrologue(Kind kind) throws Exception {
        try (Peer peer = new Peer(); Client c = open(kind, peer.endpoint(), config())) {
            faultThenFine(c, "HUGE? x", Duration.ofSeconds(1), e -> assertThat(e).hasMessageContaining("4611686018427387904"));
            assertThat(c.query("UNKNOWN? u", SHORT)).isEqualTo("u");
            assertThat(c.query("VENDOR? v", SHORT)).isEqualTo("v");
            assertThat(peer.logged("Error 1 from the client")).as("type 100 answered with Error 1; peer log:\n%s", peer.log).isTrue();
            assertThat(peer.logged("Error 3 from the client")).as("type 200 answered with Error 3; peer log:\n%s", peer.log).isTrue();
            faultThenFine(c, "PROLOGUE? x", Duration.ofSeconds(2), e -> assertThat(e).hasMessageContaining("prologue"));
            // the client's FatalError 1 answer reaches the peer only sometimes: the link is closed right after it
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aServerSlowToAnswerInitialize(Kind kind) throws Exception {
        for (String[] opts : List.of(new String[] {"--init-delay", "-1"}, new String[] {"--async-init-delay", "-1"})) {
            try (Peer peer = new Peer(opts)) {
                ConnectionConfig cfg = ConnectionConfig.builder().connectTimeout(Duration.ofMillis(500))
                        .backoff(dev.labwire.core.Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(200))).build();
                long t0 = System.nanoTime();
                Throwable thrown = null;
                try {
                    if (kind == Kind.BLOCKING) {
                        BlockingClient.openAndAwait(peer.endpoint(), cfg, Duration.ofMillis(1200)).close();
                    } else {
                        NettyClient n = NettyClient.open(peer.endpoint(), cfg);
                        try {
                            n.ready(Duration.ofMillis(1200)).get(10, TimeUnit.SECONDS);
                        } finally {
                            n.close();
                        }
                    }
                } catch (Exception e) {
                    thrown = e;
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(thrown).as("%s: the open fails", opts[0]).isNotNull();
                assertThat(String.valueOf(thrown) + thrown.getCause()).as("%s", opts[0]).contains("handshake");
                // a handshake that times out is not a definite failure (like a connect timeout): each attempt ends by
                // connectTimeout and the next one follows after the backoff; the wait ends by its own timeout
                assertThat(ms).as("%s: ended after %d ms: %s", opts[0], ms, thrown).isLessThan(1200 + 250);
                assertThat(String.valueOf(thrown) + thrown.getCause()).contains("no answer within 500 ms");
                assertThat(peer.logged("Initialize from", 2)).as("a second attempt after the first timed out; peer log:\n%s", peer.log).isTrue();
            }
        }
    }
}
