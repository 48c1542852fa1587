package dev.labwire.examples.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.mock.MockHislip;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.Vxi11Options;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code queryAll} on the session machines that start a request inside {@code send} (HiSLIP, VXI-11): a batch with a
 * bad command, or more requests than the queue has room for, is refused whole and nothing of it reaches the
 * instrument. Before the core's {@code sendAll}, the driver withdrew the requests accepted before the bad one; these
 * machines had already started the first, so the call failed with "a labwire bug" and the first command went out.
 */
class QueryAllOnSessionsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static ConnectionConfig config() {
        return ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5)).maxQueued(3).build();
    }

    private static void refusedWholeThenServed(BlockingClient c, MockInstrument mock) {
        assertThat(c.queryAll(List.of("ECHO? a", "ECHO? b"))).containsExactly("a", "b");
        int before = mock.commands().size();
        assertThatThrownBy(() -> c.queryAll(List.of("ECHO? x", "VOLT 1\nVOLT 2"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("VOLT 1").hasMessageContaining("terminator");
        assertThatThrownBy(() -> c.queryAll(List.of("ECHO? 1", "ECHO? 2", "ECHO? 3", "ECHO? 4")))
                .isInstanceOf(LocalProtocolException.class).hasMessageContaining("of a batch of 4");
        assertThat(c.query("ECHO? z")).isEqualTo("z");
        List<String> all = mock.commands();
        assertThat(all.subList(before, all.size())).as("nothing of a refused batch reached the instrument")
                .containsExactly("ECHO? z");
    }

    @Test
    void hislip() {
        MockInstrument mock = MockInstrument.tcp().scpi();
        MockHislip server = MockHislip.serve(mock, 0);
        try (BlockingClient c = BlockingClient.openAndAwait("hislip://127.0.0.1:" + server.port() + "/hislip0", config(), WAIT)) {
            refusedWholeThenServed(c, mock);
        } finally {
            server.close();
            mock.close();
        }
    }

    @Test
    void vxi11() {
        MockInstrument mock = MockInstrument.vxi11(Vxi11Options.defaults().portmapperPort(0)).scpi();
        try (BlockingClient c = BlockingClient.openAndAwait("vxi11://127.0.0.1:" + mock.portmapperPort() + "/inst0", config(), WAIT)) {
            refusedWholeThenServed(c, mock);
        } finally {
            mock.close();
        }
    }
}
