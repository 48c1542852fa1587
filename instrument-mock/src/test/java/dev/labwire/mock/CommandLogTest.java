package dev.labwire.mock;

import static dev.labwire.mock.Loopback.readLine;
import static dev.labwire.mock.Loopback.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The command log of a MockInstrument keeps the last N commands and counts the ones it dropped. */
class CommandLogTest {

    private final Loopback net = new Loopback();

    @AfterEach
    void closeAll() throws Exception {
        net.close();
    }

    @Test
    void theDefaultLogKeepsTheLast10000CommandsAndCountsTheRest() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        Socket s = net.connect(mock.port());
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 10_049; i++) {
            many.append("C").append(i).append('\n');
        }
        s.getOutputStream().write(many.toString().getBytes(StandardCharsets.US_ASCII));
        send(s, "*OPC?");
        assertThat(readLine(s)).isEqualTo("1\n"); // every command before it was read
        assertThat(mock.commandCount()).isEqualTo(10_050);
        assertThat(mock.droppedCommands()).isEqualTo(50);
        assertThat(mock.commands()).hasSize(10_000).startsWith("C50").endsWith("*OPC?");
        assertThat(mock.takeCommand()).isEqualTo("C50"); // the untaken ones fell out with the rest
    }

    @Test
    void aSmallLimitDropsTakenCommandsFirstThenUntakenOnes() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi().commandLogLimit(3));
        Socket s = net.connect(mock.port());
        send(s, "A");
        assertThat(mock.takeCommand()).isEqualTo("A");
        send(s, "B");
        send(s, "C");
        send(s, "*OPC?");
        assertThat(readLine(s)).isEqualTo("1\n");
        // A was taken and falls out first; B, C and *OPC? stay untaken
        assertThat(mock.commands()).containsExactly("B", "C", "*OPC?");
        assertThat(mock.droppedCommands()).isEqualTo(1);
        send(s, "D");
        send(s, "*OPC?");
        assertThat(readLine(s)).isEqualTo("1\n");
        assertThat(mock.commands()).containsExactly("*OPC?", "D", "*OPC?");
        assertThat(mock.takeCommand()).isEqualTo("*OPC?");
        assertThat(mock.takeCommand()).isEqualTo("D");
        assertThat(mock.takeCommand()).isEqualTo("*OPC?");
        assertThat(mock.takeCommand(Duration.ofMillis(1))).isNull();
        mock.commandLogLimit(1);
        assertThat(mock.commands()).containsExactly("*OPC?");
        assertThat(mock.droppedCommands()).isEqualTo(5);
        assertThat(mock.commandCount()).isEqualTo(6);
        assertThatThrownBy(() -> mock.commandLogLimit(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
    }
}
