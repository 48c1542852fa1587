package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.Event;
import dev.labwire.core.rfc2217.Rfc2217Options;
import dev.labwire.testsupport.clients.Await;
import dev.labwire.testsupport.clients.FakeRfc2217Server;
import dev.labwire.testsupport.clients.Rfc2217PortStateScenarios;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The shared {@link Rfc2217PortStateScenarios} on the Netty client and bus, and the options of a bus's builder. */
class Rfc2217PortStateTest extends Rfc2217PortStateScenarios {
    Rfc2217PortStateTest() {
        super(NettyClients.INSTANCE);
    }

    /** A bus's builder takes the session options (only the Netty bus has a builder); one that is not rfc2217:// refuses them. */
    @Test
    void aBusHearsThePortStatesAndTakesOptionsFromItsBuilder() throws Exception {
        try (FakeRfc2217Server server = new FakeRfc2217Server();
             NettyClients.Bus bus = new NettyClients.Bus(NettyBus.builder("rfc2217://127.0.0.1:" + server.port() + "?baud=2400")
                     .rfc2217Options(new Rfc2217Options(Duration.ofSeconds(2), false, false)).build())) {
            List<Event.PortState> states = new CopyOnWriteArrayList<>();
            AutoCloseable handle = bus.onPortState(states::add);
            bus.awaitReady(Duration.ofSeconds(5));
            assertThat(bus.device("A").query("PORT?")).isEqualTo("ok");
            Await.until(Duration.ofSeconds(5), () -> states.size() >= 2, () -> "two port states, got " + states);
            assertThat(states.get(1)).isEqualTo(new Event.PortState(0x10, 0x30));
            assertThat(server.settings).isNotEmpty().noneMatch(x -> x.equals("[5, 8]") || x.startsWith("[12,"));
            assertThat(bus.endpoint()).contains("ack_ms=2000");
            handle.close();
        }
        assertThatThrownBy(() -> NettyBus.builder("serial:/dev/ttyS0").rfc2217Options(Rfc2217Options.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rfc2217://");
    }
}
