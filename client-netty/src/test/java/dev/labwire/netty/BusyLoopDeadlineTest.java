package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A call's timeout counts from the call, also when the event loop is busy when it is made (other clients on the loop,
 * a large reply, a cold JVM loading classes). Before, the deadline was counted from when the loop took the call, so
 * the loop's backlog was added to it: a fresh JVM's first 300 ms call ended after 674-900 ms; here a 1,200 ms call
 * made while the loop was busy for 1 s ended after ~2,200 ms.
 */
class BusyLoopDeadlineTest {

    @Test
    void aCallMadeWhileTheLoopIsBusyStillEndsByItsOwnDeadline() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            NettyClient c = NettyClient.builder(mock.endpoint()).config(ConnectionConfig.builder().build())
                    .eventLoopGroup(group).build();
            try {
                assertThat(c.query("*IDN?").get(10, TimeUnit.SECONDS)).startsWith("LABWIRE");
                mock.enqueue(MockReply.none());
                CountDownLatch busy = new CountDownLatch(1);
                c.eventLoop().execute(() -> {
                    busy.countDown();
                    long end = System.nanoTime() + 1_000_000_000L; // other work on the loop for 1 s
                    while (System.nanoTime() - end < 0) {
                        Thread.onSpinWait();
                    }
                });
                assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
                long start = System.nanoTime();
                CompletableFuture<String> q = c.query("NONE?", Duration.ofMillis(1200));
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> q.get(10, TimeUnit.SECONDS));
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(e.getCause()).isInstanceOf(RequestTimeoutException.class)
                        .hasMessageContaining("NONE?").hasMessageContaining("1200 ms");
                assertThat(tookMs).as("ms to end a 1,200 ms call made while the loop was busy for 1 s")
                        .isLessThan(1900);
            } finally {
                c.close().get(5, TimeUnit.SECONDS);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
