package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.State;
import dev.labwire.core.bus.Addressing;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.mock.PyserialRfc2217;
import dev.labwire.mock.Ser2net;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Netty client through a real RFC 2217 terminal server: Debian's ser2net serving one end of a socat pty pair, a
 * MockInstrument on the other end (the cases of the blocking client's Rfc2217Ser2netTest).
 */
class Rfc2217Ser2netTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private MockInstrument mock;
    private Ser2net ts;
    private final List<NettyClient> clients = new ArrayList<>();
    private final List<NettyBus> buses = new ArrayList<>();

    @BeforeEach
    void start() {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        assumeTrue(Ser2net.available(), "ser2net is not installed (apt-get install -y ser2net)");
        mock = MockInstrument.pty();
        mock.responder(cmd -> switch (cmd) {
            case "*IDN?" -> MockReply.line("LABWIRE,MOCK,0,1");
            case "BIN\u00ff?" -> MockReply.bytes(new byte[] {'A', (byte) 0xFF, 'B', '\n'});
            case "ALL?" -> MockReply.block(all256());
            default -> null;
        });
    }

    @AfterEach
    void stop() throws Exception {
        for (NettyClient c : clients) {
            c.close().get(10, TimeUnit.SECONDS);
        }
        for (NettyBus b : buses) {
            b.close().get(10, TimeUnit.SECONDS);
        }
        if (ts != null) {
            ts.close();
        }
        if (mock != null) {
            mock.close();
        }
    }

    static byte[] all256() {
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ConnectionConfig config() {
        return ConnectionConfig.builder().backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.2))
                .defaultTimeout(Duration.ofSeconds(3)).build();
    }

    private NettyClient client(String endpoint, List<State> states) throws Exception {
        NettyClient c = NettyClient.builder(endpoint).config(config()).listener((s, cause) -> states.add(s)).build();
        clients.add(c);
        return await(c.ready(WAIT));
    }

    @Test
    void theSettingsReachThePortAndA255ByteSurvivesBothWays() throws Exception {
        ts = Ser2net.rfc2217(mock.devicePath());
        NettyClient c = client(ts.endpoint() + "?baud=19200&stop=2&flow=rtscts", new CopyOnWriteArrayList<>());
        // Linux ptys keep CS8 and no parity whatever is asked, so only these can be seen on the pty
        assertThat(Ser2net.stty(mock.devicePath())).contains("speed 19200 baud").contains(" cstopb").contains(" crtscts");
        assertThat(await(c.query("*IDN?"))).isEqualTo("LABWIRE,MOCK,0,1");
        assertThat(await(c.query("BIN\u00ff?"))).isEqualTo("A\u00ffB");
        assertThat(mock.commands()).contains("BIN\u00ff?");
        assertThat(await(c.queryBlock("ALL?"))).containsExactly(all256());
    }

    @Test
    void aTerminalServerRestartReconnectsAndSendsTheSettingsAgain() throws Exception {
        ts = Ser2net.rfc2217(mock.devicePath());
        List<State> states = new CopyOnWriteArrayList<>();
        NettyClient c = client(ts.endpoint() + "?baud=57600", states);
        assertThat(Ser2net.stty(mock.devicePath())).contains("speed 57600 baud");
        ts.stop();
        Await.until(WAIT, () -> states.contains(State.DOWN), "the client sees the terminal server go away");
        // someone else leaves the port at 4800: only settings sent again on the new link can bring 57600 back
        assertThat(new ProcessBuilder("stty", "-F", mock.devicePath().toString(), "4800").inheritIO().start().waitFor())
                .isZero();
        ts.start();
        await(c.ready(WAIT));
        assertThat(await(c.query("*IDN?", WAIT))).isEqualTo("LABWIRE,MOCK,0,1");
        assertThat(Ser2net.stty(mock.devicePath())).contains("speed 57600 baud");
        assertThat(states.stream().filter(s -> s == State.READY).count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aBusRunsOverRfc2217() throws Exception {
        mock.busDevice("A").responder(cmd -> cmd.equals("FLOW?") ? MockReply.line("+A 1.5") : null);
        ts = Ser2net.rfc2217(mock.devicePath());
        BusConfig cfg = BusConfig.builder().addressing(Addressing.asciiPrefix()).turnaround(Duration.ofMillis(1))
                .connection(config()).build();
        NettyBus bus = NettyBus.open(ts.endpoint() + "?baud=115200", cfg);
        buses.add(bus);
        await(bus.ready(WAIT));
        assertThat(await(bus.device("A").query("FLOW?"))).isEqualTo("+A 1.5");
        assertThat(Ser2net.stty(mock.devicePath())).contains("speed 115200 baud");
    }

    @Test
    void aRawSer2netPortWorksAsTcpAndRefusesRfc2217Clearly() throws Exception {
        ts = Ser2net.raw(mock.devicePath());
        NettyClient c = client(ts.endpoint(), new CopyOnWriteArrayList<>());
        assertThat(await(c.query("*IDN?"))).isEqualTo("LABWIRE,MOCK,0,1");
        c.close().get(10, TimeUnit.SECONDS);
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        NettyClient r = NettyClient.builder("rfc2217://127.0.0.1:" + ts.port()).config(config())
                .listener((s, cause) -> {
                    if (cause != null) {
                        causes.add(cause);
                    }
                }).build();
        clients.add(r);
        Await.until(WAIT, () -> causes.stream().anyMatch(t -> String.valueOf(t.getMessage()).contains("COM-PORT-OPTION")),
                () -> "a failure naming COM-PORT-OPTION; got " + causes);
        assertThat(r.state()).isNotEqualTo(State.READY);
    }

    /** A second, independent server: pyserial's PortManager answers every setting, DTR and RTS included. */
    @Test
    void pyserialsRfc2217ServerSetsThePortToo() throws Exception {
        assumeTrue(PyserialRfc2217.available(), "python3-serial is not installed");
        try (PyserialRfc2217 py = PyserialRfc2217.start(mock.devicePath())) {
            long start = System.nanoTime();
            NettyClient c = client(py.endpoint() + "?baud=4800&stop=2", new CopyOnWriteArrayList<>());
            assertThat(Ser2net.stty(mock.devicePath())).contains("speed 4800 baud").contains(" cstopb");
            assertThat(await(c.query("*IDN?"))).isEqualTo("LABWIRE,MOCK,0,1");
            assertThat(await(c.query("BIN\u00ff?"))).isEqualTo("A\u00ffB");
            assertThat(await(c.queryBlock("ALL?"))).containsExactly(all256());
            assertThat(System.nanoTime() - start).as("every setting answered: no deadline wait").isLessThan(900_000_000L);
        }
    }
}
