package dev.labwire.blocking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The client contract over a real serial port: a socat pty pair, the client's end opened by jSerialComm. */
class BlockingClientSerialTest extends BlockingClientContract {

    @Override
    MockInstrument newMock() {
        assumeTrue(MockInstrument.socatAvailable(), "socat is not installed (apt-get install -y socat)");
        return MockInstrument.pty();
    }

    @Override
    Class<? extends Exception> halfSentReplyError() {
        return dev.labwire.core.LinkDownException.class;
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
        BlockingClient c = track(BlockingClient.builder(mock.endpoint()).config(fast().build())
                .listener((s, cause) -> states.add(s))
                .onConnect(s -> {
                    s.write("SYST:REM");
                    hookRuns.add(s.query("*IDN?"));
                }).build());
        assertThat(c.query("*IDN?")).isEqualTo(IDN);
        mock.stop();
        Await.until(WAIT, () -> !Files.exists(mock.devicePath()), "the device node disappears");
        Await.until(WAIT, () -> states.contains(State.DOWN), "the client sees the port go away");
        assertThatThrownBy(() -> c.query("*IDN?", java.time.Duration.ofMillis(300))).isInstanceOf(LinkDownException.class);
        mock.restart();
        assertThat(c.query("*IDN?", WAIT)).isEqualTo(IDN);
        assertThat(hookRuns).hasSize(2);
        List<String> cmds = mock.commands();
        assertThat(cmds.subList(cmds.size() - 3, cmds.size())).containsExactly("SYST:REM", "*IDN?", "*IDN?");
    }

    @Test
    void aMissingPortIsReportedWithItsName() {
        BlockingClient c = track(BlockingClient.open("serial:/dev/ttyLABWIRE-NOPE", fast().build()));
        assertThatThrownBy(() -> c.awaitReady(java.time.Duration.ofMillis(500))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("/dev/ttyLABWIRE-NOPE");
    }
}
