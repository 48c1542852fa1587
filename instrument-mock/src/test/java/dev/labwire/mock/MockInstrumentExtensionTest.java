package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.mock.junit.MockInstrumentExtension;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MockInstrumentExtension: a fresh mock per test, injected, closed after the test. */
class MockInstrumentExtensionTest {

    private static final List<MockInstrument> seen = new ArrayList<>();

    @RegisterExtension
    static final MockInstrumentExtension psu = MockInstrumentExtension.tcp()
            .device(path("/devices/psu.json"))
            .configure(m -> m.enqueue("first"));

    private static Path path(String resource) {
        try {
            return Path.of(MockInstrumentExtensionTest.class.getResource(resource).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private final Loopback loop = new Loopback();

    @BeforeEach
    void before(MockInstrument mock) {
        assertThat(mock).isSameAs(psu.mock());
        seen.add(mock);
    }

    @AfterEach
    void after(MockInstrument mock) throws Exception {
        assertThat(mock).isSameAs(psu.mock()); // still open in @AfterEach
        loop.close();
    }

    @AfterAll
    static void everyTestHadItsOwnMockAndEachIsClosed() {
        assertThat(seen).hasSize(2).doesNotHaveDuplicates();
        for (MockInstrument m : seen) {
            assertThatThrownBy(() -> new Socket("127.0.0.1", m.port()).close()).isInstanceOf(java.io.IOException.class);
            assertThatThrownBy(m::restart).hasMessageContaining("closed");
        }
        assertThatThrownBy(psu::mock).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theDeviceAndTheSetupStepsApply(MockInstrument mock) throws Exception {
        Socket s = loop.connect(mock.port());
        Loopback.send(s, "*IDN?");
        assertThat(Loopback.readLine(s)).as("configure ran: the scripted reply first").isEqualTo("first\n");
        Loopback.send(s, "VOLT 3");
        Loopback.send(s, "VOLT?");
        assertThat(Loopback.readLine(s)).isEqualTo("3.000\n");
    }

    @Test
    void aFreshMockForTheNextTest() throws Exception {
        MockInstrument mock = psu.mock();
        assertThat(psu.endpoint()).isEqualTo(mock.endpoint());
        assertThat(mock.commandCount()).isZero();
        Socket s = loop.connect(mock.port());
        Loopback.send(s, "VOLT?");
        assertThat(Loopback.readLine(s)).as("its own scripted reply").isEqualTo("first\n");
        Loopback.send(s, "VOLT?");
        assertThat(Loopback.readLine(s)).as("the default, whatever ran before").isEqualTo("0.000\n");
    }
}
