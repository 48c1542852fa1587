package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.mock.MockInstrument;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * After {@code close()} no labwire thread is left and the process's open file descriptors are back where they
 * were (Linux {@code /proc/self/fd}), over TCP and over ptys, after queries and reconnects.
 */
class LeakTest {

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

    private static void cycle(MockInstrument mock, int rounds) {
        for (int r = 0; r < rounds; r++) {
            try (BlockingClient c = BlockingClient.open(mock.endpoint(), FAST)) {
                for (int i = 0; i < 20; i++) {
                    assertThat(c.query("ECHO? " + i)).isEqualTo(Integer.toString(i));
                }
                mock.disconnect(); // one reconnect per round; a call racing the drop fails, a later one works
                Await.until(WAIT, () -> {
                    try {
                        return c.query("ECHO? again").equals("again");
                    } catch (dev.labwire.core.LinkDownException e) {
                        return false;
                    }
                }, "a query works after the reconnect");
            }
        }
    }

    private static void checkNoLeak(MockInstrument mock) {
        assumeTrue(openFds() > 0, "no /proc/self/fd on this OS");
        cycle(mock, 1); // warm-up: class loading, jSerialComm's native library, the JDK's own lazily opened files
        Await.until(WAIT, () -> labwireThreads().isEmpty(), "warm-up threads end");
        int before = openFds();
        cycle(mock, 5);
        Await.until(WAIT, () -> labwireThreads().isEmpty(), "no labwire thread after close: " + labwireThreads());
        Await.until(WAIT, () -> openFds() <= before, "fds back to " + before + " (now " + openFds() + ")");
        assertThat(openFds()).isLessThanOrEqualTo(before);
    }

    @Test
    void tcpClientsLeaveNoThreadsAndNoFileDescriptors() {
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            checkNoLeak(mock);
        }
    }

    @Test
    void serialClientsLeaveNoThreadsAndNoFileDescriptors() {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        try (MockInstrument mock = MockInstrument.pty().scpi()) {
            checkNoLeak(mock);
        }
    }
}
