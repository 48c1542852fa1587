package dev.labwire.core.rfc2217;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.Backoff;
import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.JitterSource;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.endpoint.SerialSettings;
import dev.labwire.core.testing.Chunking;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The RFC 2217 link codec around a Connection, with a fake clock and the server's bytes as fixtures. */
class Rfc2217SessionTest {
    private static final long SECOND = 1_000_000_000L;
    private static final ConnectionConfig CONFIG = ConnectionConfig.builder()
            .backoff(new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 2, 0))
            .jitter(() -> JitterSource.fixed(0.5))
            .build();

    /** What the client sends first on every link: WILL/DO BINARY, WILL/DO SGA, WILL COM-PORT-OPTION. */
    static final byte[] OFFER = bytes(255, 251, 0, 255, 253, 0, 255, 251, 3, 255, 253, 3, 255, 251, 44);
    /** What ser2net 4.3 sends when a client connects to a telnet(rfc2217) accepter (recorded). */
    static final byte[] SER2NET_HELLO = bytes(255, 251, 3, 255, 253, 3, 255, 251, 1, 255, 254, 1, 255, 253, 0,
            255, 251, 0, 255, 253, 44);
    /** 9600 8N1 no flow, DTR ON, RTS ON, line state mask, purge both. */
    static final byte[] SETTINGS_9600 = bytes(
            255, 250, 44, 1, 0, 0, 0x25, 0x80, 255, 240,
            255, 250, 44, 2, 8, 255, 240,
            255, 250, 44, 3, 1, 255, 240,
            255, 250, 44, 4, 1, 255, 240,
            255, 250, 44, 5, 1, 255, 240,
            255, 250, 44, 5, 8, 255, 240,
            255, 250, 44, 5, 11, 255, 240,
            255, 250, 44, 10, 0x1E, 255, 240,
            255, 250, 44, 12, 3, 255, 240);
    /** ser2net's answers on a pty: everything but DTR and RTS. */
    static final byte[] ACKS_WITHOUT_DTR_RTS = bytes(
            255, 250, 44, 107, 0, 255, 240,         // NOTIFY-MODEMSTATE 0 (ser2net sends it after WILL 44)
            255, 250, 44, 112, 3, 255, 240,
            255, 250, 44, 101, 0, 0, 0x25, 0x80, 255, 240,
            255, 250, 44, 102, 8, 255, 240,
            255, 250, 44, 103, 1, 255, 240,
            255, 250, 44, 104, 1, 255, 240,
            255, 250, 44, 105, 1, 255, 240,
            255, 250, 44, 110, 0x1E, 255, 240);
    static final byte[] DTR_RTS_ACKS = bytes(255, 250, 44, 105, 8, 255, 240, 255, 250, 44, 105, 11, 255, 240);

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    /** The session and a fake clock. */
    static final class Run {
        final Rfc2217Session s;
        final List<Event> events = new ArrayList<>();
        long now = 5 * SECOND;

        Run(Rfc2217Session s) {
            this.s = s;
        }

        static Run open(SerialSettings settings) {
            Run r = new Run(new Rfc2217Session(new Connection(CONFIG), settings, Rfc2217Options.DEFAULT));
            r.s.open(r.now);
            r.drainEvents();
            assertThat(r.events).anyMatch(e -> e instanceof Event.OpenLink);
            r.s.linkUp(r.now);
            return r;
        }

        byte[] out() {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            for (ByteBuffer b; (b = s.pollTransmit()) != null; ) {
                byte[] a = new byte[b.remaining()];
                b.get(a);
                o.writeBytes(a);
            }
            return o.toByteArray();
        }

        void in(byte[] chunk) {
            s.receive(ByteBuffer.wrap(chunk), now);
            drainEvents();
        }

        void advanceTo(long t) {
            now = t;
            s.handleTimeout(now);
            drainEvents();
        }

        void drainEvents() {
            for (Event e; !((e = s.nextEvent()) instanceof Event.NeedData); ) {
                events.add(e);
            }
        }

        String reply(long id) {
            for (Event e : events) {
                if (e instanceof Event.Reply r && r.id() == id) {
                    return new String(r.frame().toByteArray(), StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }
    }

    @Test
    void negotiatesSetsThePortThenLetsRequestsThroughWithIacEscapedBothWays() {
        Run r = Run.open(SerialSettings.DEFAULT);
        assertThat(r.out()).containsExactly(OFFER);
        long id = r.s.send(Request.query("*IDN?"), r.now);
        r.in(SER2NET_HELLO);
        // DONT ECHO (refused), then the settings; nothing of the query yet
        assertThat(r.out()).containsExactly(concat(bytes(255, 254, 1), SETTINGS_9600));
        assertThat(r.s.state()).isEqualTo(State.CONNECTING);
        r.in(ACKS_WITHOUT_DTR_RTS);
        assertThat(r.s.state()).isEqualTo(State.CONNECTING);
        r.in(DTR_RTS_ACKS);
        assertThat(r.s.state()).isEqualTo(State.READY);
        assertThat(r.out()).containsExactly("*IDN?\n".getBytes(StandardCharsets.US_ASCII));
        r.in(bytes('A', 'C', 255, 255, 'M', 'E', '\n'));
        assertThat(r.reply(id)).isEqualTo("AC\u00ffME");
        assertThat(r.events).contains(new Event.PortState(-1, 0));
        long bin = r.s.send(Request.write("X\u00ffY"), r.now);
        assertThat(r.out()).containsExactly(bytes('X', 255, 255, 'Y', '\n'));
        assertThat(bin).isPositive();
    }

    /** The whole server side, split every way: the same reply and state each time, and nothing lost. */
    @Test
    void theServersBytesAtEverySplit() {
        byte[] server = concat(SER2NET_HELLO, ACKS_WITHOUT_DTR_RTS, DTR_RTS_ACKS,
                bytes(255, 250, 44, 106, 0x10, 255, 240));
        // garbage: NOP, WILL STATUS (refused), a subnegotiation of an option never agreed (ignored)
        byte[] garbage = bytes(255, 241, 255, 251, 5, 255, 250, 5, 1, 255, 240);
        Chunking.assertEveryChunkingAndGarbage(server, garbage, chunks -> {
            Run r = Run.open(SerialSettings.DEFAULT);
            long id = r.s.send(Request.query("Q?"), r.now);
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            for (byte[] c : chunks) {
                r.in(c);
                sent.writeBytes(r.out());
            }
            r.in(bytes('o', 'k', 255, 255, '\r', '\n'));
            List<String> out = new ArrayList<>();
            out.add(String.valueOf(r.s.state()));
            out.add(r.reply(id));
            String wire = new String(sent.toByteArray(), StandardCharsets.ISO_8859_1);
            int at = wire.indexOf("Q?\n");   // once, after the offer, DONT ECHO and the settings, never before them
            out.add("query " + (at >= OFFER.length + 3 + SETTINGS_9600.length && at == wire.lastIndexOf("Q?\n")
                    ? "after the settings" : "at " + at));
            r.events.stream().filter(e -> e instanceof Event.PortState).forEach(e -> out.add(e.toString()));
            return out;
        }, List.of("READY", "ok\u00ff", "query after the settings", "PortState[lineState=-1, modemState=0]",
                "PortState[lineState=16, modemState=0]"));
    }

    @Test
    void aForeverAckTimeoutIsHeldAtTheLatestDeadlineNotAnError() {
        Run r = new Run(new Rfc2217Session(new Connection(CONFIG), SerialSettings.DEFAULT,
                new Rfc2217Options(ChronoUnit.FOREVER.getDuration(), true, true)));
        r.s.open(r.now);
        r.drainEvents();
        r.s.linkUp(r.now);
        assertThat(r.out()).containsExactly(OFFER);
        assertThat(r.s.pollTimeoutNanos()).isEqualTo(Long.MAX_VALUE - 1);
        r.advanceTo(Long.MAX_VALUE - 2);
        assertThat(r.events).noneMatch(e -> e instanceof Event.CloseLink || e instanceof Event.ProtocolError
                || e instanceof Event.StateChanged c && c.state() == State.READY);
    }

    @Test
    void aServerThatNeverAnswersDtrAndRtsGoesUpAtTheDeadlineWithoutComplaint() {
        Run r = Run.open(SerialSettings.DEFAULT);
        r.out();
        r.in(SER2NET_HELLO);
        r.out();
        r.in(ACKS_WITHOUT_DTR_RTS);
        assertThat(r.s.state()).isEqualTo(State.CONNECTING);
        long deadline = r.s.pollTimeoutNanos();
        assertThat(deadline).isEqualTo(r.now + SECOND);
        r.advanceTo(deadline - 1);
        assertThat(r.s.state()).isEqualTo(State.CONNECTING);
        r.advanceTo(deadline);
        assertThat(r.s.state()).isEqualTo(State.READY);
        assertThat(r.events).noneMatch(e -> e instanceof Event.ProtocolError);
    }

    @Test
    void anUnansweredBaudRateGoesUpAtTheDeadlineWithAProtocolErrorNamingIt() {
        Run r = Run.open(SerialSettings.DEFAULT);
        r.in(SER2NET_HELLO);
        r.out();
        r.advanceTo(r.s.pollTimeoutNanos());
        assertThat(r.s.state()).isEqualTo(State.READY);
        assertThat(r.events).filteredOn(e -> e instanceof Event.ProtocolError).singleElement()
                .extracting(e -> ((Event.ProtocolError) e).error().getMessage()).asString()
                .contains("SET-BAUDRATE 9600").contains("1000 ms");
    }

    @Test
    void aRawPortThatNeverNegotiatesFailsTheAttemptAndTheNextLinkNegotiatesAgain() {
        Run r = Run.open(SerialSettings.builder().baudRate(19200).build());
        r.out();
        r.in("garbage from a raw port\r\n".getBytes(StandardCharsets.US_ASCII));
        r.advanceTo(r.s.pollTimeoutNanos());
        assertThat(r.events).filteredOn(e -> e instanceof Event.CloseLink).singleElement().asString()
                .contains("did not accept COM-PORT-OPTION").contains("tcp://");
        assertThat(r.s.state()).isEqualTo(State.DOWN);
        r.s.linkDown(new java.io.IOException("closed as ordered"), r.now);   // the driver obeys CloseLink
        r.events.clear();
        r.advanceTo(r.s.pollTimeoutNanos());                                  // the backoff
        assertThat(r.events).anyMatch(e -> e instanceof Event.OpenLink);
        r.s.linkUp(r.now);
        assertThat(r.out()).containsExactly(OFFER);
        r.in(bytes(255, 253, 44));
        byte[] sent = r.out();
        assertThat(Arrays.copyOfRange(sent, 0, 10)).containsExactly(bytes(255, 250, 44, 1, 0, 0, 0x4B, 0x00, 255, 240));
    }

    @Test
    void aRefusedComPortOptionOrAnotherBaudRateFailsTheAttemptNamingIt() {
        Run r = Run.open(SerialSettings.DEFAULT);
        r.in(bytes(255, 254, 44));
        assertThat(r.events).filteredOn(e -> e instanceof Event.CloseLink).singleElement().asString()
                .contains("refused COM-PORT-OPTION");
        assertThat(r.s.state()).isEqualTo(State.DOWN);

        Run b = Run.open(SerialSettings.DEFAULT);
        b.in(bytes(255, 253, 44));
        b.in(bytes(255, 250, 44, 101, 0, 0, 0x12, 0xC0, 255, 240));
        assertThat(b.events).filteredOn(e -> e instanceof Event.CloseLink).singleElement().asString()
                .contains("SET-BAUDRATE 9600").contains("4800");
        assertThat(b.s.state()).isEqualTo(State.DOWN);
        b.in(bytes('x'));   // late bytes of the failed link go nowhere
        assertThat(b.s.state()).isEqualTo(State.DOWN);
    }

    @Test
    void eofWhileNegotiatingIsAFailedConnectAndTheInnerMachineNeverSawTheLink() {
        Run r = Run.open(SerialSettings.DEFAULT);
        r.in(SER2NET_HELLO);
        r.s.receiveEof(r.now);
        r.s.linkDown(new java.io.IOException("eof"), r.now);
        r.drainEvents();
        assertThat(r.s.state()).isEqualTo(State.DOWN);
        assertThat(r.events).filteredOn(e -> e instanceof Event.StateChanged)
                .extracting(e -> ((Event.StateChanged) e).state()).doesNotContain(State.ON_CONNECT, State.READY);
    }

    /** pollTransmit(dst) with every small dst: the bytes come out whole, in order, escaped exactly once. */
    @Test
    void pollTransmitIntoSmallBuffersKeepsTheContract() {
        byte[] payload = new byte[40];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i % 3 == 0 ? 255 : 'a' + i);
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (byte p : payload) {
            expected.write(p);
            if (p == (byte) 255) {
                expected.write(p);
            }
        }
        expected.write('\n');
        for (int size = 1; size <= 12; size++) {
            Run r = ready();
            r.s.send(Request.write(new String(payload, StandardCharsets.ISO_8859_1)), r.now);
            ByteBuffer dst = ByteBuffer.allocate(size);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            for (int n; (n = r.s.pollTransmit(dst)) > 0; ) {
                assertThat(n).isLessThanOrEqualTo(size);
                got.write(dst.array(), 0, dst.position());
                dst.clear();
                if (got.size() % 7 == 0) {   // mix in the other verb now and then
                    ByteBuffer b = r.s.pollTransmit();
                    if (b != null) {
                        got.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
                    }
                }
            }
            assertThat(got.toByteArray()).as("dst of %d bytes", size).containsExactly(expected.toByteArray());
        }
        assertThatThrownBy(() -> ready().s.pollTransmit(ByteBuffer.allocate(4).asReadOnlyBuffer()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void flowControlSuspendHoldsTheInnerBytesUntilResume() {
        Run r = ready();
        r.in(bytes(255, 250, 44, 108, 255, 240));
        r.s.send(Request.write("HOLD"), r.now);
        assertThat(r.out()).isEmpty();
        r.in(bytes(255, 250, 44, 109, 255, 240));
        assertThat(r.out()).containsExactly("HOLD\n".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aSignatureRequestIsAnsweredAndUnknownOptionsRefused() {
        Run r = ready();
        r.in(bytes(255, 250, 44, 100, 255, 240, 255, 253, 24, 255, 251, 31));
        assertThat(r.out()).containsExactly(concat(bytes(255, 250, 44, 0), "labwire".getBytes(StandardCharsets.US_ASCII),
                bytes(255, 240, 255, 252, 24, 255, 254, 31)));
    }

    @Test
    void aBusRunsInsideItToo() {
        Bus bus = new Bus(BusConfig.builder().connection(CONFIG).build());
        Rfc2217Session s = new Rfc2217Session(bus, SerialSettings.DEFAULT, Rfc2217Options.DEFAULT);
        Run r = new Run(s);
        s.open(r.now);
        r.drainEvents();
        s.linkUp(r.now);
        r.in(concat(bytes(255, 253, 44), ACKS_WITHOUT_DTR_RTS, DTR_RTS_ACKS));
        r.out();
        assertThat(s.state()).isEqualTo(State.READY);
        assertThatThrownBy(() -> s.send(Request.query("X?"), r.now)).isInstanceOf(LocalProtocolException.class)
                .hasMessageContaining("Bus");
        assertThat(s.config()).isSameAs(bus.config().connection());
        assertThat(bus.state()).isEqualTo(State.READY);
        bus.send(Address.of("A"), Request.query("V\u00ff?"), Bus.Priority.NORMAL, r.now);
        assertThat(r.out()).containsExactly(bytes('A', 'V', 255, 255, '?', '\n'));   // address prefix A, 255 doubled

    }

    static Run ready() {
        Run r = Run.open(SerialSettings.DEFAULT);
        r.in(concat(SER2NET_HELLO, ACKS_WITHOUT_DTR_RTS, DTR_RTS_ACKS));
        r.out();
        assertThat(r.s.state()).isEqualTo(State.READY);
        return r;
    }
}
