package dev.labwire.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.State;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class FirstConnectTest {
    private final FirstConnect first = new FirstConnect("tcp://10.0.0.7:5025");
    private final IOException refused = new IOException("Connection refused");

    @Test
    void aDefiniteFailureBeforeTheFirstLinkFailsWaitsUntilALinkComesUp() {
        assertThat(first.failure()).isNull();
        first.stateChanged(State.CONNECTING, null, null);
        first.stateChanged(State.DOWN, refused, "connection refused");
        assertThat(first.failure()).hasMessage("link to tcp://10.0.0.7:5025 not ready: connection refused "
                + "(Connection refused); the first connect attempt failed for good").hasCause(refused);
        first.stateChanged(State.CONNECTING, null, null); // a retry in progress: still failed
        assertThat(first.failure()).isNotNull();
        first.stateChanged(State.ON_CONNECT, null, null);
        assertThat(first.failure()).isNull();
    }

    @Test
    void aFailureWorthRetryingDoesNotFailWaits() {
        first.stateChanged(State.DOWN, refused, "connection refused");
        first.stateChanged(State.DOWN, new IOException("connect timed out"), null);
        assertThat(first.failure()).isNull();
        first.stateChanged(State.DOWN, null, "no such port");
        assertThat(first.failure().getMessage()).contains("no such port (no detail)");
        first.stateChanged(State.CLOSED, null, null);
        assertThat(first.failure()).isNull();
    }

    @Test
    void onceReadyTheRuleIsOff() {
        first.stateChanged(State.READY, null, null);
        first.stateChanged(State.DOWN, refused, "connection refused");
        assertThat(first.failure()).isNull();
    }

    @Test
    void aCauseWithoutMessageIsShownByItsType() {
        first.stateChanged(State.DOWN, new IOException(), "port busy");
        assertThat(first.failure().getMessage()).contains("port busy (java.io.IOException)");
    }
}
