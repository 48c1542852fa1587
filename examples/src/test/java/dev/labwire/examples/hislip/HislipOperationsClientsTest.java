package dev.labwire.examples.hislip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.mock.MockHislip;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.netty.NettyClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both clients' HiSLIP operations against the mock's HiSLIP server on loopback (issue 18): the status byte and a service
 * request from the IEEE 488.2 status model, a device clear while a query hangs, a trigger, one client's lock holding
 * another back, the on-connect hook on every link, and the lock taken again after the server restarts mid-session.
 */
class HislipOperationsClientsTest {

    enum Kind { BLOCKING, NETTY }

    private static final Duration WAIT = Duration.ofSeconds(10);

    private MockInstrument mock;
    private MockHislip server;

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

    /** The calls under test, the same for both clients; Netty's failures are unwrapped from their futures. */
    private interface Client extends AutoCloseable {
        String query(String q, Duration timeout) throws Exception;

        void write(String w) throws Exception;

        int readStatusByte() throws Exception;

        void clear() throws Exception;

        void trigger() throws Exception;

        void lock(Duration timeout) throws Exception;

        void unlock() throws Exception;

        void operate(dev.labwire.core.Operation op) throws Exception;

        @Override
        void close();
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    /** A client; {@code hookRuns} non-null: with an on-connect hook that records the lock holder and writes. */
    private Client open(Kind kind, BlockingQueue<Integer> srq, List<Integer> hookRuns) throws Exception {
        String endpoint = "hislip://127.0.0.1:" + server.port() + "/hislip0";
        ConnectionConfig cfg = ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(2)).build();
        if (kind == Kind.BLOCKING) {
            BlockingClient.Builder b = BlockingClient.builder(endpoint).config(cfg);
            if (hookRuns != null) {
                b.onConnect(s -> {
                    hookRuns.add(server.exclusiveLockHolder());
                    s.write("SYST:REM");
                });
            }
            BlockingClient c = b.build().awaitReady(WAIT);
            c.onServiceRequest(srq::add);
            return new Client() {
                public String query(String q, Duration t) { return c.query(q, t); }
                public void write(String w) { c.write(w); }
                public int readStatusByte() { return c.readStatusByte(); }
                public void clear() { c.clear(); }
                public void trigger() { c.trigger(); }
                public void lock(Duration t) { c.lock(t); }
                public void unlock() { c.unlock(); }
                public void operate(dev.labwire.core.Operation op) { c.request(dev.labwire.core.Request.operation(op)); }
                public void close() { c.close(); }
            };
        }
        NettyClient.Builder b = NettyClient.builder(endpoint).config(cfg);
        if (hookRuns != null) {
            b.onConnect(s -> {
                hookRuns.add(server.exclusiveLockHolder());
                return s.write("SYST:REM");
            });
        }
        NettyClient n = b.build();
        n.onServiceRequest(srq::add);
        n.ready(WAIT).get(10, TimeUnit.SECONDS);
        return new Client() {
            public String query(String q, Duration t) throws Exception { return get(n.query(q, t)); }
            public void write(String w) throws Exception { get(n.write(w)); }
            public int readStatusByte() throws Exception { return get(n.readStatusByte()); }
            public void clear() throws Exception { get(n.clear()); }
            public void trigger() throws Exception { get(n.trigger()); }
            public void lock(Duration t) throws Exception { get(n.lock(t)); }
            public void unlock() throws Exception { get(n.unlock()); }
            public void operate(dev.labwire.core.Operation op) throws Exception {
                get(n.request(dev.labwire.core.Request.operation(op)));
            }
            public void close() { n.close(); }
        };
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // poll interval of the condition
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void statusByteAndServiceRequestFromTheStatusModel(Kind kind) throws Exception {
        BlockingQueue<Integer> srq = new LinkedBlockingQueue<>();
        try (Client c = open(kind, srq, null)) {
            assertThat(c.readStatusByte()).isZero();
            c.write("*ESE 1;*SRE 32;*OPC");
            assertThat(c.readStatusByte()).as("RQS and ESB").isEqualTo(96);
            assertThat(srq.poll(10, TimeUnit.SECONDS)).as("AsyncServiceRequest's status byte").isEqualTo(96);
            assertThat(c.readStatusByte()).as("the poll cleared RQS").isEqualTo(32);
            c.write("*CLS");
            assertThat(c.readStatusByte()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void clearEndsAHangingQueryAndTheNextQueryGetsItsOwnAnswer(Kind kind) throws Exception {
        try (Client c = open(kind, new LinkedBlockingQueue<>(), null)) {
            mock.enqueue(MockReply.stall());
            CompletableFuture<String> hanging = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.query("MEAS?", Duration.ofSeconds(8));
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            assertThat(mock.takeCommand(WAIT)).isEqualTo("MEAS?");
            long t0 = System.nanoTime();
            c.clear();
            assertThatThrownBy(() -> hanging.get(5, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(LocalProtocolException.class).hasMessageContaining("device clear");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not by its own timeout").isLessThan(Duration.ofSeconds(5));
            assertThat(c.query("*IDN?", Duration.ofSeconds(5))).isEqualTo("LABWIRE,MOCK-INSTRUMENT,SN0001,1.0");
            c.write("VOLT 3");
            assertThat(c.query("VOLT?", Duration.ofSeconds(5))).isEqualTo("3");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void triggerIsCountedByTheInstrument(Kind kind) throws Exception {
        try (Client c = open(kind, new LinkedBlockingQueue<>(), null)) {
            int before = mock.dictionary().triggerCount();
            c.trigger();
            c.trigger();
            assertThat(c.query("*IDN?", Duration.ofSeconds(5))).startsWith("LABWIRE"); // after both on the sync channel
            assertThat(mock.dictionary().triggerCount()).isEqualTo(before + 2);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void remoteAndLocalReachTheServer(Kind kind) throws Exception {
        try (Client c = open(kind, new LinkedBlockingQueue<>(), null)) {
            c.operate(dev.labwire.core.Operation.REMOTE);
            int session = 1;   // the first session of a fresh server
            assertThat(server.remoteLocal(session)).isEqualTo(dev.labwire.core.hislip.RemoteLocal.ENABLE_REMOTE_GO_TO_REMOTE);
            c.operate(dev.labwire.core.Operation.LOCAL);
            assertThat(server.remoteLocal(session)).isEqualTo(dev.labwire.core.hislip.RemoteLocal.DISABLE_REMOTE_GO_TO_LOCAL);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void oneClientsLockHoldsTheOtherBackUntilItIsReleased(Kind kind) throws Exception {
        try (Client a = open(kind, new LinkedBlockingQueue<>(), null);
             Client b = open(kind, new LinkedBlockingQueue<>(), null)) {
            a.lock(Duration.ofSeconds(2));
            int holder = server.exclusiveLockHolder();
            assertThat(holder).isPositive();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> b.lock(Duration.ofMillis(400))).isInstanceOf(RequestTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("it waited for the lock")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThatThrownBy(() -> b.query("*IDN?", Duration.ofMillis(400)))
                    .as("B's query is held while A holds the lock").isInstanceOf(RequestTimeoutException.class);
            assertThat(server.heldSessions()).isEqualTo(1);
            assertThat(a.query("*IDN?", Duration.ofSeconds(5))).startsWith("LABWIRE");
            a.unlock();
            await("B's held message acted on", () -> server.heldSessions() == 0);
            b.lock(Duration.ofSeconds(2));
            assertThat(server.exclusiveLockHolder()).isPositive().isNotEqualTo(holder);
            assertThat(b.query("*IDN?", Duration.ofSeconds(5))).as("its own answer, not the held one's")
                    .startsWith("LABWIRE");
            b.unlock();
            assertThat(server.exclusiveLockHolder()).isEqualTo(-1);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void afterAServerRestartTheLockIsTakenAgainBeforeTheHookWhichRunsOnEveryLink(Kind kind) throws Exception {
        List<Integer> hookRuns = new CopyOnWriteArrayList<>();
        try (Client c = open(kind, new LinkedBlockingQueue<>(), hookRuns)) {
            assertThat(hookRuns).containsExactly(-1);
            assertThat(mock.takeCommand(WAIT)).isEqualTo("SYST:REM");
            c.lock(Duration.ofSeconds(2));
            int port = server.port();
            server.close();                       // the instrument restarts: both connections drop, locks are gone
            server = MockHislip.serve(mock, port);
            long deadline = System.nanoTime() + WAIT.toNanos();
            String idn = null;
            while (idn == null) {                 // calls fail while the session is down; one after the reconnect works
                try {
                    idn = c.query("*IDN?", Duration.ofSeconds(2));
                } catch (Exception e) {
                    if (System.nanoTime() - deadline > 0) {
                        throw e;
                    }
                }
            }
            assertThat(idn).startsWith("LABWIRE");
            assertThat(hookRuns).as("the hook ran again, after the lock was taken again").hasSize(2);
            assertThat(hookRuns.get(1)).isPositive();
            assertThat(server.exclusiveLockHolder()).as("the new session holds the lock").isEqualTo(hookRuns.get(1));
            assertThat(mock.takeCommand(WAIT)).isEqualTo("SYST:REM");
            c.unlock();
            assertThat(server.exclusiveLockHolder()).isEqualTo(-1);
        }
    }
}
