package dev.labwire.examples.channels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.blocking.BlockingClient;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.mock.Vxi11Options;
import dev.labwire.netty.NettyClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The VXI-11 session machine driven by both real clients over loopback against MockInstrument's VXI-11 personality (its portmapper
 * on a free port): queries, a write longer than maxRecvSize, the status byte, clear, trigger, lock, and a timed-out
 * query whose late answer never reaches the next one. The clients pick it from the endpoint alone.
 */
class Vxi11ClientsTest {
    enum Kind { BLOCKING, NETTY }

    private static final String IDN = "ACME,VXI-E2E,7,2.0";
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void bothClientsSpeakVxi11ToTheMock(Kind kind) throws Exception {
        MockInstrument mock = MockInstrument.vxi11(Vxi11Options.defaults().portmapperPort(0).maxRecvSize(16)).scpi();
        open.add(mock);
        mock.dictionary().identity(IDN);
        String endpoint = "vxi11://127.0.0.1:" + mock.portmapperPort() + "/inst0";
        ConnectionConfig cfg = ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5)).build();
        String longText = "x".repeat(100);
        if (kind == Kind.BLOCKING) {
            BlockingClient c = BlockingClient.openAndAwait(endpoint, cfg, Duration.ofSeconds(10));
            open.add(c);
            assertThat(c.query("*IDN?")).isEqualTo(IDN);
            c.write("VOLT 5");
            assertThat(c.query("VOLT?")).isEqualTo("5");
            assertThat(c.query("ECHO? " + longText)).isEqualTo(longText);   // 107 bytes in 16-byte device_writes
            assertThat(c.readStatusByte()).isZero();
            mock.requestService();
            assertThat(c.readStatusByte() & 0x40).isEqualTo(0x40);
            c.clear();
            c.trigger();
            c.lock(Duration.ofSeconds(2));
            c.unlock();
            mock.enqueue(MockReply.line("late").delay(Duration.ofMillis(700)));
            assertThatThrownBy(() -> c.query("MEAS?", Duration.ofMillis(200))).hasMessageContaining("MEAS?");
            assertThat(c.query("*IDN?")).as("the late answer went nowhere").isEqualTo(IDN);
            mock.disconnect();   // the instrument drops the core channel: portmapper, create_link again
            try {
                c.query("*IDN?");
            } catch (LinkDownException e) {
                // on the wire as the link dropped (it may also have gone out after the reconnect)
            }
            assertThat(c.query("*IDN?")).as("after a reconnect").isEqualTo(IDN);
        } else {
            NettyClient c = NettyClient.open(endpoint, cfg);
            open.add(c::close);
            c.ready(Duration.ofSeconds(10)).get(10, TimeUnit.SECONDS);
            assertThat(c.query("*IDN?").get(10, TimeUnit.SECONDS)).isEqualTo(IDN);
            c.write("VOLT 5").get(10, TimeUnit.SECONDS);
            assertThat(c.query("VOLT?").get(10, TimeUnit.SECONDS)).isEqualTo("5");
            assertThat(c.query("ECHO? " + longText).get(10, TimeUnit.SECONDS)).isEqualTo(longText);
            assertThat(c.readStatusByte().get(10, TimeUnit.SECONDS)).isZero();
            mock.requestService();
            assertThat(c.readStatusByte().get(10, TimeUnit.SECONDS) & 0x40).isEqualTo(0x40);
            c.clear().get(10, TimeUnit.SECONDS);
            c.trigger().get(10, TimeUnit.SECONDS);
            c.lock(Duration.ofSeconds(2)).get(10, TimeUnit.SECONDS);
            c.unlock().get(10, TimeUnit.SECONDS);
            mock.enqueue(MockReply.line("late").delay(Duration.ofMillis(700)));
            assertThatThrownBy(() -> c.query("MEAS?", Duration.ofMillis(200)).get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("MEAS?");
            assertThat(c.query("*IDN?").get(10, TimeUnit.SECONDS)).as("the late answer went nowhere").isEqualTo(IDN);
            mock.disconnect();
            try {
                c.query("*IDN?").get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(LinkDownException.class);
            }
            assertThat(c.query("*IDN?").get(10, TimeUnit.SECONDS)).as("after a reconnect").isEqualTo(IDN);
        }
        assertThat(mock.commands()).contains("*IDN?", "VOLT 5", "VOLT?", "ECHO? " + longText, "*TRG", "MEAS?",
                Vxi11Options.DEVICE_CLEAR_COMMAND);
        assertThat(mock.vxi11Links()).isEqualTo(1);
    }
}
