package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Service requests emulated on a raw SCPI link by polling {@code *STB?} ({@link ConnectionConfig#serviceRequestPolling}), on a fake clock. */
class ServicePollTest {
    private static final long MS = 1_000_000L;

    private final Connection c = new Connection(ConnectionConfig.builder()
            .serviceRequestPolling(Duration.ofMillis(100)).defaultTimeout(Duration.ofSeconds(1)).build());

    private List<Event> events() {
        List<Event> out = new ArrayList<>();
        for (Event e; (e = c.nextEvent()) != Event.NeedData.INSTANCE; ) {
            out.add(e);
        }
        return out;
    }

    private String sent() {
        StringBuilder b = new StringBuilder();
        for (ByteBuffer buf; (buf = c.pollTransmit()) != null; ) {
            b.append(StandardCharsets.ISO_8859_1.decode(buf));
        }
        return b.toString();
    }

    private void answer(String line, long at) {
        c.receive(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.ISO_8859_1)), at);
    }

    /** Fires the timer at {@code at} and returns what went out. */
    private String tick(long at) {
        c.handleTimeout(at);
        return sent();
    }

    private void ready() {
        c.open(0);
        events();
        c.linkUp(0);
        assertThat(events()).extracting(e -> ((Event.StateChanged) e).state()).containsExactly(State.ON_CONNECT, State.READY);
    }

    @Test
    void eachRiseOfMssIsOneServiceRequestAndPollsNeverReachTheDriver() {
        ready();
        assertThat(c.pollTimeoutNanos()).isEqualTo(100 * MS);
        assertThat(tick(50 * MS)).as("not due yet").isEmpty();
        assertThat(tick(100 * MS)).isEqualTo("*STB?\n");
        assertThat(c.pollTimeoutNanos()).as("the poll's own timeout, not a second poll").isEqualTo(200 * MS);
        answer("0", 101 * MS);
        assertThat(events()).as("a poll's reply is the core's own").isEmpty();
        assertThat(tick(200 * MS)).isEqualTo("*STB?\n");
        answer("+96", 201 * MS);
        assertThat(events()).containsExactly(new Event.ServiceRequest(96));
        assertThat(tick(300 * MS)).isEqualTo("*STB?\n");
        answer("96", 301 * MS);
        assertThat(events()).as("still set: no new request").isEmpty();
        assertThat(tick(400 * MS)).isEqualTo("*STB?\n");
        answer("32", 401 * MS);
        assertThat(events()).isEmpty();
        assertThat(tick(500 * MS)).isEqualTo("*STB?\n");
        answer("64", 501 * MS);
        assertThat(events()).containsExactly(new Event.ServiceRequest(64));
    }

    @Test
    void userRequestsKeepTheirRepliesBetweenPolls() {
        ready();
        assertThat(tick(100 * MS)).isEqualTo("*STB?\n");
        long idn = c.send(Request.query("*IDN?"), 100 * MS);
        assertThat(sent()).as("strict link: the query waits for the poll").isEmpty();
        answer("0", 102 * MS);
        assertThat(sent()).isEqualTo("*IDN?\n");
        answer("ACME,1", 103 * MS);
        List<Event> ev = events();
        assertThat(ev).hasSize(1);
        assertThat(ev.get(0)).isInstanceOfSatisfying(Event.Reply.class, r -> {
            assertThat(r.id()).isEqualTo(idn);
            assertThat(r.text()).isEqualTo("ACME,1");
        });
    }

    @Test
    void aPollWithoutAnswerIsSwallowedAndItsLateAnswerReachesNobody() {
        ready();
        assertThat(tick(100 * MS)).isEqualTo("*STB?\n");
        assertThat(tick(200 * MS)).as("the poll timed out; the next one waits for the stale reply to settle").isEmpty();
        assertThat(events()).as("the poll's timeout is the core's own").isEmpty();
        long q = c.send(Request.query("MEAS?"), 201 * MS);
        answer("64", 250 * MS); // the late answer to the poll
        sent();
        answer("1.5", 260 * MS);
        List<Event> ev = events();
        assertThat(ev).filteredOn(e -> e instanceof Event.Reply).singleElement()
                .satisfies(e -> assertThat(((Event.Reply) e).text()).isEqualTo("1.5"))
                .satisfies(e -> assertThat(((Event.Reply) e).id()).isEqualTo(q));
        assertThat(ev).noneMatch(e -> e instanceof Event.ServiceRequest);
    }

    @Test
    void aBadStatusReplyIsAProtocolErrorAndPollingStopsWhileDown() {
        ready();
        tick(100 * MS);
        answer("busy", 101 * MS);
        assertThat(events()).singleElement().isInstanceOfSatisfying(Event.ProtocolError.class,
                e -> assertThat(e.error()).hasMessageContaining("service-request poll").hasMessageContaining("\"busy\""));
        c.linkDown(new RuntimeException("cable"), 150 * MS);
        events();
        assertThat(tick(300 * MS)).as("no poll while the link is down").isEmpty();
        assertThat(c.state()).isIn(State.DOWN, State.CONNECTING);
    }

    @Test
    void thePeriodIsChecked() {
        assertThatThrownBy(() -> ConnectionConfig.builder().serviceRequestPolling(Duration.ofNanos(10)))
                .hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> ConnectionConfig.builder().serviceRequestPolling(Duration.ZERO))
                .hasMessageContaining("serviceRequestPolling");
        assertThat(ConnectionConfig.builder().serviceRequestPolling(null).build().serviceRequestPolling()).isNull();
        assertThat(ConnectionConfig.builder().serviceRequestPolling(Duration.ofSeconds(1)).build().toBuilder().build()
                .serviceRequestPolling()).isEqualTo(Duration.ofSeconds(1));
    }
}
