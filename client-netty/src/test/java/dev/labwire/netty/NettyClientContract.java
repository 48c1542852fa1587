package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Expect;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.StaleReplyPolicy;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.LineFramer;
import dev.labwire.mock.MockInstrument;
import dev.labwire.core.scpi.BinaryValues;
import dev.labwire.core.scpi.ValueType;
import dev.labwire.mock.MockReply;
import dev.labwire.testsupport.clients.Await;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the Netty client must do over any link: the blocking client's contract
 * ({@code BlockingClientContract}, case for case, with futures instead of blocking calls) plus what only
 * an asynchronous client has (streams, threads of completion, pipelining). Subclasses run it over loopback
 * TCP and over a real serial port (a socat pty pair opened through jSerialComm), against
 * {@link MockInstrument}.
 */
abstract class NettyClientContract {
    static final Duration WAIT = Configs.WAIT;
    static final String IDN = "LABWIRE,MOCK-INSTRUMENT,SN0001,1.0";

    MockInstrument mock;
    private final List<NettyClient> clients = new ArrayList<>();

    /** A started mock. */
    abstract MockInstrument newMock();

    /** Brings the mock back after a fault that killed its link (pty: the pair is gone until restart). */
    abstract void reviveAfterLinkKilled(MockInstrument mock);

    /** What a reply cut off by the mock dropping the link fails with on this transport. */
    abstract Class<? extends Exception> halfSentReplyError();

    @BeforeEach
    void startMock() {
        mock = newMock().scpi();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (NettyClient c : clients) {
            c.close().get(10, TimeUnit.SECONDS);
        }
        mock.close();
    }

    static ConnectionConfig.Builder fast() {
        return Configs.fast();
    }

    NettyClient client(ConnectionConfig config) {
        return track(NettyClient.open(mock.endpoint(), config));
    }

    NettyClient track(NettyClient c) {
        clients.add(c);
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

    @Test
    void queryWriteLinesBlockAndNumbers() {
        NettyClient c = client(fast().build());
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
        await(c.write("VOLT 5"));
        assertThat(await(c.query("VOLT?"))).isEqualTo("5");
        assertThat(mock.dictionary().get("VOLT")).isEqualTo("5");
        assertThat(await(c.queryNumber("VOLT?"))).isEqualTo(5.0);
        mock.enqueue(MockReply.bytes("a\nb\r\nc\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(await(c.queryLines("LIST?", 3))).containsExactly("a", "b", "c");
        mock.enqueue(MockReply.bytes("x\ny\nEND\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(await(c.queryLinesUntil("HELP?", "END"))).containsExactly("x", "y");
        assertThat(await(c.queryBlock("DATA? 300"))).hasSize(300).startsWith(0, 1, 2).endsWith(41, 42, 43);
        mock.enqueue("+1.5E+00,2.5,-3E-1,9.9E37");
        assertThat(await(c.queryNumbers("MEAS:ARR?"))).containsExactly(1.5, 2.5, -0.3, Double.POSITIVE_INFINITY);
        assertThat(await(c.request(Request.of("DATA? 4", Expect.bytes(8)))).frame().toByteArray())
                .containsExactly('#', '1', '4', 0, 1, 2, 3, '\n');
        // composed without blocking: the second call is made from the first one's callback
        CompletableFuture<Double> composed = c.write("VOLT 6").thenCompose(v -> c.queryNumber("VOLT?"));
        assertThat(await(composed)).isEqualTo(6.0);
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
    }

    @Test
    void binaryAndAsciiValues() {
        NettyClient c = client(fast().build());
        short[] shorts = {0, 258, -2, Short.MIN_VALUE, Short.MAX_VALUE};
        ByteBuffer b16 = ByteBuffer.allocate(10).order(ByteOrder.BIG_ENDIAN);
        for (short s : shorts) {
            b16.putShort(s);
        }
        mock.enqueue(MockReply.block(b16.array()));
        assertThat(await(c.queryBinaryValues("CURV?", ValueType.INT16, ByteOrder.BIG_ENDIAN)).asShorts()).containsExactly(shorts);
        assertThat(mock.commands()).last().isEqualTo("CURV?");

        ByteBuffer f32 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-0.25f).putFloat(Float.NaN);
        mock.enqueue(MockReply.block(f32.array(), "\r\n"));
        assertThat(await(c.queryBinaryValues("TRAC?", ValueType.FLOAT32, ByteOrder.LITTLE_ENDIAN).thenApply(BinaryValues::asFloats)))
                .containsExactly(1.5f, -0.25f, Float.NaN);

        ByteBuffer f64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1e-300).putDouble(-2.5);
        mock.enqueue(MockReply.block(f64.array()));
        assertThat(await(c.queryBinaryValues("TRAC?", ValueType.FLOAT64, ByteOrder.LITTLE_ENDIAN, 16, Duration.ofSeconds(2))).asDoubles())
                .containsExactly(1e-300, -2.5);

        ByteBuffer i64 = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putLong(Long.MIN_VALUE).putLong(7);
        mock.enqueue(MockReply.block(i64.array()));
        assertThat(await(c.queryBinaryValues("CNT?", ValueType.INT64, ByteOrder.BIG_ENDIAN)).asLongs()).containsExactly(Long.MIN_VALUE, 7L);

        // DATA? 300 is the mock's block of bytes 0..255,0..43: INT8, and INT32 read as big-endian words
        assertThat(await(c.queryBinaryValues("DATA? 300", ValueType.INT8, ByteOrder.BIG_ENDIAN)).asBytes())
                .hasSize(300).startsWith(0, 1, 2).contains((byte) -1);
        assertThat(await(c.queryBinaryValues("DATA? 8", ValueType.INT32, ByteOrder.BIG_ENDIAN)).asInts())
                .containsExactly(0x00010203, 0x04050607);

        mock.enqueue(MockReply.block(new byte[7]));
        assertThatThrownBy(() -> await(c.queryBinaryValues("CURV?", ValueType.INT16, ByteOrder.BIG_ENDIAN)))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("7 bytes").hasMessageContaining("INT16 values of 2 bytes each");
        assertThatThrownBy(() -> c.queryBinaryValues("CURV?", ValueType.INT16, null)).isInstanceOf(NullPointerException.class);

        mock.enqueue("+1.23E+00,-4.5E-03,9.9E37,NAN,-9.9E37, 7");
        assertThat(await(c.queryAsciiValues("MEAS:ARR?")))
                .containsExactly(1.23, -0.0045, Double.POSITIVE_INFINITY, Double.NaN, Double.NEGATIVE_INFINITY, 7.0);
        mock.enqueue("1,OVLD,3");
        assertThatThrownBy(() -> await(c.queryAsciiValues("MEAS:ARR?"))).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("element 1").hasMessageContaining("OVLD");
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
    }

    @Test
    void aSlowReplyTimesOutWithinItsOwnDeadlineAndTheLateOneNeverReachesTheNextCaller() {
        NettyClient c = client(fast().staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofSeconds(5))).build());
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

    @Test
    void theTimerLeftArmedByAnAnsweredCallNeitherEndsALaterCallEarlyNorLate() {
        // the driver keeps its timer after a call is answered (no schedule and cancel per call): a later call with a
        // shorter deadline must still end by it, and one with a longer deadline must not end when the old timer fires
        NettyClient c = client(fast().staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofSeconds(5))).build());
        assertThat(await(c.query("*IDN?", Duration.ofSeconds(20)))).isEqualTo(IDN); // leaves a timer ~20 s out
        mock.enqueue(MockReply.line("1").delay(Duration.ofMillis(900)));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> await(c.query("*OPC?", Duration.ofMillis(200)))).isInstanceOf(RequestTimeoutException.class)
                .hasMessageContaining("*OPC?");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(850));
        assertThat(await(c.query("ECHO? next"))).isEqualTo("next"); // the late "1" went to the stale-reply policy

        assertThat(await(c.query("*IDN?", Duration.ofMillis(150)))).isEqualTo(IDN); // leaves a timer ~150 ms out
        mock.enqueue(MockReply.line("2").delay(Duration.ofMillis(400)));
        assertThat(await(c.query("*OPC?", Duration.ofSeconds(5)))).isEqualTo("2"); // outlives the old timer
    }

    @Test
    void theResyncPolicyRecoversFromALateReplyEndToEnd() {
        NettyClient c = client(fast().staleReplyPolicy(StaleReplyPolicy.scpiResync()).build());
        mock.enqueue(MockReply.line("1").delay(Duration.ofMillis(500)));
        assertThatThrownBy(() -> await(c.query("*OPC?", Duration.ofMillis(150)))).isInstanceOf(RequestTimeoutException.class);
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
        assertThat(mock.commands()).containsSubsequence("*OPC?", "*OPC?;*OPC?", "*IDN?");
    }

    @SuppressWarnings("try") // a resource held open for the body's duration, never referenced
    @Test
    void pushedFramesStreamWhileQueriesRunOnTheSameLink() throws Exception {
        NettyClient c = client(fast().classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build());
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
    void theLinkComesBackAndTheHookRunsBeforeAnyQueuedCall() {
        List<State> states = new CopyOnWriteArrayList<>();
        List<String> hookIdn = new CopyOnWriteArrayList<>();
        NettyClient c = track(NettyClient.builder(mock.endpoint()).config(fast().build())
                .listener((s, cause) -> states.add(s))
                .onConnect(s -> s.query("*IDN?").thenCompose(idn -> {
                    hookIdn.add(idn);
                    return s.write("VOLT 7");
                }))
                .build());
        assertThat(await(c.query("VOLT?"))).isEqualTo("7");
        mock.dictionary().identity("LABWIRE,MOCK-INSTRUMENT,SN0002,2.0");
        mock.disconnect();
        Await.until(WAIT, () -> states.contains(State.DOWN), "the client sees the link drop");
        assertThat(await(c.query("VOLT?", WAIT))).isEqualTo("7");
        List<String> cmds = mock.commands();
        int lastIdn = cmds.lastIndexOf("*IDN?");
        assertThat(cmds.subList(lastIdn, cmds.size())).containsExactly("*IDN?", "VOLT 7", "VOLT?");
        assertThat(hookIdn).containsExactly(IDN, "LABWIRE,MOCK-INSTRUMENT,SN0002,2.0");
        // the listener may be told of READY just after the queued call got its reply
        Await.until(WAIT, () -> states.lastIndexOf(State.READY) > states.lastIndexOf(State.DOWN),
                "the listener hears READY after the drop");
        assertThat(states).containsSubsequence(State.CONNECTING, State.ON_CONNECT, State.READY, State.DOWN,
                State.CONNECTING, State.ON_CONNECT, State.READY);
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
    void aFailingHookIsReportedAndRetried() {
        AtomicInteger runs = new AtomicInteger();
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        NettyClient c = track(NettyClient.builder(mock.endpoint()).config(fast().build())
                .listener((s, cause) -> {
                    if (s == State.DOWN) {
                        causes.add(cause);
                    }
                })
                .onConnect(s -> {
                    int run = runs.incrementAndGet();
                    if (run == 1) {
                        throw new IllegalStateException("not configured yet, run " + run); // thrown
                    }
                    if (run == 2) { // or a stage that fails later
                        return s.query("*IDN?").thenCompose(idn -> CompletableFuture.failedFuture(
                                new IllegalStateException("not configured yet, run " + run)));
                    }
                    return s.write("VOLT 1");
                })
                .build());
        assertThat(await(c.query("VOLT?", WAIT))).isEqualTo("1");
        assertThat(runs).hasValue(3);
        assertThat(causes).hasSize(2).allSatisfy(t -> assertThat(t).hasMessageContaining("not configured yet"));
    }

    @Test
    void anOversizedReplyFailsThatCallOnlyAndLosesNothingElse() {
        NettyClient c = client(fast().maxFrameLength(64).build());
        mock.enqueue("x".repeat(500));
        assertThatThrownBy(() -> await(c.query("BIG?"))).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("BIG?").hasMessageContaining("64");
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
    }

    @Test
    void garbageAndABadBlockGiveClearErrorsAndTheClientStaysUsable() {
        // \n-only ASCII lines: the mock's garbage holds \r but no \n, so it is one bad line
        NettyClient c = client(fast().framing(max -> LineFramer.lf(max).asciiOnly()).build());
        mock.enqueue(MockReply.garbage(40));
        assertThatThrownBy(() -> await(c.query("NOISE?"))).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("NOISE?").hasMessageContaining("ASCII");
        mock.enqueue(MockReply.bytes("#9zz\n".getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> await(c.queryBlock("CURV?"))).isInstanceOf(RemoteProtocolException.class).hasMessageContaining("CURV?");
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
    }

    @Test
    void aHalfSentReplyWithTheLinkDroppingFailsThatCallAndTheNextCallWorks() {
        NettyClient c = client(fast().build());
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
        mock.enqueue(MockReply.line("PARTIAL-REPLY").closeAfter(4));
        // TCP: the mock closes cleanly mid-reply, the core sees end-of-stream inside a frame (TRUNCATED);
        // pty: the pair is destroyed, the port read fails and the link is down
        assertThatThrownBy(() -> await(c.query("HALF?"))).isInstanceOf(halfSentReplyError()).hasMessageContaining("HALF?");
        reviveAfterLinkKilled(mock);
        assertThat(await(c.query("*IDN?", WAIT))).isEqualTo(IDN);
    }

    @Test
    void aHungInstrumentTimesOutEachCallAndRecoversAfterItComesBack() {
        NettyClient c = client(fast().staleReplyPolicy(StaleReplyPolicy.reconnect()).build());
        mock.enqueue(MockReply.stall());
        assertThatThrownBy(() -> await(c.query("HANG?", Duration.ofMillis(300)))).isInstanceOf(RequestTimeoutException.class);
        // the reconnect policy drops the link; the instrument comes back (on TCP the new link alone ends the stall)
        mock.resume();
        assertThat(await(c.query("*IDN?", WAIT))).isEqualTo(IDN);
    }

    @Test
    void closeFailsThePendingCallsIsIdempotentAndLaterCallsFailAtOnce() {
        NettyClient c = client(fast().build());
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
        assertThat(c.state()).isEqualTo(State.CLOSED);
        long t0 = System.nanoTime();
        CompletableFuture<String> after = c.query("*IDN?");
        assertThat(after).isCompletedExceptionally();
        assertThatThrownBy(() -> await(after)).isInstanceOf(LocalProtocolException.class).hasMessageContaining("closed");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(100));
        Await.until(WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("labwire-") && t.getName().endsWith(c.endpoint())), "client threads end");
    }

    @Test
    void aCommandContainingTheTerminatorIsRefusedBeforeAnythingIsSent() {
        NettyClient c = client(fast().build());
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
        assertThatThrownBy(() -> await(c.write("VOLT 1\nVOLT 2"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("terminator");
        assertThat(await(c.query("ECHO? still-fine"))).isEqualTo("still-fine");
        assertThat(mock.commands()).containsExactly("*IDN?", "ECHO? still-fine");
    }

    // ------------------------------------------------------------------ what only the async client has

    @Test
    void pipelinedQueriesOverTheLinkAreEachAnsweredWithTheirOwnToken() {
        NettyClient c = client(fast().maxInFlight(16).defaultTimeout(Duration.ofSeconds(20)).build());
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
        NettyClient onLoop = client(fast().build());
        AtomicReference<Thread> loopThread = new AtomicReference<>();
        await(onLoop.query("*IDN?").whenComplete((v, e) -> loopThread.set(Thread.currentThread())));
        assertThat(onLoop.eventLoop().inEventLoop(loopThread.get())).isTrue();
        await(onLoop.close()); // a serial port has one user at a time

        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "user-callbacks"));
        try {
            List<String> where = new CopyOnWriteArrayList<>();
            NettyClient onPool = track(NettyClient.builder(mock.endpoint()).config(fast().build()).callbackExecutor(pool)
                    .listener((s, cause) -> where.add("listener " + Thread.currentThread().getName()))
                    .onConnect(s -> {
                        where.add("hook " + Thread.currentThread().getName());
                        return s.write("SYST:REM");
                    }).build());
            await(onPool.query("*IDN?").whenComplete((v, e) -> where.add("future " + Thread.currentThread().getName())));
            assertThat(where).contains("hook user-callbacks", "future user-callbacks", "listener user-callbacks")
                    .allSatisfy(w -> assertThat(w).endsWith("user-callbacks"));
        } finally {
            await(clients.remove(clients.size() - 1).close());
            pool.shutdownNow();
        }
    }
}
