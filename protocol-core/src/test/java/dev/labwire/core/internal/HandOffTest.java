package dev.labwire.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.Overflow;
import org.junit.jupiter.api.Test;

class HandOffTest {

    private static HandOff<String> filled(Overflow policy) {
        HandOff<String> q = new HandOff<>(3, policy);
        for (String s : new String[] {"A", "B", "C", "D"}) {
            q.offer(s);
        }
        return q;
    }

    private static String drain(HandOff<String> q) {
        StringBuilder b = new StringBuilder();
        for (String s; (s = q.poll()) != null; ) {
            b.append(s);
        }
        return b.toString();
    }

    @Test
    void dropOldestKeepsTheNewestCapacityItems() {
        HandOff<String> q = filled(Overflow.DROP_OLDEST);
        assertThat(q.dropped()).isEqualTo(1);
        assertThat(q.offered()).isEqualTo(4);
        assertThat(drain(q)).isEqualTo("BCD");
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void keepLatestKeepsOnlyTheNewest() {
        HandOff<String> q = filled(Overflow.KEEP_LATEST);
        assertThat(q.dropped()).isEqualTo(3);
        assertThat(drain(q)).isEqualTo("D");
    }

    @Test
    void failRefusesAndStaysFailedUntilRecovered() {
        HandOff<String> q = filled(Overflow.FAIL);
        assertThat(q.failed()).isTrue();
        assertThat(q.offer("E")).isFalse();
        assertThat(q.dropped()).isEqualTo(2);
        assertThat(q.size()).isEqualTo(3);
        q.recover();
        assertThat(q.failed()).isFalse();
        assertThat(q.dropped()).isEqualTo(5);
        assertThat(q.offer("F")).isTrue();
        assertThat(drain(q)).isEqualTo("F");
    }

    @Test
    void memoryIsBoundedWhateverTheProducerDoes() {
        HandOff<byte[]> q = new HandOff<>(16, Overflow.DROP_OLDEST);
        for (int i = 0; i < 100_000; i++) {
            q.offer(new byte[64]);
        }
        assertThat(q.size()).isEqualTo(16);
        assertThat(q.dropped()).isEqualTo(100_000 - 16);
    }

    @Test
    void dropsAreReportedAtOnceThenAtMostOncePerInterval() {
        HandOff<String> q = new HandOff<>(1, Overflow.DROP_OLDEST);
        assertThat(q.dropsToReport(0, 100)).isZero();
        q.offer("A");
        q.offer("B");
        assertThat(q.dropsToReport(5, 100)).isEqualTo(1);
        q.offer("C");
        q.offer("D");
        assertThat(q.dropsToReport(50, 100)).isZero();
        assertThat(q.dropsToReport(105, 100)).isEqualTo(2);
        assertThat(q.dropsToReport(500, 100)).isZero();
    }

    @Test
    void badArgumentsAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> new HandOff<String>(0, Overflow.FAIL)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
        assertThatThrownBy(() -> new HandOff<String>(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new HandOff<String>(1, Overflow.FAIL).offer(null)).isInstanceOf(NullPointerException.class);
        assertThat(new HandOff<String>(5, Overflow.FAIL).policy()).isEqualTo(Overflow.FAIL);
    }
}
