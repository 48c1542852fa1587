package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The client contract over a real serial port: a socat pty pair, the client's end opened by jSerialComm,
 * read by the client's reader thread and handed to the event loop.
 */
class NettyClientSerialTest extends NettyClientContract {

    @Override
    MockInstrument newMock() {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        return MockInstrument.pty();
    }

    @Override
    Class<? extends Exception> halfSentReplyError() {
        return LinkDownException.class;
    }

    @Override
    void reviveAfterLinkKilled(MockInstrument mock) {
        mock.restart(); // a pty pair killed mid-reply is gone until it is made again
    }

    /** The USB adapter is pulled and plugged back: the device node vanishes and comes back under the same name. */
    @Test
    void theUsbAdapterIsReplugged() {
        List<State> states = new CopyOnWriteArrayList<>();
        List<String> hookRuns = new CopyOnWriteArrayList<>();
        NettyClient c = track(NettyClient.builder(mock.endpoint()).config(fast().build())
                .listener((s, cause) -> states.add(s))
                .onConnect(s -> s.write("SYST:REM").thenCompose(v -> s.query("*IDN?")).thenAccept(hookRuns::add))
                .build());
        assertThat(await(c.query("*IDN?"))).isEqualTo(IDN);
        mock.stop();
        Await.until(WAIT, () -> !Files.exists(mock.devicePath()), "the device node disappears");
        Await.until(WAIT, () -> states.contains(State.DOWN), "the client sees the port go away");
        assertThatThrownBy(() -> await(c.query("*IDN?", Duration.ofMillis(300)))).isInstanceOf(LinkDownException.class);
        mock.restart();
        assertThat(await(c.query("*IDN?", WAIT))).isEqualTo(IDN);
        assertThat(hookRuns).hasSize(2);
        List<String> cmds = mock.commands();
        assertThat(cmds.subList(cmds.size() - 3, cmds.size())).containsExactly("SYST:REM", "*IDN?", "*IDN?");
    }

    @Test
    void aMissingPortIsReportedWithItsName() {
        NettyClient c = track(NettyClient.open("serial:/dev/ttyLABWIRE-NOPE", fast().build()));
        assertThatThrownBy(() -> await(c.ready(Duration.ofMillis(500)))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("/dev/ttyLABWIRE-NOPE");
    }
}
