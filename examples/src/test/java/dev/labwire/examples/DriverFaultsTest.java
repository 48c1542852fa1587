package dev.labwire.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.mock.BlackHole;
import dev.labwire.mock.FaultProxy;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.netty.NettyClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 15 as one suite for both drivers: the same faults of real links (a connect that hangs, a peer that stops
 * reading, a hook that throws, a caller that gives up) and the same expectations, so the two clients behave the same
 * by construction. Each client's own tests go further (StuckPeerTest, LinkFaultsTest, CallbackFaultsTest, ...).
 */
class DriverFaultsTest {

    enum Kind { BLOCKING, NETTY }

    /** Both clients behind one face; {@code submit} starts a call the test may cancel. */
    interface Client extends AutoCloseable {
        String query(String command, Duration timeout);

        Future<String> submit(String command, Duration timeout);

        @Override
        void close();
    }

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T t) {
        open.add(t);
        return t;
    }

    private static ConnectionConfig config() {
        return ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5)).connectTimeout(Duration.ofSeconds(30))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0)).build();
    }

    /** A client; {@code hookError}, if not null, is thrown by its on-connect hook. */
    private Client client(Kind kind, String endpoint, Error hookError) {
        if (kind == Kind.BLOCKING) {
            BlockingClient.Builder b = BlockingClient.builder(endpoint).config(config());
            if (hookError != null) {
                b.onConnect(session -> {
                    throw hookError;
                });
            }
            BlockingClient c = b.build();
            return track(new Client() {
                public String query(String command, Duration timeout) {
                    return c.query(command, timeout);
                }

                public Future<String> submit(String command, Duration timeout) {
                    CompletableFuture<String> result = new CompletableFuture<>();
                    Thread t = new Thread(() -> {
                        try {
                            result.complete(c.query(command, timeout));
                        } catch (RuntimeException e) {
                            result.completeExceptionally(e);
                        }
                    }, "caller " + command);
                    t.start();
                    return new Future<>() { // cancel interrupts the calling thread, as a user's cancel would
                        public boolean cancel(boolean interrupt) {
                            t.interrupt();
                            return true;
                        }

                        public boolean isCancelled() {
                            return result.isCompletedExceptionally();
                        }

                        public boolean isDone() {
                            return result.isDone();
                        }

                        public String get() throws InterruptedException, ExecutionException {
                            return result.get();
                        }

                        public String get(long n, TimeUnit unit) throws InterruptedException, ExecutionException,
                                java.util.concurrent.TimeoutException {
                            return result.get(n, unit);
                        }
                    };
                }

                public void close() {
                    c.close();
                }
            });
        }
        NettyClient.Builder b = NettyClient.builder(endpoint).config(config());
        if (hookError != null) {
            b.onConnect(session -> {
                throw hookError;
            });
        }
        NettyClient c = b.build();
        return track(new Client() {
            public String query(String command, Duration timeout) {
                return RealDeviceFaultsTest.join(c.query(command, timeout));
            }

            public Future<String> submit(String command, Duration timeout) {
                return c.query(command, timeout);
            }

            public void close() {
                RealDeviceFaultsTest.join(c.close());
            }
        });
    }

    private static long msSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCallEndsByItsDeadlineWhileTheConnectHangsAndSaysSo(Kind kind) {
        BlackHole hole = track(FaultProxy.blackHole());
        Client c = client(kind, hole.endpoint(), null);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.query("*IDN?", Duration.ofMillis(500))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("still connecting");
        assertThat(msSince(t0)).as("ended by its 500 ms deadline plus slack").isBetween(450L, 1_500L);
        long c0 = System.nanoTime();
        c.close();
        assertThat(msSince(c0)).as("close while connecting").isLessThan(2_500L);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aPeerThatStopsReadingFailsCallsByTheirDeadlineAndCloseIsBounded(Kind kind) throws Exception {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        FaultProxy proxy = track(FaultProxy.to(mock.port()).start());
        Client c = client(kind, proxy.endpoint(), null);
        assertThat(c.query("*OPC?", Duration.ofSeconds(5))).isEqualTo("1");
        proxy.stopReading(true);
        String big = "DATA " + "x".repeat(200_000); // far more than the socket buffers take
        List<Future<String>> calls = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            calls.add(c.submit(big + i + ";*OPC?", Duration.ofMillis(800)));
        }
        for (Future<String> f : calls) {
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfAny(RequestTimeoutException.class, LinkDownException.class);
        }
        assertThat(msSince(t0)).as("every call ended by its 800 ms deadline plus slack").isLessThan(2_500L);
        long c0 = System.nanoTime();
        c.close();
        assertThat(msSince(c0)).as("close against a peer that does not read").isLessThan(2_500L);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCallGivenUpBeforeItsBytesWentOutNeverReachesTheInstrument(Kind kind) throws Exception {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        mock.enqueue(MockReply.line("slow").delay(Duration.ofMillis(800)));
        Client c = client(kind, mock.endpoint(), null);
        Future<String> slow = c.submit("SLOW?", Duration.ofSeconds(5));
        assertThat(mock.takeCommand(Duration.ofSeconds(5))).isEqualTo("SLOW?");
        Future<String> second = c.submit("SECOND?", Duration.ofSeconds(5)); // queued behind SLOW? (maxInFlight 1)
        second.cancel(true);
        assertThatThrownBy(() -> second.get(5, TimeUnit.SECONDS)).isInstanceOfAny(CancellationException.class, ExecutionException.class);
        assertThat(slow.get(5, TimeUnit.SECONDS)).isEqualTo("slow");
        assertThat(c.query("*IDN?", Duration.ofSeconds(5))).startsWith("LABWIRE");
        assertThat(mock.commands()).as("SECOND? was withdrawn").containsExactly("SLOW?", "*IDN?");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aHookThatThrowsAnAssertionErrorRenewsTheLinkAndCallsFailWithItAsTheCause(Kind kind) {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        AssertionError boom = new AssertionError("configuration refused");
        Client c = client(kind, mock.endpoint(), boom);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        assertThatThrownBy(() -> c.query("*IDN?", Duration.ofMillis(700))).isInstanceOf(LinkDownException.class)
                .satisfies(seen::set);
        Throwable t = seen.get();
        while (t != null && t != boom) {
            t = t.getCause();
        }
        assertThat(t).as("the hook's failure is the cause").isSameAs(boom);
        assertThat(mock.connectionCount()).as("the link was renewed").isGreaterThanOrEqualTo(2);
        assertThat(mock.commands()).as("nothing of the call reached the instrument").doesNotContain("*IDN?");
        long c0 = System.nanoTime();
        c.close();
        assertThat(msSince(c0)).isLessThan(2_500L);
    }
}
