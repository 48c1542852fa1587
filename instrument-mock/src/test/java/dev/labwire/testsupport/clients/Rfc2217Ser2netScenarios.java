package dev.labwire.testsupport.clients;

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
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client through a real RFC 2217 terminal server: Debian's ser2net serving one end of a socat pty pair, a
 * MockInstrument on the other end; {@code stty -F} on the served end shows what the client set. Pyserial's server is
 * a second, independent one. Each client module runs these through its {@link Clients}.
 */
public abstract class Rfc2217Ser2netScenarios extends ClientScenarios {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private MockInstrument mock;
    private Ser2net ts;
    private final List<AutoCloseable> open = new ArrayList<>();

    protected Rfc2217Ser2netScenarios(Clients clients) {
        super(clients);
    }

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
        for (AutoCloseable c : open) {
            c.close();
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

    private static ConnectionConfig config() {
        return ConnectionConfig.builder().backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.2))
                .defaultTimeout(Duration.ofSeconds(3)).build();
    }

    private TestClient client(String endpoint, List<State> states) {
        TestClient c = clients().open(endpoint, config(), (s, cause) -> states.add(s));
        open.add(c);
        return c.awaitReady(WAIT);
    }

    @Test
    public void theSettingsReachThePortAndQueriesGoThrough() {
        ts = Ser2net.rfc2217(mock.devicePath());
        TestClient c = client(ts.endpoint() + "?baud=19200&stop=2&flow=rtscts", new CopyOnWriteArrayList<>());
        // Linux ptys keep CS8 and no parity whatever is asked (pty_set_termios), so data bits and parity cannot be
        // seen here; their bytes on the wire are checked by the core's fixtures (TelnetCodecTest.comPortSetupBytes)
        String stty = Ser2net.stty(mock.devicePath());
        assertThat(stty).contains("speed 19200 baud").contains(" cstopb").contains(" crtscts");
        assertThat(c.query("*IDN?")).isEqualTo("LABWIRE,MOCK,0,1");
        assertThat(c.query("BIN\u00ff?")).isEqualTo("A\u00ffB");
        assertThat(mock.commands()).contains("BIN\u00ff?");
        assertThat(c.queryBlock("ALL?")).containsExactly(all256());
    }

    @Test
    public void a255ByteSurvivesBothWays() {
        ts = Ser2net.rfc2217(mock.devicePath());
        TestClient c = client(ts.endpoint() + "?baud=38400", new CopyOnWriteArrayList<>());
        assertThat(Ser2net.stty(mock.devicePath())).contains("speed 38400 baud").contains(" -cstopb").contains(" -crtscts");
        assertThat(c.query("BIN\u00ff?")).isEqualTo("A\u00ffB");
        assertThat(mock.commands()).contains("BIN\u00ff?");
        assertThat(c.queryBlock("ALL?")).containsExactly(all256());
    }

    @Test
    public void aTerminalServerRestartReconnectsAndSendsTheSettingsAgain() throws Exception {
        ts = Ser2net.rfc2217(mock.devicePath());
        List<State> states = new CopyOnWriteArrayList<>();
        TestClient c = client(ts.endpoint() + "?baud=57600", states);
        assertThat(Ser2net.stty(mock.devicePath())).contains("speed 57600 baud");
        ts.stop();
        Await.until(WAIT, () -> states.contains(State.DOWN), "the client sees the terminal server go away");
        // someone else leaves the port at 4800: only settings sent again on the new link can bring 57600 back
        assertThat(new ProcessBuilder("stty", "-F", mock.devicePath().toString(), "4800").inheritIO().start().waitFor())
                .isZero();
        assertThat(Ser2net.stty(mock.devicePath())).contains("speed 4800 baud");
        ts.start();
        c.awaitReady(WAIT);
        assertThat(c.query("*IDN?", WAIT)).isEqualTo("LABWIRE,MOCK,0,1");
        assertThat(Ser2net.stty(mock.devicePath())).contains("speed 57600 baud");
        assertThat(states.stream().filter(s -> s == State.READY).count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    public void aBusRunsOverRfc2217() {
        mock.busDevice("A").responder(cmd -> cmd.equals("FLOW?") ? MockReply.line("+A 1.5") : null);
        ts = Ser2net.rfc2217(mock.devicePath());
        BusConfig cfg = BusConfig.builder().addressing(Addressing.asciiPrefix()).turnaround(Duration.ofMillis(1))
                .connection(config()).build();
        TestBus bus = clients().openBus(ts.endpoint() + "?baud=115200", cfg);
        open.add(bus);
        bus.awaitReady(WAIT);
        assertThat(bus.device("A").query("FLOW?")).isEqualTo("+A 1.5");
        assertThat(Ser2net.stty(mock.devicePath())).contains("speed 115200 baud");
    }

    @Test
    public void aRawSer2netPortWorksAsTcpAndRefusesRfc2217Clearly() {
        ts = Ser2net.raw(mock.devicePath());
        TestClient c = client(ts.endpoint(), new CopyOnWriteArrayList<>());
        assertThat(c.query("*IDN?")).isEqualTo("LABWIRE,MOCK,0,1");
        c.close();
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        TestClient r = clients().open("rfc2217://127.0.0.1:" + ts.port(), config(), (s, cause) -> {
            if (cause != null) {
                causes.add(cause);
            }
        });
        open.add(r);
        Await.until(WAIT, () -> causes.stream().anyMatch(t -> String.valueOf(t.getMessage()).contains("COM-PORT-OPTION")),
                () -> "a failure naming COM-PORT-OPTION; got " + causes);
        assertThat(r.state()).isNotEqualTo(State.READY);
    }

    /** A second, independent server: pyserial's PortManager answers every setting, DTR and RTS included. */
    @Test
    public void pyserialsRfc2217ServerSetsThePortToo() {
        assumeTrue(PyserialRfc2217.available(), "python3-serial is not installed");
        try (PyserialRfc2217 py = PyserialRfc2217.start(mock.devicePath())) {
            long start = System.nanoTime();
            TestClient c = client(py.endpoint() + "?baud=4800&stop=2", new CopyOnWriteArrayList<>());
            assertThat(Ser2net.stty(mock.devicePath())).contains("speed 4800 baud").contains(" cstopb");
            assertThat(c.query("*IDN?")).isEqualTo("LABWIRE,MOCK,0,1");
            assertThat(c.query("BIN\u00ff?")).isEqualTo("A\u00ffB");
            assertThat(c.queryBlock("ALL?")).containsExactly(all256());
            assertThat(System.nanoTime() - start).as("every setting answered: no deadline wait").isLessThan(900_000_000L);
            c.close();
        }
    }
}
