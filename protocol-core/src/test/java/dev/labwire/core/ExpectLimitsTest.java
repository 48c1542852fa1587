package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Reply sizes a framer cannot take are refused when the request is made, naming the limit, instead of failing later
 * on a driver's thread (where the call would only end at its timeout).
 */
class ExpectLimitsTest {
    @Test
    void blockAndByteCountsStayWithinTheFramersLimit() {
        assertThat(Expect.block(Expect.MAX_LENGTH)).isEqualTo(new Expect.Block(1 << 30));
        assertThat(Expect.bytes(Expect.MAX_LENGTH)).isEqualTo(new Expect.Bytes(1 << 30));
        assertThatThrownBy(() -> Expect.block(Expect.MAX_LENGTH + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxLength must be 0 (connection default) or 1..1073741824 (1 GiB): 1073741825");
        assertThatThrownBy(() -> Expect.block(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Expect.bytes(Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count must be 1..1073741824 (1 GiB): 2147483647");
        assertThatThrownBy(() -> Expect.bytes(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBlockLimitTheFramerTakesIsAccepted() {
        Connection c = new Connection(ConnectionConfig.DEFAULT);
        c.open(0);
        c.nextEvent();
        c.linkUp(0);
        long id = c.send(Request.of("CURV?", Expect.block(Expect.MAX_LENGTH)), 0);
        assertThat(id).isPositive();
        assertThat(c.pollTransmit()).isNotNull();
        c.receive(java.nio.ByteBuffer.wrap("#13abc\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 1);
        Event e;
        do {
            e = c.nextEvent();
        } while (!(e instanceof Event.Reply) && e != Event.NeedData.INSTANCE);
        assertThat(e).isInstanceOfSatisfying(Event.Reply.class, r -> assertThat(r.text()).isEqualTo("abc"));
    }
}
