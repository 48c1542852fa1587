package dev.labwire.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A link-down failure whose last down cause is itself a link-down failure does not nest it: a hook failing at every
 * link used to add one LinkDownException and the whole message of the one before at each reconnect (21 deep after
 * 10 s in the red team's run, the message growing quadratically), so memory and messages grew without bound.
 */
class OutcomesTest {
    private static final Request Q = Request.query("*IDN?");

    @Test
    void aChainOfLinkDownCausesStaysTwoDeepWhateverTheReconnects() {
        Throwable lastDown = new IOException("link closed by labwire: on-connect hook failed");
        RuntimeException x = null;
        for (int i = 0; i < 200; i++) {
            x = Outcomes.failure(Q, new Event.Timeout(1, Q, false, "the on-connect hook was still running"),
                    Duration.ofMillis(300), "tcp://psu:5025", State.ON_CONNECT, lastDown, false);
            lastDown = x; // what the next link's hook failure carries
        }
        assertThat(x).isInstanceOf(LinkDownException.class);
        assertThat(x.getCause()).isInstanceOf(IOException.class).hasMessageContaining("on-connect hook failed");
        assertThat(x.getCause().getCause()).isNull();
        assertThat(x.getMessage()).hasSizeLessThan(300).containsOnlyOnce("is ON_CONNECT");
    }

    @Test
    void aLinkLostDuringACallNamesTheFirstFailureNotTheWrappers() {
        IOException reset = new IOException("Connection reset");
        LinkDownException wrapped = new LinkDownException("link to x lost during \"A?\": " + reset, reset);
        RuntimeException x = Outcomes.failure(Q, new Event.Failed(2, Q, wrapped), Duration.ofSeconds(1), "tcp://psu:5025",
                State.DOWN, null, false);
        assertThat(x).isInstanceOf(LinkDownException.class).hasCause(reset);
        assertThat(Outcomes.withoutNestedLinkDowns(new LinkDownException("alone", null))).hasMessage("alone");
    }
}
