package dev.labwire.discovery.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/** The run's time arithmetic holds durations too long for {@code toNanos()} instead of throwing. */
class DiscoveryRunBudgetTest {

    @Test
    void durationsBeyondTheHorizonAreHeldThere() {
        assertThat(DiscoveryRun.horizonNanos(ChronoUnit.FOREVER.getDuration())).isEqualTo(DiscoveryRun.LONGEST_NANOS);
        assertThat(DiscoveryRun.horizonNanos(Duration.ofDays(365L * 200))).isEqualTo(DiscoveryRun.LONGEST_NANOS);
        assertThat(DiscoveryRun.horizonNanos(Duration.ofMillis(1500))).isEqualTo(1_500_000_000L);
        assertThat(DiscoveryRun.horizonNanos(Duration.ZERO)).isZero();
    }

    @Test
    void anIdentificationTakesItsTimeoutCutToTheRunsRest() {
        Duration forever = ChronoUnit.FOREVER.getDuration();
        assertThat(DiscoveryRun.identifyBudget(forever, 3_000_000_000L)).isEqualTo(Duration.ofSeconds(3));
        assertThat(DiscoveryRun.identifyBudget(forever, DiscoveryRun.LONGEST_NANOS))
                .isEqualTo(Duration.ofNanos(DiscoveryRun.LONGEST_NANOS));
        assertThat(DiscoveryRun.identifyBudget(Duration.ofSeconds(2), 3_000_000_000L)).isEqualTo(Duration.ofSeconds(2));
        assertThat(DiscoveryRun.identifyBudget(Duration.ofSeconds(2), -5)).isEqualTo(Duration.ofMillis(1));
    }
}
