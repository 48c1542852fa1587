package dev.labwire.testsupport.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.bus.BusConfig;
import dev.labwire.core.rfc2217.Rfc2217Options;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * RFC 2217 line and modem state notifications reach a client's and a bus's {@code onPortState}, and the session
 * options (endpoint string or builder) decide which settings are sent: against {@link FakeRfc2217Server}. Each client
 * module runs these through its {@link Clients}.
 */
public abstract class Rfc2217PortStateScenarios extends ClientScenarios {
    private static final Duration WAIT = Duration.ofSeconds(5);

    protected Rfc2217PortStateScenarios(Clients clients) {
        super(clients);
    }

    @Test
    public void notificationsReachTheListenerAndAllSettingsAreAnswered() throws Exception {
        try (FakeRfc2217Server server = new FakeRfc2217Server();
             TestClient c = clients().open("rfc2217://127.0.0.1:" + server.port() + "?baud=2400",
                     ConnectionConfig.builder().backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0))
                             .build())) {
            List<Event.PortState> states = new CopyOnWriteArrayList<>();
            AutoCloseable handle = c.onPortState(states::add);
            long start = System.nanoTime();
            c.awaitReady(WAIT);
            // every setting was answered, so the link came up without waiting for the 1 s deadline
            assertThat(System.nanoTime() - start).isLessThan(900_000_000L);
            assertThat(server.settings).startsWith("[1, 0, 0, 9, 96]");   // SET-BAUDRATE 2400 = 00 00 09 60
            assertThat(c.query("PORT?")).isEqualTo("ok");
            Await.until(WAIT, () -> states.size() >= 2, () -> "two port states, got " + states);
            assertThat(states.get(0).lineError()).isTrue();
            assertThat(states.get(1)).isEqualTo(new Event.PortState(0x10, 0x30));
            assertThat(states.get(1).cts()).isTrue();
            assertThat(states.get(1).dsr()).isTrue();
            assertThat(states.get(1).carrierDetect()).isFalse();
            handle.close();
        }
    }

    /** A bus opened over rfc2217:// hears the port states too. */
    @Test
    public void aBusHearsThePortStates() throws Exception {
        try (FakeRfc2217Server server = new FakeRfc2217Server();
             TestBus bus = clients().openBus("rfc2217://127.0.0.1:" + server.port() + "?baud=2400", BusConfig.DEFAULT)) {
            List<Event.PortState> states = new CopyOnWriteArrayList<>();
            AutoCloseable handle = bus.onPortState(states::add);
            bus.awaitReady(WAIT);
            assertThat(bus.device("A").query("PORT?")).isEqualTo("ok");
            Await.until(WAIT, () -> states.size() >= 2, () -> "two port states, got " + states);
            assertThat(states.get(1)).isEqualTo(new Event.PortState(0x10, 0x30));
            handle.close();
        }
    }

    /**
     * The session options from the endpoint string and from the client's builder: purge=off and dtr_rts=off leave
     * out PURGE-DATA (12) and SET-CONTROL DTR ON (5, 8); by default both are sent.
     */
    @Test
    public void sessionOptionsFromTheEndpointStringAndTheBuilder() throws Exception {
        try (FakeRfc2217Server server = new FakeRfc2217Server();
             TestClient c = clients().open("rfc2217://127.0.0.1:" + server.port() + "?baud=2400&purge=off&dtr_rts=off",
                     ConnectionConfig.DEFAULT)) {
            assertThat(c.query("PORT?")).isEqualTo("ok");
            assertThat(server.settings).isNotEmpty().noneMatch(x -> x.equals("[5, 8]") || x.startsWith("[12,"));
            assertThat(c.endpoint()).contains("purge=off").contains("dtr_rts=off");
        }
        try (FakeRfc2217Server server = new FakeRfc2217Server();
             TestClient c = clients().open("rfc2217://127.0.0.1:" + server.port() + "?purge=off", ConnectionConfig.DEFAULT)) {
            assertThat(c.query("PORT?")).isEqualTo("ok");
            assertThat(server.settings).anyMatch(x -> x.equals("[5, 8]")).noneMatch(x -> x.startsWith("[12,"));
        }
        try (FakeRfc2217Server server = new FakeRfc2217Server();
             TestClient c = clients().openRfc2217("rfc2217://127.0.0.1:" + server.port(),
                     new Rfc2217Options(Duration.ofSeconds(2), false, true))) {
            assertThat(c.query("PORT?")).isEqualTo("ok");
            assertThat(server.settings).anyMatch(x -> x.equals("[5, 8]")).noneMatch(x -> x.startsWith("[12,"));
            assertThat(c.endpoint()).contains("ack_ms=2000").contains("purge=off");
        }
        try (FakeRfc2217Server server = new FakeRfc2217Server();
             TestClient c = clients().openRfc2217("rfc2217://127.0.0.1:" + server.port(),
                     new Rfc2217Options(Duration.ofSeconds(1), true, false))) {
            assertThat(c.query("PORT?")).isEqualTo("ok");
            assertThat(server.settings).anyMatch(x -> x.startsWith("[12,")).noneMatch(x -> x.equals("[5, 8]"));
        }
        try (FakeRfc2217Server server = new FakeRfc2217Server();
             TestClient c = clients().open("rfc2217://127.0.0.1:" + server.port(), ConnectionConfig.DEFAULT)) {
            assertThat(c.query("PORT?")).isEqualTo("ok");
            assertThat(server.settings).anyMatch(x -> x.equals("[5, 8]")).anyMatch(x -> x.startsWith("[12,"));
        }
        assertThatThrownBy(() -> clients().openRfc2217("tcp://127.0.0.1:1", Rfc2217Options.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rfc2217://");
    }
}
