package dev.labwire.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.endpoint.Endpoint;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Which machine for which endpoint, where its link goes, and the channel contract's refusals (docs/CHANNELS.md). */
class SessionsTest {
    private final ConnectionConfig cfg = ConnectionConfig.DEFAULT;

    @Test
    void rawLinksGetAConnection() {
        assertThat(Sessions.create(Endpoint.parse("tcp://h:5025"), cfg)).isInstanceOf(Connection.class);
        assertThat(Sessions.create(Endpoint.parse("serial:/dev/ttyS0"), cfg)).isInstanceOf(Connection.class);
    }

    @Test
    void lanProtocolsGetTheirOwnMachines() {
        assertThat(Sessions.create(Endpoint.parse("TCPIP::10.0.0.5::INSTR"), cfg))
                .isInstanceOf(dev.labwire.core.vxi11.internal.Vxi11Session.class);
        assertThat(Sessions.create(Endpoint.parse("TCPIP::10.0.0.5::hislip0::INSTR"), cfg))
                .isInstanceOf(dev.labwire.core.hislip.HislipSession.class);
    }

    @Test
    void linkEndpointUsesTheMachinesPortWhenItChoseOne() {
        Endpoint tcp = Endpoint.parse("tcp://h:5025");
        assertThat(Sessions.linkEndpoint(tcp, 0)).isSameAs(tcp);
        assertThat(Sessions.linkEndpoint(Endpoint.parse("vxi11://h"), 1024)).isEqualTo(new Endpoint.Tcp("h", 1024));
        assertThat(Sessions.linkEndpoint(Endpoint.parse("hislip://[::1]"), 0)).isEqualTo(new Endpoint.Tcp("::1", 4880));
        assertThatThrownBy(() -> Sessions.linkEndpoint(Endpoint.parse("vxi11://h"), 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("without a port");
        assertThat(Sessions.host(Endpoint.parse("serial:/dev/ttyS0"))).isNull();
    }

    @Test
    void anOverrideComesFirstAndIsRemovedOnClose() throws Exception {
        Connection mine = new Connection(cfg);
        try (AutoCloseable scope = Sessions.override((e, c) -> e instanceof Endpoint.Tcp ? mine : null)) {
            assertThat(Sessions.create(Endpoint.parse("tcp://h"), cfg)).isSameAs(mine);
            assertThat(Sessions.create(Endpoint.parse("serial:/dev/ttyS0"), cfg)).isNotSameAs(mine);
        }
        assertThat(Sessions.create(Endpoint.parse("tcp://h"), cfg)).isNotSameAs(mine);
    }

    @Test
    void aSingleStreamMachineRefusesChannelReportsAndOrdersNone() {
        Connection c = new Connection(cfg);
        assertThat(c.linkPort()).isZero();
        assertThat(c.pollTransmit(1, ByteBuffer.allocate(16))).isZero();
        assertThatThrownBy(() -> c.channelUp(1, 0)).isInstanceOf(LocalProtocolException.class)
                .hasMessage("Connection uses no channels, so channel 1 was never ordered");
        assertThatThrownBy(() -> c.receive(2, ByteBuffer.allocate(1), 0)).isInstanceOf(LocalProtocolException.class);
        assertThatThrownBy(() -> c.channelDown(3, new RuntimeException(), 0)).isInstanceOf(LocalProtocolException.class);
    }

    @Test
    void channelOrdersCheckTheirNumbers() {
        assertThatThrownBy(() -> new Event.OpenChannel(0, 111)).hasMessageContaining("channels are numbered from 1");
        assertThatThrownBy(() -> new Event.OpenChannel(1, 0)).hasMessageContaining("TCP port 0 is out of range");
        assertThatThrownBy(() -> new Event.ListenChannel(-1)).hasMessageContaining("channel -1");
        assertThatThrownBy(() -> new Event.CloseChannel(1, null)).isInstanceOf(NullPointerException.class);
    }
}
