package dev.labwire.mock;

import static dev.labwire.mock.Loopback.readLine;
import static dev.labwire.mock.Loopback.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A late half-duplex echo and a slow address on a bus. */
class EchoAndBusTest {

    private final Loopback net = new Loopback();

    @AfterEach
    void closeAll() throws Exception {
        net.close();
    }

    @Test
    void aLateEchoComesAfterTheCallersTimeoutAndStillBeforeTheReply() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi().echo(true).echoDelay(Duration.ofMillis(400)));
        Socket s = net.connect(mock.port());
        s.setSoTimeout(200);
        long t0 = System.nanoTime();
        send(s, "*OPC?");
        assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        s.setSoTimeout(5000);
        assertThat(readLine(s)).isEqualTo("*OPC?\n");
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(400_000_000L);
        assertThat(readLine(s)).isEqualTo("1\n"); // due at once, but held behind its command's echo
        send(s, "ECHO? a");
        assertThat(readLine(s)).isEqualTo("ECHO? a\n");
        assertThat(readLine(s)).isEqualTo("a\n");
        mock.echoDelay(Duration.ZERO);
        send(s, "*OPC?");
        assertThat(readLine(s)).isEqualTo("*OPC?\n");
        assertThat(readLine(s)).isEqualTo("1\n");
        assertThatThrownBy(() -> mock.echoDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closingTheMockEndsTheEchoThreadWhileAnEchoIsPending() throws Exception {
        MockInstrument mock = MockInstrument.tcp().echo(true).echoDelay(Duration.ofSeconds(30));
        Socket s = net.connect(mock.port());
        send(s, "X");
        assertThat(mock.takeCommand()).isEqualTo("X");
        Loopback.await(Duration.ofSeconds(5), () -> Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("mock-echo tcp " + mock.port())), "the echo thread starts");
        mock.close();
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("mock-echo tcp " + mock.port()) && t.isAlive());
    }

    @Test
    void aSlowBusAddressAnswersAfterTheCallersTimeoutAndTheStaleReplyComesFirst() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp());
        mock.busDevice("A").delay(Duration.ofMillis(600)).dictionary().set("FLOW", "+1.0");
        mock.busDevice("B").dictionary().set("FLOW", "+2.0");
        Socket s = net.connect(mock.port());
        s.setSoTimeout(250);
        long t0 = System.nanoTime();
        send(s, "AFLOW?");
        assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        send(s, "BFLOW?"); // the client gave up on A and moved on
        s.setSoTimeout(5000);
        assertThat(readLine(s)).isEqualTo("A+1.0\n");
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(600_000_000L);
        assertThat(readLine(s)).isEqualTo("B+2.0\n");
        assertThatThrownBy(() -> mock.busDevice("A").delay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
