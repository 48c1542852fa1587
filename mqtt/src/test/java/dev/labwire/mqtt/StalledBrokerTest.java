package dev.labwire.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.RequestTimeoutException;
import dev.labwire.mock.MockInstrument;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A broker that keeps its connections but takes nothing (SIGSTOP: a long GC pause, a hung VM): MQTT gives it until the
 * keep-alive runs out (60-90 s) before a client sees the connection as lost. Meanwhile nothing of labwire may block,
 * every call ends by its deadline and what waits to be published stays bounded.
 */
class StalledBrokerTest {

    static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    static void parkFor(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        for (long left; (left = until - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
    }

    /** A gateway publishing {@code dev}'s frames "T:..." as stream {@code t} without a minInterval, and the polls. */
    private static MqttGateway streamingGateway(Mosquitto broker, MockInstrument dev, String id, Poll... polls) {
        InstrumentSpec spec = InstrumentSpec.of("dev", dev.endpoint()).withStream(new Stream("t", "T:", Duration.ZERO, "degC"));
        for (Poll p : polls) spec = spec.withPoll(p);
        return MqttGateway.builder(broker.broker()).gatewayId(id).instrument(spec).start(Duration.ofSeconds(10));
    }

    @Test
    void aStalledBrokerNeitherStopsTheInstrumentsEventLoopNorLetsValuesPileUp() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        AtomicLong n = new AtomicLong();
        try (Mosquitto broker = Mosquitto.start(); MockInstrument dev = MockInstrument.tcp().scpi();
             MqttGateway gw = streamingGateway(broker, dev, "gw-stall",
                     new Poll("idn", "*IDN?", Duration.ofMillis(10), null));
             AutoCloseable flood = dev.pushFlood(() -> "T:" + n.incrementAndGet())) {
            GatewayTestSupport.awaitStatus(broker, "dev", "online");
            long h0 = heapAfterGc();
            broker.freeze();
            try {
                long f0 = gw.streamFrames();
                parkFor(Duration.ofSeconds(1));
                long f1 = gw.streamFrames();
                parkFor(Duration.ofSeconds(2));
                long f2 = gw.streamFrames();
                long grown = heapAfterGc() - h0;
                System.out.printf("stalled broker: frames taken %d in the first second, %d in the next two; heap %+d KiB;"
                        + " values published %d, coalesced %d%n", f1 - f0, f2 - f1, grown / 1024, gw.valuesPublished(),
                        gw.valuesCoalesced());
                // the instrument's client goes on reading (before: it stopped within ms, blocked inside HiveMQ's publish)
                assertThat(f2 - f1).as("frames read in 2 s while the broker is stalled").isGreaterThan(1_000);
                assertThat(gw.valuesCoalesced()).isGreaterThan(1_000);
                assertThat(grown).as("heap growth").isLessThan(16L << 20);
            } finally {
                broker.thaw();
            }
            // the latest value arrives once the broker runs again
            long before = n.get();
            RestartTest.awaitRetained(broker, "labwire/dev/value/t", "name", "t");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                Object text = RestartTest.awaitRetained(broker, "labwire/dev/value/t", "name", "t").get("text");
                if (Long.parseLong(((String) text).substring(2)) > before) return;
            }
            throw new AssertionError("no value newer than T:" + before + " after the broker ran again");
        }
    }

    @Test
    void callsEndByTheirDeadlineAndNeverBlockTheCallerWhileTheBrokerIsStalled() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        try (Mosquitto broker = Mosquitto.start(); MockInstrument dev = MockInstrument.tcp().scpi();
             MqttGateway gw = MqttGateway.builder(broker.broker()).gatewayId("gw-stall2")
                     .instrument(InstrumentSpec.of("dev", dev.endpoint())).start(Duration.ofSeconds(10));
             RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "dev").build()) {
            GatewayTestSupport.awaitStatus(broker, "dev", "online");
            assertThat(r.query("*IDN?")).startsWith("LABWIRE");
            broker.freeze();
            List<CompletableFuture<String>> calls = new ArrayList<>();
            long[] endedAt = new long[200];
            long t0;
            try {
                CompletableFuture<Void> issuing = CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < endedAt.length; i++) {
                        int k = i;
                        long start = System.nanoTime();
                        calls.add(r.queryAsync("*IDN?", Duration.ofMillis(300))
                                .whenComplete((v, e) -> endedAt[k] = System.nanoTime() - start));
                    }
                });
                t0 = System.nanoTime();
                try {
                    issuing.get(3, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("queryAsync blocked its caller: " + calls.size() + " of 200 calls made in 3 s"
                            + " while the broker is stalled");
                }
                System.out.printf("stalled broker: 200 queryAsync made in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                long worst = 0;
                int timeouts = 0;
                for (CompletableFuture<String> f : calls) {
                    try {
                        f.get(2, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (e.getCause() instanceof RequestTimeoutException) timeouts++;
                        else throw new AssertionError("unexpected failure", e.getCause());
                    }
                }
                for (long ns : endedAt) worst = Math.max(worst, ns);
                System.out.printf("stalled broker: %d of 200 timed out, the latest ended %d ms after it was made"
                        + " (timeout 300 ms); %s%n", timeouts, worst / 1_000_000,
                        calls.get(199).handle((v, e) -> e == null ? v : e.getMessage()).join());
                assertThat(timeouts).isEqualTo(200);
                assertThat(Duration.ofNanos(worst)).isLessThan(Duration.ofMillis(300 + 200));
                // a blocking call too, now that 200 are stuck at the broker
                long q0 = System.nanoTime();
                try {
                    r.query("*IDN?", Duration.ofMillis(300));
                    throw new AssertionError("answered through a stalled broker");
                } catch (RequestTimeoutException e) {
                    assertThat(Duration.ofNanos(System.nanoTime() - q0)).isLessThan(Duration.ofMillis(500));
                    assertThat(e.getMessage()).contains("broker");
                }
            } finally {
                broker.thaw();
            }
            // once the broker runs again, the stale requests are not run (their deadline passed) and a new call works
            assertThat(GatewayTestSupport.idnOnceServedAgain(r)).startsWith("LABWIRE");
        }
    }

    /** An MQTT 3.1.1 CONNECT and a QoS 1 SUBSCRIBE to {@code filter}, written by hand: a client that then never reads. */
    private static java.net.Socket subscriberThatNeverReads(int port, String filter) throws Exception {
        java.net.Socket s = new java.net.Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
        byte[] id = "never-reads".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(new byte[] {0x10, (byte) (12 + id.length), 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, (byte) id.length});
        out.write(id);
        byte[] f = filter.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(new byte[] {(byte) 0x82, (byte) (5 + f.length), 0, 1, 0, (byte) f.length});
        out.write(f);
        out.write(1);
        s.getOutputStream().write(out.toByteArray());
        s.getOutputStream().flush();
        return s;
    }

    @Test
    void aSubscriberThatNeverReadsCostsTheGatewayNothing() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        AtomicLong n = new AtomicLong();
        try (Mosquitto broker = Mosquitto.start(); MockInstrument dev = MockInstrument.tcp().scpi();
             MqttGateway gw = streamingGateway(broker, dev, "gw-slowsub");
             RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "dev").build()) {
            GatewayTestSupport.awaitStatus(broker, "dev", "online");
            try (java.net.Socket never = subscriberThatNeverReads(broker.port, "labwire/dev/value/#");
                 AutoCloseable flood = dev.pushFlood(() -> "T:" + n.incrementAndGet())) {
                long h0 = heapAfterGc();
                long f0 = gw.streamFrames();
                long v0 = gw.valuesPublished();
                long c0 = gw.valuesCoalesced();
                parkFor(Duration.ofSeconds(3));
                long grown = heapAfterGc() - h0;
                long q0 = System.nanoTime();
                String idn = r.query("*IDN?", Duration.ofSeconds(2));
                long queryMs = (System.nanoTime() - q0) / 1_000_000;
                boolean brokerDrops = broker.log().contains("dropped for client never-reads")
                        || broker.log().contains("being dropped for client never-reads");
                System.out.printf("a subscriber that never reads, 3 s of a stream without minInterval: %d frames, %d values"
                        + " published, %d coalesced; heap %+d KiB; a query answered in %d ms; mosquitto says it drops"
                        + " for that client: %s%n", gw.streamFrames() - f0, gw.valuesPublished() - v0,
                        gw.valuesCoalesced() - c0, grown / 1024, queryMs, brokerDrops);
                assertThat(idn).startsWith("LABWIRE");
                assertThat(grown).isLessThan(16L << 20);
            }
        }
    }
}
