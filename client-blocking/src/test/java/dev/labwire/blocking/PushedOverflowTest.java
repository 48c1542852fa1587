package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Overflow;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The three {@link Overflow} policies of the pushed-frame queues, over loopback TCP. */
@Timeout(60)
class PushedOverflowTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ConnectionConfig STREAM = ConnectionConfig.builder()
            .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build();

    private static BlockingClient client(MockInstrument mock, Overflow policy) {
        BlockingClient c = BlockingClient.builder(mock.endpoint()).config(STREAM).pushedQueueCapacity(4)
                .pushedOverflow(policy).build();
        c.awaitReady(WAIT);
        c.query("*IDN?", WAIT); // the mock has this connection's session: pushes reach it
        return c;
    }

    private static void push(MockInstrument mock, int from, int to) {
        for (int i = from; i <= to; i++) {
            mock.push("STAT " + i);
        }
    }

    @Test
    void dropOldestKeepsTheNewestFrames() {
        try (MockInstrument mock = MockInstrument.tcp().scpi(); BlockingClient c = client(mock, Overflow.DROP_OLDEST)) {
            push(mock, 1, 10);
            Await.until(WAIT, () -> c.droppedPushed() == 6, () -> "6 of 10 dropped (now " + c.droppedPushed() + ")");
            for (int i = 7; i <= 10; i++) {
                assertThat(c.pollPushed(WAIT).asString()).isEqualTo("STAT " + i);
            }
        }
    }

    @Test
    void keepLatestKeepsOnlyTheNewestFrame() {
        try (MockInstrument mock = MockInstrument.tcp().scpi(); BlockingClient c = client(mock, Overflow.KEEP_LATEST)) {
            push(mock, 1, 10);
            Await.until(WAIT, () -> c.droppedPushed() == 9, () -> "9 of 10 replaced (now " + c.droppedPushed() + ")");
            assertThat(c.pollPushed(WAIT).asString()).isEqualTo("STAT 10");
            assertThat(c.pollPushed(Duration.ofMillis(50))).isNull();
        }
    }

    @Test
    void failTellsThePollerOnceThenTheStreamRestarts() {
        try (MockInstrument mock = MockInstrument.tcp().scpi(); BlockingClient c = client(mock, Overflow.FAIL)) {
            push(mock, 1, 10);
            Await.until(WAIT, () -> c.droppedPushed() == 6, () -> "6 of 10 refused (now " + c.droppedPushed() + ")");
            for (int i = 1; i <= 4; i++) {
                assertThat(c.pollPushed(WAIT).asString()).isEqualTo("STAT " + i);
            }
            assertThatThrownBy(() -> c.pollPushed(WAIT)).isInstanceOf(LocalProtocolException.class)
                    .hasMessageContaining("overflowed").hasMessageContaining("FAIL");
            mock.push("STAT 11");
            assertThat(c.pollPushed(WAIT).asString()).isEqualTo("STAT 11");
        }
    }

    @Test
    void failUnsubscribesAConsumerThatFellBehind() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi(); BlockingClient c = client(mock, Overflow.FAIL)) {
            CountDownLatch release = new CountDownLatch(1);
            List<String> seen = new CopyOnWriteArrayList<>();
            c.onPushed(f -> {
                seen.add(f.asString());
                try {
                    release.await(); // stuck on the first frame until the queue behind it overflowed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            push(mock, 1, 10); // at most 1 taken, 4 queued, the next overflows: unsubscribed
            Await.until(WAIT, () -> c.droppedCallbacks() > 0, "the consumer's overflow is counted");
            release.countDown();
            Await.until(WAIT, () -> c.droppedPushed() == 6, () -> "the poll queue overflowed too (" + c.droppedPushed() + ")");
            assertThatThrownBy(() -> {
                while (c.pollPushed(WAIT) != null) {
                    // drain 1..4, then the overflow is reported
                }
            }).isInstanceOf(LocalProtocolException.class);
            mock.push("STAT 11");
            assertThat(c.pollPushed(WAIT).asString()).isEqualTo("STAT 11");
            // the consumer took at most STAT 1 before its queue overflowed, and nothing after it was unsubscribed
            assertThat(seen).as("frames the consumer saw").isSubsetOf("STAT 1").doesNotContain("STAT 11");
        }
    }
}
