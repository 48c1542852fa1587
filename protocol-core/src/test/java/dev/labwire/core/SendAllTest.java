package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Connection#sendAll}: a batch is queued whole, with consecutive ids, or refused whole (a bad payload anywhere
 * in it, no room in the queue for all of it, a closed connection), and then nothing of it is ever written.
 */
class SendAllTest {
    private static final long T0 = 5_000_000_000L;

    private static ConnectionConfig.Builder piped() {
        return ConnectionConfig.builder().maxInFlight(8).pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED);
    }

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

    private static long idOf(Event e) {
        if (e instanceof Event.Reply r) {
            return r.id();
        }
        if (e instanceof Event.Timeout t) {
            return t.id();
        }
        if (e instanceof Event.Failed f) {
            return f.id();
        }
        throw new AssertionError("not a request's ending: " + e);
    }

    private static String written(Connection c) {
        ByteBuffer dst = ByteBuffer.allocate(4096);
        int n = c.pollTransmit(dst);
        return new String(dst.array(), 0, n, ISO_8859_1);
    }

    @Test
    void aBatchGetsConsecutiveIdsAndEachReplyEndsItsOwnRequest() {
        Connection c = ready(piped().build());
        long before = c.send(Request.query("A?"), T0);
        Request[] batch = {Request.query("B?"), Request.write("C 1"), Request.query("D?")};
        long first = c.sendAll(batch, T0);
        assertThat(first).isEqualTo(before + 1);
        assertThat(written(c)).isEqualTo("A?\nB?\nC 1\nD?\n");
        c.receive(ByteBuffer.wrap("a\nb\nd\n".getBytes(ISO_8859_1)), T0);
        List<Event> ends = events(c);
        // the write ends once written, the queries with their replies, each its own
        assertThat(ends).extracting(SendAllTest::idOf).containsExactly(first + 1, before, first, first + 2);
        assertThat(((Event.Reply) ends.get(0)).frames()).as("a write ends with no frame").isEmpty();
        assertThat(((Event.Reply) ends.get(1)).text()).isEqualTo("a");
        assertThat(((Event.Reply) ends.get(2)).text()).isEqualTo("b");
        assertThat(((Event.Reply) ends.get(3)).text()).isEqualTo("d");
    }

    @Test
    void aBadPayloadAnywhereRefusesTheWholeBatchAndNothingOfItIsWritten() {
        Connection c = ready(piped().build());
        Request[] batch = {Request.query("A?"), Request.write("VOLT 1\nVOLT 2"), Request.query("B?")};
        assertThatThrownBy(() -> c.sendAll(batch, T0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("VOLT 1").hasMessageContaining("terminator");
        assertThat(c.queuedCount()).isZero();
        assertThat(written(c)).isEmpty();
        assertThat(events(c)).isEmpty();
        long next = c.send(Request.query("Z?"), T0);
        assertThat(written(c)).isEqualTo("Z?\n");
        c.receive(ByteBuffer.wrap("z\n".getBytes(ISO_8859_1)), T0);
        assertThat(events(c)).singleElement().satisfies(e -> {
            assertThat(idOf(e)).isEqualTo(next);
            assertThat(((Event.Reply) e).text()).isEqualTo("z");
        });
        assertThatThrownBy(() -> c.sendAll(new Request[] {Request.query("A?"), null}, T0))
                .isInstanceOf(NullPointerException.class);
        assertThat(c.queuedCount()).isZero();
    }

    @Test
    void aBatchTheQueueHasNoRoomForIsRefusedWholeNamingTheRoomLeft() {
        Connection c = new Connection(piped().maxQueued(4).build()); // not open: everything stays queued
        c.send(Request.query("A?"), T0);
        c.send(Request.query("B?"), T0);
        Request[] three = {Request.query("C?"), Request.query("D?"), Request.query("E?")};
        assertThatThrownBy(() -> c.sendAll(three, T0)).isInstanceOf(LocalProtocolException.class)
                .hasMessageContaining("room for 2 of a batch of 3").hasMessageContaining("none of them is sent");
        assertThat(c.queuedCount()).isEqualTo(2);
        assertThat(c.sendAll(new Request[] {Request.query("C?"), Request.query("D?")}, T0)).isEqualTo(3);
        assertThat(c.queuedCount()).isEqualTo(4);
        assertThatThrownBy(() -> c.send(Request.query("F?"), T0)).isInstanceOf(LocalProtocolException.class)
                .hasMessageContaining("queue is full");
    }

    @Test
    void anEmptyBatchQueuesNothingAndAClosedConnectionRefusesABatch() {
        Connection c = ready(piped().build());
        assertThat(c.sendAll(new Request[0], T0)).isEqualTo(-1);
        assertThat(c.queuedCount()).isZero();
        c.close(T0);
        assertThatThrownBy(() -> c.sendAll(new Request[] {Request.query("A?")}, T0))
                .isInstanceOf(LocalProtocolException.class).hasMessageContaining("closed");
    }

    @Test
    void anOperationInABatchGoesOutAsItsRawCommand() {
        Connection c = ready(piped().build());
        long first = c.sendAll(new Request[] {Request.query("A?"), Request.operation(Operation.READ_STATUS_BYTE)}, T0);
        assertThat(written(c)).isEqualTo("A?\n*STB?\n");
        c.receive(ByteBuffer.wrap("a\n16\n".getBytes(ISO_8859_1)), T0);
        assertThat(events(c)).extracting(SendAllTest::idOf).containsExactly(first, first + 1);
    }

    /** A machine that does not override {@code sendAll}: every other call goes to {@code c}. */
    private static SessionMachine withDefaultSendAll(Connection c) {
        return (SessionMachine) java.lang.reflect.Proxy.newProxyInstance(SessionMachine.class.getClassLoader(),
                new Class<?>[] {SessionMachine.class}, (proxy, m, args) -> {
                    if (m.getName().equals("sendAll")) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, m, args);
                    }
                    try {
                        return m.invoke(c, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause(); // what the connection threw, as it threw it
                    }
                });
    }

    @Test
    void theDefaultSendAllWithdrawsWhatItAcceptedBeforeARefusal() {
        Connection c = new Connection(piped().build()); // not open: what is accepted stays queued, so it can be withdrawn
        SessionMachine m = withDefaultSendAll(c);
        assertThatThrownBy(() -> m.sendAll(new Request[] {Request.query("A?"), Request.query("B?"), Request.write("C\nD")}, T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("terminator");
        assertThat(c.queuedCount()).as("A? and B? were withdrawn").isZero();
        long first = m.sendAll(new Request[] {Request.query("E?"), Request.query("F?")}, T0);
        assertThat(c.queuedCount()).isEqualTo(2);
        assertThat(m.sendAll(new Request[0], T0)).isEqualTo(-1);
        c.open(T0);
        c.linkUp(T0);
        assertThat(written(c)).isEqualTo("E?\nF?\n");
        c.receive(ByteBuffer.wrap("e\nf\n".getBytes(ISO_8859_1)), T0);
        assertThat(events(c)).filteredOn(e -> e instanceof Event.Reply).extracting(SendAllTest::idOf)
                .containsExactly(first, first + 1);
    }
}
