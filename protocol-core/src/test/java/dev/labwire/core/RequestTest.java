package dev.labwire.core;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link Request}: the text factories, and the defensive copies of a caller's arrays. */
class RequestTest {

    @Test
    void aTextRequestHoldsItsEncodedBytesAndNoTimeout() {
        Request q = Request.query("MEAS:VOLT?");
        assertThat(q.payload()).isEqualTo("MEAS:VOLT?".getBytes(ISO_8859_1));
        assertThat(q.timeout()).isNull();
        assertThat(q.resend()).isEqualTo(Request.Resend.AS_CONFIGURED);
        assertThat(q).isEqualTo(new Request("MEAS:VOLT?".getBytes(ISO_8859_1), Expect.line(), null, Request.Resend.AS_CONFIGURED));
        assertThat(q.withTimeout(Duration.ofSeconds(2)).timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(Request.write("VOLT 5").expect()).isEqualTo(Expect.nothing());
    }

    @Test
    void aCallersArrayIsCopiedInAndOut() {
        byte[] mine = {'A', 'B', '?'};
        Request r = new Request(mine, Expect.line(), null, Request.Resend.NEVER);
        Request b = Request.of(mine, Expect.line());
        mine[0] = 'X';
        assertThat(r.text()).isEqualTo("AB?");
        assertThat(b.text()).isEqualTo("AB?");
        r.payload()[1] = 'Y';
        assertThat(r.text()).isEqualTo("AB?");
        assertThat(r.payloadNoCopy()).isNotSameAs(mine);
    }

    @Test
    void everyNegativeOrZeroTimeoutIsRefusedWhateverItsValue() {
        byte[] p = {'Q'};
        for (Duration d : new Duration[] {Duration.ofSeconds(-1), Duration.ofNanos(-1), Duration.ZERO}) {
            assertThatThrownBy(() -> new Request(p, Expect.line(), d, Request.Resend.NEVER))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout must be positive");
            assertThatThrownBy(() -> Request.query("Q?").withTimeout(d)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
