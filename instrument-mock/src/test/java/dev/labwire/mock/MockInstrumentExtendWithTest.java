package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.mock.junit.MockInstrumentExtension;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code @ExtendWith(MockInstrumentExtension.class)}: a plain TCP mock per test, as a parameter. */
@ExtendWith(MockInstrumentExtension.class)
class MockInstrumentExtendWithTest {

    @Test
    void aPlainTcpMock(MockInstrument mock) throws Exception {
        assertThat(mock.endpoint()).isEqualTo("tcp://127.0.0.1:" + mock.port());
        mock.enqueue("hello");
        try (Socket s = new Socket("127.0.0.1", mock.port())) {
            s.setSoTimeout(5000);
            Loopback.send(s, "HI?");
            assertThat(Loopback.readLine(s)).isEqualTo("hello\n");
        }
        assertThat(mock.dictionary().device()).isNull();
    }
}
