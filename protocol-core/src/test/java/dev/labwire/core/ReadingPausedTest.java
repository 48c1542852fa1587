package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Pair;
import dev.labwire.core.testing.ScriptedInstrument;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A timeout while the driver stopped reading for backpressure says so, with how long, and only then. */
class ReadingPausedTest {
    private static final ConnectionConfig CFG = ConnectionConfig.builder().defaultTimeout(Duration.ofMillis(500))
            .staleReplyPolicy(StaleReplyPolicy.reconnect()).build();

    @Test
    void aTimeoutWhileReadingIsPausedBlamesThePauseNotTheDevice() {
        Pair p = Pair.open(CFG, new ScriptedInstrument(cmd -> null));
        long first = p.send(Request.query("MEAS?"));
        p.advance(Duration.ofMillis(100));
        p.conn.readingPaused(true, p.now());
        p.conn.readingPaused(true, p.now() + 50_000_000); // a repeat keeps the first moment
        p.advanceThroughTimers(Duration.ofMillis(500));
        Event.Timeout t = (Event.Timeout) p.endingOf(first);
        assertThat(t.detail()).startsWith("no reply came; but the client had stopped reading the link 400 ms before")
                .contains("consumer of pushed frames");

        p.conn.readingPaused(false, p.now());
        p.advanceThroughTimers(Duration.ofSeconds(1));
        long second = p.send(Request.query("MEAS?"));
        p.advanceThroughTimers(Duration.ofSeconds(1));
        assertThat(((Event.Timeout) p.endingOf(second)).detail()).isEqualTo("no reply came");
    }

    @Test
    void machinesWithoutTheNoteIgnoreIt() {
        LinkMachine bus = new dev.labwire.core.bus.Bus(dev.labwire.core.bus.BusConfig.builder().build());
        bus.readingPaused(true, 0); // the default: nothing happens, nothing throws
        assertThat(bus.state()).isEqualTo(State.IDLE);
    }
}
