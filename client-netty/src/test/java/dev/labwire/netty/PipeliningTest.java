package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RequestTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipelining: many queries on the wire at once, replies matched to their requests in order. Every reply
 * carries its request's token, so a reply handed to the wrong future fails the test.
 */
class PipeliningTest {
    private static final Logger TIMINGS = LoggerFactory.getLogger("dev.labwire.netty.timings");

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<NettyClient> clients = new ArrayList<>();
    private LineServer server;

    @AfterEach
    void tearDown() throws Exception {
        for (NettyClient c : clients) {
            c.close().get(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
            assertThat(server.errors()).isEmpty();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private NettyClient client(int maxInFlight, int maxQueued) {
        NettyClient c = NettyClient.builder(server.endpoint())
                .config(Configs.fast().maxInFlight(maxInFlight).maxQueued(maxQueued).defaultTimeout(Duration.ofSeconds(30)).build())
                .eventLoopGroup(group).build();
        clients.add(c);
        return c;
    }

    /** "TOKEN? 17" is answered "17"; the token is the query's number. */
    private static String token(String command) {
        return command.substring(command.indexOf(' ') + 1);
    }

    @Test
    void tenThousandQueriesInFlightAtOnceAreEachAnsweredWithTheirOwnToken() throws Exception {
        int n = 10_000;
        List<String> received = new ArrayList<>(); // server thread only
        // The server holds every reply back until it has all n queries: the client must have put all of
        // them on the wire without waiting for a single reply. Then it answers them in one burst.
        server = LineServer.start((peer, line) -> {
            received.add(line);
            if (received.size() == n) {
                StringBuilder replies = new StringBuilder();
                for (String q : received) {
                    replies.append(token(q)).append('\n');
                }
                peer.send(replies.toString());
            }
        });
        NettyClient c = client(n, n);
        c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);

        long t0 = System.nanoTime();
        List<CompletableFuture<String>> replies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            replies.add(c.query("TOKEN? " + i));
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        TIMINGS.info("{} pipelined queries, all in flight at once, took {} ms", n, ms);

        for (int i = 0; i < n; i++) {
            assertThat(replies.get(i).join()).as("reply to query %d", i).isEqualTo(Integer.toString(i));
        }
        assertThat(server.peers()).hasSize(1);
        assertThat(server.peers().get(0).linesRead()).isEqualTo(n);
    }

    @Test
    void queriesBeyondMaxInFlightWaitForAFreeSlot() throws Exception {
        int n = 10_000;
        int maxInFlight = 16;
        AtomicInteger outstanding = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<String> held = new ArrayList<>(); // server thread only
        // Answers in groups of maxInFlight: a client that sent more than maxInFlight at once would push
        // "most" above the limit; one that sent fewer would stall the test.
        server = LineServer.start((peer, line) -> {
            held.add(line);
            most.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            if (held.size() == maxInFlight) {
                StringBuilder out = new StringBuilder();
                held.forEach(q -> out.append(token(q)).append('\n'));
                held.clear();
                outstanding.addAndGet(-maxInFlight);
                peer.send(out.toString());
            }
        });
        NettyClient c = client(maxInFlight, n);
        c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
        long t0 = System.nanoTime();
        List<CompletableFuture<String>> replies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            replies.add(c.query("TOKEN? " + i));
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        TIMINGS.info("{} queries, {} in flight at a time, took {} ms", n, maxInFlight,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        for (int i = 0; i < n; i++) {
            assertThat(replies.get(i).join()).as("reply to query %d", i).isEqualTo(Integer.toString(i));
        }
        assertThat(server.peers().get(0).linesRead()).isEqualTo(n);
        assertThat(most).hasValue(maxInFlight);
    }

    @Test
    void aTimedOutQueryInThePipelineFailsAloneAndItsLateReplyNeverReachesAnotherCall() throws Exception {
        java.util.Map<LineServer.Peer, List<String>> held = new java.util.concurrent.ConcurrentHashMap<>();
        // holds "SLOW?" back until the next query on the same connection arrives, then answers both in order; a
        // new connection is a new session (as on a TCP instrument), so the held query dies with the old one
        server = LineServer.start((peer, line) -> {
            List<String> mine = held.computeIfAbsent(peer, p -> new ArrayList<>());
            if (line.startsWith("SLOW?")) {
                mine.add(line);
                return;
            }
            StringBuilder out = new StringBuilder();
            mine.forEach(q -> out.append("late ").append(q).append('\n'));
            mine.clear();
            peer.send(out + token(line) + "\n");
        });
        NettyClient c = client(8, 100);
        c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
        CompletableFuture<String> slow = c.query("SLOW? 0", Duration.ofMillis(200));
        assertThatThrownBy(() -> slow.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("SLOW? 0").hasMessageContaining("200 ms");
        List<CompletableFuture<String>> after = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            after.add(c.query("TOKEN? " + i));
        }
        for (int i = 1; i <= 50; i++) {
            assertThat(after.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo(Integer.toString(i));
        }
    }
}
