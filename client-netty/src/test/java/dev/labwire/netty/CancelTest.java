package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, item 4: cancelling a future whose request has not gone out withdraws it: the command never reaches
 * the device (the mock's command log says so). Cancelling one already written ends it, and its late reply never
 * reaches the next call.
 */
class CancelTest {
    private static final String IDN = NettyClientContract.IDN;

    @Test
    void aCancelledQueuedQueryIsNeverSent() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            NettyClient c = NettyClient.open(mock.endpoint(), Configs.fast().build());
            try {
                c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
                mock.enqueue(MockReply.line("1").delay(Duration.ofMillis(300)));
                CompletableFuture<String> slow = c.query("SLOW?");           // on the wire, maxInFlight 1
                CompletableFuture<String> withdrawn = c.query("WITHDRAWN?"); // waits behind it
                CompletableFuture<Double> number = c.queryNumber("NUMBER?"); // a converting call, also waiting
                assertThat(withdrawn.cancel(true)).isTrue();
                assertThat(number.cancel(false)).isTrue();
                assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("1");
                assertThat(c.query("*IDN?").get(10, TimeUnit.SECONDS)).isEqualTo(IDN);
                assertThat(mock.commands()).containsExactly("SLOW?", "*IDN?");
                assertThat(withdrawn).isCancelled();
            } finally {
                c.close().get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aCancelledWrittenQueryEndsAndItsLateReplyReachesNobody() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            NettyClient c = NettyClient.open(mock.endpoint(), Configs.fast().build());
            try {
                c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
                mock.enqueue(MockReply.line("LATE").delay(Duration.ofMillis(300)));
                CompletableFuture<String> late = c.query("LATE?");
                assertThat(mock.takeCommand(Configs.WAIT)).isEqualTo("LATE?"); // written: the device has it
                assertThat(late.cancel(true)).isTrue();
                assertThat(c.query("*IDN?").get(10, TimeUnit.SECONDS)).as("never the late reply").isEqualTo(IDN);
            } finally {
                c.close().get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void withACallbackExecutorACancelledQueuedQueryIsNeverSentEither() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            NettyClient c = NettyClient.builder(mock.endpoint()).config(Configs.fast().build()).callbackExecutor(pool).build();
            try {
                c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
                mock.enqueue(MockReply.line("1").delay(Duration.ofMillis(300)));
                CompletableFuture<String> slow = c.query("SLOW?");
                CompletableFuture<List<String>> withdrawn = c.queryLines("WITHDRAWN?", 2);
                assertThat(withdrawn.cancel(false)).isTrue();
                assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("1");
                assertThat(c.query("*IDN?").get(10, TimeUnit.SECONDS)).isEqualTo(IDN);
                assertThat(mock.commands()).containsExactly("SLOW?", "*IDN?");
            } finally {
                c.close().get(10, TimeUnit.SECONDS);
                pool.shutdownNow();
            }
        }
    }
}
