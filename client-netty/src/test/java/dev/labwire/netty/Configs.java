package dev.labwire.netty;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.testsupport.clients.ClientContract;
import java.time.Duration;

/** Configs for tests: short timeouts and a quick reconnect, so failing tests fail fast (those of the shared contract). */
final class Configs {
    /** How long a test waits for something that should happen at once. */
    static final Duration WAIT = ClientContract.WAIT;

    private Configs() {
    }

    static ConnectionConfig.Builder fast() {
        return ClientContract.fast();
    }
}
