package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Connection#pollTransmit(ByteBuffer)}: bytes copied into the driver's buffer, split when it is small. */
class TransmitIntoBufferTest {
    private static final long T0 = 3_000_000_000L;
    private static final ConnectionConfig PIPELINED = ConnectionConfig.builder().maxInFlight(8)
            .pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build(); // slots, not windows, are tested here

    private static Connection ready(ConnectionConfig cfg) {
        Connection c = new Connection(cfg);
        c.open(T0);
        c.linkUp(T0);
        events(c);
        return c;
    }

    private static List<Event> events(Connection c) {
        List<Event> out = new ArrayList<>();
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            out.add(e);
        }
        return out;
    }

    /** One call into a fresh buffer of {@code size} bytes; what it copied, as text. */
    private static String poll(LinkMachine m, int size) {
        ByteBuffer dst = ByteBuffer.allocate(size);
        int n = m.pollTransmit(dst);
        assertThat(dst.position()).as("the return value is the bytes copied").isEqualTo(n);
        return new String(dst.array(), 0, n, ISO_8859_1);
    }

    private static String text(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, ISO_8859_1);
    }

    @Test
    void packsWholeRequestsInSendOrderAndLeavesTheRestOfTheBufferAlone() {
        Connection c = ready(PIPELINED);
        c.send(Request.query("*IDN?"), T0);
        c.send(Request.write("VOLT 5"), T0);
        c.send(Request.query("MEAS?"), T0);
        ByteBuffer dst = ByteBuffer.allocateDirect(64);
        dst.put((byte) 'x').limit(40);
        assertThat(c.pollTransmit(dst)).isEqualTo(6 + 7 + 6);
        assertThat(dst.position()).isEqualTo(1 + 19);
        assertThat(dst.limit()).isEqualTo(40);
        dst.flip();
        assertThat(text(dst)).isEqualTo("x*IDN?\nVOLT 5\nMEAS?\n");
        assertThat(c.pollTransmit(ByteBuffer.allocate(64))).as("nothing more now").isZero();
        assertThat(c.inFlightCount()).isEqualTo(2);
        assertThat(c.queuedCount()).isZero();
    }

    @Test
    void aHeapSliceGetsItsBytesAtItsOwnOffsetAndNothingOutsideItsLimitChanges() {
        // heap buffers are copied into through their array (arrayOffset + position): a slice shows whether both count
        Connection c = ready(ConnectionConfig.builder().maxInFlight(8).writeTerminator("\r\n")
                .pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build());
        c.send(Request.query("*IDN?"), T0);
        c.send(Request.query("MEAS?"), T0);
        byte[] backing = new byte[32];
        java.util.Arrays.fill(backing, (byte) '.');
        ByteBuffer dst = ByteBuffer.wrap(backing, 5, 20).slice(); // arrayOffset 5
        dst.position(2).limit(12); // room for 10: "*IDN?\r\n" and "MEA"
        assertThat(dst.arrayOffset()).isEqualTo(5);
        assertThat(c.pollTransmit(dst)).isEqualTo(10);
        assertThat(dst.position()).isEqualTo(12);
        assertThat(new String(backing, ISO_8859_1)).isEqualTo(".......*IDN?\r\nMEA...............");
        dst.clear().position(0).limit(1); // the rest of MEAS? one byte at a time, the terminator's two split too
        StringBuilder rest = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            assertThat(c.pollTransmit(dst.clear().limit(1))).isEqualTo(1);
            rest.append((char) backing[5]);
        }
        assertThat(rest).hasToString("S?\r\n");
        assertThat(c.pollTransmit(dst.clear())).isZero();
        assertThat(backing[4]).as("before the slice").isEqualTo((byte) '.');
        assertThat(backing[25]).as("after the slice").isEqualTo((byte) '.');
    }

    @Test
    void aRequestThatDoesNotFitIsSplitAndCountsAsWrittenFromItsFirstByte() {
        Connection c = ready(PIPELINED);
        long idn = c.send(Request.query("*IDN?"), T0);
        c.send(Request.query("MEAS?"), T0);
        assertThat(poll(c, 4)).isEqualTo("*IDN");
        assertThat(c.inFlightCount()).as("written from its first byte").isEqualTo(1);
        assertThat(c.queuedCount()).isEqualTo(1);
        assertThat(poll(c, 3)).as("the rest first, then the next request").isEqualTo("?\nM");
        assertThat(poll(c, 100)).isEqualTo("EAS?\n");
        c.receive(ByteBuffer.wrap("ACME\n".getBytes(ISO_8859_1)), T0);
        assertThat(events(c)).singleElement().isInstanceOfSatisfying(Event.Reply.class, r -> {
            assertThat(r.id()).isEqualTo(idn);
            assertThat(r.text()).isEqualTo("ACME");
        });
    }

    @Test
    void theTwoVerbsMixWithoutLosingOrReorderingBytes() {
        Connection c = ready(PIPELINED.toBuilder().writeTerminator("\r\n").build());
        c.send(Request.query("*IDN?"), T0);
        c.send(Request.query("MEAS?"), T0);
        assertThat(poll(c, 6)).isEqualTo("*IDN?\r");
        assertThat(text(c.pollTransmit())).as("only the rest of the split request").isEqualTo("\n");
        assertThat(text(c.pollTransmit())).isEqualTo("MEAS?\r\n");
        assertThat(c.pollTransmit()).isNull();
    }

    @Test
    void aWriteEndsWhenItsFirstByteIsHandedOutAsWithTheBufferVerb() {
        Connection c = ready(PIPELINED);
        long id = c.send(Request.write("VOLT 5"), T0);
        assertThat(poll(c, 2)).isEqualTo("VO");
        assertThat(events(c)).containsExactly(new Event.Reply(id, Request.write("VOLT 5"), List.of()));
        assertThat(poll(c, 100)).as("its bytes still go out whole").isEqualTo("LT 5\n");
    }

    @Test
    void noMoreThanMaxInFlightQueriesGoOutWhateverTheRoom() {
        Connection c = ready(PIPELINED.toBuilder().maxInFlight(2).build());
        for (int i = 0; i < 3; i++) {
            c.send(Request.query("Q" + i + "?"), T0);
        }
        assertThat(poll(c, 100)).isEqualTo("Q0?\nQ1?\n");
        c.receive(ByteBuffer.wrap("a\n".getBytes(ISO_8859_1)), T0);
        assertThat(poll(c, 100)).isEqualTo("Q2?\n");
    }

    @Test
    void aBufferWithoutRoomOrALinkThatIsNotUpTakesNothing() {
        Connection c = ready(PIPELINED);
        c.send(Request.query("*IDN?"), T0);
        assertThat(c.pollTransmit(ByteBuffer.allocate(0))).isZero();
        assertThat(c.queuedCount()).as("nothing taken").isEqualTo(1);
        Connection down = new Connection(PIPELINED);
        down.open(T0);
        down.send(Request.query("*IDN?"), T0);
        assertThat(down.pollTransmit(ByteBuffer.allocate(64))).isZero();
        assertThat(down.queuedCount()).isEqualTo(1);
    }

    @Test
    void aReadOnlyOrNullBufferIsRefusedBeforeAnythingChanges() {
        Connection c = ready(PIPELINED);
        c.send(Request.query("*IDN?"), T0);
        assertThatThrownBy(() -> c.pollTransmit(ByteBuffer.allocate(64).asReadOnlyBuffer()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
        assertThatThrownBy(() -> c.pollTransmit((ByteBuffer) null)).isInstanceOf(NullPointerException.class);
        assertThat(c.queuedCount()).isEqualTo(1);
        assertThat(poll(c, 64)).isEqualTo("*IDN?\n");
    }

    @Test
    void theRestOfASplitRequestIsDroppedWithTheLinkAndAResendableRequestGoesOutWholeOnTheNext() {
        Connection c = ready(ConnectionConfig.builder().backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2, 0))
                .jitter(() -> JitterSource.fixed(0.5)).build());
        long id = c.send(Request.query("MEAS:VOLT?").withResend(Request.Resend.ON_RECONNECT), T0);
        assertThat(poll(c, 4)).isEqualTo("MEAS");
        c.linkDown(new IllegalStateException("cable pulled"), T0);
        assertThat(poll(c, 64)).as("no link, no bytes").isEmpty();
        long reconnect = c.pollTimeoutNanos();
        c.handleTimeout(reconnect);
        c.linkUp(reconnect);
        assertThat(poll(c, 64)).as("resent from its first byte").isEqualTo("MEAS:VOLT?\n");
        c.receive(ByteBuffer.wrap("1.5\n".getBytes(ISO_8859_1)), T0);
        assertThat(events(c)).filteredOn(e -> e instanceof Event.Reply).singleElement()
                .isInstanceOfSatisfying(Event.Reply.class, r -> assertThat(r.id()).isEqualTo(id));
    }

    @Test
    void aSplitRequestThatTimesOutStillGoesOutWholeSoTheDeviceNeverSeesHalfACommand() {
        Connection c = ready(ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(100))
                .staleReplyPolicy(StaleReplyPolicy.discardLateReply(Duration.ofSeconds(1))).build());
        long id = c.send(Request.query("MEAS?"), T0);
        assertThat(poll(c, 2)).isEqualTo("ME");
        c.handleTimeout(T0 + Duration.ofMillis(100).toNanos());
        assertThat(events(c)).containsExactly(new Event.Timeout(id, Request.query("MEAS?"), true));
        assertThat(poll(c, 64)).isEqualTo("AS?\n");
        c.receive(ByteBuffer.wrap("late\n".getBytes(ISO_8859_1)), T0);
        assertThat(events(c)).singleElement().isInstanceOfSatisfying(Event.Discarded.class,
                d -> assertThat(d.reason()).isEqualTo(Event.DiscardReason.LATE_REPLY));
    }

    @Test
    void withEchoCheckingTheWholeSplitRequestIsTheEchoAwaited() {
        Connection c = ready(ConnectionConfig.builder().echo(ConnectionConfig.Echo.CHECK_AND_DROP).build());
        long id = c.send(Request.write("VOLT 5"), T0);
        assertThat(poll(c, 3)).isEqualTo("VOL");
        assertThat(events(c)).as("a write ends with its echo").isEmpty();
        assertThat(poll(c, 64)).isEqualTo("T 5\n");
        c.receive(ByteBuffer.wrap("VOLT".getBytes(ISO_8859_1)), T0);
        assertThat(events(c)).isEmpty();
        c.receive(ByteBuffer.wrap(" 5\n".getBytes(ISO_8859_1)), T0);
        assertThat(events(c)).containsExactly(new Event.Reply(id, Request.write("VOLT 5"), List.of()));
    }

    @Test
    void nothingGoesOutWhileACloseIsPending() {
        Connection c = ready(ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(100))
                .staleReplyPolicy(StaleReplyPolicy.reconnect()).build());
        c.send(Request.query("MEAS?"), T0);
        c.send(Request.query("NEXT?"), T0);
        assertThat(poll(c, 2)).isEqualTo("ME");
        c.handleTimeout(T0 + Duration.ofMillis(100).toNanos());
        assertThat(events(c)).anyMatch(e -> e instanceof Event.CloseLink);
        assertThat(poll(c, 64)).isEmpty();
    }
}
