package dev.labwire.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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

    /**
     * A raw count on a connection that classifies pushes: a push between the write and the reply would be counted as
     * the reply's first bytes. Refused when sent (nothing queued, nothing written) and in an on-connect hook when the
     * connection is made; without a classifier, and on a bus (which counts addressed replies itself), counts go on.
     */
    @Test
    void aRawByteCountIsRefusedOnAConnectionThatClassifiesPushes() {
        ConnectionConfig pushing = ConnectionConfig.builder()
                .classifier(FrameClassifier.pushedIfStartsWith("STAT ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .build();
        Connection c = new Connection(pushing);
        c.open(0);
        c.nextEvent();
        c.linkUp(0);
        assertThatThrownBy(() -> c.send(Request.of("REC?", Expect.bytes(8)), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Expect.bytes(8) for ")
                .hasMessageContaining("REC?")
                .hasMessageContaining("FrameClassifier pushes frames")
                .hasMessageContaining("Expect.block()")
                .hasMessageContaining("FrameClassifier.ALL_REPLIES");
        assertThat(c.pollTransmit()).as("nothing refused is written").isNull();
        assertThat(c.send(Request.of("REC?", Expect.block()), 0)).isPositive();
        assertThatThrownBy(() -> new Connection(pushing.toBuilder().onConnect(List.of(Request.of("REC?", Expect.bytes(4)))).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Expect.bytes(4)");
        Connection plain = new Connection(ConnectionConfig.DEFAULT);
        plain.open(0);
        plain.nextEvent();
        plain.linkUp(0);
        assertThat(plain.send(Request.of("REC?", Expect.bytes(8)), 0)).isPositive();
    }
}
