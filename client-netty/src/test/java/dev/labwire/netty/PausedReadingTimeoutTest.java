package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.frame.Frame;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link NettyClient#pushed()} subscriber that stops asking pauses reading (the documented backpressure), so a query
 * on that link times out though its reply is in the unread bytes. The timeout must say so, not "no reply came": the
 * red team's lab programmer looked for a silent instrument while the cause was their own subscriber.
 */
class PausedReadingTimeoutTest {
    private MockInstrument mock;
    private NettyClient client;

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close().get(10, TimeUnit.SECONDS);
        }
        if (mock != null) {
            mock.close();
        }
    }

    @Test
    void aQueryTimingOutWhileAStalledSubscriberHoldsReadingSaysSo() throws Exception {
        mock = MockInstrument.tcp().scpi();
        client = NettyClient.builder(mock.endpoint())
                .config(ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(400))
                        .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build())
                .pushedBufferSize(8)
                .build();
        client.ready(Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
        AtomicInteger seen = new AtomicInteger();
        AtomicReference<Flow.Subscription> sub = new AtomicReference<>();
        client.pushed().subscribe(new Flow.Subscriber<Frame>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                sub.set(s);
                s.request(1); // and never again: a consumer stuck in its own work
            }

            @Override
            public void onNext(Frame item) {
                seen.incrementAndGet();
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
        AtomicInteger n = new AtomicInteger();
        try (AutoCloseable stream = mock.pushEvery(Duration.ofMillis(2), () -> "STAT " + n.incrementAndGet())) {
            Await.until(Duration.ofSeconds(10), () -> n.get() > 200, "the mock pushed past the client's buffer");
            assertThat(client.query("ECHO? x")).failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(RequestTimeoutException.class)
                    .withMessageContaining("stopped reading")
                    .withMessageContaining("pushed frames");
        }
        assertThat(seen.get()).isEqualTo(1);
        sub.get().cancel();
    }
}
