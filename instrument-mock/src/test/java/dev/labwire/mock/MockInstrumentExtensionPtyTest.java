package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.mock.junit.MockInstrumentExtension;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MockInstrumentExtension.pty(): a pty pair per test; skipped where socat is missing. */
class MockInstrumentExtensionPtyTest {

    @RegisterExtension
    final MockInstrumentExtension serial = MockInstrumentExtension.pty().scpi();

    @Test
    void aPtyMockWithTheDictionaryOn(MockInstrument mock) {
        assertThat(mock.endpoint()).isEqualTo("serial:" + mock.devicePath());
        assertThat(Files.exists(mock.devicePath())).isTrue();
        assertThat(mock.dictionary()).isNotNull();
        assertThat(serial.mock()).isSameAs(mock);
    }
}
