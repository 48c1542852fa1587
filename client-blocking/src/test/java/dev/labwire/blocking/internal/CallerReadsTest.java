package dev.labwire.blocking.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.frame.Frame;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.core.endpoint.Endpoint;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17: on TCP a caller reads its own reply ({@link ReadRole}). Real loopback sockets and {@link MockInstrument};
 * what read the link is seen through {@link ReadRole#stats()}.
 */
@Timeout(60)
class CallerReadsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ConnectionConfig PUSHING = ConnectionConfig.builder()
            .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build();

    private final List<BlockingDriver> drivers = new ArrayList<>();
    private final List<MockInstrument> mocks = new ArrayList<>();

    @AfterEach
    void closeAll() {
        drivers.forEach(BlockingDriver::close);
        mocks.forEach(MockInstrument::close);
    }

    private MockInstrument mock() {
        MockInstrument m = MockInstrument.tcp().scpi();
        mocks.add(m);
        return m;
    }

    private BlockingDriver open(MockInstrument mock, ConnectionConfig config) {
        BlockingDriver d = new BlockingDriver(Endpoint.parse(mock.endpoint()), config, null, DriverOptions.DEFAULT);
        drivers.add(d);
        d.start();
        d.awaitReady(WAIT);
        return d;
    }

    private static String query(BlockingDriver d, String text) {
        return d.request(Request.query(text)).text();
    }

    private static String query(BlockingDriver d, String text, Duration timeout) {
        return d.request(Request.query(text).withTimeout(timeout)).text();
    }

    /** Waits for {@code condition} until {@code deadline}, polling (never a fixed sleep to wait for something). */
    static void until(Duration deadline, BooleanSupplier condition, String what) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + deadline + ": " + what);
            }
            LockSupport.parkNanos(1_000_000); // poll interval of the condition, not a wait for it
        }
    }

    static Thread spawn(String name, AtomicReference<Throwable> thrown, Runnable r) {
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The link's reader thread reads no more than the first replies: back-to-back calls read their own. */
    @Test
    void sequentialCallsAreReadByTheCallerItself() {
        BlockingDriver d = open(mock(), ConnectionConfig.DEFAULT);
        ReadRole.Stats before = d.role.stats();
        for (int i = 0; i < 500; i++) {
            assertThat(query(d, "ECHO? " + i)).isEqualTo(Integer.toString(i));
        }
        ReadRole.Stats after = d.role.stats();
        long byCallers = after.callerReads() - before.callerReads();
        long byReader = after.readerReads() - before.readerReads();
        // a caller descheduled for more than ReadRole.IDLE_NANOS between two calls lets the reader take a turn
        assertThat(byCallers).as("reads by the caller (the reader thread read %d)", byReader).isGreaterThan(byReader);
    }

    /** Pushed frames arriving between and inside replies, read by a caller, reach the pushed queue; replies stay paired. */
    @Test
    void pushedFramesInterleavedWithRepliesReadByACallerAreDelivered() throws Exception {
        MockInstrument mock = mock();
        BlockingDriver d = open(mock, PUSHING);
        assertThat(query(d, "*IDN?")).startsWith("LABWIRE"); // the mock has this connection: pushes reach it
        AtomicLong pushedSent = new AtomicLong();
        List<Frame> seen = new CopyOnWriteArrayList<>();
        d.onPushed(seen::add); // subscribed until the driver closes
        AutoCloseable pusher = mock.pushEvery(Duration.ofMillis(1), () -> "STAT " + pushedSent.incrementAndGet());
        try {
            for (int i = 0; i < 2_000; i++) {
                assertThat(query(d, "ECHO? q" + i)).isEqualTo("q" + i);
            }
        } finally {
            pusher.close();
        }
        long sent = pushedSent.get();
        until(WAIT, () -> seen.size() + d.droppedCallbacks() >= sent, "every pushed frame arrives");
        assertThat(seen).allSatisfy(f -> assertThat(f.asString()).startsWith("STAT "));
        assertThat(d.role.stats().callerReads()).isPositive();
        // a frame pushed while nobody calls is read by the reader thread (it takes the role after ReadRole.IDLE_NANOS)
        long readerBefore = d.role.stats().readerReads();
        mock.push("STAT idle");
        until(WAIT, () -> seen.stream().anyMatch(f -> f.asString().equals("STAT idle")), "the idle push reaches the consumer");
        assertThat(d.role.stats().readerReads()).isGreaterThan(readerBefore);
    }

    /**
     * Two callers on one strict link (one request on the wire at a time) take the read role in turn: while one reads
     * its reply the other's request waits in the core, its caller queued for the role, which it gets handed when the
     * first call ends. Each gets its own replies.
     */
    @Test
    void twoCallersAlternateTheReadRoleAndEachGetsItsOwnReplies() throws Exception {
        MockInstrument mock = mock();
        BlockingDriver d = open(mock, ConnectionConfig.builder().maxInFlight(1).build());
        AtomicLong wrong = new AtomicLong();
        List<AtomicReference<Throwable>> failures = List.of(new AtomicReference<>(), new AtomicReference<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            String me = "t" + t;
            threads.add(spawn("caller " + me, failures.get(t), () -> {
                for (int i = 0; i < 1_000; i++) {
                    if (!query(d, "ECHO? " + me + ":" + i).equals(me + ":" + i)) {
                        wrong.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join(WAIT.toMillis() * 3);
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(failures).allSatisfy(f -> assertThat(f.get()).isNull());
        assertThat(wrong.get()).isZero();
        ReadRole.Stats s = d.role.stats();
        assertThat(s.handOffs()).as("the role was handed from one waiting caller to the other: %s", s).isPositive();
        assertThat(s.callerReads()).isGreaterThan(s.readerReads());
    }

    /**
     * A caller holds the read role while its device is slow; its deadline passes, it gives the role back and fails in
     * time, and the reply of the caller queued behind it is read (by that caller) instead of sitting unread.
     */
    @Test
    void aCallerWhoseDeadlinePassesWhileReadingHandsTheRoleToTheNextCaller() throws Exception {
        MockInstrument mock = mock();
        mock.responder(cmd -> cmd.equals("SLOW?") ? MockReply.line("slow").delay(Duration.ofMillis(800)) : null);
        BlockingDriver d = open(mock, ConnectionConfig.DEFAULT);
        AtomicReference<Throwable> slowFailure = new AtomicReference<>();
        long start = System.nanoTime();
        AtomicLong slowEnded = new AtomicLong();
        Thread slow = spawn("slow", slowFailure, () -> {
            try {
                query(d, "SLOW?", Duration.ofMillis(300));
            } finally {
                slowEnded.set(millisSince(start));
            }
        });
        until(WAIT, () -> mock.commands().contains("SLOW?"), "SLOW? is on the wire");
        AtomicReference<Throwable> nextFailure = new AtomicReference<>();
        AtomicReference<String> nextReply = new AtomicReference<>();
        Thread next = spawn("next", nextFailure, () -> nextReply.set(query(d, "ECHO? next", Duration.ofSeconds(5))));
        slow.join(WAIT.toMillis());
        next.join(WAIT.toMillis());
        assertThat(slowFailure.get()).isInstanceOf(RequestTimeoutException.class);
        assertThat(slowEnded.get()).as("SLOW? ended by its 300 ms deadline plus slack").isLessThan(1_300L);
        assertThat(nextFailure.get()).isNull();
        assertThat(nextReply.get()).as("the late \"slow\" is never handed to the next caller").isEqualTo("next");
        assertThat(d.state()).isEqualTo(dev.labwire.core.State.READY);
        assertThat(mock.connectionCount()).as("the link was kept").isEqualTo(1);
    }

    /** A platform thread interrupted while it holds the read role cancels its call as before; the link stays usable. */
    @Test
    void aReadingPlatformThreadInterruptedCancelsItsCallAndKeepsTheLink() throws Exception {
        MockInstrument mock = mock();
        mock.responder(cmd -> cmd.equals("SLOW?") ? MockReply.line("slow").delay(Duration.ofMillis(500)) : null);
        BlockingDriver d = open(mock, PUSHING);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = spawn("reading", thrown, () -> query(d, "SLOW?"));
        until(WAIT, () -> mock.commands().contains("SLOW?"), "SLOW? is on the wire");
        long base = d.role.stats().callerReads();
        mock.push("STAT kick"); // if the reader thread held the role, it reads this and hands the role to the caller
        until(WAIT, () -> d.role.stats().callerReads() >= base + 2, "the caller reads (its 20 ms read slices end)");
        long start = System.nanoTime();
        t.interrupt();
        t.join(WAIT.toMillis());
        assertThat(thrown.get()).isInstanceOf(CancellationException.class).hasMessageContaining("SLOW?");
        assertThat(millisSince(start)).as("the interrupt is seen within a read slice").isLessThan(1_000L);
        assertThat(query(d, "ECHO? after")).isEqualTo("after");
        assertThat(mock.connectionCount()).as("the link was kept").isEqualTo(1);
    }

    /** The instrument closes the connection while a caller reads: the call fails as link-down, the link is renewed. */
    @Test
    void endOfStreamSeenByAReadingCallerDropsTheLinkAsTheReaderWould() throws Exception {
        MockInstrument mock = mock();
        mock.responder(cmd -> cmd.equals("SLOW?") ? MockReply.line("slow").delay(Duration.ofSeconds(2)) : null);
        BlockingDriver d = open(mock, ConnectionConfig.DEFAULT);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = spawn("reading", thrown, () -> query(d, "SLOW?"));
        until(WAIT, () -> mock.commands().contains("SLOW?"), "SLOW? is on the wire");
        long start = System.nanoTime();
        mock.disconnect();
        t.join(WAIT.toMillis());
        assertThat(thrown.get()).isInstanceOf(LinkDownException.class);
        assertThat(millisSince(start)).as("the end of stream is seen at once").isLessThan(1_500L);
        d.awaitReady(WAIT);
        assertThat(query(d, "ECHO? again")).isEqualTo("again");
    }

    /** close() while a caller reads: the call fails as closed at once, close() is bounded. */
    @Test
    void closeWhileACallerReadsEndsTheCallAndReturnsQuickly() throws Exception {
        MockInstrument mock = mock();
        mock.responder(cmd -> cmd.equals("SLOW?") ? MockReply.stall() : null);
        BlockingDriver d = open(mock, ConnectionConfig.DEFAULT);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = spawn("reading", thrown, () -> query(d, "SLOW?"));
        until(WAIT, () -> mock.commands().contains("SLOW?"), "SLOW? is on the wire");
        long start = System.nanoTime();
        d.close();
        assertThat(millisSince(start)).as("close() is bounded").isLessThan(2_500L);
        t.join(WAIT.toMillis());
        assertThat(t.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(LocalProtocolException.class).hasMessageContaining("closed");
    }

    /**
     * Virtual threads never take the read role (an interrupted virtual thread in a java.net read closes the socket,
     * JDK 21+): the reader thread reads for them, also while platform callers take turns; an interrupted virtual
     * caller cancels its call and the link survives. Skipped on JDK 17-20 (CI also runs this on JDK 25).
     */
    @Test
    void virtualThreadCallersNeverReadAndAnInterruptLeavesTheLinkOpen() throws Exception {
        Method ofVirtual;
        try {
            ofVirtual = Thread.class.getMethod("ofVirtual");
        } catch (NoSuchMethodException e) {
            assumeTrue(false, "virtual threads need JDK 21+, this is " + Runtime.version());
            return;
        }
        Object builder = ofVirtual.invoke(null);
        ThreadFactory virtual = (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
        MockInstrument mock = mock();
        mock.responder(cmd -> cmd.equals("SLOW?") ? MockReply.line("slow").delay(Duration.ofMillis(500)) : null);
        BlockingDriver d = open(mock, ConnectionConfig.builder().maxInFlight(4).defaultTimeout(Duration.ofSeconds(30)).build());

        // mixed: 100 virtual and 2 platform callers on one link
        AtomicLong wrong = new AtomicLong();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 102; t++) {
            String me = "t" + t;
            Runnable calls = () -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        if (!query(d, "ECHO? " + me + ":" + i).equals(me + ":" + i)) {
                            wrong.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            };
            Thread caller = t < 100 ? virtual.newThread(calls) : new Thread(calls, "platform caller " + me);
            callers.add(caller);
            caller.start();
        }
        for (Thread caller : callers) {
            caller.join(60_000);
            assertThat(caller.isAlive()).isFalse();
        }
        assertThat(failed.get()).isNull();
        assertThat(wrong.get()).isZero();

        // a virtual caller waiting for SLOW? is interrupted: cancelled, the socket is not closed
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread vt = virtual.newThread(() -> {
            try {
                query(d, "SLOW?");
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        vt.start();
        until(WAIT, () -> mock.commands().contains("SLOW?"), "SLOW? is on the wire");
        vt.interrupt();
        vt.join(WAIT.toMillis());
        assertThat(thrown.get()).isInstanceOf(CancellationException.class);
        assertThat(query(d, "ECHO? after")).isEqualTo("after");
        assertThat(mock.connectionCount()).as("the interrupt did not close the link").isEqualTo(1);
    }
}
