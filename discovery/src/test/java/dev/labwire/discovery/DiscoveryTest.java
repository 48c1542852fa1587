package dev.labwire.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The run's deadline and arguments. No multicast or broadcast here (the test JVM is on the host's network): mDNS runs on no
 * address or is off, the VXI-11 broadcast is off; the namespace tests do both for real.
 */
class DiscoveryTest {

    @Test
    void aRunEndsAtItsDeadline() {
        long t0 = System.nanoTime();
        try (Stream<FoundInstrument> s = Discovery.builder().serial(false).vxi11Broadcast(false).addresses(List.of()).build()
                .stream(Duration.ofMillis(400))) {
            assertThat(s.toList()).isEmpty();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isBetween(400L, 2000L);
    }

    @Test
    void onlyFiniteSourcesEndAsSoonAsTheyAnswered() {
        long t0 = System.nanoTime();
        List<FoundInstrument> found = Discovery.builder().mdns(false).vxi11Broadcast(false).build().findAll(Duration.ofSeconds(30));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isLessThan(10_000);
        assertThat(found).allSatisfy(f -> {
            assertThat(f.source()).isEqualTo(Source.SERIAL);
            assertThat(f.endpoint()).startsWith("serial:/");
        });
    }

    @Test
    void aTimeoutTooLongForNanosecondsRunsUntilClosedOrTheFiniteSourcesAnswered() {
        Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
        long t0 = System.nanoTime();
        List<FoundInstrument> found = Discovery.builder().mdns(false).vxi11Broadcast(false).identifyTimeout(forever)
                .build().findAll(forever);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(10_000);
        assertThat(found).allSatisfy(f -> assertThat(f.source()).isEqualTo(Source.SERIAL));
        // an endless run (mDNS on no address) hands out nothing and ends when its stream is closed
        Stream<FoundInstrument> s = Discovery.builder().serial(false).vxi11Broadcast(false).addresses(List.of()).build()
                .stream(forever);
        java.util.Iterator<FoundInstrument> it = s.iterator();
        java.util.concurrent.CompletableFuture<Boolean> more = java.util.concurrent.CompletableFuture.supplyAsync(it::hasNext);
        assertThatThrownBy(() -> more.get(300, java.util.concurrent.TimeUnit.MILLISECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        long c0 = System.nanoTime();
        s.close();
        assertThat(more).succeedsWithin(Duration.ofSeconds(2)).isEqualTo(false);
        assertThat((System.nanoTime() - c0) / 1_000_000).isLessThan(2_000);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> Discovery.builder().serviceTypes(List.of("scpi"))).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("'scpi'");
        assertThatThrownBy(() -> Discovery.builder().identifyTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> Discovery.builder().build().stream(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }

    @Test
    void aResultMustBePasteable() {
        assertThatThrownBy(() -> new FoundInstrument("nonsense", Source.MDNS, "", java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty(), java.util.Map.of(), java.util.Optional.empty(), java.util.Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
