package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.State;
import dev.labwire.mock.BlackHole;
import dev.labwire.mock.FaultProxy;
import dev.labwire.testsupport.clients.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 15, item 9: closing a client while its link connects (a connect that hangs on a black hole) logs nothing
 * at WARN or above, and close() completes at once. slf4j-simple writes to {@code System.err} as it is at each call,
 * so the test reads what was logged by swapping it.
 */
class QuietCloseTest {
    private static final Logger TIMINGS = LoggerFactory.getLogger("dev.labwire.netty.timings");

    @Test
    void closingWhileConnectingLogsNoWarning() throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (BlackHole hole = FaultProxy.blackHole()) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            long worst = 0;
            try {
                for (int i = 0; i < 5; i++) { // the last client also shuts the default group down
                    NettyClient c = NettyClient.open(hole.endpoint(), Configs.fast().connectTimeout(Duration.ofSeconds(30)).build());
                    Await.until(Configs.WAIT, () -> c.state() == State.CONNECTING, "the client connects");
                    c.query("*IDN?"); // a call waiting for the link, failed by the close
                    long start = System.nanoTime();
                    c.close().get(5, TimeUnit.SECONDS);
                    worst = Math.max(worst, System.nanoTime() - start);
                }
                Await.until(Configs.WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.isAlive() && t.getName().startsWith("labwire-netty")), "the default group ends");
            } finally {
                System.setErr(original);
            }
            TIMINGS.info("close() while connecting: at most {} ms", worst / 1_000_000);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).as("logged while closing during connects").doesNotContain(" WARN ").doesNotContain(" ERROR ");
    }
}
