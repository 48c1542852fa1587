package dev.labwire.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

    @Test
    void theEarliestIsTrackedAcrossPutsRemovalsAndExpiry() {
        Deadlines d = new Deadlines();
        assertThat(d.earliest()).isEqualTo(Long.MAX_VALUE);
        d.put(1, 300);
        d.put(2, 100);
        d.put(3, 200);
        assertThat(d.earliest()).isEqualTo(100);
        assertThat(d.remove(2)).isTrue();
        assertThat(d.remove(2)).isFalse();
        assertThat(d.earliest()).isEqualTo(200);
        List<Long> expired = new ArrayList<>();
        d.expire(199, expired::add);
        assertThat(expired).isEmpty();
        d.expire(250, expired::add);
        assertThat(expired).containsExactly(3L);
        assertThat(d.earliest()).isEqualTo(300);
        assertThat(d.size()).isEqualTo(1);
    }

    @Test
    void deadlinesAcrossTheNanoTimeWrapCompareByDifference() {
        Deadlines d = new Deadlines();
        d.put(1, Long.MAX_VALUE - 10);
        d.put(2, Long.MIN_VALUE + 10); // later, past the wrap
        assertThat(d.earliest()).isEqualTo(Long.MAX_VALUE - 10);
        List<Long> expired = new ArrayList<>();
        d.expire(Long.MAX_VALUE - 5, expired::add);
        assertThat(expired).containsExactly(1L);
        assertThat(d.earliest()).isEqualTo(Long.MIN_VALUE + 10);
    }
}
