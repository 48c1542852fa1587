package dev.labwire.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.frame.Frame;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.netty.LatestFrame;
import dev.labwire.netty.NettyClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The README's Netty snippets, run against MockInstrument (keep the two in step). */
class ReadmeNettySnippetsTest {

    @Test
    void queryPipelinedBatchAndStreams() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            mock.responder(cmd -> cmd.startsWith("MEAS:VOLT? (@")
                    ? MockReply.line("+" + cmd.substring(13, 16) + ".0E-3") : null);
            NettyClient psu = NettyClient.builder(mock.endpoint())
                    .onConnect(s -> s.write("SYST:REM").thenCompose(v -> s.write("VOLT:PROT 30")))
                    .build();
            List<String> seen = new CopyOnWriteArrayList<>();
            psu.query("*IDN?").thenAccept(seen::add).get(5, TimeUnit.SECONDS);
            assertThat(seen).containsExactly("LABWIRE,MOCK-INSTRUMENT,SN0001,1.0");
            assertThat(mock.commands()).startsWith("SYST:REM", "VOLT:PROT 30", "*IDN?");

            NettyClient dmm = NettyClient.open(mock.endpoint(), ConnectionConfig.builder().maxInFlight(16).build());
            List<CompletableFuture<Double>> batch = IntStream.range(0, 100)
                    .mapToObj(ch -> dmm.queryNumber("MEAS:VOLT? (@" + (101 + ch) + ")")).toList();
            CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(batch.get(0).join()).isEqualTo(0.101);
            assertThat(batch.get(99).join()).isEqualTo(0.200);

            NettyClient board = NettyClient.open(mock.endpoint(), ConnectionConfig.builder()
                    .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build());
            board.ready(Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS);
            Collect<Frame> subscriber = new Collect<>();
            Collect<LatestFrame> monitor = new Collect<>();
            board.pushed().subscribe(subscriber);
            board.latest().subscribe(monitor);
            // subscribing is asynchronous (on the event loop): a stream sees the frames pushed after onSubscribe
            subscriber.subscribed.get(5, TimeUnit.SECONDS);
            monitor.subscribed.get(5, TimeUnit.SECONDS);
            assertThat(board.query("*OPC?").get(5, TimeUnit.SECONDS)).isEqualTo("1"); // the mock has the connection
            mock.push("STAT 1");
            assertThat(subscriber.first.get(5, TimeUnit.SECONDS).asString()).isEqualTo("STAT 1");
            assertThat(monitor.first.get(5, TimeUnit.SECONDS).frame().asString()).isEqualTo("STAT 1");

            CompletableFuture.allOf(psu.close(), dmm.close(), board.close()).get(10, TimeUnit.SECONDS);
        }
    }

    /** A subscriber that asks for everything and keeps the first item. */
    private static final class Collect<T> implements Flow.Subscriber<T> {
        final CompletableFuture<T> first = new CompletableFuture<>();
        final CompletableFuture<Void> subscribed = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
            subscribed.complete(null);
        }

        @Override
        public void onNext(T item) {
            first.complete(item);
        }

        @Override
        public void onError(Throwable t) {
            first.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            first.completeExceptionally(new IllegalStateException("completed before any item"));
        }
    }
}
