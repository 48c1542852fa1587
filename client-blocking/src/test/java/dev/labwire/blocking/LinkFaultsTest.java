package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.State;
import dev.labwire.mock.BlackHole;
import dev.labwire.mock.FaultProxy;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.testsupport.clients.Await;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 15, items 1-4 and 9: faults real links produce, on real loopback sockets. A connect that hangs (a
 * {@link BlackHole}), a peer that stops reading ({@link FaultProxy#stopReading}), a link that breaks under a write,
 * an interrupted call. Each test fails on the client before the fix (calls outliving their deadline, a client frozen
 * for every thread, a write reported done whose bytes never went out, a cancelled command still sent).
 */
@Timeout(60)
class LinkFaultsTest {
    private static final Logger LOG = LoggerFactory.getLogger(LinkFaultsTest.class);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ConnectionConfig FAST = ConnectionConfig.builder()
            .defaultTimeout(Duration.ofSeconds(3))
            .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.2)).build();

    /** An exception for a log line: its class and the start of its message (a command may be 256 KiB long). */
    static String brief(Throwable t) {
        if (t == null) {
            return "nothing thrown";
        }
        String m = t.toString();
        return m.length() <= 300 ? m : m.substring(0, 150) + " ... " + m.substring(m.length() - 150);
    }

    static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Runs {@code r} on a new thread and returns what it threw (null if nothing) through the reference. */
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

    /**
     * True while some thread is blocked writing a link's socket (the peer's window is full): waiting in a selector
     * inside the blocking client's TCP link write (its channel is non-blocking), or in a java.net socket write.
     */
    static boolean aSocketWriteIsBlocked() {
        return Thread.getAllStackTraces().values().stream().anyMatch(stack -> Arrays.stream(stack)
                .anyMatch(f -> f.getMethodName().equals("implWrite") || f.getMethodName().equals("socketWrite0"))
                || Arrays.stream(stack).anyMatch(f -> f.getClassName().endsWith("internal.TcpLink") && f.getMethodName().equals("write"))
                        && Arrays.stream(stack).anyMatch(f -> f.getMethodName().equals("select")));
    }

    @Test
    void aQueryWhileTheConnectHangsEndsAtItsOwnTimeoutSayingTheLinkIsStillConnecting() {
        try (BlackHole hole = FaultProxy.blackHole()) {
            BlockingClient c = BlockingClient.open(hole.endpoint()); // connect timeout 3 s
            long start = System.nanoTime();
            Throwable t = catchThrowable(() -> c.query("*IDN?", Duration.ofMillis(500)));
            long queryMs = millisSince(start);
            start = System.nanoTime();
            c.close(); // the connect still hangs
            long closeMs = millisSince(start);
            LOG.info("hanging connect: a 500 ms query ended after {} ms ({}); close took {} ms", queryMs, brief(t), closeMs);
            assertThat(t).isInstanceOfAny(LinkDownException.class, RequestTimeoutException.class)
                    .hasMessageContaining("still connecting").hasMessageContaining("*IDN?");
            assertThat(queryMs).as("ends by its own 500 ms timeout").isBetween(400L, 1_500L);
            assertThat(closeMs).as("close during a hanging connect").isLessThan(2_500L);
        }
    }

    @Test
    void aPeerThatStopsReadingFailsOnlyTheCallsWhoseBytesCannotGoOut() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi();
             FaultProxy proxy = FaultProxy.to(mock.port()).start()) {
            List<State> states = new CopyOnWriteArrayList<>();
            BlockingClient c = BlockingClient.builder(proxy.endpoint()).config(FAST)
                    .listener((s, cause) -> states.add(s)).build();
            assertThat(c.query("*IDN?", WAIT)).startsWith("LABWIRE");
            proxy.stopReading(true);
            String chunk = "DATA " + "x".repeat(256 * 1024);
            long start = System.nanoTime();
            Throwable writeFailure = null;
            for (int i = 0; i < 400 && writeFailure == null; i++) { // up to 100 MB: more than any loopback buffer
                writeFailure = catchThrowable(() -> c.write(chunk, Duration.ofMillis(500)));
                start = writeFailure == null ? System.nanoTime() : start;
            }
            long stuckWriteMs = millisSince(start);
            // meanwhile and after: other callers end at their own deadline, the listener is told, close returns
            long q = System.nanoTime();
            Throwable queryFailure = catchThrowable(() -> c.query("*IDN?", Duration.ofMillis(500)));
            long queryMs = millisSince(q);
            Await.until(WAIT, () -> states.contains(State.DOWN), "the listener hears the link renewed");
            long closeStart = System.nanoTime();
            c.close();
            long closeMs = millisSince(closeStart);
            LOG.info("peer not reading: the stuck write failed after {} ms ({}); a query then ended after {} ms ({});"
                    + " close took {} ms", stuckWriteMs, brief(writeFailure), queryMs, brief(queryFailure), closeMs);
            assertThat(writeFailure).isInstanceOf(RequestTimeoutException.class).hasMessageContaining("not reading");
            assertThat(stuckWriteMs).as("the stuck write ends by its 500 ms deadline").isLessThan(1_500L);
            assertThat(queryMs).as("a query never waits past its deadline").isLessThan(1_500L);
            assertThat(closeMs).isLessThan(2_500L);
        }
    }

    @Test
    void aWriteWhoseBytesDidNotGoOutThrows() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            FaultProxy proxy = FaultProxy.to(mock.port()).start();
            BlockingClient c = BlockingClient.open(proxy.endpoint(), FAST);
            try {
                assertThat(c.query("*IDN?", WAIT)).startsWith("LABWIRE");
                proxy.stopReading(true);
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                String huge = "DATA " + "x".repeat(64 * 1024 * 1024); // more than the socket buffers hold
                long start = System.nanoTime();
                Thread writer = spawn("big write", thrown, () -> c.write(huge, Duration.ofSeconds(20)));
                Await.until(WAIT, LinkFaultsTest::aSocketWriteIsBlocked, "the write fills the window and blocks");
                proxy.close(); // the link breaks with most of the bytes still on this side
                writer.join(WAIT.toMillis());
                LOG.info("a write cut by a broken link ended after {} ms: {}", millisSince(start), brief(thrown.get()));
                assertThat(writer.isAlive()).as("write() returned").isFalse();
                assertThat(thrown.get()).as("write() must not return as if its bytes went out")
                        .isInstanceOf(LinkDownException.class).hasMessageContaining("DATA");
            } finally {
                c.close();
                proxy.close();
            }
        }
    }

    @Test
    void anInterruptedCallWhoseBytesHaveNotGoneOutNeverReachesTheDevice() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi();
             BlockingClient c = BlockingClient.open(mock.endpoint(), FAST)) {
            assertThat(c.query("*IDN?", WAIT)).startsWith("LABWIRE");
            mock.enqueue(MockReply.line("1").delay(Duration.ofMillis(800)));
            AtomicReference<Throwable> slowFailure = new AtomicReference<>();
            AtomicReference<String> slowReply = new AtomicReference<>();
            Thread slow = spawn("slow", slowFailure, () -> slowReply.set(c.query("SLOW?")));
            Await.until(WAIT, () -> mock.commands().contains("SLOW?"), "SLOW? is on the wire");
            AtomicReference<Throwable> second = new AtomicReference<>();
            Thread queued = spawn("queued", second, () -> c.query("SECOND?")); // maxInFlight 1: waits behind SLOW?
            Await.until(WAIT, () -> queued.getState() == Thread.State.TIMED_WAITING, "SECOND? waits for its reply");
            queued.interrupt();
            queued.join(WAIT.toMillis());
            slow.join(WAIT.toMillis());
            assertThat(slowReply.get()).isEqualTo("1");
            assertThat(c.query("*IDN?", WAIT)).startsWith("LABWIRE");
            LOG.info("cancelled: {}; the device saw {}", brief(second.get()), mock.commands());
            assertThat(second.get()).isInstanceOf(CancellationException.class).hasMessageContaining("withdrawn");
            assertThat(mock.commands()).containsExactly("*IDN?", "SLOW?", "*IDN?");
        }
    }
}
