package dev.labwire.blocking.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Where a batch keeps each request's ending: by consecutive ids (the core's numbering), or by search when they are not. */
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
        assertThat(b.sentLocked(10)).isTrue();
        assertThat(b.sentLocked(11)).isTrue();
        assertThat(b.sentLocked(12)).isTrue();
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
    void idsThatAreNotConsecutiveAreFoundBySearch() {
        Batch b = batch(3);
        assertThat(b.sentLocked(5)).isTrue();
        assertThat(b.sentLocked(7)).as("a gap: the batch must go into the table of calls").isFalse();
        assertThat(b.sentLocked(8)).as("once not consecutive, never again").isFalse();
        assertThat(b.pendingId(6)).isFalse();
        assertThat(b.endLocked(6, Frame.of("x"))).isFalse();
        assertThat(b.endLocked(8, Frame.of("c"))).isFalse();
        assertThat(b.endLocked(5, Frame.of("a"))).isFalse();
        assertThat(b.endLocked(7, Frame.of("b"))).isTrue();
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
