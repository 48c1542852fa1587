package dev.labwire.testsupport.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.State;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What only TCP has, for a {@link ClientContract} over {@link Link#TCP} (a JUnit 5 test interface: its tests run in the class). */
public interface TcpLinkScenarios extends ContractFixture {
    @Test
    default void theInstrumentSwitchedOffAndOnAgainOnTheSamePort() {
        MockInstrument mock = mock();
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        TestClient c = track(clients().open(mock.endpoint(), ClientContract.fast().build(), (s, cause) -> {
            if (s == State.DOWN) {
                causes.add(cause);
            }
        }));
        assertThat(c.query("*IDN?")).isEqualTo(ClientContract.IDN);
        mock.stop();
        Await.until(ClientContract.WAIT, () -> c.state() != State.READY, "the client sees the instrument go away");
        assertThatThrownBy(() -> c.query("*IDN?", Duration.ofMillis(400))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("*IDN?").hasMessageContaining(mock.endpoint().substring("tcp://".length()));
        assertThat(causes).isNotEmpty();
        mock.restart();
        assertThat(c.query("*IDN?", ClientContract.WAIT)).isEqualTo(ClientContract.IDN);
        assertThat(mock.connectionCount()).isGreaterThanOrEqualTo(2);
    }

    /**
     * A device that accepts each connection and at once closes it (it serves one client at a time; a terminal server
     * port in use): each link reaches READY before it drops, and that must not restart the backoff. Eight connections
     * take at least 10+20+40+80+160+320+400 ms (no jitter); before, each drop counted as the first failure and the
     * client reconnected every 10 ms for ever (244 connections in 5 s). Once the device serves again, calls work.
     */
    @Test
    default void aDeviceThatClosesEveryConnectionAtOnceIsRetriedOnTheBackoffSchedule() {
        MockInstrument mock = mock();
        mock.closeOnAccept(1_000);
        int before = mock.connectionCount();
        long start = System.nanoTime();
        TestClient c = track(clients().open(mock.endpoint(), ClientContract.fast()
                .backoff(new Backoff(Duration.ofMillis(10), Duration.ofMillis(400), 2, 0)).build()));
        Await.until(ClientContract.WAIT, () -> mock.connectionCount() - before >= 8, "8 connections");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMs).as("ms for 8 connections, the backoff allows no fewer than 1,030").isGreaterThanOrEqualTo(900);
        mock.closeOnAccept(0);
        // a link accepted before the line above may still be dropped under a query: that query fails as LinkDown,
        // rightly (it was on the wire); the device is served again once a link accepted after it is up
        String[] idn = {null};
        Await.until(ClientContract.WAIT, () -> {
            try {
                idn[0] = c.query("*IDN?", ClientContract.WAIT);
                return true;
            } catch (dev.labwire.core.LinkDownException e) {
                return false;
            }
        }, "a query served once the device keeps its connections");
        assertThat(idn[0]).isEqualTo(ClientContract.IDN);
    }

    /**
     * A device (or terminal server) that greets each connection with a line: with {@code quietAfterConnect} the
     * greeting is discarded and every reply, the hook's included, reaches its own request, on the first link and after
     * a reconnect. Without the setting the greeting was the first request's reply and every later reply went to the
     * request after its own (measured with a python peer: 20 of 20 first queries got the banner; the blocking client's
     * replies stayed shifted by one for good, and with a hook the hook's answer reached the user's first call).
     */
    @Test
    default void aGreetingOnEachConnectionIsNotTakenForAReplyWithQuietAfterConnect() {
        MockInstrument mock = mock();
        mock.greeting(MockReply.line("Welcome to the mock instrument", "\r\n").delay(Duration.ofMillis(30)));
        List<String> answers = new CopyOnWriteArrayList<>();
        TestClient c = track(clients().openWithHook(mock.endpoint(), ClientContract.fast()
                .quietAfterConnect(Duration.ofMillis(200)).build(), (s, cause) -> { }, List.of("*IDN?"), answers));
        for (int i = 0; i < 3; i++) {
            assertThat(c.query("ECHO? a" + i)).isEqualTo("a" + i);
        }
        int links = mock.connectionCount();
        mock.disconnect();
        Await.until(ClientContract.WAIT, () -> mock.connectionCount() > links, "the client reconnects");
        for (int i = 0; i < 3; i++) {
            assertThat(c.query("ECHO? b" + i, ClientContract.WAIT)).isEqualTo("b" + i);
        }
        assertThat(answers).containsOnly(ClientContract.IDN).hasSizeGreaterThanOrEqualTo(2);
    }

    /**
     * A device that streams an unterminated line for 5 s (a binary mode, a wrong setting): the query fails as too long,
     * and the link is renewed when the grace (300 ms) has passed, so the next call is answered on a new connection.
     * Before, each chunk of the bad line restarted the grace, and the link was held as long as the device sent.
     */
    @Test
    default void aDeviceStreamingAnEndlessLineDoesNotHoldTheLinkForEver() {
        MockInstrument mock = mock();
        TestClient c = track(clients().open(mock.endpoint(), ClientContract.fast().maxFrameLength(64)
                .staleReplyPolicy(dev.labwire.core.StaleReplyPolicy.discardLateReply(Duration.ofMillis(300))).build()));
        assertThat(c.query("*IDN?")).isEqualTo(ClientContract.IDN);
        byte[] chunk = "x".repeat(200).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        MockReply stream = MockReply.bytes(chunk);
        for (int i = 0; i < 100; i++) {
            stream = stream.then(MockReply.bytes(chunk).delay(Duration.ofMillis(50)));
        }
        mock.enqueue(stream);
        assertThatThrownBy(() -> c.query("BIN?")).isInstanceOf(dev.labwire.core.RemoteProtocolException.class)
                .hasMessageContaining("64");
        assertThat(c.query("*IDN?", Duration.ofSeconds(2))).isEqualTo(ClientContract.IDN);
    }

    @Test
    default void aRefusedPortIsReportedAsLinkDownWithTheCause() {
        mock().stop();
        TestClient c = track(clients().open(mock().endpoint(), ClientContract.fast().build()));
        assertThatThrownBy(() -> c.awaitReady(Duration.ofMillis(500))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("not ready").hasMessageContaining("refused");
    }

    @Test
    default void aMalformedEndpointFailsAtOnceNamingTheBadPart() {
        assertThatThrownBy(() -> clients().open("tcp://localhost:50x25", ConnectionConfig.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("50x25");
        assertThatThrownBy(() -> clients().open("gpib://7", ConnectionConfig.DEFAULT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpib");
    }

    @Test
    default void severalClientsShareOneInstrument() {
        TestClient a = track(clients().open(mock().endpoint(), ClientContract.fast().build()));
        TestClient b = track(clients().open(mock().endpoint(), ClientContract.fast().build()));
        a.write("VOLT 3");
        // a write returns once sent; *OPC? on the same link is the SCPI way to know it was done
        assertThat(a.query("*OPC?")).isEqualTo("1");
        assertThat(b.query("VOLT?")).isEqualTo("3");
        assertThat(a.query("ECHO? from-a")).isEqualTo("from-a");
        assertThat(b.query("ECHO? from-b")).isEqualTo("from-b");
    }
}
