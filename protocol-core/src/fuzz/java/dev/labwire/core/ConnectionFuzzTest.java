package dev.labwire.core;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer target over the request-reply connection: fuzzer-chosen requests, bytes and clock steps. Nothing but
 * declared behaviour (no exception escapes), the receive buffer stays within its bound, and once every deadline
 * passed each request ended exactly once. Run: {@code mvn -Pfuzz -pl protocol-core test}.
 */
class ConnectionFuzzTest {
    private static final long T0 = 5_000_000_000L;
    private static final int MAX = 64;
    private static final Expect[] KINDS = {Expect.line(), Expect.lines(2), Expect.linesUntil("."), Expect.block(),
            Expect.bytes(3), Expect.nothing()};

    @FuzzTest(maxDuration = "60s")
    void theConnectionKeepsItsPromisesWhateverArrives(FuzzedDataProvider data) {
        ConnectionConfig cfg = ConnectionConfig.builder().maxFrameLength(MAX).maxInFlight(data.consumeInt(1, 4))
                .defaultTimeout(Duration.ofMillis(data.consumeInt(50, 300))).build();
        Connection c = new Connection(cfg);
        List<Event> events = new ArrayList<>();
        long now = T0;
        c.open(now);
        c.linkUp(now);
        drain(c, events);
        List<Long> ids = new ArrayList<>();
        while (data.remainingBytes() > 0) {
            if (data.consumeBoolean()) {
                ids.add(c.send(Request.of("Q?", KINDS[data.consumeInt(0, KINDS.length - 1)]), now));
            }
            c.receive(ByteBuffer.wrap(data.consumeBytes(data.consumeInt(0, 200))), now);
            if (c.bufferedBytes() > MAX + Connection.CHUNK) {
                throw new AssertionError("buffer above its bound: " + c.bufferedBytes());
            }
            now += data.consumeInt(0, 50) * 1_000_000L;
            c.handleTimeout(now);
            drain(c, events);
            if (c.state() == State.DOWN) {
                c.handleTimeout(c.pollTimeout().orElse(now));
            }
            if (c.state() == State.CONNECTING) {
                c.linkUp(now);
            }
            drain(c, events);
            if (events.removeIf(e -> e instanceof Event.CloseLink)) {
                c.linkDown(new IllegalStateException("closed on order"), now);
                drain(c, events);
            }
        }
        now += Duration.ofSeconds(5).toNanos();
        c.handleTimeout(now);
        drain(c, events);
        for (long id : ids) {
            long endings = events.stream().filter(e -> e instanceof Event.Reply r && r.id() == id
                    || e instanceof Event.Timeout t && t.id() == id || e instanceof Event.Failed f && f.id() == id).count();
            if (endings != 1) {
                throw new AssertionError("request #" + id + " ended " + endings + " times");
            }
        }
    }

    private static void drain(Connection c, List<Event> sink) {
        while (c.pollTransmit() != null) {
            // the bytes would go to the wire
        }
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            sink.add(e);
        }
    }
}
