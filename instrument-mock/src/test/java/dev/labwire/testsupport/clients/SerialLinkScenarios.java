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

    /**
     * A program closes its client and opens a new one on the same port (to change the baud rate, say): when close()
     * has returned, the port is free. Until 2026-12-03 the blocking client's close() returned before the closing of a
     * link the core had already ordered closed had ended, and the next client's first open was refused as busy.
     */
    @Test
    default void aPortClosedByOneClientOpensAtOnceForTheNext() {
        MockInstrument mock = mock();
        for (int i = 0; i < 3; i++) {
            try (TestClient c = clients().open(mock.endpoint(), ClientContract.fast().build())) {
                c.awaitReady(ClientContract.WAIT);
                assertThat(c.query("ECHO? round" + i)).isEqualTo("round" + i);
            }
        }
    }

    @Test
    default void aMissingPortIsReportedWithItsName() {
        TestClient c = track(clients().open("serial:/dev/ttyLABWIRE-NOPE", ClientContract.fast().build()));
        assertThatThrownBy(() -> c.awaitReady(Duration.ofMillis(500))).isInstanceOf(LinkDownException.class)
                .hasMessageContaining("/dev/ttyLABWIRE-NOPE");
    }

    /**
     * A path that exists but is no serial device (a plain file, a directory; a typo in the endpoint) fails the wait for
     * the first link at once, naming the path and why, as a missing port does. Until 2026-12-04 it was retried until the
     * wait's timeout, although no retry can make a plain file a terminal.
     */
    @Test
    default void aPathThatIsNoSerialDeviceFailsTheFirstWaitAtOnce() throws Exception {
        java.nio.file.Path file = Files.createTempFile("labwire-not-a-tty", ".log");
        java.nio.file.Path dir = Files.createTempDirectory("labwire-not-a-tty");
        try {
            for (java.nio.file.Path p : List.of(file, dir)) {
                TestClient c = track(clients().open("serial:" + p, ClientContract.fast().build()));
                long start = System.nanoTime();
                assertThatThrownBy(() -> c.awaitReady(Duration.ofSeconds(5))).isInstanceOf(LinkDownException.class)
                        .hasMessageContaining(p.toString()).hasMessageContaining("not a serial device");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("failed at once, not after the wait")
                        .isLessThan(Duration.ofSeconds(3));
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * A serial port reopened still carries what the device sends afterwards, so renewing the link does not put the
     * replies in step: a late reply that comes after the link was renewed must not reach the next call. Two ways to get
     * there: a lone query's late reply outlasts timeout plus grace (the link is renewed when the grace ends; the quiet
     * time on the new link catches it), and a pipelined window loses its place (renewed at once, at the timeout; its late
     * replies come within timeout plus grace). Found 2026-12-03: both handed a late reply to the next query.
     */
    @Test
    default void aLateReplyAfterTheLinkWasRenewedNeverReachesTheNextCall() throws Exception {
        MockInstrument mock = mock();
        mock.responder(cmd -> cmd.startsWith("LATE? ") || cmd.startsWith("SOON? ")
                ? dev.labwire.mock.MockReply.line(cmd.substring(6)).delay(Duration.ofMillis(cmd.startsWith("L") ? 700 : 400))
                : null);
        // one client (the mock's pty is made again after a client closes it, so a second client would race it)
        TestClient c = track(clients().open(mock.endpoint(), ClientContract.fast().maxInFlight(4)
                .defaultTimeout(Duration.ofMillis(250))
                .staleReplyPolicy(dev.labwire.core.StaleReplyPolicy.discardLateReply(Duration.ofMillis(300))).build()));
        c.awaitReady(ClientContract.WAIT);
        // a lone query: timeout 250 ms + grace 300 ms < 700 ms, so its reply comes on the renewed link
        assertThatThrownBy(() -> c.query("LATE? a")).isInstanceOf(dev.labwire.core.RequestTimeoutException.class);
        assertThat(c.query("ECHO? next", ClientContract.WAIT)).isEqualTo("next");
        assertThat(c.query("ECHO? again", ClientContract.WAIT)).isEqualTo("again");
        // a pipelined window: three queries written together, two answered 400 ms late (within timeout + grace, as the
        // policy asks; the window renews the link at once, at the timeout)
        java.util.Map<String, Object> ended = new java.util.concurrent.ConcurrentHashMap<>();
        List<Thread> callers = new java.util.ArrayList<>();
        for (String token : List.of("b", "c", "d")) {
            Thread t = new Thread(() -> {
                try {
                    ended.put(token, c.query((token.equals("d") ? "ECHO? " : "SOON? ") + token));
                } catch (RuntimeException e) {
                    ended.put(token, e);
                }
            });
            callers.add(t);
            t.start();
        }
        for (Thread t : callers) {
            t.join(ClientContract.WAIT.toMillis());
        }
        assertThat(ended).hasSize(3);
        ended.forEach((token, outcome) -> assertThat(outcome).as(token)
                .satisfiesAnyOf(o -> assertThat(o).isEqualTo(token), o -> assertThat(o).isInstanceOf(RuntimeException.class)));
        assertThat(c.query("ECHO? next2", ClientContract.WAIT)).isEqualTo("next2");
        assertThat(c.query("ECHO? again2", ClientContract.WAIT)).isEqualTo("again2");
    }
    /**
     * A board that answers the on-connect hook's first query late (700 ms, the query's timeout 300 ms): the hook fails,
     * the serial link is renewed and must first be quiet for the grace (1 s), then the hook runs again and the client
     * becomes READY; the late answer reaches neither the hook nor a call. Before, the hook's next query timed out
     * unwritten during that quiet, on every link, for ever (red team, a python board behind socat saw one command in 8 s).
     */
    @Test
    default void aHookQueryAnsweredLateOnASerialLinkIsRetriedAfterTheQuiet() {
        MockInstrument mock = mock();
        java.util.concurrent.atomic.AtomicInteger idns = new java.util.concurrent.atomic.AtomicInteger();
        mock.responder(cmd -> cmd.equals("*IDN?") && idns.incrementAndGet() == 1
                ? dev.labwire.mock.MockReply.line("LATE IDN").delay(Duration.ofMillis(700)) : null);
        List<String> hookIdn = new java.util.concurrent.CopyOnWriteArrayList<>();
        TestClient c = track(clients().openWithHook(mock.endpoint(), ClientContract.fast()
                .defaultTimeout(Duration.ofMillis(300)).build(), (s, cause) -> { }, List.of("*IDN?"), hookIdn));
        assertThat(c.query("ECHO? first", ClientContract.WAIT)).isEqualTo("first");
        assertThat(hookIdn).containsExactly(ClientContract.IDN);
        assertThat(c.query("*IDN?")).isEqualTo(ClientContract.IDN);
    }
}
