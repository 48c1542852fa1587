package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;
import dev.labwire.testsupport.clients.Await;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Replies of one frame and pushed frames reach the driver without event objects
 * ({@code LinkMachine.nextEvent(EventSink)}); every kind of call still gets its own reply, converted as before, and
 * pushed frames interleaved with the replies still reach the stream in order. A real channel to a loopback server
 * that answers "TOKEN? n" with n (two lines "n" and "n+" for "LINES? n") and pushes "STAT:k" before some replies.
 */
class OneFrameReplyPathTest {
    private static final int CALLS = 2_000;

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

    private void startServer() {
        server = LineServer.start((peer, line) -> {
            String token = line.substring(line.indexOf(' ') + 1);
            StringBuilder out = new StringBuilder();
            if (Integer.parseInt(token) % 3 == 0) {
                out.append("STAT:").append(token).append('\n');
            }
            out.append(token).append('\n');
            if (line.startsWith("LINES?")) {
                out.append(token).append("+\n");
            }
            peer.send(out.toString());
        });
    }

    private NettyClient client(ExecutorService callbacks) {
        NettyClient.Builder b = NettyClient.builder(server.endpoint()).eventLoopGroup(group)
                .config(Configs.fast().maxInFlight(32).maxQueued(CALLS * 2).defaultTimeout(Duration.ofSeconds(30))
                        .classifier(FrameClassifier.pushedIfStartsWith("STAT:".getBytes(StandardCharsets.US_ASCII))).build());
        if (callbacks != null) {
            b.callbackExecutor(callbacks);
        }
        NettyClient c = b.build();
        clients.add(c);
        return c;
    }

    @Test
    void everyKindOfCallGetsItsOwnReplyAndPushedFramesKeepTheirOrderOnTheLoop() throws Exception {
        startServer();
        runMixedCalls(client(null));
    }

    @Test
    void theSameWithCallbacksOnTheUsersExecutor() throws Exception {
        startServer();
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "user-callbacks"));
        try {
            runMixedCalls(client(pool));
        } finally {
            pool.shutdownNow();
        }
    }

    private static void runMixedCalls(NettyClient c) throws Exception {
        c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
        List<String> pushed = new CopyOnWriteArrayList<>();
        c.pushed().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Frame f) {
                pushed.add(f.asString());
            }

            @Override
            public void onError(Throwable t) {
                pushed.add("error " + t);
            }

            @Override
            public void onComplete() {
            }
        });
        List<CompletableFuture<?>> futures = new ArrayList<>(CALLS);
        List<String> expected = new ArrayList<>(CALLS);
        for (int i = 1; i <= CALLS; i++) {
            switch (i % 4) {
                case 0 -> {
                    futures.add(c.query("TOKEN? " + i));
                    expected.add(String.valueOf(i));
                }
                case 1 -> {
                    futures.add(c.queryNumber("TOKEN? " + i));
                    expected.add(String.valueOf((double) i));
                }
                case 2 -> {
                    Request r = Request.query("TOKEN? " + i);
                    futures.add(c.request(r).thenApply(reply -> {
                        assertThat(reply.request()).isEqualTo(r);
                        assertThat(reply.frames()).hasSize(1);
                        return reply.text();
                    }));
                    expected.add(String.valueOf(i));
                }
                default -> {
                    futures.add(c.request(Request.of("LINES? " + i, Expect.lines(2))).thenApply(Event.Reply::frames)
                            .thenApply(fs -> fs.stream().map(Frame::asString).toList().toString()));
                    expected.add(List.of(String.valueOf(i), i + "+").toString());
                }
            }
        }
        List<String> got = new ArrayList<>(CALLS);
        for (CompletableFuture<?> f : futures) {
            got.add(String.valueOf(f.get(30, TimeUnit.SECONDS)));
        }
        assertThat(got).isEqualTo(expected);
        List<String> expectedPushes = new ArrayList<>();
        for (int i = 3; i <= CALLS; i += 3) {
            expectedPushes.add("STAT:" + i);
        }
        // on the user's executor the last pushes may still be on their way to the subscriber
        Await.until(Configs.WAIT, () -> pushed.size() >= expectedPushes.size(), () -> "pushed frames: " + pushed.size());
        assertThat(pushed).isEqualTo(expectedPushes);
    }
}
