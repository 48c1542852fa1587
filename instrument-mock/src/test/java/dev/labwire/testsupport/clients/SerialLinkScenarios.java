package dev.labwire.testsupport.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What only a serial port has, for a {@link ClientContract} over {@link Link#SERIAL} (a JUnit 5 test interface: its
 * tests run in the class).
 */
public interface SerialLinkScenarios extends ContractFixture {
    /** The USB adapter is pulled and plugged back: the device node vanishes and comes back under the same name. */
    @Test
    default void theUsbAdapterIsReplugged() {
        MockInstrument mock = mock();
        List<State> states = new CopyOnWriteArrayList<>();
        List<String> hookRuns = new CopyOnWriteArrayList<>();
        TestClient c = track(clients().openWithHook(mock.endpoint(), ClientContract.fast().build(), (s, cause) -> states.add(s),
                List.of("SYST:REM", "*IDN?"), hookRuns));
        assertThat(c.query("*IDN?")).isEqualTo(ClientContract.IDN);
        mock.stop();
        Await.until(ClientContract.WAIT, () -> !Files.exists(mock.devicePath()), "the device node disappears");
        Await.until(ClientContract.WAIT, () -> states.contains(State.DOWN), "the client sees the port go away");
        assertThatThrownBy(() -> c.query("*IDN?", Duration.ofMillis(300))).isInstanceOf(LinkDownException.class);
        mock.restart();
        assertThat(c.query("*IDN?", ClientContract.WAIT)).isEqualTo(ClientContract.IDN);
        assertThat(hookRuns).hasSize(2);
        List<String> cmds = mock.commands();
        assertThat(cmds.subList(cmds.size() - 3, cmds.size())).containsExactly("SYST:REM", "*IDN?", "*IDN?");
    }

    @Test
    default void aMissingPortIsReportedWithItsName() {
        TestClient c = track(clients().open("serial:/dev/ttyLABWIRE-NOPE", ClientContract.fast().build()));
        assertThatThrownBy(() -> c.awaitReady(Duration.ofMillis(500))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("/dev/ttyLABWIRE-NOPE");
    }
}
