package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.PtyPair;
import dev.labwire.testsupport.clients.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 15, item 2 over a real serial port: a pty pair (socat) whose far end nobody opens, so nobody drains it. The
 * pty buffers fill after about 32 KiB and writes to the port block: only the calls whose bytes cannot go out may
 * fail, at their own deadline; other callers, the listener and close() go on.
 */
@Timeout(60)
class SerialFaultsTest {
    private static final Logger LOG = LoggerFactory.getLogger(SerialFaultsTest.class);
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Its peer end is never opened. */
    private PtyPair pty;

    @BeforeEach
    void undrainedPty() {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        pty = PtyPair.open();
    }

    @AfterEach
    void stopSocat() {
        if (pty != null) {
            pty.close();
        }
    }

    @Test
    void aPortNobodyDrainsFailsOnlyTheWritesThatCannotGoOut() throws Exception {
        List<State> states = new CopyOnWriteArrayList<>();
        BlockingClient c = BlockingClient.builder("serial:" + pty.clientPath() + "?baud=115200")
                .config(ConnectionConfig.builder().backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2, 0.2)).build())
                .listener((s, cause) -> states.add(s)).build();
        try {
            c.awaitReady(WAIT);
            String chunk = "DATA " + "s".repeat(4096);
            long start = System.nanoTime();
            Throwable stuck = null;
            for (int i = 0; i < 1000 && stuck == null; i++) { // 4 MiB at most; the pty holds about 32 KiB
                stuck = catchThrowable(() -> c.write(chunk, Duration.ofMillis(500)));
                start = stuck == null ? System.nanoTime() : start;
            }
            long stuckMs = LinkFaultsTest.millisSince(start);
            AtomicReference<Throwable> other = new AtomicReference<>();
            long q = System.nanoTime();
            other.set(catchThrowable(() -> c.query("*IDN?", Duration.ofMillis(500))));
            long queryMs = LinkFaultsTest.millisSince(q);
            Await.until(WAIT, () -> states.contains(State.DOWN), "the listener hears the link renewed");
            long closeStart = System.nanoTime();
            c.close();
            long closeMs = LinkFaultsTest.millisSince(closeStart);
            LOG.info("pty nobody drains: the stuck write failed after {} ms ({}); a query then ended after {} ms ({});"
                    + " close took {} ms", stuckMs, LinkFaultsTest.brief(stuck), queryMs,
                    LinkFaultsTest.brief(other.get()), closeMs);
            assertThat(stuck).isInstanceOfAny(RequestTimeoutException.class, LinkDownException.class);
            assertThat(stuckMs).as("the stuck write ends by its 500 ms deadline").isLessThan(1_500L);
            assertThat(other.get()).isInstanceOfAny(RequestTimeoutException.class, LinkDownException.class);
            assertThat(queryMs).as("another call never waits past its deadline").isLessThan(1_500L);
            assertThat(closeMs).isLessThan(2_500L);
        } finally {
            c.close();
        }
    }
}
