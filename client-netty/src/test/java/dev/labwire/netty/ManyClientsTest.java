package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.State;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A thousand instruments watched from one event loop thread, against one server. */
class ManyClientsTest {
    private static final Logger TIMINGS = LoggerFactory.getLogger("dev.labwire.netty.timings");
    private static final int CLIENTS = 1_000;
    private static final int QUERIES_EACH = 5;

    private final EventLoopGroup oneThread = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final List<NettyClient> clients = new ArrayList<>();
    private LineServer server;

    @AfterEach
    void tearDown() throws Exception {
        CompletableFuture.allOf(clients.stream().map(NettyClient::close).toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        if (server != null) {
            server.close();
            assertThat(server.errors()).isEmpty();
        }
        oneThread.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** "ID?" is answered with the client's name, "ECHO? x" with x. */
    private static void answer(LineServer.Peer peer, String line) {
        if (line.startsWith("ECHO? ")) {
            peer.send(line.substring(6) + "\n");
        } else if (line.startsWith("NAME ")) {
            peer.name = line.substring(5);
        } else if (line.equals("NAME?")) {
            peer.send(peer.name + "\n");
        } else {
            peer.send("ERR unknown " + line + "\n");
        }
    }

    @Test
    void aThousandClientsShareOneEventLoopThreadAndEveryQuerySucceeds() throws Exception {
        server = LineServer.start(ManyClientsTest::answer);
        Set<Thread> callbackThreads = ConcurrentHashMap.newKeySet();
        long t0 = System.nanoTime();
        for (int i = 0; i < CLIENTS; i++) {
            String name = "psu-" + i;
            clients.add(NettyClient.builder(server.endpoint())
                    .config(Configs.fast().defaultTimeout(Duration.ofSeconds(30)).connectTimeout(Duration.ofSeconds(20)).build())
                    .eventLoopGroup(oneThread)
                    // every client tells the server who it is on each link, before any of its queries
                    .onConnect(s -> s.write("NAME " + name))
                    .build());
        }
        List<CompletableFuture<List<String>>> work = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            NettyClient c = clients.get(i);
            int id = i;
            CompletableFuture<List<String>> chain = CompletableFuture.completedFuture(new ArrayList<>());
            for (int q = 0; q < QUERIES_EACH; q++) {
                String token = id + "." + q;
                chain = chain.thenCompose(seen -> c.query("ECHO? " + token).thenApply(reply -> {
                    callbackThreads.add(Thread.currentThread());
                    seen.add(reply);
                    return seen;
                }));
            }
            work.add(chain.thenCompose(seen -> c.query("NAME?").thenApply(n -> {
                seen.add(n);
                return seen;
            })));
        }
        CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        TIMINGS.info("{} clients on one event loop thread: connect, hook and {} queries each took {} ms", CLIENTS, QUERIES_EACH + 1, ms);

        for (int i = 0; i < CLIENTS; i++) {
            List<String> expected = new ArrayList<>();
            for (int q = 0; q < QUERIES_EACH; q++) {
                expected.add(i + "." + q);
            }
            expected.add("psu-" + i);
            assertThat(work.get(i).join()).as("client %d", i).isEqualTo(expected);
            assertThat(clients.get(i).state()).isEqualTo(State.READY);
        }
        EventLoop loop = clients.get(0).eventLoop();
        assertThat(clients).allSatisfy(c -> assertThat(c.eventLoop()).isSameAs(loop));
        assertThat(callbackThreads).hasSize(1);
        assertThat(loop.inEventLoop(callbackThreads.iterator().next())).isTrue();
        assertThat(server.peers()).hasSize(CLIENTS);
    }
}
