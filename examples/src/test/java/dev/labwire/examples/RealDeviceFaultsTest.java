package dev.labwire.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.AmbiguousReplyException;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.mock.FaultProxy;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.ScpiDictionary;
import dev.labwire.netty.NettyClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What real SCPI instruments and links do, played by {@link MockInstrument} and {@link FaultProxy}, against both
 * clients with one set of scenarios: a query the instrument never answers (SCPI error), CR LF after a block and a
 * trailer that comes late, a reply the link drops, pipelining past an unanswered query, and write() of a query.
 * Every scenario checks the invariant that no reply reaches a caller other than the one it answers.
 */
class RealDeviceFaultsTest {

    /** The two clients behind one small blocking face. */
    enum Kind { BLOCKING, NETTY }

    interface Client extends AutoCloseable {
        String query(String command, Duration timeout);

        String query(String command);

        byte[] queryBlock(String command);

        void write(String command);

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

    private Client client(Kind kind, String endpoint, ConnectionConfig config) {
        if (kind == Kind.BLOCKING) {
            BlockingClient c = BlockingClient.open(endpoint, config);
            return track(new Client() {
                public String query(String command, Duration timeout) {
                    return c.query(command, timeout);
                }

                public String query(String command) {
                    return c.query(command);
                }

                public byte[] queryBlock(String command) {
                    return c.queryBlock(command);
                }

                public void write(String command) {
                    c.write(command);
                }

                public void close() {
                    c.close();
                }
            });
        }
        NettyClient c = NettyClient.open(endpoint, config);
        return track(new Client() {
            public String query(String command, Duration timeout) {
                return join(c.query(command, timeout));
            }

            public String query(String command) {
                return join(c.query(command));
            }

            public byte[] queryBlock(String command) {
                return join(c.queryBlock(command));
            }

            public void write(String command) {
                join(c.write(command));
            }

            public void close() {
                join(c.close());
            }
        });
    }

    /** The future's value, or its failure thrown as it is (as the blocking client would). */
    static <T> T join(CompletableFuture<T> f) {
        return NettyFutures.join(f, Duration.ofSeconds(30));
    }

    private static ConnectionConfig.Builder fast() {
        return ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5))
                .backoff(new dev.labwire.core.Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aQueryTheInstrumentNeverAnswersThenIdnReturnsTheIdentityNeverTheLateOne(Kind kind) {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        Client c = client(kind, mock.endpoint(), fast().build());
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.query("FOO:BAR?", Duration.ofMillis(300))).isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("FOO:BAR?");
        assertThat(c.query("*IDN?")).isEqualTo(ScpiDictionary.DEFAULT_IDENTITY);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("timeout 300 ms, then the 1 s grace and a new link").isLessThan(4_000);
        assertThat(c.query("SYST:ERR?")).as("the error the instrument queued, on the new link or the old one")
                .isIn("-113,\"Undefined header\"", "+0,\"No error\"");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReplyLaterThanItsTimeoutIsSwallowedAndNeverAnswersTheNextQuery(Kind kind) {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        mock.dictionary().set("SLOW", "late").delay(Pattern.compile("SLOW\\?"), Duration.ofMillis(600));
        Client c = client(kind, mock.endpoint(), fast().build());
        assertThatThrownBy(() -> c.query("SLOW?", Duration.ofMillis(200))).isInstanceOf(RequestTimeoutException.class);
        assertThat(c.query("*OPC?")).isEqualTo("1");
        assertThat(c.query("*IDN?")).isEqualTo(ScpiDictionary.DEFAULT_IDENTITY);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void crLfAfterABlockAndATrailerThatComesLateAreTheBlocksTrailer(Kind kind) {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        mock.dictionary().replyTerminator("\r\n").blockTrailer("\r\n", Duration.ofMillis(40));
        Client c = client(kind, mock.endpoint(), fast().build());
        for (int round = 0; round < 5; round++) {
            byte[] block = c.queryBlock("DATA? 300");
            assertThat(block).hasSize(300);
            assertThat(block[299]).isEqualTo((byte) 299);
            assertThat(c.query("*IDN?")).isEqualTo(ScpiDictionary.DEFAULT_IDENTITY);
            assertThat(c.query("*OPC?")).isEqualTo("1");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReplyTheLinkDropsTimesOutThatCallAloneAndNoReplyShifts(Kind kind) throws Exception {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        FaultProxy proxy = track(FaultProxy.to(mock.port()).dropReply(3).start());
        Client c = client(kind, proxy.endpoint(), fast().build());
        assertThat(c.query("ECHO? 1")).isEqualTo("1");
        assertThat(c.query("ECHO? 2")).isEqualTo("2");
        assertThatThrownBy(() -> c.query("ECHO? 3", Duration.ofMillis(300))).isInstanceOf(RequestTimeoutException.class);
        for (int i = 4; i < 20; i++) {
            assertThat(c.query("ECHO? " + i)).isEqualTo(Integer.toString(i));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aBlockAnnouncingAGigabyteFailsFastAndTheNextQueryIsAnswered(Kind kind) {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        mock.enqueue(dev.labwire.mock.MockReply.bytes("#9999999999abc\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        Client c = client(kind, mock.endpoint(), fast().build());
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.queryBlock("CURV?")).isInstanceOf(dev.labwire.core.RemoteProtocolException.class)
                .hasMessageContaining("999999999").hasMessageContaining("maxFrameLength");
        assertThat((System.nanoTime() - t0) / 1_000_000).as("fails at the header, not at the timeout").isLessThan(2_000);
        assertThat(c.query("*IDN?")).isEqualTo(ScpiDictionary.DEFAULT_IDENTITY);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void writeOfAQueryIsRefusedBeforeAnythingIsSent(Kind kind) {
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        Client c = client(kind, mock.endpoint(), fast().build());
        assertThatThrownBy(() -> c.write("*IDN?")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query(");
        c.write("VOLT 5");
        assertThat(c.query("VOLT?")).isEqualTo("5");
        assertThat(mock.commands()).containsExactly("VOLT 5", "VOLT?");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void pipelinedPastAQueryNeverAnsweredNoReplyReachesAnotherCaller(Kind kind) throws Exception {
        assumeTrue(kind == Kind.NETTY, "the blocking client pipelines only across threads; the Netty client here");
        MockInstrument mock = track(MockInstrument.tcp().scpi());
        mock.dictionary().reject(Pattern.compile("BAD\\?"), "-113,\"Undefined header\"");
        NettyClient c = NettyClient.open(mock.endpoint(), fast().maxInFlight(16).build());
        open.add(() -> join(c.close()));
        join(c.ready(Duration.ofSeconds(5)));
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(i % 37 == 20 ? c.query("BAD?", Duration.ofMillis(300)) : c.query("ECHO? " + i, Duration.ofSeconds(30)));
        }
        int answered = 0;
        int ambiguous = 0;
        for (int i = 0; i < calls.size(); i++) {
            try {
                String r = calls.get(i).get(60, TimeUnit.SECONDS);
                assertThat(r).as("reply to call %d", i).isEqualTo(Integer.toString(i));
                answered++;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (i % 37 == 20) {
                    // never answered: it times out, or the link renewed after its window failed ends it
                    assertThat(cause).isInstanceOfAny(RequestTimeoutException.class, dev.labwire.core.LinkDownException.class);
                } else if (cause instanceof dev.labwire.core.RemoteProtocolException) {
                    assertThat(cause.getCause()).as("call %d", i).isInstanceOf(AmbiguousReplyException.class);
                    ambiguous++;
                } else {
                    assertThat(cause).as("call %d", i).isInstanceOf(dev.labwire.core.LinkDownException.class);
                }
            }
        }
        assertThat(answered).as("most calls are answered; %d failed as ambiguous", ambiguous).isGreaterThan(100);
    }
}
