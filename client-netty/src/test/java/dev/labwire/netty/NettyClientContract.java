package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.FrameClassifier;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.StaleReplyPolicy;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.scpi.ValueType;
import dev.labwire.mock.MockReply;
import dev.labwire.testsupport.clients.Await;
import dev.labwire.testsupport.clients.ClientContract;
import dev.labwire.testsupport.clients.Link;
import dev.labwire.testsupport.clients.TestClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The shared {@link ClientContract} on the Netty client, plus what only an asynchronous client has: calls queued and
 * composed as futures, streams, threads of completion, pipelining. Subclasses run it over loopback TCP and over a
 * real serial port (read by the client's reader thread and handed to the event loop).
 */
abstract class NettyClientContract extends ClientContract {

    NettyClientContract(Link link) {
        super(NettyClients.INSTANCE, link);
    }

    static NettyClient netty(TestClient c) {
        return ((NettyClients.Client) c).client();
    }

    /** Closed after the test. */
    NettyClient track(NettyClient c) {
        track(new NettyClients.Client(c));
        return c;
    }

    /** The future's value; its failure thrown as is (not wrapped), so tests read like the blocking ones. */
    static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError("failed with a checked exception", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("future not complete within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Requests everything and records items and the threads they came on. */
    static final class Collect<T> implements Flow.Subscriber<T> {
        final List<T> items = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        volatile boolean completed;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(T item) {
            items.add(item);
            threads.add(Thread.currentThread());
        }

        @Override
        public void onError(Throwable t) {
            throw new AssertionError("no stream error expected", t);
        }

        @Override
        public void onComplete() {
            completed = true;
        }
    }

    /** Calls are futures: the second call is made from the first one's callback; a bad argument is thrown at the call. */
    @Test
    void callsComposeWithoutBlockingAndABadArgumentIsThrownAtTheCall() {
        NettyClient c = netty(client(fast().build()));
        CompletableFuture<Double> composed = c.write("VOLT 6").thenCompose(v -> c.queryNumber("VOLT?"));
        assertThat(await(composed)).isEqualTo(6.0);
        assertThatThrownBy(() -> c.queryBinaryValues("CURV?", ValueType.INT16, null)).isInstanceOf(NullPointerException.class);
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
    }

    /** The shared case with the next call already queued behind the slow one when it times out. */
    @Test
    void aLateReplyNeverReachesTheCallQueuedBehindIt() {
        NettyClient c = netty(client(fast().staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofSeconds(5))).build()));
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
        mock.enqueue(MockReply.line("1").delay(Duration.ofMillis(600)));
        long t0 = System.nanoTime();
        CompletableFuture<String> opc = c.query("*OPC?", Duration.ofMillis(200));
        // the next call is already queued behind the slow one: the PyVISA-py case, where the late "1"
        // became the answer to *IDN?
        CompletableFuture<String> idn = c.query("*IDN?");
        assertThatThrownBy(() -> await(opc)).isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("*OPC?").hasMessageContaining("200");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(590));
        assertThat(await(idn)).isEqualTo(IDN);
        assertThat(await(c.query("ECHO? after"))).isEqualTo("after");
    }

    @SuppressWarnings("try") // a resource held open for the body's duration, never referenced
    @Test
    void pushedFramesStreamWhileQueriesRunOnTheSameLink() throws Exception {
        NettyClient c = netty(client(fast().classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build()));
        Collect<Frame> all = new Collect<>();
        Collect<LatestFrame> latest = new Collect<>();
        c.pushed().subscribe(all);
        c.latest().subscribe(latest);
        await(c.ready(WAIT));
        AtomicInteger n = new AtomicInteger();
        try (AutoCloseable stream = mock.pushEvery(Duration.ofMillis(5), () -> "STAT " + n.incrementAndGet())) {
            List<CompletableFuture<String>> replies = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                replies.add(c.query("ECHO? q" + i));
            }
            for (int i = 0; i < 200; i++) {
                assertThat(await(replies.get(i))).isEqualTo("q" + i);
            }
            Await.until(WAIT, () -> all.items.size() >= 10, "10 pushed frames through the stream");
        }
        List<Integer> numbers = all.items.stream().map(f -> Integer.parseInt(f.asString().substring(5))).toList();
        assertThat(numbers).as("pushes arrive in order, none lost").isSorted();
        assertThat(numbers.get(numbers.size() - 1) - numbers.get(0) + 1).isEqualTo(numbers.size());
        assertThat(latest.items).isNotEmpty();
        assertThat(latest.items.get(0).frame().asString()).startsWith("STAT ");
        assertThat(all.threads).allSatisfy(t -> assertThat(c.eventLoop().inEventLoop(t)).isTrue());
        await(c.close());
        Await.until(WAIT, () -> all.completed && latest.completed, "the streams complete after close");
    }

    @Test
    void callsMadeWhileTheInstrumentIsAwayWaitAndGoOutAfterTheHookInCallOrder() {
        List<State> states = new CopyOnWriteArrayList<>();
        NettyClient c = track(NettyClient.builder(mock.endpoint()).config(fast().build())
                .listener((s, cause) -> states.add(s))
                .onConnect(s -> s.query("*IDN?").thenCompose(idn -> s.write("VOLT 7")))
                .build());
        assertThat(await(c.query("ECHO? before"))).isEqualTo("before");
        mock.stop();
        Await.until(WAIT, () -> states.contains(State.DOWN), "the client sees the instrument go away");
        List<CompletableFuture<String>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(c.query("ECHO? q" + i, WAIT));
        }
        assertThat(queued).noneMatch(CompletableFuture::isDone);
        mock.restart();
        for (int i = 0; i < 5; i++) {
            assertThat(await(queued.get(i))).isEqualTo("q" + i);
        }
        List<String> cmds = mock.commands();
        assertThat(cmds.subList(cmds.lastIndexOf("*IDN?"), cmds.size()))
                .containsExactly("*IDN?", "VOLT 7", "ECHO? q0", "ECHO? q1", "ECHO? q2", "ECHO? q3", "ECHO? q4");
    }

    @Test
    void closeFailsThePendingCallsIsIdempotentAndLaterCallsFailAtOnce() {
        TestClient testClient = client(fast().build());
        NettyClient c = netty(testClient);
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
        mock.enqueue(MockReply.stall());
        CompletableFuture<String> hung = c.query("HANG?", Duration.ofSeconds(30));
        CompletableFuture<String> queued = c.query("*IDN?", Duration.ofSeconds(30));
        assertThat(mock.takeCommand()).isEqualTo("*IDN?");
        assertThat(mock.takeCommand()).isEqualTo("HANG?"); // on the wire, its reply never comes
        CompletableFuture<Void> closed = c.close();
        assertThat(c.close()).isSameAs(closed);
        await(closed);
        assertThatThrownBy(() -> await(hung)).isInstanceOf(LocalProtocolException.class)
                .hasMessageContaining("HANG?").hasMessageContaining("closed");
        assertThatThrownBy(() -> await(queued)).isInstanceOf(LocalProtocolException.class).hasMessageContaining("closed");
        CompletableFuture<String> after = c.query("*IDN?");
        assertThat(after).isCompletedExceptionally();
        assertClosedForGood(testClient);
    }

    @Test
    void pipelinedQueriesOverTheLinkAreEachAnsweredWithTheirOwnToken() {
        NettyClient c = netty(client(fast().maxInFlight(16).defaultTimeout(Duration.ofSeconds(20)).build()));
        List<CompletableFuture<String>> replies = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            replies.add(c.query("ECHO? token-" + i));
        }
        for (int i = 0; i < 1_000; i++) {
            assertThat(await(replies.get(i))).isEqualTo("token-" + i);
        }
    }

    @Test
    void futuresCompleteOnTheEventLoopByDefaultAndOnTheCallbackExecutorWhenGiven() throws Exception {
        NettyClient onLoop = netty(client(fast().build()));
        AtomicReference<Thread> loopThread = new AtomicReference<>();
        await(onLoop.query("*IDN?").whenComplete((v, e) -> loopThread.set(Thread.currentThread())));
        assertThat(onLoop.eventLoop().inEventLoop(loopThread.get())).isTrue();
        await(onLoop.close()); // a serial port has one user at a time

        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "user-callbacks"));
        List<String> where = new CopyOnWriteArrayList<>();
        // closed before the pool is shut down
        try (NettyClients.Client tested = new NettyClients.Client(NettyClient.builder(mock.endpoint()).config(fast().build())
                .callbackExecutor(pool)
                .listener((s, cause) -> where.add("listener " + Thread.currentThread().getName()))
                .onConnect(s -> {
                    where.add("hook " + Thread.currentThread().getName());
                    return s.write("SYST:REM");
                }).build())) {
            NettyClient onPool = tested.client();
            await(onPool.query("*IDN?").whenComplete((v, e) -> where.add("future " + Thread.currentThread().getName())));
            assertThat(where).contains("hook user-callbacks", "future user-callbacks", "listener user-callbacks")
                    .allSatisfy(w -> assertThat(w).endsWith("user-callbacks"));
        } finally {
            pool.shutdownNow();
        }
    }
}
