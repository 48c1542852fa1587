package dev.labwire.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.Request;
import dev.labwire.mock.MockInstrument;
import dev.labwire.netty.NettyClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 16 item 6, both clients on loopback TCP: an instrument drops the connection while a query waits for its
 * reply. With {@code retryQueriesOnLinkDown} (or a request marked {@code Resend.ON_RECONNECT}) the query is sent again
 * on the new link, after the on-connect hook, and answered; without, it fails with the link loss; a retried query
 * still ends by its own deadline when the instrument does not come back.
 */
class RetryOnLinkDownTest {

    enum Kind { BLOCKING, NETTY }

    /** Both clients behind one face. */
    interface Client extends AutoCloseable {
        String request(Request request);

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

    private static ConnectionConfig.Builder config() {
        return ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0))
                .onConnect(Request.write("*CLS"));
    }

    private Client client(Kind kind, String endpoint, ConnectionConfig cfg) throws Exception {
        Client c;
        if (kind == Kind.BLOCKING) {
            BlockingClient b = BlockingClient.openAndAwait(endpoint, cfg, Duration.ofSeconds(5));
            c = new Client() {
                public String request(Request request) {
                    return b.request(request).text();
                }

                public void close() {
                    b.close();
                }
            };
        } else {
            NettyClient n = NettyClient.open(endpoint, cfg);
            n.ready(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            c = new Client() {
                public String request(Request request) {
                    try {
                        return n.request(request).get(30, TimeUnit.SECONDS).text();
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }

                public void close() {
                    try {
                        n.close().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            };
        }
        open.add(c);
        return c;
    }

    /** A mock that answers {@code VOLT?} with 5 after 300 ms, so the link can be dropped while the query waits. */
    private MockInstrument slowVolt() {
        MockInstrument mock = MockInstrument.tcp().scpi();
        open.add(mock);
        mock.dictionary().set("VOLT", "5").delay(Pattern.compile("VOLT\\?"), Duration.ofMillis(300));
        return mock;
    }

    /** Runs {@code request} on another thread, drops the link once the mock has read it, and returns the outcome. */
    private static Object dropWhileWaiting(MockInstrument mock, Client c, Request request) throws Exception {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                outcome.set(c.request(request));
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        }, "retry-caller");
        t.start();
        assertThat(mock.takeCommand(Duration.ofSeconds(5))).isEqualTo("*CLS");
        assertThat(mock.takeCommand(Duration.ofSeconds(5))).isEqualTo(request.text());
        mock.disconnect(); // the reply, 300 ms away, is lost with the link
        t.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(t.isAlive()).as("the call ended").isFalse();
        return outcome.get();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aConnectionThatRetriesQueriesAnswersAcrossTheDropAfterTheHook(Kind kind) throws Exception {
        MockInstrument mock = slowVolt();
        Client c = client(kind, mock.endpoint(), config().retryQueriesOnLinkDown(true).build());
        Object outcome = dropWhileWaiting(mock, c, Request.query("VOLT?"));
        assertThat(outcome).isEqualTo("5");
        assertThat(mock.takeCommand(Duration.ofSeconds(5))).as("the hook first on the new link").isEqualTo("*CLS");
        assertThat(mock.takeCommand(Duration.ofSeconds(5))).as("then the query, again").isEqualTo("VOLT?");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void oneQueryMarkedOnReconnectIsRetried(Kind kind) throws Exception {
        MockInstrument mock = slowVolt();
        Client c = client(kind, mock.endpoint(), config().build());
        Object outcome = dropWhileWaiting(mock, c, Request.query("VOLT?").withResend(Request.Resend.ON_RECONNECT));
        assertThat(outcome).isEqualTo("5");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void byDefaultTheQueryFailsWithTheLinkLoss(Kind kind) throws Exception {
        MockInstrument mock = slowVolt();
        Client c = client(kind, mock.endpoint(), config().build());
        Object outcome = dropWhileWaiting(mock, c, Request.query("VOLT?"));
        assertThat(outcome).isInstanceOf(LinkDownException.class);
        assertThat(c.request(Request.query("*OPC?"))).as("the client is back").isEqualTo("1");
        assertThat(mock.commands()).filteredOn("VOLT?"::equals).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aRetriedQueryStillEndsByItsDeadlineWhenTheInstrumentStaysOff(Kind kind) throws Exception {
        MockInstrument mock = slowVolt();
        Client c = client(kind, mock.endpoint(), config().retryQueriesOnLinkDown(true).build());
        AtomicReference<Object> outcome = new AtomicReference<>();
        long start = System.nanoTime();
        Thread t = new Thread(() -> {
            try {
                outcome.set(c.request(Request.query("VOLT?").withTimeout(Duration.ofMillis(800))));
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        }, "retry-caller");
        t.start();
        assertThat(mock.takeCommand(Duration.ofSeconds(5))).isEqualTo("*CLS");
        assertThat(mock.takeCommand(Duration.ofSeconds(5))).isEqualTo("VOLT?");
        mock.stop(); // switched off: no new link
        t.join(TimeUnit.SECONDS.toMillis(10));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMs).as("ends by its 800 ms deadline plus the documented slack").isBetween(700L, 1300L);
        assertThat(outcome.get()).as("a deadline met while the link is down is a link-down failure that says so")
                .isInstanceOf(LinkDownException.class);
        assertThat(((Exception) outcome.get()).getMessage()).contains("did not come back within 800 ms", "VOLT?");
    }
}
