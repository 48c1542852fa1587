package dev.labwire.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HookGuardTest {
    private static final Duration TEN_MS = Duration.ofMillis(10);

    @Test
    void aRunCountsOnlyOnItsOwnLinkAndOnlyOnce() {
        HookGuard g = new HookGuard();
        long gen = g.newLink();
        g.start(gen, 0, TEN_MS);
        assertThat(g.isCurrent(gen)).isTrue();
        assertThat(g.deadlineNanos()).isEqualTo(10_000_000);
        AssertionError boom = new AssertionError("boom");
        assertThat(g.finish(gen, boom)).isTrue();
        assertThat(g.finish(gen, null)).as("a second ending").isFalse();
        assertThat(g.takeFailure()).isSameAs(boom);
        assertThat(g.takeFailure()).isNull();
        assertThat(g.deadlineNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aRunThatOutlivesItsLinkChangesNothing() {
        HookGuard g = new HookGuard();
        long gen = g.newLink();
        g.start(gen, 0, TEN_MS);
        g.linkGone();
        assertThat(g.isCurrent(gen)).isFalse();
        assertThat(g.finish(gen, null)).isFalse();
        long next = g.newLink();
        g.start(gen, 0, TEN_MS); // a stale start is ignored
        assertThat(g.isCurrent(next)).isFalse();
        assertThat(g.expire(Long.MAX_VALUE - 1)).isFalse();
    }

    @Test
    void theDeadlineExpiresOnceAndALateEndingIsIgnored() {
        HookGuard g = new HookGuard();
        long gen = g.newLink();
        g.start(gen, 100, TEN_MS);
        assertThat(g.expire(100 + 9_999_999)).as("early").isFalse();
        assertThat(g.expire(100 + 10_000_000)).isTrue();
        assertThat(g.expire(100 + 20_000_000)).isFalse();
        g.failed(new IllegalStateException("timed out"));
        assertThat(g.finish(gen, null)).isFalse();
        assertThat(g.takeFailure()).hasMessage("timed out");
        assertThat(g.generation()).isEqualTo(gen);
    }

    @Test
    void aForeverTimeoutNeverOverflows() {
        HookGuard g = new HookGuard();
        long gen = g.newLink();
        g.start(gen, Long.MAX_VALUE - 5, java.time.temporal.ChronoUnit.FOREVER.getDuration());
        assertThat(g.deadlineNanos()).isEqualTo(Durations.NEVER);
    }
}
