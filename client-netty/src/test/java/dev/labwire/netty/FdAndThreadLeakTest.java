package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.mock.MockInstrument;
import dev.labwire.netty.internal.DefaultGroup;
import dev.labwire.testsupport.clients.Await;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * After {@code close()} of the last client no labwire thread is left (the library's default event loop
 * group, serial readers and writers) and the process's open file descriptors are back where they were
 * (Linux {@code /proc/self/fd}: sockets, ports, the event loops' selectors), over TCP and over ptys, after
 * queries and reconnects. The Netty twin of the blocking client's {@code LeakTest}.
 */
class FdAndThreadLeakTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final ConnectionConfig FAST = ConnectionConfig.builder()
            .backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), 2, 0.2)).build();

    private static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    private static List<String> labwireThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("labwire-")).sorted().collect(Collectors.toList());
    }

    /** Clients on the library's default group, each through queries and one reconnect, then closed. */
    private static void cycle(MockInstrument mock, int rounds) throws Exception {
        for (int r = 0; r < rounds; r++) {
            NettyClient c = NettyClient.open(mock.endpoint(), FAST);
            for (int i = 0; i < 20; i++) {
                assertThat(c.query("ECHO? " + i).get(5, TimeUnit.SECONDS)).isEqualTo(Integer.toString(i));
            }
            mock.disconnect(); // one reconnect per round; a call racing the drop fails, a later one works
            Await.until(WAIT, () -> {
                try {
                    return c.query("ECHO? again").join().equals("again");
                } catch (CompletionException e) {
                    if (e.getCause() instanceof LinkDownException) {
                        return false;
                    }
                    throw e;
                }
            }, "a query works after the reconnect");
            c.close().get(10, TimeUnit.SECONDS);
        }
    }

    private static void checkNoLeak(MockInstrument mock) throws Exception {
        assumeTrue(openFds() > 0, "no /proc/self/fd on this OS");
        assumeTrue(DefaultGroup.users() == 0, "another client holds the default group");
        cycle(mock, 1); // warm-up: class loading, jSerialComm's native library, the JDK's own lazily opened files
        Await.until(WAIT, () -> labwireThreads().isEmpty(), () -> "warm-up threads end: " + labwireThreads());
        int before = openFds();
        cycle(mock, 5);
        Await.until(WAIT, () -> labwireThreads().isEmpty(), () -> "no labwire thread after close: " + labwireThreads());
        Await.until(WAIT, () -> openFds() <= before, () -> "fds back to " + before + " (now " + openFds() + ")");
        assertThat(DefaultGroup.users()).isZero();
    }

    @Test
    void tcpClientsLeaveNoThreadsAndNoFileDescriptors() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            checkNoLeak(mock);
        }
    }

    /**
     * Issue 15's new paths: clients closed while their connect hangs (a black hole), while their hook never completes,
     * and while their peer reads nothing with writes backed up, then left to the 2 s close bound.
     */
    @Test
    void clientsClosedInEveryStuckStateLeaveNoThreadsAndNoFileDescriptors() throws Exception {
        assumeTrue(openFds() > 0, "no /proc/self/fd on this OS");
        assumeTrue(DefaultGroup.users() == 0, "another client holds the default group");
        try (dev.labwire.mock.BlackHole hole = dev.labwire.mock.FaultProxy.blackHole();
             MockInstrument mock = MockInstrument.tcp().scpi();
             java.net.ServerSocket deaf = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            stuckRound(hole, mock, deaf); // warm-up
            Await.until(WAIT, () -> labwireThreads().isEmpty(), () -> "warm-up threads end: " + labwireThreads());
            int before = openFds();
            for (int i = 0; i < 3; i++) {
                stuckRound(hole, mock, deaf);
            }
            Await.until(WAIT, () -> labwireThreads().isEmpty(), () -> "no labwire thread after close: " + labwireThreads());
            Await.until(WAIT, () -> openFds() <= before, () -> "fds back to " + before + " (now " + openFds() + ")");
            assertThat(DefaultGroup.users()).isZero();
        }
    }

    @SuppressWarnings("try") // a resource held open for the body's duration, never referenced
    private static void stuckRound(dev.labwire.mock.BlackHole hole, MockInstrument mock, java.net.ServerSocket deaf) throws Exception {
        NettyClient connecting = NettyClient.open(hole.endpoint(), ConnectionConfig.builder().connectTimeout(Duration.ofSeconds(30)).build());
        NettyClient hooked = NettyClient.builder(mock.endpoint()).config(FAST)
                .onConnect(s -> new java.util.concurrent.CompletableFuture<>()).build();
        NettyClient flooded = NettyClient.builder("tcp://127.0.0.1:" + deaf.getLocalPort()).config(FAST).writeBufferHighWater(1024).build();
        try (java.net.Socket peer = deaf.accept()) { // and never reads
            flooded.ready(WAIT).get(10, TimeUnit.SECONDS);
            String big = "DATA " + "x".repeat(60_000);
            for (int i = 0; i < 200; i++) {
                flooded.write(big, Duration.ofMillis(500));
            }
            Await.until(WAIT, () -> !flooded.driver().diagnostics().writable().join(), "the flooded link stops taking bytes");
            Await.until(WAIT, () -> hooked.state() == dev.labwire.core.State.ON_CONNECT, "the hook runs");
            for (NettyClient c : List.of(connecting, hooked, flooded)) {
                c.close().get(3, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void serialClientsLeaveNoThreadsAndNoFileDescriptors() throws Exception {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        try (MockInstrument mock = MockInstrument.pty().scpi()) {
            checkNoLeak(mock);
        }
    }
}
