package dev.labwire.examples.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.mock.Vxi11Options;
import dev.labwire.netty.NettyClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A VXI-11 device whose device_read answers at once with error 0, reason 0 and no data (the mock's
 * {@link Vxi11Options#emptyReads(boolean)} fault), with both real clients over loopback. Reading again at once made
 * 16 000 to 19 000 RPCs in 2 s; the core now waits 1 ms, doubling to 64 ms, between empty reads. Counted by the mock:
 * about 37 device_reads in a 2 s query that never gets its answer, which still ends by its deadline saying what the
 * device did; a reply that comes 500 ms late is the query's answer.
 */
class Vxi11EmptyReadsTest {
    enum Kind { BLOCKING, NETTY }

    private static final String IDN = "ACME,VXI-EMPTY,1,0.1";
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** 1 + 7 doubling waits (127 ms) + (2000 - 127) / 64 = 37 reads at most in 2 s; a loaded machine makes fewer. */
    private static final long MAX_READS_IN_2_S = 45;
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static String get(CompletableFuture<String> f) {
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

    /** A query function on a client of {@code kind} connected to {@code mock}; a Netty failure surfaces as its cause. */
    private BiFunction<String, Duration, String> connect(Kind kind, MockInstrument mock) {
        String endpoint = "vxi11://127.0.0.1:" + mock.portmapperPort() + "/inst0";
        ConnectionConfig cfg = ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5)).build();
        if (kind == Kind.BLOCKING) {
            BlockingClient b = BlockingClient.openAndAwait(endpoint, cfg, WAIT);
            open.add(b);
            return b::query;
        }
        NettyClient n = NettyClient.open(endpoint, cfg);
        open.add(n::close);
        try {
            n.ready(WAIT).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return (command, timeout) -> get(n.query(command, timeout));
    }

    private MockInstrument mock() {
        MockInstrument mock = MockInstrument.vxi11(Vxi11Options.defaults().portmapperPort(0).emptyReads(true)).scpi();
        open.add(mock);
        mock.dictionary().identity(IDN);
        return mock;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aQueryNeverAnsweredEndsByItsDeadlineNamingTheEmptyReadsWithoutARetryStorm(Kind kind) {
        MockInstrument mock = mock();
        BiFunction<String, Duration, String> query = connect(kind, mock);
        assertThat(query.apply("*IDN?", WAIT)).as("an answer readable at once comes in the first read").isEqualTo(IDN);
        mock.enqueue(MockReply.stall());   // nothing is ever readable for MEAS?: every device_read comes back empty
        long readsBefore = mock.vxi11DeviceReads();
        long start = System.nanoTime();
        assertThatThrownBy(() -> query.apply("MEAS?", Duration.ofSeconds(2)))
                .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("MEAS?")
                .hasMessageContaining("device_read calls at once with no data, no error and no reason");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long reads = mock.vxi11DeviceReads() - readsBefore;
        assertThat(tookMs).as("ends by its 2 s deadline (plus the README's slack)").isBetween(1900L, 3000L);
        assertThat(reads).as("device_reads in the query's 2 s (they were 16 000 to 19 000)")
                .isBetween(5L, MAX_READS_IN_2_S);
        assertThat(query.apply("*IDN?", WAIT)).as("device_clear unstalled the device; nothing stale came")
                .isEqualTo(IDN);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aReplyThatComesLaterIsTheAnswer(Kind kind) {
        MockInstrument mock = mock();
        BiFunction<String, Duration, String> query = connect(kind, mock);
        mock.enqueue(MockReply.line("7.5").delay(Duration.ofMillis(500)));
        long readsBefore = mock.vxi11DeviceReads();
        assertThat(query.apply("MEAS?", Duration.ofSeconds(3))).isEqualTo("7.5");
        long reads = mock.vxi11DeviceReads() - readsBefore;
        // 1 + 7 doubling waits (127 ms) + (500 - 127) / 64 + the read that got it: about 15
        assertThat(reads).as("device_reads while the answer was 500 ms away").isBetween(2L, 25L);
        assertThat(query.apply("*IDN?", WAIT)).isEqualTo(IDN);
    }
}
