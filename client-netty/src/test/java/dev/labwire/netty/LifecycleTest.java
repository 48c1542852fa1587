package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.State;
import dev.labwire.netty.internal.DefaultGroup;
import dev.labwire.testsupport.clients.Await;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What needs no instrument: endpoints, refused links, closing, event loop group ownership. */
class LifecycleTest {
    static final Duration WAIT = Configs.WAIT;

    static ConnectionConfig.Builder fast() {
        return Configs.fast();
    }

    /** A loopback port nobody listens on. */
    static String refusedEndpoint() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "tcp://127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void aMalformedEndpointFailsAtOnceNamingTheBadPart() {
        assertThatThrownBy(() -> NettyClient.open("tcp://localhost:50x25")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("50x25");
        assertThatThrownBy(() -> NettyClient.open("gpib://7")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpib");
    }

    @Test
    void aRefusedPortIsReportedAsLinkDownWithTheCause() throws Exception {
        NettyClient c = NettyClient.open(refusedEndpoint(), fast().build());
        try {
            assertThatThrownBy(() -> c.ready(Duration.ofMillis(500)).join()).isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(LinkDownException.class).hasMessageContaining("not ready").hasMessageContaining("refused");
            assertThatThrownBy(() -> c.query("*IDN?", Duration.ofMillis(300)).join())
                    .cause().isInstanceOf(LinkDownException.class).hasMessageContaining("*IDN?").hasMessageContaining("127.0.0.1");
        } finally {
            c.close().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void closeFailsEveryPendingCallWithAClearCauseAndLaterCallsAtOnce() throws Exception {
        List<State> states = new CopyOnWriteArrayList<>();
        NettyClient c = NettyClient.builder(refusedEndpoint()).config(fast().build())
                .listener((s, cause) -> states.add(s)).build();
        CompletableFuture<String> pending = c.query("*IDN?", Duration.ofSeconds(30));
        CompletableFuture<NettyClient> ready = c.ready(Duration.ofSeconds(30));
        Await.until(WAIT, () -> states.contains(State.DOWN), "the first attempt fails");
        CompletableFuture<Void> closed = c.close();
        assertThat(c.close()).isSameAs(closed);
        closed.get(5, TimeUnit.SECONDS);
        assertThatThrownBy(pending::join).cause().isInstanceOf(LocalProtocolException.class)
                .hasMessageContaining("*IDN?").hasMessageContaining("closed");
        // a wait for the first link ended already, when the first attempt was refused (fail fast, issue 16)
        assertThatThrownBy(ready::join).cause().isInstanceOf(LinkDownException.class).hasMessageContaining("refused");
        long t0 = System.nanoTime();
        CompletableFuture<String> after = c.query("*IDN?");
        assertThat(after).isCompletedExceptionally();
        assertThatThrownBy(after::join).cause().isInstanceOf(LocalProtocolException.class).hasMessageContaining("closed");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(100));
        assertThat(c.state()).isEqualTo(State.CLOSED);
        Await.until(WAIT, () -> states.contains(State.CLOSED), "the listener hears CLOSED");
        assertThat(states).startsWith(State.CONNECTING, State.DOWN);
    }

    @Test
    void theDefaultGroupIsSharedAndShutDownWithTheLastClient() throws Exception {
        int before = DefaultGroup.users();
        NettyClient a = NettyClient.open(refusedEndpoint(), fast().build());
        NettyClient b = NettyClient.open(refusedEndpoint(), fast().build());
        assertThat(DefaultGroup.users()).isEqualTo(before + 2);
        assertThat(a.eventLoop().parent()).isSameAs(b.eventLoop().parent());
        EventLoopGroup group = a.eventLoop().parent();
        a.close().get(5, TimeUnit.SECONDS);
        assertThat(group.isShuttingDown()).isFalse();
        b.close().get(5, TimeUnit.SECONDS);
        assertThat(DefaultGroup.users()).isEqualTo(before);
        if (before == 0) {
            assertThat(group.terminationFuture().await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aUserGroupIsNeverShutDownByTheClient() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            int before = DefaultGroup.users();
            NettyClient c = NettyClient.builder(refusedEndpoint()).config(fast().build()).eventLoopGroup(group).build();
            assertThat(DefaultGroup.users()).isEqualTo(before);
            assertThat(c.eventLoop().parent()).isSameAs(group);
            c.close().get(5, TimeUnit.SECONDS);
            assertThat(group.isShuttingDown()).isFalse();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    @SuppressWarnings("deprecation") // DefaultEventLoopGroup: any non-NIO group will do
    void aTcpClientNeedsAnNioGroupAndAShutDownGroupIsRefused() throws Exception {
        EventLoopGroup local = new DefaultEventLoopGroup(1);
        try {
            assertThatThrownBy(() -> NettyClient.builder(refusedEndpoint()).eventLoopGroup(local).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NIO");
        } finally {
            local.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        EventLoopGroup gone = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        gone.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        assertThatThrownBy(() -> NettyClient.builder(refusedEndpoint()).eventLoopGroup(gone).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("shut down");
    }

    @Test
    void failuresCompleteOnTheCallbackExecutor() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "user-callbacks"));
        NettyClient c = NettyClient.builder(refusedEndpoint()).config(fast().build()).callbackExecutor(pool).build();
        try {
            // the callback thread waits until the test registered its callback: else a future that failed first would
            // run it on the registering thread, as CompletableFuture does
            java.util.concurrent.CountDownLatch registered = new java.util.concurrent.CountDownLatch(1);
            pool.execute(() -> {
                try {
                    registered.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            AtomicReference<String> thread = new AtomicReference<>();
            CompletableFuture<String> f = c.query("*IDN?", Duration.ofMillis(200));
            f.whenComplete((v, e) -> thread.compareAndSet(null, Thread.currentThread().getName()));
            registered.countDown();
            // watch before joining: a thread waiting in join() when the future completes may run its callback itself
            Await.until(WAIT, () -> thread.get() != null, "the callback ran");
            assertThat(thread.get()).isEqualTo("user-callbacks");
            assertThatThrownBy(f::join).cause().isInstanceOf(LinkDownException.class);
        } finally {
            c.close().get(5, TimeUnit.SECONDS);
            pool.shutdownNow();
        }
    }

    @Test
    void aMissingSerialPortIsReportedWithItsName() throws Exception {
        NettyClient c = NettyClient.open("serial:/dev/ttyLABWIRE-NOPE", fast().build());
        try {
            assertThatThrownBy(() -> c.ready(Duration.ofMillis(500)).join()).cause().isInstanceOf(LinkDownException.class)
                    .hasMessageContaining("/dev/ttyLABWIRE-NOPE");
        } finally {
            c.close().get(5, TimeUnit.SECONDS);
        }
        Await.until(WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().contains("ttyLABWIRE-NOPE")), "serial threads end");
    }
}
