package dev.labwire.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.mock.MockInstrument;
import dev.labwire.netty.NettyClient;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 item 4 on raw SCPI links, both clients against MockInstrument: the status byte is {@code *STB?}, trigger
 * is {@code *TRG}, and device clear, lock and unlock are refused before anything is written, naming the transports
 * that have them; a status reply that is not a byte fails naming what came.
 */
class OperationsOnRawLinksTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private MockInstrument mock;

    @AfterEach
    void stop() {
        if (mock != null) {
            mock.close();
        }
    }

    private String endpoint() {
        mock = MockInstrument.tcp().scpi();
        return "tcp://127.0.0.1:" + mock.port();
    }

    @Test
    void blocking() {
        try (BlockingClient c = BlockingClient.openAndAwait(endpoint(), ConnectionConfig.DEFAULT, WAIT)) {
            assertThat(c.readStatusByte()).isZero();
            c.write("*ESE 1");
            c.write("*SRE 32");
            c.write("*OPC");
            assertThat(c.readStatusByte()).as("ESB (OPC enabled by *ESE) and MSS (ESB enabled by *SRE)").isEqualTo(96);
            c.trigger();
            assertThatThrownBy(c::clear).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("device clear (CLEAR) is not available on a raw SCPI link")
                    .hasMessageContaining("vxi11://host, hislip://host").hasMessageContaining("*CLS");
            assertThatThrownBy(() -> c.lock(Duration.ofSeconds(1))).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("lock (LOCK)");
            assertThatThrownBy(c::unlock).isInstanceOf(UnsupportedOperationException.class);
            assertThat(c.query("*IDN?")).as("the link is fine after the refusals").contains("LABWIRE");
        }
        assertThat(mock.commands()).containsSubsequence("*STB?", "*OPC", "*STB?", "*TRG", "*IDN?")
                .doesNotContain("*CLS");
        assertThat(mock.dictionary().triggerCount()).isEqualTo(1);
    }

    private static ConnectionConfig polling() {
        return ConnectionConfig.builder().serviceRequestPolling(Duration.ofMillis(20)).build();
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) {
        long end = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // poll interval of the condition, not a wait for it
        }
    }

    @Test
    void serviceRequestsByPollingReachTheBlockingListenerOncePerRise() throws Exception {
        java.util.List<Integer> srq = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (BlockingClient c = BlockingClient.openAndAwait(endpoint(), polling(), WAIT);
             AutoCloseable h = c.onServiceRequest(srq::add)) {
            c.write("*ESE 1");
            c.write("*SRE 32");
            c.write("*OPC");
            await(() -> srq.size() == 1, "the service request");
            assertThat(srq).containsExactly(96);
            assertThat(c.query("*IDN?")).as("calls go on between polls").contains("LABWIRE");
            c.write("*CLS");
            // polling sees a rise only if a poll finds MSS clear in between: wait for one after *CLS
            await(() -> {
                java.util.List<String> log = mock.commands();
                int cls = log.lastIndexOf("*CLS"); // -1 until the mock has logged the write
                return cls >= 0 && log.subList(cls, log.size()).contains("*STB?");
            }, "a poll after *CLS");
            c.write("*OPC");
            await(() -> srq.size() == 2, "the second rise");
            assertThat(srq).containsExactly(96, 96);
        }
    }

    @Test
    void serviceRequestsByPollingReachTheNettyListener() throws Exception {
        java.util.List<Integer> srq = new java.util.concurrent.CopyOnWriteArrayList<>();
        NettyClient c = NettyClient.open(endpoint(), polling());
        try (AutoCloseable h = c.onServiceRequest(srq::add)) {
            c.ready(WAIT).get(10, TimeUnit.SECONDS);
            c.write("*ESE 32").get(10, TimeUnit.SECONDS);
            c.write("*SRE 36").get(10, TimeUnit.SECONDS);
            mock.dictionary().queueError("-113,\"Undefined header\"");
            await(() -> !srq.isEmpty(), "the service request");
            assertThat(srq.get(0)).as("EAV, ESB and MSS").isEqualTo(100);
        } finally {
            c.close().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void netty() throws Exception {
        NettyClient c = NettyClient.open(endpoint());
        try {
            c.ready(WAIT).get(10, TimeUnit.SECONDS);
            c.write("*ESE 32").get(10, TimeUnit.SECONDS);
            mock.dictionary().queueError("-113,\"Undefined header\"");
            assertThat(c.readStatusByte().get(10, TimeUnit.SECONDS)).as("EAV and ESB (CME enabled)").isEqualTo(36);
            c.trigger().get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> c.clear().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("device clear");
            assertThatThrownBy(() -> c.lock(Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOf(UnsupportedOperationException.class);
            assertThat(c.query("*IDN?").get(10, TimeUnit.SECONDS)).contains("LABWIRE");
        } finally {
            c.close().get(10, TimeUnit.SECONDS);
        }
        assertThat(mock.commands()).containsSubsequence("*STB?", "*TRG", "*IDN?");
    }
}
