package dev.labwire.testsupport.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What only TCP has, for a {@link ClientContract} over {@link Link#TCP} (a JUnit 5 test interface: its tests run in the class). */
public interface TcpLinkScenarios extends ContractFixture {
    @Test
    default void theInstrumentSwitchedOffAndOnAgainOnTheSamePort() {
        MockInstrument mock = mock();
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        TestClient c = track(clients().open(mock.endpoint(), ClientContract.fast().build(), (s, cause) -> {
            if (s == State.DOWN) {
                causes.add(cause);
            }
        }));
        assertThat(c.query("*IDN?")).isEqualTo(ClientContract.IDN);
        mock.stop();
        Await.until(ClientContract.WAIT, () -> c.state() != State.READY, "the client sees the instrument go away");
        assertThatThrownBy(() -> c.query("*IDN?", Duration.ofMillis(400))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("*IDN?").hasMessageContaining(mock.endpoint().substring("tcp://".length()));
        assertThat(causes).isNotEmpty();
        mock.restart();
        assertThat(c.query("*IDN?", ClientContract.WAIT)).isEqualTo(ClientContract.IDN);
        assertThat(mock.connectionCount()).isGreaterThanOrEqualTo(2);
    }

    @Test
    default void aRefusedPortIsReportedAsLinkDownWithTheCause() {
        mock().stop();
        TestClient c = track(clients().open(mock().endpoint(), ClientContract.fast().build()));
        assertThatThrownBy(() -> c.awaitReady(Duration.ofMillis(500))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("not ready").hasMessageContaining("refused");
    }

    @Test
    default void aMalformedEndpointFailsAtOnceNamingTheBadPart() {
        assertThatThrownBy(() -> clients().open("tcp://localhost:50x25", ConnectionConfig.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("50x25");
        assertThatThrownBy(() -> clients().open("gpib://7", ConnectionConfig.DEFAULT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpib");
    }

    @Test
    default void severalClientsShareOneInstrument() {
        TestClient a = track(clients().open(mock().endpoint(), ClientContract.fast().build()));
        TestClient b = track(clients().open(mock().endpoint(), ClientContract.fast().build()));
        a.write("VOLT 3");
        // a write returns once sent; *OPC? on the same link is the SCPI way to know it was done
        assertThat(a.query("*OPC?")).isEqualTo("1");
        assertThat(b.query("VOLT?")).isEqualTo("3");
        assertThat(a.query("ECHO? from-a")).isEqualTo("from-a");
        assertThat(b.query("ECHO? from-b")).isEqualTo("from-b");
    }
}
