package dev.labwire.blocking.internal;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.internal.WireTrace;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link TransmitGather}: everything the machine has to send, in order, in one buffer, whatever its size. */
class TransmitGatherTest {
    private static final Logger QUIET = LoggerFactory.getLogger("labwire.test.gather"); // not at TRACE

    private static Connection ready(int inFlight) {
        Connection c = new Connection(ConnectionConfig.builder().maxInFlight(inFlight)
                .pipelining(ConnectionConfig.Pipelining.EVERY_REQUEST_ANSWERED).build());
        c.open(0);
        c.linkUp(0);
        while (c.nextEvent() != Event.NeedData.INSTANCE) {
            // the link's state changes
        }
        return c;
    }

    private static String text(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, ISO_8859_1);
    }

    @Test
    void gathersEveryRequestInOrderGrowingPastTheFirstBufferAndLettingABigOneGo() {
        assertThat(QUIET.isTraceEnabled()).as("this test checks the path without tracing").isFalse();
        Connection c = ready(1000);
        WireTrace trace = new WireTrace();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 300; i++) { // 300 requests of 1 to 600 bytes: about 90 KiB, past the 64 KiB kept
            String body = "Q" + i + "?" + "x".repeat((i * 37) % 600);
            c.send(Request.query(body), 0);
            expected.append(body).append('\n');
        }
        TransmitGather g = new TransmitGather();
        ByteBuffer out = g.all(c, QUIET, trace);
        assertThat(out.position()).isZero();
        assertThat(text(out)).isEqualTo(expected.toString());
        assertThat(g.all(c, QUIET, trace)).as("nothing left to send").isNull();

        c.send(Request.query("AFTER?"), 0); // the big buffer was let go; a small one serves again
        assertThat(text(g.all(c, QUIET, trace))).isEqualTo("AFTER?\n");
    }

    @Test
    void takesOnlyWhatTheMachineMaySendNow() {
        Connection c = ready(2);
        for (int i = 0; i < 5; i++) {
            c.send(Request.query("Q" + i + "?"), 0);
        }
        TransmitGather g = new TransmitGather();
        assertThat(text(g.all(c, QUIET, new WireTrace()))).isEqualTo("Q0?\nQ1?\n"); // two slots
        assertThat(g.all(c, QUIET, new WireTrace())).isNull();
    }
}
