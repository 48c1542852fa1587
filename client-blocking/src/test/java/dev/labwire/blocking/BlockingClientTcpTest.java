package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.mock.MockReply;
import dev.labwire.testsupport.clients.Await;
import dev.labwire.testsupport.clients.Link;
import dev.labwire.testsupport.clients.TcpLinkScenarios;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The client contract over loopback TCP, plus what only TCP has. */
class BlockingClientTcpTest extends BlockingClientContract implements TcpLinkScenarios {
    BlockingClientTcpTest() {
        super(Link.TCP);
    }

    /** The thrown exception and its suppressed ones: one per failed request of a batch. */
    private static List<Throwable> failures(Throwable t) {
        List<Throwable> all = new ArrayList<>();
        all.add(t);
        all.addAll(List.of(t.getSuppressed()));
        return all;
    }

    @Test
    void aQueryAllWhoseLinkDropsMidwayFailsItsUnansweredPartAsSingleCallsDoAndTheHookRunsFirstAfter() {
        mock.responder(cmd -> cmd.equals("DROP?") ? MockReply.line("x").closeAfter(0) : null);
        AtomicInteger hooks = new AtomicInteger();
        BlockingClient c = track(BlockingClient.builder(mock.endpoint()).config(fast().maxInFlight(8).build())
                .onConnect(s -> {
                    hooks.incrementAndGet();
                    s.write("SYST:REM");
                }).build());
        c.awaitReady(WAIT);
        List<String> cmds = List.of("ECHO? a", "ECHO? b", "DROP?", "ECHO? d", "ECHO? e");
        Throwable batch = catchThrowable(() -> c.queryAll(cmds));
        // DROP?, d and e were on the wire when the link dropped (a and b too, if the reset beat their replies)
        assertThat(batch).isInstanceOf(LinkDownException.class);
        assertThat(failures(batch)).hasSizeBetween(3, 5).allSatisfy(f -> assertThat(f).isInstanceOf(LinkDownException.class));
        // a call per request (requestAll's path, queryAll's before the batch) fails the same way
        c.awaitReady(WAIT);
        List<Request> rs = cmds.stream().map(Request::query).toList();
        Throwable calls = catchThrowable(() -> c.requestAll(rs));
        assertThat(calls).isInstanceOf(LinkDownException.class);
        assertThat(failures(calls)).hasSizeBetween(3, 5).allSatisfy(f -> assertThat(f).isInstanceOf(LinkDownException.class));
        c.awaitReady(WAIT);
        assertThat(c.queryAll(List.of("ECHO? 1", "ECHO? 2"))).containsExactly("1", "2");
        assertThat(hooks).hasValue(3);
        // the device may have read d and e (written with DROP? in one write) before it dropped the link: left out, every
        // new link's first command is the hook's, and the requests queued behind a drop wait for it
        List<String> seen = new ArrayList<>(mock.commands());
        for (int i = seen.size() - 1; i > 0; i--) {
            if ((seen.get(i).equals("ECHO? d") || seen.get(i).equals("ECHO? e")) && seen.subList(0, i).contains("DROP?")
                    && (seen.get(i - 1).equals("DROP?") || seen.get(i - 1).equals("ECHO? d"))) {
                seen.remove(i);
            }
        }
        assertThat(seen).containsExactly("SYST:REM", "ECHO? a", "ECHO? b", "DROP?", "SYST:REM", "ECHO? a", "ECHO? b", "DROP?",
                "SYST:REM", "ECHO? 1", "ECHO? 2");
    }

    @Test
    void anInterruptedQueryAllIsCancelledAndTheNextQueryGetsItsOwnReply() throws Exception {
        mock.responder(cmd -> cmd.startsWith("SLOW? ") ? MockReply.line(cmd.substring(6)).delay(Duration.ofMillis(300)) : null);
        BlockingClient c = blockingClient(fast().maxInFlight(1).defaultTimeout(Duration.ofSeconds(30)).build());
        c.awaitReady(WAIT);
        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                c.queryAll(List.of("SLOW? a", "SLOW? b", "SLOW? c"));
                ended.set(new AssertionError("queryAll returned"));
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        caller.start();
        Await.until(WAIT, () -> mock.commands().contains("SLOW? a"), "the first command reached the device");
        caller.interrupt();
        caller.join(5000);
        assertThat(caller.isAlive()).as("the interrupted caller ended").isFalse();
        assertThat(ended.get()).isInstanceOf(CancellationException.class).hasMessageContaining("SLOW? a");
        assertThat(failures(ended.get())).hasSize(3).allSatisfy(f -> assertThat(f).isInstanceOf(CancellationException.class));
        // a's reply comes 300 ms later: the stale-reply policy takes it, not this query
        assertThat(c.query("ECHO? mine", WAIT)).isEqualTo("mine");
        assertThat(mock.commands()).doesNotContain("SLOW? b", "SLOW? c"); // withdrawn before they were sent
    }

    @Test
    void queryAllFromVirtualThreadsGetsItsOwnReplies() throws Exception {
        ExecutorService pool;
        try {
            pool = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (ReflectiveOperationException e) {
            assumeTrue(false, "virtual threads need JDK 21+, this is " + Runtime.version());
            return;
        }
        BlockingClient c = blockingClient(fast().maxInFlight(8).defaultTimeout(Duration.ofSeconds(20)).build());
        c.awaitReady(WAIT);
        AtomicInteger wrong = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        List<String> cmds = new ArrayList<>();
                        for (int k = 0; k < 1 + (i + thread) % 20; k++) {
                            cmds.add("ECHO? v" + thread + "." + i + "." + k);
                        }
                        List<String> got = c.queryAll(cmds);
                        for (int k = 0; k < cmds.size(); k++) {
                            if (!got.get(k).equals(cmds.get(k).substring(6))) {
                                wrong.incrementAndGet();
                            }
                        }
                        if (!c.query("ECHO? one" + thread + "." + i).equals("one" + thread + "." + i)) {
                            wrong.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(WAIT.toMillis() * 3, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wrong).as("replies handed to a caller they do not answer").hasValue(0);
    }
}
