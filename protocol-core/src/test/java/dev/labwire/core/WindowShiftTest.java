package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Pair;
import dev.labwire.core.testing.ScriptedInstrument;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Found by ExchangeOraclePropertiesTest (seed -5214293448561889201): with pipelining, a query the device never
 * answers is followed in the window by a block query whose data holds LF. The unanswered query takes the block's
 * bytes up to that LF as its "reply", the block framer then sees no '#' and discards a bad frame through the next
 * LF: the window fails, and since nothing is owed any more the link used to stay as it was, so the rest of the
 * block, still on its way, became the reply of the next query. A failed window now always puts the stream in step
 * (the link is renewed, or the resync probe runs).
 */
class WindowShiftTest {
    private static final byte[] FIRST = ("#215R11:8\u00D2\u0007\u0098\n\u0018\u00D5\n").getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] REST = ("6\u009E0\n").getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void aBadReplyInAFailedWindowNeverLetsTheRestOfTheStreamReachTheNextQuery() {
        for (StaleReplyPolicy policy : new StaleReplyPolicy[] {StaleReplyPolicy.discardLateReply(Duration.ofSeconds(1)),
                StaleReplyPolicy.reconnect(), StaleReplyPolicy.scpiResync()}) {
            ConnectionConfig cfg = ConnectionConfig.builder().maxInFlight(4).staleReplyPolicy(policy)
                    .backoff(new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 2, 0))
                    .jitter(() -> JitterSource.fixed(0.5)).build();
            ScriptedInstrument device = new ScriptedInstrument(cmd -> null); // the test delivers every reply, in order
            Pair p = Pair.open(cfg, device);
            long skipped = p.send(Request.query("Q8?"));                 // the device never answers it
            long block = p.send(Request.of("B11?", Expect.block()));
            int opens = p.opens();
            p.deliver(FIRST);
            assertThat(p.endingOf(block)).as(policy.toString()).isInstanceOf(Event.Failed.class);
            assertThat(p.endingOf(skipped)).as(policy.toString()).isInstanceOf(Event.Failed.class);
            p.advanceThroughTimers(Duration.ofMillis(300));
            long next = p.send(Request.query("Q17?"));
            if (p.opens() == opens) {
                p.deliver(REST); // the rest of the block, on the same link
                if (device.commands().contains("*OPC?;*OPC?")) {
                    p.deliver("1;1\n".getBytes(StandardCharsets.ISO_8859_1)); // the probe's answer comes after it
                }
            }
            assertThat(device.commands()).as(policy + ": the next query went out").contains("Q17?");
            p.deliver("R17\n".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(p.replyText(next)).as(policy.toString()).isEqualTo("R17");
        }
    }
}
