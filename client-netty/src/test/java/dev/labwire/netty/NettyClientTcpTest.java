package dev.labwire.netty;

import static dev.labwire.netty.NettyClientContract.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.testsupport.clients.Link;
import dev.labwire.testsupport.clients.TcpLinkScenarios;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client contract over loopback TCP, plus what only TCP has, plus what only the Netty client has there. */
class NettyClientTcpTest extends NettyClientContract implements TcpLinkScenarios {
    NettyClientTcpTest() {
        super(Link.TCP);
    }

    @Test
    void aConfigAskingForAnExternalHookWithoutOneDoesNotHoldRequestsForever() {
        NettyClient c = netty(client(fast().externalHook(true).onConnect(dev.labwire.core.Request.write("SYST:REM")).build()));
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
