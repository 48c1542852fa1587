package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The client contract over loopback TCP, plus what only TCP has. */
class BlockingClientTcpTest extends BlockingClientContract {

    @Override
    MockInstrument newMock() {
        return MockInstrument.tcp();
    }

    @Override
    Class<? extends Exception> halfSentReplyError() {
        return dev.labwire.core.RemoteProtocolException.class;
    }

    @Override
    void reviveAfterLinkKilled(MockInstrument mock) {
        // the mock keeps listening after it closes a connection
    }

    @Test
    void theInstrumentSwitchedOffAndOnAgainOnTheSamePort() {
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        BlockingClient c = track(BlockingClient.builder(mock.endpoint()).config(fast().build())
                .listener((s, cause) -> {
                    if (s == State.DOWN) {
                        causes.add(cause);
                    }
                }).build());
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
        mock.stop();
        Await.until(WAIT, () -> c.state() != State.READY, "the client sees the instrument go away");
        assertThatThrownBy(() -> c.query("*IDN?", Duration.ofMillis(400))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("*IDN?").hasMessageContaining(mock.endpoint().substring("tcp://".length()));
        assertThat(causes).isNotEmpty();
        mock.restart();
        assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
        assertThat(mock.connectionCount()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aRefusedPortIsReportedAsLinkDownWithTheCause() {
        mock.stop();
        BlockingClient c = client(fast().build());
        assertThatThrownBy(() -> c.awaitReady(Duration.ofMillis(500))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("not ready").hasMessageContaining("refused");
    }

    @Test
    void aMalformedEndpointFailsAtOnceNamingTheBadPart() {
        assertThatThrownBy(() -> BlockingClient.open("tcp://localhost:50x25")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("50x25");
        assertThatThrownBy(() -> BlockingClient.open("gpib://7")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpib");
    }

    @Test
    void severalClientsShareOneInstrument() {
        BlockingClient a = client(fast().build());
        BlockingClient b = client(fast().build());
        a.write("VOLT 3");
        // a write returns once sent; *OPC? on the same link is the SCPI way to know it was done
        assertThat(a.query("*OPC?")).isEqualTo("1");
        assertThat(b.query("VOLT?")).isEqualTo("3");
        assertThat(a.query("ECHO? from-a")).isEqualTo("from-a");
        assertThat(b.query("ECHO? from-b")).isEqualTo("from-b");
    }
}
