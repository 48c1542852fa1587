package dev.labwire.examples.hislip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.hislip.FatalErrorCode;
import dev.labwire.mock.MockHislip;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.netty.NettyClient;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both clients open {@code hislip://} endpoints through the core's HislipSession against the mock's HiSLIP server on
 * loopback: two real TCP connections, the handshake, queries by message id, a late reply after a timeout that must
 * not reach the next caller, and a service request on the asynchronous channel reaching onServiceRequest; a server that
 * loses AsyncInterrupted and one whose DataEnd length lies each cost one call and a new session, not the link for good.
 */
class HislipClientsTest {

    enum Kind { BLOCKING, NETTY }

    private static final Duration WAIT = Duration.ofSeconds(10);

    private MockInstrument mock;
    private MockHislip server;
    private final BlockingQueue<Integer> srq = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() {
        mock = MockInstrument.tcp().scpi();
        server = MockHislip.serve(mock, 0);
    }

    @AfterEach
    void stop() {
        server.close();
        mock.close();
    }

    private interface Client extends AutoCloseable {
        String query(String q) throws Exception;

        String query(String q, Duration timeout) throws Exception;

        void write(String w) throws Exception;
    }

    private Client open(Kind kind, BlockingQueue<Frame> pushed) throws Exception {
        String endpoint = "hislip://127.0.0.1:" + server.port() + "/hislip0";
        ConnectionConfig cfg = ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5)).build();
        if (kind == Kind.BLOCKING) {
            BlockingClient b = BlockingClient.openAndAwait(endpoint, cfg, WAIT);
            b.onPushed(pushed::add);
            b.onServiceRequest(srq::add);
            return new Client() {
                public String query(String q) { return b.query(q); }
                public String query(String q, Duration t) { return b.query(q, t); }
                public void write(String w) { b.write(w); }
                public void close() { b.close(); }
            };
        }
        NettyClient n = NettyClient.open(endpoint, cfg);
        n.onServiceRequest(srq::add);
        n.pushed().subscribe(new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
            public void onNext(Frame f) { pushed.add(f); }
            public void onError(Throwable t) { }
            public void onComplete() { }
        });
        n.ready(WAIT).get(10, TimeUnit.SECONDS);
        return new Client() {
            public String query(String q) throws Exception { return n.query(q).get(10, TimeUnit.SECONDS); }
            public String query(String q, Duration t) throws Exception {
                try {
                    return n.query(q, t).get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw (Exception) e.getCause();
                }
            }
            public void write(String w) throws Exception { n.write(w).get(10, TimeUnit.SECONDS); }
            public void close() { n.close(); }
        };
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void queriesWritesLateRepliesAndServiceRequests(Kind kind) throws Exception {
        BlockingQueue<Frame> pushed = new LinkedBlockingQueue<>();
        try (Client c = open(kind, pushed)) {
            assertThat(c.query("*IDN?")).isEqualTo("LABWIRE,MOCK-INSTRUMENT,SN0001,1.0");
            c.write("VOLT 5");
            assertThat(c.query("VOLT?")).isEqualTo("5");
            assertThat(mock.takeCommand(WAIT)).isEqualTo("*IDN?");
            assertThat(mock.takeCommand(WAIT)).isEqualTo("VOLT 5");
            assertThat(server.sessionCount()).isEqualTo(1);

            mock.enqueue(MockReply.line("late").delay(Duration.ofMillis(800)));
            assertThatThrownBy(() -> c.query("MEAS?", Duration.ofMillis(200)))
                    .hasMessageContaining("MEAS?");
            mock.enqueue(MockReply.line("fresh").delay(Duration.ofMillis(1000))); // after "late" would have come
            assertThat(c.query("MEAS?")).as("never the late reply").isEqualTo("fresh");

            server.requestService(0x01);
            assertThat(srq.poll(10, TimeUnit.SECONDS)).as("AsyncServiceRequest's status byte").isEqualTo(65);
            assertThat(pushed).as("a service request is not a pushed frame").isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anOverlappedServersLateReplyIsDiscardedByItsMessageId(Kind kind) throws Exception {
        server.overlapped(true); // the server sends the late reply instead of interrupting it
        try (Client c = open(kind, new LinkedBlockingQueue<>())) {
            mock.enqueue(MockReply.line("late").delay(Duration.ofMillis(500)));
            assertThatThrownBy(() -> c.query("MEAS?", Duration.ofMillis(150))).hasMessageContaining("MEAS?");
            mock.enqueue(MockReply.line("fresh").delay(Duration.ofMillis(800)));
            assertThat(c.query("MEAS?")).as("the late reply came first, with the old id").isEqualTo("fresh");
            assertThat(c.query("*IDN?")).isEqualTo("LABWIRE,MOCK-INSTRUMENT,SN0001,1.0");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void afterAFatalErrorMidSessionTheClientStartsANewSession(Kind kind) throws Exception {
        try (Client c = open(kind, new LinkedBlockingQueue<>())) {
            assertThat(c.query("*IDN?")).startsWith("LABWIRE");
            int before = server.connectionCount();
            server.fatalError(FatalErrorCode.UNIDENTIFIED);
            long deadline = System.nanoTime() + WAIT.toNanos();
            String idn = null;
            while (idn == null) {  // calls fail while the session is down; the next one after the reconnect works
                try {
                    idn = c.query("*IDN?", Duration.ofSeconds(2));
                } catch (Exception e) {
                    if (System.nanoTime() - deadline > 0) {
                        throw e;
                    }
                }
            }
            assertThat(idn).startsWith("LABWIRE");
            assertThat(server.connectionCount()).as("a new sync and async connection").isGreaterThanOrEqualTo(before + 2);
            assertThat(server.sessionCount()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aServerThatLosesAsyncInterruptedCostsOneCallAndTheSession(Kind kind) throws Exception {
        server.loseAsyncInterrupted(true);
        try (Client c = open(kind, new LinkedBlockingQueue<>())) {
            int before = server.connectionCount();
            mock.enqueue(MockReply.line("late").delay(Duration.ofMillis(600)));
            assertThatThrownBy(() -> c.query("MEAS?", Duration.ofMillis(150))).hasMessageContaining("MEAS?");
            // this query interrupts the owed reply: Interrupted comes, AsyncInterrupted never does
            assertThat(c.query("*IDN?")).startsWith("LABWIRE");
            // IVI-6.1 3.1.2: nothing may be sent until AsyncInterrupted: this call cannot go out, and says why
            assertThatThrownBy(() -> c.query("VOLT?", Duration.ofMillis(300)))
                    .hasMessageContaining("VOLT?").hasMessageContaining("no AsyncInterrupted")
                    .hasMessageNotContaining("never written: never written");
            // ... and the session is made again instead of staying mute for good
            assertThat(c.query("*IDN?", Duration.ofSeconds(5))).startsWith("LABWIRE");
            assertThat(server.connectionCount()).as("a new sync and async connection")
                    .isGreaterThanOrEqualTo(before + 2);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aDataEndWhoseLengthLiesCostsOneCallAndTheSession(Kind kind) throws Exception {
        try (Client c = open(kind, new LinkedBlockingQueue<>())) {
            assertThat(c.query("*IDN?")).startsWith("LABWIRE");
            int before = server.connectionCount();
            server.nextReplyAnnounces(-1);   // 2^64-1 bytes: every later message would be read as its payload
            assertThatThrownBy(() -> c.query("*OPC?", Duration.ofMillis(300))).hasMessageContaining("*OPC?")
                    .hasMessageContaining("it was the reply to");
            assertThat(c.query("*IDN?", Duration.ofSeconds(5))).as("a new session answers").startsWith("LABWIRE");
            assertThat(server.connectionCount()).as("a new sync and async connection")
                    .isGreaterThanOrEqualTo(before + 2);
        }
    }
}
