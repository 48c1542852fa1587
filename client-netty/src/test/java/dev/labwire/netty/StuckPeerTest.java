package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import dev.labwire.testsupport.pty.SocatPty;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 15, items 2 and 6: a peer that stops reading (a TCP peer that never reads, a pty nobody drains). The client
 * holds at most its write high-water mark of unsent bytes (plus one buffer), calls beyond it wait and fail by their
 * own deadline (or at once when the queue is full), another client on the same event loop, the listener and
 * close() carry on, and close() returns within its 2 s bound.
 */
class StuckPeerTest {
    private static final Logger TIMINGS = LoggerFactory.getLogger("dev.labwire.netty.timings");
    private static final int COMMAND_BYTES = 10_000;
    private static final int CALLS = 4_000; // 40 MB offered
    private static final int HIGH_WATER = 64 * 1024;
    /** What the client may hold beyond its mark: one 64 KiB buffer (TCP) or one request's bytes (serial). */
    private static final int ONE_BUFFER = 64 * 1024;
    private static final Duration CALL_TIMEOUT = Duration.ofMillis(1500);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<NettyClient> clients = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (NettyClient c : clients) {
            c.close().get(10, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private NettyClient client(String endpoint, List<State> states) {
        NettyClient c = NettyClient.builder(endpoint).eventLoopGroup(group).writeBufferHighWater(HIGH_WATER)
                .config(Configs.fast().maxQueued(CALLS / 2).defaultTimeout(CALL_TIMEOUT).build())
                .listener((s, cause) -> states.add(s)).build();
        clients.add(c);
        return c;
    }

    /**
     * Offers 40 MB of writes to a peer that takes nothing; checks what the client holds, how the calls end, that a
     * neighbour on the same event loop is served, and how long close() takes.
     */
    private void flood(String endpoint, String what) throws Exception {
        List<State> states = new CopyOnWriteArrayList<>();
        NettyClient c = client(endpoint, states);
        c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
        long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        String command = "DATA " + "x".repeat(COMMAND_BYTES - 6);
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            writes.add(c.write(command));
        }
        // the client stops handing bytes to the link once it holds its mark
        Await.until(Configs.WAIT, () -> !c.driver().diagnostics().writable().join(), what + ": the link stops taking bytes");
        long held = c.driver().diagnostics().unsentBytes().join();
        long directHeld = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() - directBefore;

        try (MockInstrument neighbourDevice = MockInstrument.tcp().scpi()) {
            NettyClient neighbour = client(neighbourDevice.endpoint(), new CopyOnWriteArrayList<>());
            assertThat(neighbour.query("*IDN?").get(5, TimeUnit.SECONDS)).as("a client on the same loop is served")
                    .isEqualTo(NettyClientContract.IDN);
        }

        CompletableFuture.allOf(writes.stream().map(w -> w.exceptionally(t -> null)).toArray(CompletableFuture[]::new))
                .get(CALL_TIMEOUT.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        long endedMs = (System.nanoTime() - start) / 1_000_000;
        long accepted = writes.stream().filter(w -> !w.isCompletedExceptionally()).count();
        long timedOut = writes.stream().filter(w -> cause(w) instanceof RequestTimeoutException).count();
        long refused = writes.stream().filter(w -> cause(w) instanceof LocalProtocolException).count();
        Throwable aTimeout = writes.stream().map(StuckPeerTest::cause).filter(t -> t instanceof RequestTimeoutException)
                .findFirst().orElseThrow();
        TIMINGS.info("{}: {} MB offered; client held {} unsent bytes ({} direct); {} writes handed over ({} MB, the rest in"
                + " OS buffers), {} timed out, {} refused (queue full); all ended after {} ms; e.g. {}", what,
                CALLS * COMMAND_BYTES / 1_000_000, held, directHeld, accepted, accepted * COMMAND_BYTES / 1_000_000,
                timedOut, refused, endedMs, aTimeout.getMessage().substring(aTimeout.getMessage().indexOf(" within ")));

        assertThat(held).as("unsent bytes the client holds").isLessThanOrEqualTo(HIGH_WATER + ONE_BUFFER);
        assertThat(directHeld).as("direct memory").isLessThan(4L * (HIGH_WATER + ONE_BUFFER));
        assertThat(accepted * COMMAND_BYTES).as("bytes handed over: OS buffers and the mark, not 40 MB").isLessThan(16_000_000L);
        assertThat(refused).as("calls beyond maxQueued fail at once").isGreaterThan(0);
        assertThat(aTimeout).hasMessageContaining("the peer is not taking bytes").hasMessageContaining("wait to go out");
        assertThat(endedMs).as("every call ended by its deadline").isLessThan(CALL_TIMEOUT.toMillis() + 4_000);

        long closeStart = System.nanoTime();
        c.close().get(10, TimeUnit.SECONDS);
        long closeMs = (System.nanoTime() - closeStart) / 1_000_000;
        TIMINGS.info("{}: close() with a stuck peer took {} ms; states {}", what, closeMs, states);
        assertThat(closeMs).as("close() within its 2 s bound").isLessThan(3_000);
        assertThat(states).as("the listener was told").endsWith(State.CLOSED);
    }

    private static Throwable cause(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void aTcpPeerThatNeverReadsHoldsTheClientToItsHighWaterMark() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(4096);
            server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            CompletableFuture<Socket> peer = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.accept(); // and never reads
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                flood("tcp://127.0.0.1:" + server.getLocalPort(), "TCP peer that never reads");
            } finally {
                peer.get(10, TimeUnit.SECONDS).close();
            }
        }
    }

    @SuppressWarnings("try") // a resource held open for the body's duration, never referenced
    @Test
    void aPtyNobodyDrainsHoldsTheClientToItsHighWaterMark() throws Exception {
        assumeTrue(SocatPty.available(), "socat is not installed");
        try (ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(4096);
            server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            try (SocatPty pty = SocatPty.toTcp(server.getLocalPort()); Socket peer = server.accept()) {
                flood("serial:" + pty.a(), "pty nobody drains");
            }
        }
    }
}
