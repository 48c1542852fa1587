package dev.labwire.netty;

import static dev.labwire.netty.NettyClientContract.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Expect;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.bus.Addressing;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.mock.MockReply;
import dev.labwire.testsupport.clients.Await;
import dev.labwire.testsupport.clients.BusScenarios;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared {@link BusScenarios} on a {@link NettyBus}, and what only the Netty bus has: many calls in flight at once
 * (the shared cases again, that way), priorities, its builder, the event loop.
 */
class NettyBusTest extends BusScenarios {
    private static final Logger TIMINGS = LoggerFactory.getLogger("dev.labwire.netty.timings");

    NettyBusTest() {
        super(NettyClients.INSTANCE);
    }

    private NettyBus nettyBus(ConnectionConfig.Builder connection) {
        return ((NettyClients.Bus) bus(connection)).bus();
    }

    private NettyBus track(NettyBus b) {
        return track(new NettyClients.Bus(b)).bus();
    }

    @Test
    void threeDevicesPolledConcurrentlyAndEveryReplyComesFromItsOwnAddress() throws Exception {
        NettyBus bus = nettyBus(ConnectionConfig.builder());
        int n = 150;
        List<String> addresses = List.of("A", "B", "C");
        List<List<CompletableFuture<String>>> calls = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> callers = new ArrayList<>();
        for (String a : addresses) {
            List<CompletableFuture<String>> mine = Collections.synchronizedList(new ArrayList<>());
            calls.add(mine);
            NettyBusDevice d = bus.device(a);
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < n; i++) {
                    mine.add(d.query("FLOW? " + i));
                }
            }, "caller-" + a);
            callers.add(t);
            t.start();
        }
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread t : callers) {
            t.join(10_000);
        }
        long pendingAfterSubmit = calls.stream().flatMap(List::stream).filter(f -> !f.isDone()).count();
        CompletableFuture.allOf(calls.stream().flatMap(List::stream).toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;

        for (int k = 0; k < addresses.size(); k++) {
            String a = addresses.get(k);
            List<String> replies = calls.get(k).stream().map(CompletableFuture::join).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add("+" + a + " " + i);
            }
            assertThat(replies).as("replies to %s, in call order", a).containsExactlyElementsOf(expected);
        }
        assertThat(mock.busDevice("B").commands()).hasSize(n).startsWith("FLOW? 0");
        // fair turns: while all three had calls queued no device ran far ahead of the others
        List<String> wire = mock.commands();
        int firstEnd = wire.indexOf("AFLOW? " + (n - 1));
        assertThat(wire.subList(0, firstEnd).stream().filter(c -> c.startsWith("B")).count()).isGreaterThan(100);
        TIMINGS.info("bus: {} calls over 3 addresses, {} still pending when the last was submitted, all done in {} s ({} exchanges/s)",
                3 * n, pendingAfterSubmit, String.format("%.3f", seconds), Math.round(3 * n / seconds));
    }

    @Test
    void aDeadAddressTimesOutAloneWhileTheOthersKeepTheirRate() throws Exception {
        NettyBus bus = nettyBus(ConnectionConfig.builder());
        mock.busDevice("C").silent(true);
        long periodNanos = TimeUnit.MILLISECONDS.toNanos(40); // 25 polls/s for A and for B
        int rounds = 50;                                      // 2 s
        // with fair turns each round of the bus holds one exchange of A, of B and of the dead C, so a rate can only
        // be kept if that round fits in the period: C's timeout (plus A's, B's and three turnarounds) under 40 ms
        Duration deadTimeout = Duration.ofMillis(10);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<String>> polls = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ticks = new AtomicInteger();
        AtomicInteger ended = new AtomicInteger();
        CompletableFuture<Long> allPolled = new CompletableFuture<>(); // completes with the time the last poll ended
        NettyBusDevice a = bus.device("A");
        NettyBusDevice b = bus.device("B");
        // C is polled back to back, each call timing out, until the last poll of A and B has ended: a backlog of
        // A and B would then drain only one per round, so the total time shows whether they kept the rate
        DeadPoller c = new DeadPoller(bus.device("C"), deadTimeout, allPolled);
        c.next();
        long t0 = System.nanoTime();
        // the tick runs on the bus's event loop, as a lab poller would: it sends and never waits
        ScheduledFuture<?> tick = bus.eventLoop().scheduleAtFixedRate(() -> {
            int i = ticks.getAndIncrement();
            for (NettyBusDevice d : i < rounds ? List.of(a, b) : List.<NettyBusDevice>of()) {
                long sent = System.nanoTime();
                polls.add(d.query("FLOW? " + i, Duration.ofSeconds(1)).whenComplete((r, e) -> {
                    long now = System.nanoTime();
                    latencies.add(now - sent);
                    if (ended.incrementAndGet() == 2 * rounds) {
                        allPolled.complete(now);
                    }
                }));
            }
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
        double seconds = (allPolled.get(30, TimeUnit.SECONDS) - t0) / 1e9;
        tick.cancel(false);
        c.done.get(10, TimeUnit.SECONDS);

        for (int i = 0; i < rounds; i++) {
            assertThat(polls.get(2 * i).join()).isEqualTo("+A " + i);
            assertThat(polls.get(2 * i + 1).join()).isEqualTo("+B " + i);
        }
        assertThat(c.otherFailures).as("C's calls end only by timing out").isEmpty();
        assertThat(c.timeouts.get()).isGreaterThanOrEqualTo(rounds);
        List<Long> sorted = latencies.stream().sorted().toList();
        TIMINGS.info("bus: A and B polled at 25/s, {} polls each in {} s (ideal {} s) while C timed out {} times ({} ms each);"
                        + " A/B latency median {} ms, max {} ms", rounds, String.format("%.3f", seconds),
                String.format("%.3f", (rounds - 1) * periodNanos / 1e9), c.timeouts.get(), deadTimeout.toMillis(),
                String.format("%.1f", sorted.get(sorted.size() / 2) / 1e6), String.format("%.1f", sorted.get(sorted.size() - 1) / 1e6));
        // kept the rate: the last of 50 ticks goes out at 1.96 s, so done by then plus its own exchange and at most
        // one of C's; had C's timeouts held the others up, their backlog would still be draining one per round
        assertThat(seconds).isLessThan((rounds - 1) * periodNanos / 1e9 + 0.5);
    }

    /** Queries a dead device again each time the last query ended, until {@code until} completes. */
    private static final class DeadPoller {
        final NettyBusDevice device;
        final Duration timeout;
        final CompletableFuture<?> until;
        final AtomicInteger timeouts = new AtomicInteger();
        final List<Throwable> otherFailures = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<Void> done = new CompletableFuture<>();

        DeadPoller(NettyBusDevice device, Duration timeout, CompletableFuture<?> until) {
            this.device = device;
            this.timeout = timeout;
            this.until = until;
        }

        void next() {
            if (until.isDone()) {
                done.complete(null);
                return;
            }
            device.query("FLOW? dead", timeout).whenComplete((r, e) -> {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof RequestTimeoutException) {
                    timeouts.incrementAndGet();
                    next(); // on the event loop, from the core's timer: no recursion
                } else {
                    otherFailures.add(cause != null ? cause : new AssertionError("a dead device answered: " + r));
                    done.complete(null);
                }
            });
        }
    }

    /** The shared scenario's first half with the four calls in flight at once. */
    @Test
    void halfDuplexEchoIsDroppedWithCallsInFlightAtOnce() {
        mock.echo(true);
        NettyBus withEcho = nettyBus(ConnectionConfig.builder().echo(ConnectionConfig.Echo.CHECK_AND_DROP));
        CompletableFuture<String> fromA = withEcho.device("A").query("FLOW? 1");
        CompletableFuture<String> fromB = withEcho.device("B").query("FLOW? 2");
        CompletableFuture<Void> setpoint = withEcho.device("C").write("SP 50"); // ends when its echo is back
        CompletableFuture<String> readBack = withEcho.device("C").query("SP?");
        assertThat(await(fromA)).isEqualTo("+A 1");
        assertThat(await(fromB)).isEqualTo("+B 2");
        await(setpoint);
        assertThat(await(readBack)).isEqualTo("50");
    }

    /** The shared scenario with the three calls in flight at once. */
    @Test
    void aReplyFromAnotherAddressIsDiscardedWithCallsInFlightAtOnce() {
        NettyBus bus = nettyBus(ConnectionConfig.builder());
        mock.enqueue(MockReply.line("B+9.99"));
        CompletableFuture<String> wrong = bus.device("A").query("FLOW? 1", java.time.Duration.ofMillis(300));
        CompletableFuture<String> fromB = bus.device("B").query("FLOW? 3"); // in flight at the same time
        CompletableFuture<String> fromA = bus.device("A").query("FLOW? 2");
        assertThatThrownBy(() -> await(wrong)).isInstanceOf(dev.labwire.core.RequestTimeoutException.class)
                .hasMessageContaining("FLOW? 1");
        assertThat(await(fromA)).isEqualTo("+A 2");
        assertThat(await(fromB)).isEqualTo("+B 3");
    }

    @Test
    void aHighPriorityCallOvertakesTheQueue() {
        NettyBus bus = nettyBus(ConnectionConfig.builder());
        NettyBusDevice a = bus.device("A");
        List<CompletableFuture<String>> normal = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            normal.add(a.query("FLOW? " + i));
        }
        CompletableFuture<String> urgent = bus.device("B").request(Request.query("FLOW? now"), Bus.Priority.HIGH)
                .thenApply(r -> r.text());
        assertThat(await(urgent)).isEqualTo("+B now");
        long aheadOfIt = normal.stream().filter(CompletableFuture::isDone).count();
        normal.forEach(NettyClientContract::await);
        assertThat(mock.commands().indexOf("BFLOW? now")).as("wire position of the high-priority call").isLessThan(10);
        assertThat(aheadOfIt).isLessThan(10);
    }

    @Test
    void misuseIsRefusedAtTheCallAndCloseFailsWhatIsPending() throws Exception {
        NettyBus bus = nettyBus(ConnectionConfig.builder());
        mock.busDevice("C").silent(true);
        assertThatThrownBy(() -> bus.device("C").request(Request.of("CURV?", Expect.block())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block");
        assertThatThrownBy(() -> bus.device(17)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("17");
        assertThatThrownBy(() -> bus.device("A").query("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bus.device("A").query("FLOW?\n1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("write terminator");
        CompletableFuture<String> pending = bus.device("C").query("FLOW? 1");
        mock.takeCommand(WAIT); // C has it and stays silent
        bus.close().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> await(pending)).isInstanceOf(LocalProtocolException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> await(bus.device("A").query("FLOW? 2"))).isInstanceOf(LocalProtocolException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void theBuilderRunsOnTheGivenGroupAndCallsBackOnTheGivenExecutor() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ExecutorService user = Executors.newSingleThreadExecutor(r -> new Thread(r, "user-callbacks"));
        try {
            List<String> states = new CopyOnWriteArrayList<>();
            NettyBus bus = track(NettyBus.builder(mock.endpoint()).config(BusConfig.DEFAULT).eventLoopGroup(group)
                    .callbackExecutor(user).listener((state, cause) -> states.add(state + " on " + Thread.currentThread().getName()))
                    .build());
            await(bus.ready(WAIT));
            assertThat(bus.eventLoop().parent()).isSameAs(group);
            mock.busDevice("A").delay(Duration.ofMillis(50)); // the future is still pending when the stage below is added
            CompletableFuture<String> thread = bus.device("A").query("FLOW? 1").thenApply(r -> r + " on " + Thread.currentThread().getName());
            assertThat(await(thread)).isEqualTo("+A 1 on user-callbacks");
            assertThat(states).startsWith("CONNECTING on user-callbacks").contains("READY on user-callbacks");
            bus.close().get(10, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            user.shutdownNow();
        }
    }

    /** The snippet proposed for the README's "Netty client on a bus" paragraph, against the pty mock. */
    @Test
    void readmeSnippet() throws Exception {
        mock.echo(true);
        mock.busDevice("A").dictionary().set("FLOW", "+14.70");
        List<Double> plot = new CopyOnWriteArrayList<>();
        List<String> log = new CopyOnWriteArrayList<>();
        // --- from the README
        BusConfig cfg = BusConfig.builder()
                .addressing(Addressing.asciiPrefix())
                .turnaround(Duration.ofMillis(5))
                .connection(ConnectionConfig.builder()
                        .echo(ConnectionConfig.Echo.CHECK_AND_DROP)
                        .defaultTimeout(Duration.ofMillis(300))
                        .build())
                .build();
        NettyBus bus = NettyBus.open(mock.endpoint(), cfg);
        NettyBusDevice mfc1 = bus.device("A"), mfc2 = bus.device("B");
        mfc2.write("SP 50")
                .thenCompose(v -> mfc1.queryNumber("FLOW?"))
                .thenAccept(flow -> log.add("flow " + flow));            // runs on the event loop: never block here
        ScheduledFuture<?> poller = bus.eventLoop().scheduleAtFixedRate(  // 25/s, next to the bus, never waiting
                () -> mfc1.queryNumber("FLOW?").thenAccept(plot::add), 0, 40, TimeUnit.MILLISECONDS);
        // --- end
        track(bus);
        Await.until(WAIT, () -> plot.size() >= 5 && !log.isEmpty(), () -> "polled " + plot + ", logged " + log);
        poller.cancel(false);
        assertThat(log).containsExactly("flow 14.7");
        assertThat(plot).startsWith(14.7, 14.7, 14.7, 14.7, 14.7);
        assertThat(mock.busDevice("B").commands()).containsExactly("SP 50");
        assertThat(await(bus.close())).isNull();
    }

    /**
     * The shared scenario with both requests in flight at once (the bus writes the second when the first's reply is
     * in); a text address on binary addressing is refused already at {@code device()}.
     */
    @Test
    void binaryFramesWithCrcInFlightAtOnce() throws Exception {
        try (CrcDevice device = new CrcDevice()) {
            NettyBus bus = track(NettyBus.open(device.endpoint(), device.config()));
            assertThatThrownBy(() -> bus.device("A")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numeric");
            NettyBusDevice mfc = bus.device(0x11);
            CompletableFuture<byte[]> good = mfc.request(Request.of(READ_HOLDING, Expect.bytes(4))).thenApply(r -> r.frame().toByteArray());
            CompletableFuture<byte[]> damaged = mfc.request(Request.of(READ_HOLDING, Expect.bytes(4))).thenApply(r -> r.frame().toByteArray());
            assertThat(await(good)).containsExactly(0x03, 0x02, 0x01, 0x40);
            assertThatThrownBy(() -> await(damaged)).isInstanceOf(RemoteProtocolException.class).hasMessageContaining("CRC-16/MODBUS");
            device.assertServedTwo();
        }
    }
}
