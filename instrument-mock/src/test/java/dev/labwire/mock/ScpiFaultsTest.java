package dev.labwire.mock;

import static dev.labwire.mock.Loopback.readLine;
import static dev.labwire.mock.Loopback.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What real SCPI instruments do that a client must survive: silent errors, CR LF, block trailers, late answers. */
class ScpiFaultsTest {

    private final Loopback net = new Loopback();

    @AfterEach
    void closeAll() throws Exception {
        net.close();
    }

    @Test
    void anUnknownQueryGetsNoReplyAndQueuesUndefinedHeader() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        Socket s = net.connect(mock.port());
        send(s, "NOPE?");
        send(s, "MEAS:VOLT? 5");
        send(s, "*OPC?");
        // had either query been answered, its answer would come before *OPC?'s
        assertThat(readLine(s)).isEqualTo("1\n");
        send(s, "SYST:ERR?");
        assertThat(readLine(s)).isEqualTo("-113,\"Undefined header\"\n");
        send(s, "SYST:ERR?");
        assertThat(readLine(s)).isEqualTo("-113,\"Undefined header\"\n");
        send(s, "SYST:ERR?");
        assertThat(readLine(s)).isEqualTo("+0,\"No error\"\n");
    }

    @Test
    void aCompoundMessageIsAnsweredAsOneResponseMessageAndStopsAtAFailingUnit() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        Socket s = net.connect(mock.port());
        send(s, "*OPC?;*OPC?");
        assertThat(readLine(s)).isEqualTo("1;1\n");
        send(s, "VOLT 5;VOLT?;*OPC?");
        assertThat(readLine(s)).isEqualTo("5;1\n");
        send(s, "NOPE?;*OPC?"); // the first unit fails: nothing is sent, the rest is not executed
        send(s, "*IDN?");
        assertThat(readLine(s)).isEqualTo(ScpiDictionary.DEFAULT_IDENTITY + "\n");
        send(s, "SYST:ERR?");
        assertThat(readLine(s)).isEqualTo("-113,\"Undefined header\"\n");
    }

    @Test
    void aRejectedCommandIsNotExecutedNeverAnsweredAndQueuesItsError() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        mock.dictionary().set("MEAS:VOLT", "1.5")
                .reject(Pattern.compile("MEAS:VOLT\\?"), "-230,\"Data corrupt or stale\"")
                .reject(Pattern.compile("VOLT \\d{3,}"), "-222,\"Data out of range\"");
        Socket s = net.connect(mock.port());
        send(s, "VOLT 5");
        send(s, "VOLT 999");
        send(s, "MEAS:VOLT?");
        send(s, "VOLT?");
        assertThat(readLine(s)).isEqualTo("5\n"); // VOLT 999 was not executed, MEAS:VOLT? not answered
        send(s, "SYST:ERR?");
        assertThat(readLine(s)).isEqualTo("-222,\"Data out of range\"\n");
        send(s, "SYST:ERR?");
        assertThat(readLine(s)).isEqualTo("-230,\"Data corrupt or stale\"\n");
        mock.dictionary().clearRules();
        send(s, "MEAS:VOLT?");
        assertThat(readLine(s)).isEqualTo("1.5\n");
        assertThatThrownBy(() -> mock.dictionary().reject(Pattern.compile("X"), "a\nb"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFullErrorQueueEndsWithQueueOverflow() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        for (int i = 0; i < 40; i++) {
            mock.dictionary().queueError("-100,\"Command error " + i + "\"");
        }
        Socket s = net.connect(mock.port());
        for (int i = 0; i < 31; i++) {
            send(s, "SYST:ERR?");
            assertThat(readLine(s)).isEqualTo("-100,\"Command error " + i + "\"\n");
        }
        send(s, "SYST:ERR?");
        assertThat(readLine(s)).isEqualTo("-350,\"Queue overflow\"\n");
        send(s, "SYST:ERR?");
        assertThat(readLine(s)).isEqualTo("+0,\"No error\"\n");
    }

    @Test
    void theReplyTerminatorEndsEveryLineTheMockMakes() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        Socket s = net.connect(mock.port());
        send(s, "*OPC?");
        assertThat(readLine(s)).isEqualTo("1\n"); // the default
        mock.replyTerminator("\r\n");
        assertThat(mock.dictionary().replyTerminator()).isEqualTo("\r\n");
        send(s, "*IDN?");
        assertThat(readLine(s)).isEqualTo(ScpiDictionary.DEFAULT_IDENTITY + "\r\n");
        mock.enqueue("scripted");
        send(s, "X?");
        assertThat(readLine(s)).isEqualTo("scripted\r\n");
        mock.push("PUSHED");
        assertThat(readLine(s)).isEqualTo("PUSHED\r\n");
        mock.enqueue(MockReply.line("own"));
        send(s, "X?");
        assertThat(readLine(s)).isEqualTo("own\n"); // a MockReply keeps its bytes
        send(s, "DATA? 2");
        assertThat(s.getInputStream().readNBytes(7)).containsExactly('#', '1', '2', 0, 1, '\r', '\n');
        assertThatThrownBy(() -> mock.replyTerminator("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MockReply.line("a", "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBusDeviceUsesTheMocksReplyTerminator() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp());
        MockBusDevice before = mock.busDevice("A");
        mock.replyTerminator("\r");
        mock.busDevice("B").dictionary().set("FLOW", "2");
        before.dictionary().set("FLOW", "1");
        Socket s = net.connect(mock.port());
        send(s, "AFLOW?");
        send(s, "BFLOW?");
        assertThat(s.getInputStream().readNBytes(6)).containsExactly('A', '1', '\r', 'B', '2', '\r');
    }

    @Test
    void theBlockTrailerCanBeNothingOrCrLf() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        Socket s = net.connect(mock.port());
        mock.dictionary().blockTrailer("");
        send(s, "DATA? 3");
        send(s, "*OPC?");
        // nothing between the block's last byte and the next reply
        assertThat(s.getInputStream().readNBytes(8)).containsExactly('#', '1', '3', 0, 1, 2, '1', '\n');
        mock.dictionary().blockTrailer("\r\n");
        send(s, "DATA? 1");
        assertThat(s.getInputStream().readNBytes(6)).containsExactly('#', '1', '1', 0, '\r', '\n');
        assertThat(MockReply.block(new byte[] {9}, "\r\n").bytes()).containsExactly('#', '1', '1', 9, '\r', '\n');
    }

    @Test
    void aLateTrailerFollowsTheBlockAsASeparateWrite() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        mock.dictionary().blockTrailer("\r\n", Duration.ofMillis(1000));
        Socket s = net.connect(mock.port());
        long t0 = System.nanoTime();
        send(s, "DATA? 3");
        assertThat(s.getInputStream().readNBytes(6)).containsExactly('#', '1', '3', 0, 1, 2);
        long block = System.nanoTime() - t0;
        assertThat(s.getInputStream().readNBytes(2)).containsExactly('\r', '\n');
        long trailer = System.nanoTime() - t0;
        assertThat(trailer).as("trailer after %s", Loopback.ms(trailer)).isGreaterThanOrEqualTo(1_000_000_000L);
        // the block did not wait for its trailer
        assertThat(block).as("block after %s", Loopback.ms(block)).isLessThan(1_000_000_000L);
        assertThatThrownBy(() -> mock.dictionary().blockTrailer("\n", Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDelayRuleMakesOneQueryLaterThanTheCallersTimeout() throws Exception {
        MockInstrument mock = net.track(MockInstrument.tcp().scpi());
        mock.dictionary().delay(Pattern.compile("\\*OPC\\?"), Duration.ofMillis(800));
        Socket s = net.connect(mock.port());
        s.setSoTimeout(300);
        long t0 = System.nanoTime();
        send(s, "*OPC?");
        assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        s.setSoTimeout(5000);
        assertThat(readLine(s)).isEqualTo("1\n"); // the late answer still comes
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(800_000_000L);
        long t1 = System.nanoTime();
        send(s, "*IDN?");
        assertThat(readLine(s)).isEqualTo(ScpiDictionary.DEFAULT_IDENTITY + "\n");
        assertThat(System.nanoTime() - t1).as("*IDN? is not held").isLessThan(800_000_000L);
        assertThatThrownBy(() -> mock.dictionary().delay(Pattern.compile("X"), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
