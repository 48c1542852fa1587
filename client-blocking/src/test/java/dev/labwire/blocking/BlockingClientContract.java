package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Expect;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.StaleReplyPolicy;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.scpi.ValueType;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.testsupport.clients.Await;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the blocking client must do over any link. Subclasses run it over loopback TCP and over a real
 * serial port (a socat pty pair opened through jSerialComm), against {@link MockInstrument}.
 */
abstract class BlockingClientContract {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String IDN = "LABWIRE,MOCK-INSTRUMENT,SN0001,1.0";

    MockInstrument mock;
    private final List<BlockingClient> clients = new ArrayList<>();

    /** A started mock, scpi dictionary on. */
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
    void closeAll() {
        clients.forEach(BlockingClient::close);
        mock.close();
    }

    static ConnectionConfig.Builder fast() {
        return ConnectionConfig.builder()
                .defaultTimeout(Duration.ofSeconds(3))
                .connectTimeout(Duration.ofSeconds(2))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.2));
    }

    BlockingClient client(ConnectionConfig config) {
        return track(BlockingClient.open(mock.endpoint(), config));
    }

    BlockingClient track(BlockingClient c) {
        clients.add(c);
        return c;
    }

    @Test
    void queryWriteLinesBlockAndNumbers() {
        BlockingClient c = client(fast().build());
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
        c.write("VOLT 5");
        assertThat(c.query("VOLT?")).isEqualTo("5");
        assertThat(mock.dictionary().get("VOLT")).isEqualTo("5");
        assertThat(c.queryNumber("VOLT?")).isEqualTo(5.0);
        mock.enqueue(MockReply.bytes("a\nb\r\nc\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(c.queryLines("LIST?", 3)).containsExactly("a", "b", "c");
        mock.enqueue(MockReply.bytes("x\ny\nEND\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(c.queryLinesUntil("HELP?", "END")).containsExactly("x", "y");
        assertThat(c.queryBlock("DATA? 300")).hasSize(300).startsWith(0, 1, 2).endsWith(41, 42, 43);
        mock.enqueue("+1.5E+00,2.5,-3E-1,9.9E37");
        assertThat(c.queryNumbers("MEAS:ARR?")).containsExactly(1.5, 2.5, -0.3, Double.POSITIVE_INFINITY);
        assertThat(c.request(Request.of("DATA? 4", Expect.bytes(8))).frame().toByteArray())
                .containsExactly('#', '1', '4', 0, 1, 2, 3, '\n');
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
    }

    @Test
    void binaryAndAsciiValues() {
        BlockingClient c = client(fast().build());
        short[] shorts = {0, 258, -2, Short.MIN_VALUE, Short.MAX_VALUE};
        ByteBuffer b16 = ByteBuffer.allocate(10).order(ByteOrder.BIG_ENDIAN);
        for (short s : shorts) {
            b16.putShort(s);
        }
        mock.enqueue(MockReply.block(b16.array()));
        assertThat(c.queryBinaryValues("CURV?", ValueType.INT16, ByteOrder.BIG_ENDIAN).asShorts()).containsExactly(shorts);
        assertThat(mock.commands()).last().isEqualTo("CURV?");

        ByteBuffer f32 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-0.25f).putFloat(Float.NaN);
        mock.enqueue(MockReply.block(f32.array(), "\r\n"));
        assertThat(c.queryBinaryValues("TRAC?", ValueType.FLOAT32, ByteOrder.LITTLE_ENDIAN).asFloats())
                .containsExactly(1.5f, -0.25f, Float.NaN);

        ByteBuffer f64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(1e-300).putDouble(-2.5);
        mock.enqueue(MockReply.block(f64.array()));
        assertThat(c.queryBinaryValues("TRAC?", ValueType.FLOAT64, ByteOrder.LITTLE_ENDIAN, 16, Duration.ofSeconds(2)).asDoubles())
                .containsExactly(1e-300, -2.5);

        ByteBuffer i64 = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putLong(Long.MIN_VALUE).putLong(7);
        mock.enqueue(MockReply.block(i64.array()));
        assertThat(c.queryBinaryValues("CNT?", ValueType.INT64, ByteOrder.BIG_ENDIAN).asLongs()).containsExactly(Long.MIN_VALUE, 7L);

        // DATA? 300 is the mock's block of bytes 0..255,0..43: INT8, and INT32 read as big-endian words
        assertThat(c.queryBinaryValues("DATA? 300", ValueType.INT8, ByteOrder.BIG_ENDIAN).asBytes())
                .hasSize(300).startsWith(0, 1, 2).contains((byte) -1);
        assertThat(c.queryBinaryValues("DATA? 8", ValueType.INT32, ByteOrder.BIG_ENDIAN).asInts())
                .containsExactly(0x00010203, 0x04050607);

        mock.enqueue(MockReply.block(new byte[7]));
        assertThatThrownBy(() -> c.queryBinaryValues("CURV?", ValueType.INT16, ByteOrder.BIG_ENDIAN))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("7 bytes").hasMessageContaining("INT16 values of 2 bytes each");
        assertThatThrownBy(() -> c.queryBinaryValues("CURV?", ValueType.INT16, null)).isInstanceOf(NullPointerException.class);

        mock.enqueue("+1.23E+00,-4.5E-03,9.9E37,NAN,-9.9E37, 7");
        assertThat(c.queryAsciiValues("MEAS:ARR?"))
                .containsExactly(1.23, -0.0045, Double.POSITIVE_INFINITY, Double.NaN, Double.NEGATIVE_INFINITY, 7.0);
        mock.enqueue("1,OVLD,3");
        assertThatThrownBy(() -> c.queryAsciiValues("MEAS:ARR?")).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("element 1").hasMessageContaining("OVLD");
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
    }

    @Test
    void aSlowReplyTimesOutWithinItsOwnDeadlineAndTheLateOneNeverReachesTheNextCaller() {
        BlockingClient c = client(fast().staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofSeconds(5))).build());
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
        mock.enqueue(MockReply.line("1").delay(Duration.ofMillis(600)));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.query("*OPC?", Duration.ofMillis(200)))
                .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("*OPC?").hasMessageContaining("200");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(590));
        // the PyVISA-py failure: the late "1" must never be the answer to *IDN?
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
        assertThat(c.query("ECHO? after")).isEqualTo("after");
    }

    @Test
    void theResyncPolicyRecoversFromALateReplyEndToEnd() {
        BlockingClient c = client(fast().staleReplyPolicy(StaleReplyPolicy.scpiResync()).build());
        mock.enqueue(MockReply.line("1").delay(Duration.ofMillis(500)));
        assertThatThrownBy(() -> c.query("*OPC?", Duration.ofMillis(150))).isInstanceOf(RequestTimeoutException.class);
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
        assertThat(mock.commands()).containsSubsequence("*OPC?", "*OPC?;*OPC?", "*IDN?");
    }

    @SuppressWarnings("try") // a resource held open for the body's duration, never referenced
    @Test
    void pushedFramesStreamWhileQueriesRunOnTheSameLink() throws Exception {
        BlockingClient c = client(fast().classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build());
        c.awaitReady(WAIT);
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger n = new AtomicInteger();
        try (AutoCloseable sub = c.onPushed(f -> seen.add(f.asString()));
             AutoCloseable stream = mock.pushEvery(Duration.ofMillis(5), () -> "STAT " + n.incrementAndGet())) {
            for (int i = 0; i < 200; i++) {
                assertThat(c.query("ECHO? q" + i)).isEqualTo("q" + i);
            }
            Frame first = c.pollPushed(WAIT);
            assertThat(first).isNotNull();
            assertThat(first.asString()).startsWith("STAT ");
            Await.until(WAIT, () -> seen.size() >= 10, "10 pushed frames through the callback");
        }
        List<Integer> numbers = seen.stream().map(s -> Integer.parseInt(s.substring(5))).toList();
        List<Integer> sorted = new ArrayList<>(numbers);
        Collections.sort(sorted);
        assertThat(numbers).as("pushes arrive in order, none lost").isEqualTo(sorted);
        assertThat(numbers.get(numbers.size() - 1) - numbers.get(0) + 1).isEqualTo(numbers.size());
    }

    @Test
    void theLinkComesBackAndTheHookRunsBeforeAnyQueuedCall() {
        List<State> states = new CopyOnWriteArrayList<>();
        List<String> hookIdn = new CopyOnWriteArrayList<>();
        BlockingClient c = track(BlockingClient.builder(mock.endpoint()).config(fast().build())
                .listener((s, cause) -> states.add(s))
                .onConnect(s -> {
                    hookIdn.add(s.query("*IDN?"));
                    s.write("VOLT 7");
                })
                .build());
        assertThat(c.query("VOLT?")).isEqualTo("7");
        mock.dictionary().identity("LABWIRE,MOCK-INSTRUMENT,SN0002,2.0");
        mock.disconnect();
        Await.until(WAIT, () -> states.contains(State.DOWN), "the client sees the link drop");
        assertThat(c.query("VOLT?", WAIT)).isEqualTo("7");
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
    void aFailingHookIsReportedAndRetried() {
        AtomicInteger runs = new AtomicInteger();
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        BlockingClient c = track(BlockingClient.builder(mock.endpoint()).config(fast().build())
                .listener((s, cause) -> {
                    if (s == State.DOWN) {
                        causes.add(cause);
                    }
                })
                .onConnect(s -> {
                    if (runs.incrementAndGet() < 3) {
                        throw new IllegalStateException("not configured yet, run " + runs.get());
                    }
                    s.write("VOLT 1");
                })
                .build());
        assertThat(c.query("VOLT?", WAIT)).isEqualTo("1");
        assertThat(runs).hasValue(3);
        assertThat(causes).hasSize(2).allSatisfy(t -> assertThat(t).hasMessageContaining("not configured yet"));
    }

    @Test
    void anOversizedReplyFailsThatCallOnlyAndLosesNothingElse() {
        BlockingClient c = client(fast().maxFrameLength(64).build());
        mock.enqueue("x".repeat(500));
        assertThatThrownBy(() -> c.query("BIG?")).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("BIG?").hasMessageContaining("64");
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
    }

    @Test
    void garbageAndABadBlockGiveClearErrorsAndTheClientStaysUsable() {
        // \n-only ASCII lines: the mock's garbage holds \r but no \n, so it is one bad line
        BlockingClient c = client(fast().framing(max -> dev.labwire.core.frame.LineFramer.lf(max).asciiOnly()).build());
        mock.enqueue(MockReply.garbage(40));
        assertThatThrownBy(() -> c.query("NOISE?")).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("NOISE?").hasMessageContaining("ASCII");
        mock.enqueue(MockReply.bytes("#9zz\n".getBytes(StandardCharsets.US_ASCII)));
        assertThatThrownBy(() -> c.queryBlock("CURV?")).isInstanceOf(RemoteProtocolException.class).hasMessageContaining("CURV?");
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
    }

    @Test
    void aHalfSentReplyWithTheLinkDroppingIsALinkDownErrorAndTheNextCallWorks() {
        BlockingClient c = client(fast().build());
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
        mock.enqueue(MockReply.line("PARTIAL-REPLY").closeAfter(4));
        // TCP: the mock closes cleanly mid-reply, the core sees end-of-stream inside a frame (TRUNCATED);
        // pty: the pair is destroyed, the port read fails and the link is down
        assertThatThrownBy(() -> c.query("HALF?")).isInstanceOf(halfSentReplyError()).hasMessageContaining("HALF?");
        reviveAfterLinkKilled(mock);
        assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
    }

    @Test
    void aHungInstrumentTimesOutEachCallAndRecoversAfterItComesBack() {
        BlockingClient c = client(fast().staleReplyPolicy(StaleReplyPolicy.reconnect()).build());
        mock.enqueue(MockReply.stall());
        assertThatThrownBy(() -> c.query("HANG?", Duration.ofMillis(300))).isInstanceOf(RequestTimeoutException.class);
        // the reconnect policy drops the link; the instrument comes back (on TCP the new link alone ends the stall)
        mock.resume();
        assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
    }

    @Test
    void closeIsIdempotentAndCallsAfterItFailAtOnce() {
        BlockingClient c = client(fast().build());
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
        c.close();
        c.close();
        assertThat(c.state()).isEqualTo(State.CLOSED);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.query("*IDN?")).isInstanceOf(LocalProtocolException.class).hasMessageContaining("closed");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(100));
        Await.until(WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("labwire-") && t.getName().endsWith(c.endpoint())), "client threads end");
    }

    @Test
    void aCommandContainingTheTerminatorIsRefusedBeforeAnythingIsSent() {
        BlockingClient c = client(fast().build());
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
        assertThatThrownBy(() -> c.write("VOLT 1\nVOLT 2")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("terminator");
        assertThat(mock.commands()).containsExactly("*IDN?");
    }

    @Test
    void queryAllPipelinesAndReturnsTheRepliesInOrder() {
        mock.responder(cmd -> cmd.startsWith("SLOW? ") ? MockReply.line(cmd.substring(6)).delay(Duration.ofMillis(150)) : null);
        BlockingClient c = client(fast().maxInFlight(8).build());
        c.awaitReady(WAIT);
        List<String> cmds = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            cmds.add("SLOW? t" + i);
            expected.add("t" + i);
        }
        long t0 = System.nanoTime();
        assertThat(c.queryAll(cmds)).isEqualTo(expected);
        // one at a time would take 8 x 150 ms; pipelined, the instrument's 150 ms overlap
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(700));
        assertThat(mock.commands()).containsExactlyElementsOf(cmds);
    }

    @Test
    void queryAllThrowsTheFirstFailureAfterEveryCommandEnded() {
        mock.responder(cmd -> cmd.equals("MUTE?") ? MockReply.none() : null);
        // MUTE? is never answered: free its slot soon after its timeout (the default policy would hold the
        // link for a late reply for 10 s, and the commands behind it would time out too)
        BlockingClient c = client(fast().staleReplyPolicy(StaleReplyPolicy.releaseAfter(Duration.ofMillis(50))).build());
        List<Request> rs = List.of(Request.query("ECHO? a"), Request.query("MUTE?").withTimeout(Duration.ofMillis(200)),
                Request.query("ECHO? c"), Request.query("MUTE?").withTimeout(Duration.ofMillis(800)));
        // timeouts count from the call: the last MUTE? waits ~250 ms for the slot of the first, then 550 ms on the wire
        assertThatThrownBy(() -> c.requestAll(rs)).isInstanceOf(RequestTimeoutException.class).hasMessageContaining("MUTE?")
                .hasMessageContaining("200 ms")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(RequestTimeoutException.class));
        assertThat(mock.commands()).containsExactly("ECHO? a", "MUTE?", "ECHO? c", "MUTE?");
        assertThat(c.query("ECHO? after")).isEqualTo("after");
    }

    @Test
    void queryAllRefusesABadCommandBeforeSendingAny() {
        BlockingClient c = client(fast().build());
        assertThatThrownBy(() -> c.queryAll(List.of("ECHO? a", "VOLT 1\nVOLT 2"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("terminator");
        assertThatThrownBy(() -> c.queryAll(null)).isInstanceOf(NullPointerException.class);
        assertThat(c.query("ECHO? z")).isEqualTo("z");
        assertThat(mock.commands()).containsExactly("ECHO? z");
        assertThat(c.queryAll(List.of())).isEmpty();
    }
}
