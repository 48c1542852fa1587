package dev.labwire.netty;

import dev.labwire.core.Backoff;
import dev.labwire.core.ConnectionConfig;
import java.time.Duration;

/** Configs for tests: short timeouts and a quick reconnect, so failing tests fail fast. */
final class Configs {
    /** How long a test waits for something that should happen at once. */
    static final Duration WAIT = Duration.ofSeconds(10);

    private Configs() {
    }

    static ConnectionConfig.Builder fast() {
        return ConnectionConfig.builder()
                .defaultTimeout(Duration.ofSeconds(3))
                .connectTimeout(Duration.ofSeconds(2))
                .backoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 2, 0.2));
    }
}
