package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.FrameClassifier;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.StaleReplyPolicy;
import dev.labwire.core.frame.Frame;
import dev.labwire.mock.MockReply;
import dev.labwire.testsupport.clients.Await;
import dev.labwire.testsupport.clients.ClientContract;
import dev.labwire.testsupport.clients.Link;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The shared {@link ClientContract} on the blocking client, plus what only it has: pushed frames by callback and by
 * poll, and {@code queryAll}/{@code requestAll}. Subclasses run it over loopback TCP and over a real serial port.
 */
abstract class BlockingClientContract extends ClientContract {

    BlockingClientContract(Link link) {
        super(BlockingClients.INSTANCE, link);
    }

    /** A client of the mock with this config, closed after the test. */
    BlockingClient blockingClient(ConnectionConfig config) {
        return ((BlockingClients.Client) client(config)).client();
    }

    @SuppressWarnings("try") // a resource held open for the body's duration, never referenced
    @Test
    void pushedFramesStreamWhileQueriesRunOnTheSameLink() throws Exception {
        BlockingClient c = blockingClient(fast().classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(StandardCharsets.US_ASCII))).build());
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
    void queryAllPipelinesAndReturnsTheRepliesInOrder() {
        mock.responder(cmd -> cmd.startsWith("SLOW? ") ? MockReply.line(cmd.substring(6)).delay(Duration.ofMillis(150)) : null);
        BlockingClient c = blockingClient(fast().maxInFlight(8).build());
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
        BlockingClient c = blockingClient(fast().staleReplyPolicy(StaleReplyPolicy.releaseAfter(Duration.ofMillis(50))).build());
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
        BlockingClient c = blockingClient(fast().build());
        assertThatThrownBy(() -> c.queryAll(List.of("ECHO? a", "VOLT 1\nVOLT 2"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("terminator");
        assertThatThrownBy(() -> c.queryAll(null)).isInstanceOf(NullPointerException.class);
        assertThat(c.query("ECHO? z")).isEqualTo("z");
        assertThat(mock.commands()).containsExactly("ECHO? z");
        assertThat(c.queryAll(List.of())).isEmpty();
    }

    @Test
    void aBatchTheQueueHasNoRoomForIsRefusedWholeByQueryAllAndRequestAll() {
        BlockingClient c = blockingClient(fast().maxQueued(3).build());
        c.awaitReady(WAIT);
        List<String> four = List.of("ECHO? 1", "ECHO? 2", "ECHO? 3", "ECHO? 4");
        assertThatThrownBy(() -> c.queryAll(four)).isInstanceOf(dev.labwire.core.LocalProtocolException.class)
                .hasMessageContaining("room for 3 of a batch of 4").hasMessageContaining("none of them is sent");
        assertThatThrownBy(() -> c.requestAll(four.stream().map(Request::query).toList()))
                .isInstanceOf(dev.labwire.core.LocalProtocolException.class).hasMessageContaining("of a batch of 4");
        assertThatThrownBy(() -> c.requestAll(List.of(Request.query("ECHO? a"), Request.write("VOLT 1\nVOLT 2"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("terminator");
        assertThat(c.queryAll(four.subList(0, 3))).containsExactly("1", "2", "3");
        assertThat(mock.commands()).as("nothing of a refused batch went out").containsExactlyElementsOf(four.subList(0, 3));
    }

    // ------------------------------------------------------------------ queryAll's batch path (one call for the list)

    @Test
    void queryAllLargerThanMaxInFlightGetsEveryReplyInOrder() {
        BlockingClient c = blockingClient(fast().maxInFlight(4).build());
        c.awaitReady(WAIT);
        List<String> cmds = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            cmds.add("ECHO? r" + i);
            expected.add("r" + i);
        }
        assertThat(c.queryAll(cmds)).isEqualTo(expected);
        assertThat(mock.commands()).containsExactlyElementsOf(cmds);
        assertThat(c.queryAll(cmds.subList(0, 1))).containsExactly("r0");
    }

    @Test
    void queryAllBatchesAndSingleQueriesFromOtherThreadsEachGetTheirOwnReplies() throws Exception {
        BlockingClient c = blockingClient(fast().maxInFlight(8).defaultTimeout(Duration.ofSeconds(20)).build());
        c.awaitReady(WAIT);
        List<String> wrong = new CopyOnWriteArrayList<>();
        List<Throwable> failed = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 40; i++) {
                    List<String> cmds = new ArrayList<>();
                    for (int k = 0; k <= (i * 7 + thread) % 16; k++) {
                        cmds.add("ECHO? b" + thread + "." + i + "." + k);
                    }
                    try {
                        List<String> got = c.queryAll(cmds);
                        for (int k = 0; k < cmds.size(); k++) {
                            if (!got.get(k).equals(cmds.get(k).substring(6))) {
                                wrong.add(cmds.get(k) + " -> " + got.get(k));
                            }
                        }
                        if (got.size() != cmds.size()) {
                            wrong.add(cmds.size() + " commands, " + got.size() + " replies");
                        }
                    } catch (RuntimeException e) {
                        failed.add(e);
                    }
                }
            }, "batch-" + t));
        }
        for (int t = 0; t < 3; t++) {
            int thread = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 150; i++) {
                    String token = "s" + thread + "." + i;
                    try {
                        String got = c.query("ECHO? " + token);
                        if (!got.equals(token)) {
                            wrong.add(token + " -> " + got);
                        }
                    } catch (RuntimeException e) {
                        failed.add(e);
                    }
                }
            }, "single-" + t));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(WAIT.toMillis() * 3);
            assertThat(t.isAlive()).as(t.getName() + " ended").isFalse();
        }
        assertThat(wrong).as("replies handed to a caller they do not answer").isEmpty();
        assertThat(failed).as("calls that failed").isEmpty();
    }

    @Test
    void closeEndsAWaitingQueryAllInBoundedTime() throws Exception {
        mock.responder(cmd -> cmd.equals("MUTE?") ? MockReply.none() : null);
        BlockingClient c = blockingClient(fast().maxInFlight(2).defaultTimeout(Duration.ofSeconds(30)).build());
        c.awaitReady(WAIT);
        java.util.concurrent.atomic.AtomicReference<Throwable> ended = new java.util.concurrent.atomic.AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                c.queryAll(List.of("ECHO? a", "MUTE?", "MUTE?", "MUTE?"));
                ended.set(new AssertionError("queryAll returned"));
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        caller.start();
        Await.until(WAIT, () -> mock.commands().contains("MUTE?"), "the first MUTE? reached the device");
        long t0 = System.nanoTime();
        c.close();
        caller.join(5000);
        assertThat(caller.isAlive()).as("the batch's caller ended").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(ended.get()).isInstanceOf(dev.labwire.core.LocalProtocolException.class);
    }

    /**
     * Over TCP and serial: the core renews the link when the pipelined window loses its place; over a serial link
     * (a pty pair) the reopened port is the same byte stream, and until 2026-12-03 the late reply "b" reached the query
     * after the batch there (the new link now waits for the line to be quiet first).
     */
    @Test
    void aTimedOutQueryAllLeavesNothingForTheCallsAfterIt() {
        mock.responder(cmd -> cmd.startsWith("LATE? ") ? MockReply.line(cmd.substring(6)).delay(Duration.ofMillis(700)) : null);
        BlockingClient c = blockingClient(fast().maxInFlight(4).defaultTimeout(Duration.ofMillis(250)).build());
        c.awaitReady(WAIT);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.queryAll(List.of("LATE? b", "LATE? c", "ECHO? d")))
                .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("LATE? b")
                // c and d time out, or fail unconfirmed behind b (Pipelining.CONFIRM_BY_WINDOW): as single calls do
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2).allSatisfy(s -> assertThat(s)
                        .isInstanceOfAny(RequestTimeoutException.class, dev.labwire.core.RemoteProtocolException.class)));
        // every call ends by its deadline plus the documented slack (2 s)
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(250 + 2000));
        // the late replies b, c (and d behind them) come while these wait: none may be taken for theirs
        assertThat(c.query("ECHO? next", WAIT)).isEqualTo("next");
        assertThat(c.query("ECHO? again", WAIT)).isEqualTo("again");
        List<Request> rs = List.of(Request.query("ECHO? 1").withTimeout(WAIT), Request.query("ECHO? 2").withTimeout(WAIT));
        assertThat(c.requestAll(rs)).extracting(r -> r.text()).containsExactly("1", "2");
        assertThat(c.queryAll(List.of("ECHO? 3", "ECHO? 4"))).containsExactly("3", "4");
    }
}
