package dev.labwire.blocking.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Where a batch keeps each request's ending: by its consecutive ids, the core accepting a batch whole ({@code sendAll}). */
class BatchTest {
    private static Batch batch(int n) {
        Request[] rs = new Request[n];
        for (int i = 0; i < n; i++) {
            rs[i] = Request.query("Q" + i + "?");
        }
        return new Batch(rs, Duration.ofSeconds(1), 0, 0, false);
    }

    @Test
    void consecutiveIdsAreFoundByTheirRangeAndEachEndingKeepsItsPlace() {
        Batch b = batch(3);
        b.sentAllLocked(10);
        assertThat(b.sent()).isEqualTo(3);
        assertThat(b.id(2)).isEqualTo(12);
        assertThat(b.pendingId(9)).isFalse();
        assertThat(b.pendingId(13)).isFalse();
        assertThat(b.endLocked(12, Frame.of("c"))).isFalse();
        assertThat(b.pendingId(12)).as("an ended id is no longer the batch's").isFalse();
        assertThat(b.endLocked(12, Frame.of("again"))).as("a second ending of one id changes nothing").isFalse();
        assertThat(b.endLocked(99, Frame.of("stranger"))).isFalse();
        assertThat(b.endLocked(10, Frame.of("a"))).isFalse();
        assertThat(b.endedLocked()).isFalse();
        assertThat(b.endLocked(11, Frame.of("b"))).as("the last ending ends the batch").isTrue();
        assertThat(b.ending(0)).isEqualTo(Frame.of("a"));
        assertThat(b.ending(1)).isEqualTo(Frame.of("b"));
        assertThat(b.ending(2)).isEqualTo(Frame.of("c"));
    }

    @Test
    void aBatchWithNothingSentHoldsNoId() {
        Batch b = batch(2);
        assertThat(b.pendingId(0)).isFalse();
        assertThat(b.endLocked(0, Frame.of("x"))).isFalse();
        assertThat(b.sent()).isZero();
    }
}
