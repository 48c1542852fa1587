package dev.labwire.core.bus;

import static dev.labwire.core.bus.BusRig.bytes;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Operation;
import dev.labwire.core.Request;
import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@link Bus} with {@link Prologix#config()}: the bytes it writes, checked against the Prologix manual's examples
 * (setup, {@code ++addr 5}, {@code ++addr 9 96}, {@code ++spoll 5}, {@code ++read eoi}, the escaped binary example of
 * section 7.1), replies fed at every split, and what happens on timeouts and new links. Fake clock, no sleeps.
 */
class PrologixBusTest {
    private static final String SETUP = "++mode 1\n++auto 0\n++eoi 1\n++eos 3\n++read_tmo_ms 500\n";

    private static PrologixAdapterSim adapter() {
        return new PrologixAdapterSim()
                .text(5, c -> c.equals("*IDN?") ? "ACME,DMM,5" : null)
                .text(7, c -> c.equals("VOLT?") ? "+1.0E+01" : c.equals("*IDN?") ? "ACME,PSU,7" : null)
                .instrument(9, m -> m.length > 0 && m[0] == 'E' ? java.util.Arrays.copyOfRange(m, 1, m.length) : null);
    }

    private static String text(byte[] b) {
        return new String(b, ISO_8859_1);
    }

    @Test
    void writesSetupOnConnectThenAddrOnlyWhenTheDeviceChanges() {
        PrologixAdapterSim sim = adapter();
        BusRig rig = BusRig.open(Prologix.config(), sim);
        long idn5 = rig.send(Prologix.address(5), "*IDN?");
        long idn5again = rig.send(Prologix.address(5), "*IDN?");
        long write7 = rig.send(Prologix.address(7), Request.write("VOLT 1E+1"), Bus.Priority.NORMAL);
        long volt7 = rig.send(Prologix.address(7), "VOLT?");

        assertThat(rig.written()).containsExactly(SETUP,
                "++addr 5\n*IDN?\u001b\n\n++read eoi\n",
                "*IDN?\u001b\n\n++read eoi\n",
                "++addr 7\nVOLT 1E\u001b+1\u001b\n\n",          // a write: no ++read, the instrument is not made to talk
                "VOLT?\u001b\n\n++read eoi\n");
        assertThat(rig.replyText(idn5)).isEqualTo("ACME,DMM,5");
        assertThat(rig.replyText(idn5again)).isEqualTo("ACME,DMM,5");
        assertThat(rig.endingOf(write7)).isInstanceOf(Event.Reply.class);
        assertThat(rig.replyText(volt7)).isEqualTo("+1.0E+01");
        assertThat(sim.received.get(7)).extracting(PrologixBusTest::text).containsExactly("VOLT 1E+1\n", "VOLT?\n");
    }

    /** Manual 7.1: the binary example goes out escaped exactly as the manual shows it, and arrives unescaped. */
    @Test
    void theManualsBinaryExampleIsEscapedAsTheManualShows() {
        PrologixAdapterSim sim = adapter();
        BusRig rig = BusRig.open(Prologix.config(Prologix.DEFAULT_READ_TIMEOUT, ""), sim);
        byte[] data = bytes(0, 1, 2, 13, 3, 10, 4, 27, 5, 43, 6);
        rig.send(Prologix.address(9), Request.of(data, Expect.nothing()), Bus.Priority.NORMAL);
        assertThat(rig.wire.get(1).bytes()).containsExactly(BusRig.concat("++addr 9\n".getBytes(ISO_8859_1),
                bytes(0, 1, 2, 27, 13, 3, 27, 10, 4, 27, 27, 5, 27, 43, 6, '\n')));
        assertThat(sim.received.get(9)).singleElement().isEqualTo(data);
    }

    /** A reply fed whole, byte by byte, at every split and with garbage after it: the same reply. */
    @Test
    void repliesAtEverySplit() {
        byte[] reply = "ACME,DMM,5\r\n".getBytes(ISO_8859_1);
        Chunking.assertEveryChunkingAndGarbage(reply, "\u0000\u00ffjunk\n".getBytes(ISO_8859_1), chunks -> {
            BusRig rig = BusRig.open(Prologix.config(), bytes -> null);
            long id = rig.send(Prologix.address(5), "*IDN?");
            for (byte[] c : chunks) {
                rig.deliver(c);
            }
            List<String> out = new ArrayList<>();
            for (Event e : rig.events) {
                if (e instanceof Event.Reply r && r.id() == id) {
                    out.add(r.text());
                }
            }
            return out;
        }, List.of("ACME,DMM,5"));
    }

    /** Manual: "++spoll 5", answered in decimal; at every split. */
    @Test
    void readStatusByteIsASerialPollAtEverySplit() {
        byte[] answer = "16\r\n".getBytes(ISO_8859_1);
        Chunking.assertEveryChunking(answer, chunks -> {
            BusRig rig = BusRig.open(Prologix.config(), bytes -> null);
            long id = rig.send(Prologix.address(5), Request.operation(Operation.READ_STATUS_BYTE), Bus.Priority.NORMAL);
            assertThat(rig.written()).containsExactly(SETUP, "++addr 5\n++spoll 5\n");
            for (byte[] c : chunks) {
                rig.deliver(c);
            }
            return List.of(Prologix.statusByte(rig.replyBytes(id)));
        }, List.of(16));
    }

    @Test
    void operationsAndSecondaryAddresses() {
        PrologixAdapterSim sim = adapter();
        sim.statusBytes.put(9, 0x50);
        BusRig rig = BusRig.open(Prologix.config(), sim);
        Address nine = Prologix.address(9, 0);
        long stb = rig.send(nine, Request.operation(Operation.READ_STATUS_BYTE), Bus.Priority.NORMAL);
        rig.send(nine, Request.operation(Operation.CLEAR), Bus.Priority.NORMAL);
        rig.send(nine, Request.operation(Operation.TRIGGER), Bus.Priority.NORMAL);
        rig.send(nine, Request.operation(Operation.LOCAL), Bus.Priority.NORMAL);
        assertThat(rig.written()).containsExactly(SETUP, "++addr 9 96\n++spoll 9 96\n", "++clr\n", "++trg\n", "++loc\n");
        assertThat(rig.replyText(stb)).isEqualTo("80");
        for (Operation op : List.of(Operation.REMOTE, Operation.LOCK, Operation.UNLOCK)) {
            assertThatThrownBy(() -> rig.send(nine, Request.operation(op), Bus.Priority.NORMAL))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining(op.shown())
                    .hasMessageContaining("Prologix");
            assertThatThrownBy(() -> rig.bus.check(nine, Request.operation(op))).isInstanceOf(UnsupportedOperationException.class);
        }
        assertThat(rig.wire).hasSize(5);
        assertThat(rig.bus.queuedCount()).isZero();
    }

    @Test
    void badAddressesAreRefusedAtTheCallNamingThem() {
        BusRig rig = BusRig.open(Prologix.config(), adapter());
        assertThatThrownBy(() -> rig.send(Address.of(31), "*IDN?")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("31").hasMessageContaining("0..30");
        assertThatThrownBy(() -> rig.send(Address.of("A"), "*IDN?")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"A\"");
        assertThatThrownBy(() -> rig.send(Address.of("9:31"), "*IDN?")).hasMessageContaining("9:31");
        assertThatThrownBy(() -> rig.bus.check(Address.of("5:"), Request.query("X?"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Prologix.address(31)).hasMessageContaining("31");
        assertThatThrownBy(() -> Prologix.address(1, 31)).hasMessageContaining("secondary");
        assertThatThrownBy(() -> Prologix.config(Duration.ofMillis(3001), "\n")).hasMessageContaining("3000");
        assertThatThrownBy(() -> Prologix.config(Duration.ofMillis(500), "\u20ac")).hasMessageContaining("ISO-8859-1");
        assertThat(rig.wire).hasSize(1);        // the setup only: nothing of the refused calls went out
        assertThat(rig.bus.queuedCount()).isZero();
        long ok = rig.send(Address.of("5"), "*IDN?");   // the text form of a primary address works too
        assertThat(rig.replyText(ok)).isEqualTo("ACME,DMM,5");
    }

    /** Blocks and byte counts pass through: the adapter adds nothing to replies. */
    @Test
    void blockAndByteRepliesPassUnchanged() {
        PrologixAdapterSim sim = new PrologixAdapterSim()
                .instrument(3, m -> text(m).startsWith("CURV?") ? "#15a\nb\r+\n".getBytes(ISO_8859_1) : bytes(1, 10, 13, 27));
        BusRig rig = BusRig.open(Prologix.config(), sim);
        long block = rig.send(Prologix.address(3), Request.of("CURV?", Expect.block()), Bus.Priority.NORMAL);
        long raw = rig.send(Prologix.address(3), Request.of("RAW?", Expect.bytes(4)), Bus.Priority.NORMAL);
        assertThat(rig.replyBytes(block)).containsExactly("a\nb\r+".getBytes(ISO_8859_1));
        assertThat(rig.replyBytes(raw)).containsExactly(bytes(1, 10, 13, 27));
    }

    /**
     * A device that never answers: its call ends by its own timeout; the adapter is still reading for read_tmo_ms, so
     * nothing is written for read_tmo_ms + margin, and what comes meanwhile (its late answer) is discarded, never
     * handed to the next device's call.
     */
    @Test
    void aSilentDeviceTimesOutAndItsLateAnswerNeverReachesTheNextDevice() {
        PrologixAdapterSim sim = adapter();
        BusRig rig = BusRig.open(Prologix.config(), sim);
        rig.hold(true);
        long silent = rig.send(Prologix.address(12), Request.query("MEAS?").withTimeout(Duration.ofMillis(200)), Bus.Priority.NORMAL);
        long next = rig.send(Prologix.address(5), "*IDN?");
        assertThat(rig.written()).hasSize(2);
        rig.advance(Duration.ofMillis(200));
        assertThat(rig.endingOf(silent)).isInstanceOf(Event.Timeout.class);
        long timedOutAt = rig.now();
        rig.advance(Duration.ofMillis(300));
        rig.deliver("+3.14159\n".getBytes(ISO_8859_1));     // the late answer, while the adapter still reads
        assertThat(rig.written()).hasSize(2);
        rig.hold(false);
        rig.advanceThroughTimers(Duration.ofSeconds(1));
        assertThat(rig.wire.get(2).text()).isEqualTo("++addr 5\n*IDN?\u001b\n\n++read eoi\n");   // no ++clr: 5 owes nothing
        assertThat(rig.wire.get(2).atNanos() - timedOutAt)
                .isGreaterThanOrEqualTo(Prologix.DEFAULT_READ_TIMEOUT.plus(Prologix.QUIET_MARGIN).toNanos());
        assertThat(rig.replyText(next)).isEqualTo("ACME,DMM,5");
        assertThat(rig.eventsOf(Event.Discarded.class)).isNotEmpty();
        // the silent device may still hold its answer: its next command clears it first, once
        rig.send(Prologix.address(12), Request.write("INIT"), Bus.Priority.NORMAL);
        rig.send(Prologix.address(12), Request.write("INIT"), Bus.Priority.NORMAL);
        assertThat(rig.written().subList(3, 5)).containsExactly("++addr 12\n++clr\nINIT\u001b\n\n", "INIT\u001b\n\n");
    }

    /**
     * A silent device's answer that breaks off (the adapter's read timed out in the middle of it, so no LF came):
     * the next device's reply must not be read as the rest of it. When the quiet time ends, the unfinished frame is
     * dropped and reported as a discarded late reply, so the next device's caller gets exactly its own reply (before
     * the fix it got "+3.14ACME,DMM,5").
     */
    @Test
    void aBrokenOffLateAnswerNeverPrefixesTheNextDevicesReply() {
        PrologixAdapterSim sim = adapter();
        BusRig rig = BusRig.open(Prologix.config(), sim);
        rig.hold(true);
        long silent = rig.send(Prologix.address(12), Request.query("MEAS?").withTimeout(Duration.ofMillis(200)), Bus.Priority.NORMAL);
        long next = rig.send(Prologix.address(5), "*IDN?");
        rig.advance(Duration.ofMillis(200));
        assertThat(rig.endingOf(silent)).isInstanceOf(Event.Timeout.class);
        rig.advance(Duration.ofMillis(300));
        rig.deliver("+3.14".getBytes(ISO_8859_1));     // half a late answer, no terminator
        rig.hold(false);
        rig.advanceThroughTimers(Duration.ofSeconds(1));
        assertThat(rig.replyText(next)).isEqualTo("ACME,DMM,5");
        assertThat(rig.eventsOf(Event.Discarded.class)).anySatisfy(d -> {
            assertThat(text(d.frame().toByteArray())).isEqualTo("+3.14");
            assertThat(d.reason()).isEqualTo(Event.DiscardReason.LATE_REPLY);
        });
    }

    /** A new link: setup again, and ++addr again before the first command even for the same device. */
    @Test
    void aNewLinkSendsSetupAndAddrAgain() {
        PrologixAdapterSim sim = adapter();
        BusRig rig = BusRig.open(Prologix.config(), sim);
        long first = rig.send(Prologix.address(5), "*IDN?");
        assertThat(rig.replyText(first)).isEqualTo("ACME,DMM,5");
        rig.bus.linkDown(new IllegalStateException("adapter restarted"), rig.now());
        sim.addr = 7; // another client told the adapter another address meanwhile
        rig.advanceThroughTimers(Duration.ofSeconds(5));
        long again = rig.send(Prologix.address(5), "*IDN?");
        assertThat(rig.written()).containsExactly(SETUP, "++addr 5\n*IDN?\u001b\n\n++read eoi\n",
                SETUP, "++addr 5\n*IDN?\u001b\n\n++read eoi\n");
        assertThat(rig.replyText(again)).isEqualTo("ACME,DMM,5");
    }

    /** A command the connection may resend on a new link carries its ++addr, since it does not pass the bus again. */
    @Test
    void aResendableCommandAlwaysCarriesItsAddr() {
        PrologixAdapterSim sim = adapter();
        BusConfig cfg = Prologix.config();
        cfg = cfg.toBuilder().connection(cfg.connection().toBuilder().retryQueriesOnLinkDown(true).build()).build();
        BusRig rig = BusRig.open(cfg, sim);
        rig.send(Prologix.address(5), "*IDN?");
        rig.hold(true);
        long resent = rig.send(Prologix.address(5), "*IDN?");
        assertThat(rig.wire.get(2).text()).isEqualTo("++addr 5\n*IDN?\u001b\n\n++read eoi\n");
        rig.bus.linkDown(new IllegalStateException("dropped"), rig.now());
        rig.takeOutbox();
        sim.addr = 7;
        rig.hold(false);
        rig.advanceThroughTimers(Duration.ofSeconds(5));
        assertThat(rig.written().subList(3, 5)).containsExactly(SETUP, "++addr 5\n*IDN?\u001b\n\n++read eoi\n");
        assertThat(rig.replyText(resent)).isEqualTo("ACME,DMM,5");
    }

    /** The config as documented: what the bus runs on. */
    @Test
    void theConfig() {
        BusConfig c = Prologix.config();
        ConnectionConfig cc = c.connection();
        assertThat(cc.writeTerminator()).isEmpty();
        assertThat(cc.onConnect()).singleElement().extracting(r -> text(r.payload())).isEqualTo(SETUP);
        assertThat(c.lateReplyGrace()).isZero();
        assertThat(c.addressing().toString()).contains("Prologix").contains("500");
        assertThat(c.addressing().quietAfterTimeout(Prologix.address(1))).contains(Duration.ofMillis(600));
        // the other addressings keep their defaults
        assertThat(Addressing.asciiPrefix().select(Address.of("A"))).isEmpty();
        assertThat(Addressing.asciiPrefix().quietAfterTimeout(Address.of("A"))).isEmpty();
        assertThat(Addressing.asciiPrefix().operationReply(Operation.READ_STATUS_BYTE)).isNull();
        assertThatThrownBy(() -> new Bus(BusConfig.DEFAULT).check(Address.of("A"), Request.of("CURV?", Expect.block())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block");
        Bus b = new Bus(c);
        b.check(Prologix.address(2), Request.of("CURV?", Expect.block()));   // no address in replies: blocks are fine
        b.receive(ByteBuffer.allocate(0), 0);
    }
}
