package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.FrameClassifier;
import dev.labwire.core.frame.Frame;
import dev.labwire.testsupport.clients.Await;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A call made from user code that runs on the event loop in the middle of the driver's drain (a pushed frame's
 * {@code onNext}, a reply's completion stage) is written at once and answered: the drain takes it up itself, with no
 * later input to push it out. (The drain makes no second pass after a reply or a pushed frame unless such a call asked
 * for one.) A real channel to a loopback server that answers "ECHO? n" with "n" and, after "GO n", pushes "STAT:n"
 * and nothing else; each call's timeout (30 s) is far beyond the test's deadline, so a call left unwritten fails it.
 */
class CallsFromCallbacksTest {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private LineServer server;
    private NettyClient client;

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close().get(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
            assertThat(server.errors()).isEmpty();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private NettyClient start() throws Exception {
        server = LineServer.start((peer, line) -> {
            String arg = line.substring(line.indexOf(' ') + 1);
            if (line.startsWith("GO ")) {
                peer.send("STAT:" + arg + "\n"); // pushed; the client writes nothing in reply to it
            } else if (line.startsWith("ECHO? ")) {
                peer.send(arg + "\n");
            }
        });
        client = NettyClient.builder(server.endpoint()).eventLoopGroup(group)
                .config(Configs.fast().defaultTimeout(CALL_TIMEOUT)
                        .classifier(FrameClassifier.pushedIfStartsWith("STAT:".getBytes(StandardCharsets.US_ASCII))).build())
                .build();
        client.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
        return client;
    }

    @Test
    void aQueryFromAPushedFramesOnNextIsWrittenAndAnswered() throws Exception {
        NettyClient c = start();
        List<CompletableFuture<String>> fromOnNext = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        c.pushed().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Frame f) {
                threads.add(Thread.currentThread().getName());
                String n = f.asString().substring("STAT:".length());
                fromOnNext.add(c.query("ECHO? " + n));
            }

            @Override
            public void onError(Throwable t) {
                // not expected; the assertions below would fail
            }

            @Override
            public void onComplete() {
                // the client closes after the test
            }
        });
        String loop = group.next().submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
        for (int i = 1; i <= 20; i++) {
            c.write("GO " + i).get(10, TimeUnit.SECONDS); // one pushed frame each; nothing else comes after it
            int want = i;
            Await.until(Configs.WAIT, () -> fromOnNext.size() == want, () -> "onNext ran for STAT:" + want);
            // the pushed frame is the last input: only the drain in progress can write the query made in onNext
            assertThat(fromOnNext.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo(Integer.toString(i));
        }
        assertThat(threads).hasSize(20).containsOnly(loop);
    }

    @Test
    void aChainOfQueriesEachMadeInThePreviousRepliesStageOnTheLoopRunsToTheEnd() throws Exception {
        NettyClient c = start();
        int calls = 200;
        CompletableFuture<Integer> done = new CompletableFuture<>();
        AtomicInteger onLoop = new AtomicInteger();
        String loop = group.next().submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
        // every next query is made in the stage of the previous reply: attached before that reply can come (the loop
        // is busy running this stage), so it runs on the loop, inside the drain that handed the reply out
        class Step {
            void next(int i) {
                if (i > calls) {
                    done.complete(i - 1);
                    return;
                }
                c.query("ECHO? " + i).whenComplete((r, e) -> {
                    if (Thread.currentThread().getName().equals(loop)) {
                        onLoop.incrementAndGet();
                    }
                    if (e != null) {
                        done.completeExceptionally(e);
                    } else if (!r.equals(Integer.toString(i))) {
                        done.completeExceptionally(new AssertionError("call " + i + " got the reply " + r));
                    } else {
                        next(i + 1);
                    }
                });
            }
        }
        // the first query is made on the loop too: made from another thread, its reply could come before its stage is
        // attached, which then runs on that thread, and so could the next one's (seen on a loaded CI machine)
        group.next().execute(() -> new Step().next(1));
        assertThat(done.get(20, TimeUnit.SECONDS)).isEqualTo(calls);
        assertThat(onLoop.get()).as("stages that ran on the loop").isEqualTo(calls);
    }
}
