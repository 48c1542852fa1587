package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.FrameClassifier;
import dev.labwire.core.frame.Frame;
import dev.labwire.testsupport.clients.Await;
import dev.labwire.testsupport.pty.SocatPty;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushed-frame streams against a server that pushes as fast as the socket takes bytes: a slow
 * {@link NettyClient#pushed()} subscriber stops the client reading (the server's send buffer fills up),
 * the client holds a bounded number of frames, nothing is lost; {@link NettyClient#latest()} never stops
 * reading and counts exactly what it skipped.
 */
class BackpressureTest {
    private static final Logger TIMINGS = LoggerFactory.getLogger("dev.labwire.netty.timings");
    private static final int HIGH_WATER = 64;
    /** Every pushed frame is this long with its terminator, so a count of frames is a count of bytes. */
    private static final int FRAME_BYTES = 100;
    /** The most bytes one Netty read hands over (the adaptive allocator's default cap). */
    private static final int MAX_TCP_READ_BYTES = 64 * 1024;
    /** The most bytes the serial reader may have read when it is told to pause: its chunks in transit and one more read. */
    private static final int MAX_SERIAL_READ_BYTES = 5 * 8192;
    /** For moving a few MiB through the subscriber. */
    private static final Duration LONG_WAIT = Duration.ofSeconds(30);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicLong sequence = new AtomicLong();
    private LineServer server;
    private SocatPty pty;
    private NettyClient client;

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) {
            client.close().get(10, TimeUnit.SECONDS);
        }
        if (pty != null) {
            pty.close();
        }
        if (server != null) {
            server.close();
            assertThat(server.errors()).isEmpty();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** "STAT 42 ......\n", exactly FRAME_BYTES long. */
    private String nextFrame() {
        String head = "STAT " + sequence.incrementAndGet() + " ";
        return head + ".".repeat(FRAME_BYTES - 1 - head.length()) + "\n";
    }

    private static long seq(Frame f) {
        String s = f.asString();
        return Long.parseLong(s.substring(5, s.indexOf(' ', 5)));
    }

    /**
     * Starts the server and a client whose every frame is pushed, and makes the server push forever. Over
     * serial the client opens a pty whose other side socat connects to the server.
     */
    private LineServer.Peer startPushing(Flow.Subscriber<?> subscriber, boolean latest, boolean serial) throws Exception {
        server = LineServer.start((peer, line) -> { });
        String endpoint = server.endpoint();
        if (serial) {
            pty = SocatPty.toTcp(server.port());
            endpoint = "serial:" + pty.a() + "?baud=115200";
        }
        client = NettyClient.builder(endpoint)
                .config(Configs.fast().classifier(FrameClassifier.ALL_PUSHED).build())
                .pushedBufferSize(HIGH_WATER).eventLoopGroup(group).build();
        if (latest) {
            @SuppressWarnings("unchecked")
            Flow.Subscriber<LatestFrame> s = (Flow.Subscriber<LatestFrame>) subscriber;
            client.latest().subscribe(s);
        } else {
            @SuppressWarnings("unchecked")
            Flow.Subscriber<Frame> s = (Flow.Subscriber<Frame>) subscriber;
            client.pushed().subscribe(s);
        }
        client.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
        Await.until(Configs.WAIT, () -> server.peers().size() == 1, "the server accepted the client");
        LineServer.Peer peer = server.peers().get(0);
        peer.pushForever(this::nextFrame);
        return peer;
    }

    /** Checks on the fly that frames come in sequence with none missing; requests nothing by itself. */
    static final class InOrder implements Flow.Subscriber<Frame> {
        final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        final AtomicLong received = new AtomicLong();
        final List<String> problems = new CopyOnWriteArrayList<>();
        private long last = -1;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
        }

        @Override
        public void onNext(Frame item) {
            long n = seq(item);
            if (last >= 0 && n != last + 1) {
                problems.add("frame " + n + " after " + last);
            }
            last = n;
            received.incrementAndGet();
        }

        @Override
        public void onError(Throwable t) {
            problems.add("onError " + t);
        }

        @Override
        public void onComplete() {
        }
    }

    @Test
    void aSlowSubscriberStopsReadingTheServerBlocksAndTheClientHoldsABoundedNumberOfFrames() throws Exception {
        slowSubscriber(false, MAX_TCP_READ_BYTES);
    }

    @Test
    void overSerialTheReaderThreadPausesForASlowSubscriber() throws Exception {
        assumeTrue(SocatPty.available(), "socat is not installed (apt-get install -y socat)");
        slowSubscriber(true, MAX_SERIAL_READ_BYTES);
    }

    private void slowSubscriber(boolean serial, int maxReadBytes) throws Exception {
        InOrder sub = new InOrder();
        LineServer.Peer peer = startPushing(sub, false, serial);
        sub.subscription.get().request(10);

        // the server may block for a moment before that, when it simply writes faster than the client reads
        Await.until(Configs.WAIT, () -> paused() && peer.writeBlocked(),
                () -> "the client stops reading and the server's send buffer fills up: " + state(peer));
        assertThat(client.driver().diagnostics().linkReading().get(5, TimeUnit.SECONDS)).as("the channel's auto-read, the serial reader").isFalse();
        assertThat(sub.received).hasValue(10);
        long blockedAt = peer.bytesWritten();
        int held = client.driver().diagnostics().maxPushedBuffered().get(5, TimeUnit.SECONDS);
        int bound = HIGH_WATER + maxReadBytes / FRAME_BYTES + 1;
        TIMINGS.info("backpressure over {}: the server blocked after writing {} KiB; the client held at most {} frames ({} KiB)",
                serial ? "a pty" : "TCP", blockedAt / 1024, held, held * FRAME_BYTES / 1024);
        assertThat(held).as("frames the client held for its slow subscriber").isBetween(HIGH_WATER, bound);
        assertThat(blockedAt).as("the kernel buffers hold far more than the client").isGreaterThan((long) bound * FRAME_BYTES);

        // the subscriber catches up: reading resumes, the server writes again, nothing was lost
        long more = 4 * blockedAt / FRAME_BYTES;
        sub.subscription.get().request(more);
        Await.until(LONG_WAIT, () -> sub.received.get() == 10 + more, "the subscriber gets every frame it asked for");
        assertThat(peer.bytesWritten()).isGreaterThan(blockedAt);
        Await.until(Configs.WAIT, () -> peer.writeBlocked() && paused(), "demand used up: reading stops again");
        assertThat(client.driver().diagnostics().maxPushedBuffered().get(5, TimeUnit.SECONDS)).isLessThanOrEqualTo(bound);
        assertThat(sub.problems).isEmpty();
        assertThat(client.droppedPushed()).isZero();

        sub.subscription.get().cancel(); // no subscriber left to wait for: read (and drop) again
        Await.until(Configs.WAIT, () -> !paused() && linkReading(), "reading resumes after the slow subscriber cancels");
        Await.until(Configs.WAIT, () -> client.droppedPushed() > 0, "unclaimed frames are dropped and counted");
    }

    private String state(LineServer.Peer peer) {
        return "server wrote " + peer.bytesWritten() + " bytes, blocked " + peer.timesBlocked() + " times; client reading paused "
                + paused() + ", link reading " + linkReading() + ", most frames held " + client.driver().diagnostics().maxPushedBuffered().join() + ", server errors " + server.errors();
    }

    private boolean paused() {
        return client.driver().diagnostics().readingPaused().join();
    }

    private boolean linkReading() {
        return client.driver().diagnostics().linkReading().join();
    }

    @Test
    void latestValueModeNeverStopsReadingAndCountsExactlyWhatItSkipped() throws Exception {
        List<LatestFrame> items = new CopyOnWriteArrayList<>();
        AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        startPushing(new Flow.Subscriber<LatestFrame>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription.set(s);
            }

            @Override
            public void onNext(LatestFrame item) {
                items.add(item);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        }, true, false);
        for (int i = 1; i <= 30; i++) {
            subscription.get().request(1);
            int want = i;
            Await.until(Configs.WAIT, () -> items.size() == want, "item " + want);
            assertThat(paused()).isFalse();
        }
        long skipped = 0;
        for (int i = 1; i < items.size(); i++) {
            LatestFrame prev = items.get(i - 1);
            LatestFrame item = items.get(i);
            assertThat(seq(item.frame()) - seq(prev.frame()) - 1).as("frames skipped before item %d", i).isEqualTo(item.dropped());
            assertThat(item.totalDropped()).isEqualTo(prev.totalDropped() + item.dropped());
            skipped += item.dropped();
        }
        assertThat(skipped).as("the subscriber is slower than the server").isPositive();
        assertThat(client.driver().diagnostics().maxPushedBuffered().get(5, TimeUnit.SECONDS)).isZero();
    }
}
