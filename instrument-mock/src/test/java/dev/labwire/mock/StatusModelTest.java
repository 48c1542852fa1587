package dev.labwire.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mock's IEEE 488.2 status model (section 11): ESR/ESE, STB/SRE, EAV, and service requests on a rise of MSS. */
class StatusModelTest {
    private final Loopback net = new Loopback();

    @AfterEach
    void closeAll() throws Exception {
        net.close();
    }

    @Test
    void eventsSummariseIntoTheStatusByteAndRequestServiceOnce() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        List<Integer> requests = new CopyOnWriteArrayList<>();
        mock.dictionary().onServiceRequest(requests::add);
        Socket s = net.connect(mock.port());
        assertThat(ask(s, "*STB?")).isEqualTo("0");
        send(s, "*OPC");
        assertThat(ask(s, "*STB?")).as("OPC set, but not enabled").isEqualTo("0");
        send(s, "*ESE 1");
        assertThat(ask(s, "*STB?")).as("ESB").isEqualTo("32");
        assertThat(requests).isEmpty();
        send(s, "*SRE 32");
        assertThat(ask(s, "*STB?")).as("ESB and MSS").isEqualTo("96");
        assertThat(requests).as("one service request, on the rise").containsExactly(96);
        send(s, "*OPC");
        assertThat(requests).as("no new rise while MSS stays set").hasSize(1);
        assertThat(ask(s, "*ESR?")).isEqualTo("1");
        assertThat(ask(s, "*ESR?")).as("read clears").isEqualTo("0");
        assertThat(ask(s, "*STB?")).isEqualTo("0");
        send(s, "NOPE?"); // -113 queued: CME (32) in ESR, EAV (4) in STB
        assertThat(ask(s, "*STB?")).isEqualTo("4");
        send(s, "*ESE 32");
        assertThat(ask(s, "*STB?")).isEqualTo("100");
        assertThat(requests).containsExactly(96, 100);
        assertThat(ask(s, "*ESE?;*SRE?")).isEqualTo("32;32");
        send(s, "*CLS");
        assertThat(ask(s, "*STB?")).isEqualTo("0");
        assertThat(ask(s, "SYST:ERR?")).isEqualTo("+0,\"No error\"");
        send(s, "*TRG");
        send(s, "*SRE 999");
        assertThat(ask(s, "SYST:ERR?")).isEqualTo("-224,\"Illegal parameter value\"");
        assertThat(mock.dictionary().triggerCount()).isEqualTo(1);
        assertThat(mock.dictionary().statusByte(true)).as("MAV from a personality").isEqualTo(16);
    }

    private static void send(Socket s, String cmd) throws IOException {
        s.getOutputStream().write((cmd + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static String ask(Socket s, String query) throws IOException {
        send(s, query);
        InputStream in = s.getInputStream();
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("end of stream after " + b);
            }
            b.append((char) c);
        }
        return b.toString();
    }
}
