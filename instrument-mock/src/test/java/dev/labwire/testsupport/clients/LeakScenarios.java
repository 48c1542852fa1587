package dev.labwire.testsupport.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.mock.MockInstrument;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * After {@code close()} no labwire thread is left and the process's open file descriptors are back where they were
 * (Linux {@code /proc/self/fd}), over TCP and over ptys, after queries and reconnects. Each client module runs these
 * through its {@link Clients} and adds closes in the hard states its driver has, through {@link #assertRoundsLeakNothing}.
 */
public abstract class LeakScenarios extends ClientScenarios {
    protected static final Duration WAIT = Duration.ofSeconds(5);
    protected static final ConnectionConfig FAST = ConnectionConfig.builder()
            .backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), 2, 0.2)).build();

    protected LeakScenarios(Clients clients) {
        super(clients);
    }

    /** A piece of a test that may throw. */
    @FunctionalInterface
    protected interface Round {
        void run() throws Exception;
    }

    protected static int openFds() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    protected static List<String> labwireThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("labwire-")).sorted().collect(Collectors.toList());
    }

    /** Skips the test when something outside it would hold the client's shared resources; by default nothing does. */
    protected void assumeNoOtherClient() {
    }

    /** After the rounds: what the client shares between its clients is let go too; by default there is nothing. */
    protected void assertSharedResourcesReleased() {
    }

    /**
     * One {@code round} as warm-up (class loading, jSerialComm's native library, the JDK's own lazily opened files),
     * then {@code rounds} more: afterwards no labwire thread is left and no file descriptor more is open.
     */
    protected void assertRoundsLeakNothing(Round round, int rounds) throws Exception {
        assumeTrue(openFds() > 0, "no /proc/self/fd on this OS");
        assumeNoOtherClient();
        round.run(); // warm-up
        Await.until(WAIT, () -> labwireThreads().isEmpty(), () -> "warm-up threads end: " + labwireThreads());
        int before = openFds();
        for (int i = 0; i < rounds; i++) {
            round.run();
        }
        Await.until(WAIT, () -> labwireThreads().isEmpty(), () -> "no labwire thread after close: " + labwireThreads());
        Await.until(WAIT, () -> openFds() <= before, () -> "fds back to " + before + " (now " + openFds() + ")");
        assertThat(openFds()).isLessThanOrEqualTo(before);
        assertSharedResourcesReleased();
    }

    /** A client through 20 queries and one reconnect, then closed. */
    private void cycle(MockInstrument mock) {
        try (TestClient c = clients().open(mock.endpoint(), FAST)) {
            for (int i = 0; i < 20; i++) {
                assertThat(c.query("ECHO? " + i)).isEqualTo(Integer.toString(i));
            }
            mock.disconnect(); // one reconnect per round; a call racing the drop fails, a later one works
            Await.until(WAIT, () -> {
                try {
                    return c.query("ECHO? again").equals("again");
                } catch (LinkDownException e) {
                    return false;
                }
            }, "a query works after the reconnect");
        }
    }

    @Test
    public void tcpClientsLeaveNoThreadsAndNoFileDescriptors() throws Exception {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            assertRoundsLeakNothing(() -> cycle(mock), 5);
        }
    }

    @Test
    public void serialClientsLeaveNoThreadsAndNoFileDescriptors() throws Exception {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        try (MockInstrument mock = MockInstrument.pty().scpi()) {
            assertRoundsLeakNothing(() -> cycle(mock), 5);
        }
    }
}
