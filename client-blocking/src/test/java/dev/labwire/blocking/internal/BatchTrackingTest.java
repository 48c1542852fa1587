package dev.labwire.blocking.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A batch ({@code queryAll}) leaves nothing tracked once it ended, however it ended: replied, timed out (its late
 * replies arriving afterwards), interrupted, refused for a bad command. Real loopback sockets and {@link MockInstrument}.
 */
class BatchTrackingTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<BlockingDriver> drivers = new ArrayList<>();
    private final List<MockInstrument> mocks = new ArrayList<>();

    @AfterEach
    void closeAll() {
        drivers.forEach(BlockingDriver::close);
        mocks.forEach(MockInstrument::close);
    }

    private BlockingDriver open(ConnectionConfig config) {
        MockInstrument m = MockInstrument.tcp().scpi();
        mocks.add(m);
        m.responder(cmd -> cmd.startsWith("LATE? ") ? MockReply.line(cmd.substring(6)).delay(Duration.ofMillis(400))
                : cmd.startsWith("SLOW? ") ? MockReply.line(cmd.substring(6)).delay(Duration.ofMillis(300)) : null);
        BlockingDriver d = new BlockingDriver(Endpoint.parse(m.endpoint()), config, null, DriverOptions.DEFAULT);
        drivers.add(d);
        d.start();
        d.awaitReady(WAIT);
        return d;
    }

    private static int tracked(BlockingDriver d) {
        d.lock.lock();
        try {
            return d.calls.trackedLocked();
        } finally {
            d.lock.unlock();
        }
    }

    private static Request[] queries(String... texts) {
        Request[] rs = new Request[texts.length];
        for (int i = 0; i < texts.length; i++) {
            rs[i] = Request.query(texts[i]);
        }
        return rs;
    }

    @Test
    void nothingStaysTrackedAfterABatchEndsHoweverItEnds() throws Exception {
        BlockingDriver d = open(ConnectionConfig.builder().maxInFlight(4).defaultTimeout(Duration.ofMillis(200))
                .pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build());
        assertThat(d.queryAll(queries("ECHO? a", "ECHO? b"))).containsExactly("a", "b");
        assertThat(tracked(d)).isZero();

        assertThatThrownBy(() -> d.queryAll(queries("ECHO? c", "LATE? d", "LATE? e"))).isInstanceOf(RequestTimeoutException.class);
        assertThat(tracked(d)).as("a timed-out batch").isZero();
        // the late replies come meanwhile: this query gets its own, and they are not tracked anywhere
        assertThat(d.request(Request.query("ECHO? f").withTimeout(WAIT)).text()).isEqualTo("f");
        assertThat(tracked(d)).isZero();

        assertThatThrownBy(() -> d.queryAll(queries("ECHO? g", "ECHO\n? h"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(tracked(d)).as("a batch refused for a bad command").isZero();

        AtomicReference<Throwable> ended = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                d.queryAll(queries("SLOW? i", "SLOW? j", "SLOW? k", "SLOW? l", "SLOW? m"));
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        caller.start();
        long end = System.nanoTime() + WAIT.toNanos();
        while (!mocks.get(0).commands().contains("SLOW? i") && System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
        assertThat(mocks.get(0).commands()).contains("SLOW? i");
        assertThat(tracked(d)).as("the waiting batch, found by its range").isEqualTo(1);
        caller.interrupt();
        caller.join(WAIT.toMillis());
        assertThat(ended.get()).isInstanceOf(CancellationException.class);
        assertThat(tracked(d)).as("an interrupted batch").isZero();
        assertThat(d.request(Request.query("ECHO? n").withTimeout(WAIT)).text()).isEqualTo("n");
        assertThat(tracked(d)).isZero();
    }
}
