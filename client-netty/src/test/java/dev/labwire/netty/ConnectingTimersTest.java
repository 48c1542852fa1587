package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.State;
import dev.labwire.mock.BlackHole;
import dev.labwire.mock.FaultProxy;
import dev.labwire.testsupport.clients.Await;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 15, item 1: the core's timers run while a link connects. A TCP connect to a black hole (a full listener
 * that never accepts: the OS drops the SYN) hangs for the whole 30 s connect timeout; a query with a 500 ms timeout
 * must still end at about 500 ms, saying the link is still connecting.
 */
class ConnectingTimersTest {
    private static final Logger TIMINGS = LoggerFactory.getLogger("dev.labwire.netty.timings");
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void aQueryEndsByItsOwnTimeoutWhileTheConnectHangs() throws Exception {
        try (BlackHole hole = FaultProxy.blackHole()) {
            NettyClient c = NettyClient.builder(hole.endpoint())
                    .config(Configs.fast().connectTimeout(Duration.ofSeconds(30)).build()).eventLoopGroup(group).build();
            try {
                Await.until(Configs.WAIT, () -> c.state() == State.CONNECTING, "the client connects");
                long start = System.nanoTime();
                CompletableFuture<String> q = c.query("*IDN?", Duration.ofMillis(500));
                ExecutionException e = assertThrows(ExecutionException.class, () -> q.get(10, TimeUnit.SECONDS));
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                TIMINGS.info("query(500 ms) while the connect hangs ended after {} ms: {}", tookMs, e.getCause().getMessage());
                assertThat(e.getCause()).isInstanceOfAny(LinkDownException.class, RequestTimeoutException.class)
                        .hasMessageContaining("the link is still connecting (attempt 1)").hasMessageContaining("*IDN?");
                assertThat(tookMs).as("ends by its timeout, long before the 30 s connect timeout").isLessThan(5_000);
                assertThat(c.state()).isEqualTo(State.CONNECTING);
            } finally {
                long start = System.nanoTime();
                c.close().get(5, TimeUnit.SECONDS);
                TIMINGS.info("close() while connecting took {} ms", (System.nanoTime() - start) / 1_000_000);
            }
        }
    }
}
