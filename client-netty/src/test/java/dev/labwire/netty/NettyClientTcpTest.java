package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client contract over loopback TCP, plus what only TCP has. */
class NettyClientTcpTest extends NettyClientContract {

    @Override
    MockInstrument newMock() {
        return MockInstrument.tcp();
    }

    @Override
    Class<? extends Exception> halfSentReplyError() {
        return RemoteProtocolException.class;
    }

    @Override
    void reviveAfterLinkKilled(MockInstrument mock) {
        // the mock keeps listening after it closes a connection
    }

    @Test
    void theInstrumentSwitchedOffAndOnAgainOnTheSamePort() {
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        NettyClient c = track(NettyClient.builder(mock.endpoint()).config(fast().build())
                .listener((s, cause) -> {
                    if (s == State.DOWN) {
                        causes.add(cause);
                    }
                }).build());
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
        mock.stop();
        Await.until(WAIT, () -> c.state() != State.READY, "the client sees the instrument go away");
        assertThatThrownBy(() -> await(c.query("*IDN?", Duration.ofMillis(400)))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("*IDN?").hasMessageContaining(mock.endpoint().substring("tcp://".length()));
        assertThat(causes).isNotEmpty();
        mock.restart();
        assertThat(await(c.query("*IDN?", WAIT))).isEqualTo(IDN);
        assertThat(mock.connectionCount()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aRefusedPortIsReportedAsLinkDownWithTheCause() {
        mock.stop();
        NettyClient c = client(fast().build());
        assertThatThrownBy(() -> await(c.ready(Duration.ofMillis(500)))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("not ready").hasMessageContaining("refused");
    }

    @Test
    void aConfigAskingForAnExternalHookWithoutOneDoesNotHoldRequestsForever() {
        NettyClient c = client(fast().externalHook(true).onConnect(dev.labwire.core.Request.write("SYST:REM")).build());
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
        assertThat(mock.commands()).containsExactly("SYST:REM", "*IDN?");
    }

    @Test
    void severalClientsShareOneInstrumentAndOneUserEventLoop() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            NettyClient a = track(NettyClient.builder(mock.endpoint()).config(fast().build()).eventLoopGroup(group).build());
            NettyClient b = track(NettyClient.builder(mock.endpoint()).config(fast().build()).eventLoopGroup(group).build());
            assertThat(a.eventLoop()).isSameAs(b.eventLoop());
            await(a.write("VOLT 3"));
            // a write completes once its bytes are handed to the link; a's next reply shows the mock took it
            assertThat(await(a.query("*OPC?"))).isEqualTo("1");
            assertThat(await(b.query("VOLT?"))).isEqualTo("3");
            assertThat(await(a.query("ECHO? from-a"))).isEqualTo("from-a");
            assertThat(await(b.query("ECHO? from-b"))).isEqualTo("from-b");
            await(a.close());
            await(b.close());
            assertThat(group.isShuttingDown()).isFalse();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
