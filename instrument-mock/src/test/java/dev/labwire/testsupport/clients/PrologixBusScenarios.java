package dev.labwire.testsupport.clients;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.Backoff;
import dev.labwire.core.Expect;
import dev.labwire.core.Operation;
import dev.labwire.core.Request;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.core.State;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.bus.Prologix;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockPrologix;
import dev.labwire.mock.MockReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bus on a Prologix adapter ({@link MockPrologix}: no real adapter runs here): as a GPIB-ETHERNET on loopback TCP
 * and as a GPIB-USB on a socat pty pair. Several GPIB addresses on one adapter, writes, queries, binary data both
 * ways, serial polls, a silent and a late device, and a restarted adapter. Each client module runs these through its
 * {@link Clients}, one call at a time.
 */
@Timeout(60)
public abstract class PrologixBusScenarios extends ClientScenarios {
    protected static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration READ_TMO = Duration.ofMillis(200);

    /** The adapter of the running test, made by {@link #bus}. */
    protected MockPrologix adapter;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final AtomicInteger downs = new AtomicInteger();
    private final AtomicReference<Duration> meterDelay = new AtomicReference<>(Duration.ZERO);

    protected PrologixBusScenarios(Clients clients) {
        super(clients);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (adapter != null) {
            adapter.close();
        }
    }

    /**
     * A READY bus on a new adapter ("tcp" or "pty") with a DMM at 5 ("*IDN?"), a supply at 7 ("VOLT x", "VOLT?"), a
     * meter at 8 ("MEAS?"), an echo at 9 ("ECHO data") and a slow meter at 6 whose first reading is late; the
     * adapter has taken the setup.
     */
    protected TestBus bus(String kind) {
        if (kind.equals("pty")) {
            assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
            adapter = MockPrologix.pty();
        } else {
            adapter = MockPrologix.tcp();
        }
        AtomicReference<String> volt = new AtomicReference<>("0");
        AtomicInteger meas = new AtomicInteger();
        adapter.instrument(5, c -> c.equals("*IDN?") ? MockReply.line("ACME,DMM,5") : null)
                .instrument(7, c -> {
                    if (c.startsWith("VOLT ")) {
                        volt.set(c.substring(5));
                        return null;
                    }
                    return c.equals("VOLT?") ? MockReply.line(volt.get()) : null;
                })
                .instrument(8, c -> c.equals("MEAS?") ? MockReply.line("+3.14159E+00").delay(meterDelay.get()) : null)
                .instrument(9, c -> c.startsWith("ECHO ") ? MockReply.bytes(c.substring(5).getBytes(ISO_8859_1)) : null)
                .instrument(6, c -> {   // a slow meter: its first reading comes after the adapter gave up reading
                    int n = meas.incrementAndGet();
                    MockReply r = MockReply.line("reading-" + n);
                    return n == 1 ? r.delay(Duration.ofMillis(600)) : r;
                });
        BusConfig cfg = Prologix.config(READ_TMO, "\n");
        cfg = cfg.toBuilder().connection(cfg.connection().toBuilder()
                .backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), 2, 0.2)).build()).build();
        TestBus b = clients().openBus(adapter.endpoint(), cfg, (state, cause) -> {
            if (state == State.DOWN) {
                downs.incrementAndGet();
            }
        });
        open.add(b);
        b.awaitReady(WAIT);
        Await.until(WAIT, () -> adapter.log().size() >= 5, () -> "the adapter took the setup: " + adapter.log());
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "pty"})
    public void severalAddressesWritesQueriesAndStatusBytes(String kind) {
        TestBus bus = bus(kind);
        TestBus.Device dmm = bus.device(5);
        TestBus.Device psu = bus.device(Prologix.address(7).number());
        assertThat(dmm.query("*IDN?")).isEqualTo("ACME,DMM,5");
        psu.write("VOLT 1E+1");
        assertThat(psu.query("VOLT?")).isEqualTo("1E+1");
        assertThat(dmm.query("*IDN?")).isEqualTo("ACME,DMM,5");
        pollTriggerAndClear(psu);
        assertThat(adapter.log()).filteredOn(l -> l.startsWith("++addr"))
                .containsExactly("++addr 5", "++addr 7", "++addr 5", "++addr 7");
    }

    /**
     * After "VOLT 1E+1" and "VOLT?" to the supply at 7: a serial poll, a trigger and a clear of it, and what the
     * adapter was sent (its setup first, the supply's two commands, ++spoll, ++trg, ++clr).
     */
    protected void pollTriggerAndClear(TestBus.Device psu) {
        adapter.statusByte(7, 0x50);
        assertThat(psu.readStatusByte()).isEqualTo(0x50);
        psu.trigger();
        psu.clear();
        Await.until(WAIT, () -> adapter.triggers(7) == 1 && adapter.clears(7) == 1, "++trg and ++clr at 7");

        assertThat(adapter.log()).startsWith("++mode 1", "++auto 0", "++eoi 1", "++eos 3", "++read_tmo_ms 200");
        assertThat(adapter.received(7)).extracting(b -> new String(b, ISO_8859_1)).containsExactly("VOLT 1E+1\n", "VOLT?\n");
        assertThat(adapter.log()).contains("++spoll 7", "++trg", "++clr");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "pty"})
    public void badInputFailsAtTheCallAndLosesNothing(String kind) {
        TestBus bus = bus(kind);
        int logged = adapter.log().size();
        assertThatThrownBy(() -> bus.device(31).query("*IDN?")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("31").hasMessageContaining("0..30");
        assertThatThrownBy(() -> bus.device("DMM").query("*IDN?")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DMM");
        assertThatThrownBy(() -> bus.device(5).request(Request.operation(Operation.LOCK)))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("lock");
        assertThat(adapter.log()).hasSize(logged);
        assertThat(bus.device(5).query("*IDN?")).isEqualTo("ACME,DMM,5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "pty"})
    public void binaryDataWithCrLfEscAndPlusSurvivesBothWays(String kind) {
        TestBus bus = bus(kind);
        byte[] data = {0, '\r', '\n', 27, '+', '+', (byte) 0xFF, '\r', '\n', 27, 27, '+', 'x'};
        byte[] message = concat("ECHO ".getBytes(ISO_8859_1), data);
        byte[] back = bus.device(9).request(Request.of(message, Expect.bytes(data.length))).frame().toByteArray();
        assertThat(back).containsExactly(data);
        assertThat(adapter.received(9)).singleElement().isEqualTo(concat(message, new byte[] {'\n'}));
        assertThat(bus.device(5).query("*IDN?")).isEqualTo("ACME,DMM,5");   // the stream is in step afterwards
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "pty"})
    public void aSilentAndALateDeviceTimeOutAloneAndTheirAnswersReachNobody(String kind) {
        TestBus bus = bus(kind);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> bus.device(12).query("*IDN?", Duration.ofMillis(400)))
                .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("*IDN?");
        assertThat(System.nanoTime() - t0).as("ends by its deadline").isLessThan(Duration.ofSeconds(3).toNanos());
        assertThat(bus.device(5).query("*IDN?")).isEqualTo("ACME,DMM,5");

        assertThatThrownBy(() -> bus.device(6).query("MEAS?", Duration.ofMillis(400)))
                .isInstanceOf(RequestTimeoutException.class);
        assertThat(bus.device(5).query("*IDN?")).isEqualTo("ACME,DMM,5");
        assertThat(bus.device(6).query("MEAS?")).isEqualTo("reading-2");   // reading-1 was cleared, never delivered
        assertThat(adapter.clears(6)).isEqualTo(1);
        assertThat(bus.device(5).query("*IDN?")).isEqualTo("ACME,DMM,5");
    }

    /**
     * A talker that starts late and breaks off (MockPrologix.breakOff): the call has timed out when "+3.14" comes,
     * and the adapter's read timeout ends the read with no terminator. The call times out, and the next device's
     * caller gets exactly its own reply, never "+3.14ACME,DMM,5"; the meter's next query (after ++clr) gets a whole
     * reading.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tcp", "pty"})
    public void aReplyThatBreaksOffNeverPrefixesTheNextDevicesReply(String kind) {
        TestBus bus = bus(kind);
        adapter.breakOff(8, 5);
        meterDelay.set(Duration.ofMillis(150));   // it starts talking after the call's 100 ms, within the adapter's 200 ms
        assertThatThrownBy(() -> bus.device(8).query("MEAS?", Duration.ofMillis(100)))
                .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("MEAS?");
        assertThat(bus.device(5).query("*IDN?")).isEqualTo("ACME,DMM,5");
        adapter.breakOff(8, 0);
        meterDelay.set(Duration.ZERO);
        assertThat(bus.device(8).query("MEAS?")).isEqualTo("+3.14159E+00");
        assertThat(adapter.clears(8)).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "pty"})
    public void aRestartedAdapterGetsSetupAndAddrAgainBeforeTheFirstCommand(String kind) {
        TestBus bus = bus(kind);
        assertThat(bus.device(5).query("*IDN?")).isEqualTo("ACME,DMM,5");
        int logged = adapter.log().size();
        adapter.restart();
        Await.until(WAIT, () -> downs.get() >= 1 && bus.state() == State.READY, () -> "the bus came back: " + bus);
        assertThat(bus.device(5).query("*IDN?")).isEqualTo("ACME,DMM,5");
        assertThat(adapter.log().subList(logged, adapter.log().size())).containsExactly("++mode 1", "++auto 0", "++eoi 1",
                "++eos 3", "++read_tmo_ms 200", "++addr 5", "5 < *IDN?\n", "++read eoi");
        assertThat(adapter.received(5)).extracting(b -> new String(b, ISO_8859_1)).containsExactly("*IDN?\n", "*IDN?\n");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
