package dev.labwire.core.frame;

import static dev.labwire.core.frame.FramerFixtures.b;
import static dev.labwire.core.frame.FramerFixtures.check;
import static dev.labwire.core.frame.FramerFixtures.checkWithEof;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FixedLengthFramerTest {

    @Test
    void framesOfExactlyTheLength() {
        check(() -> new FixedLengthFramer(4), b("ABCD\n\r\0#"), b("xyz"), "ABCD", "\n\r\0#");
        check(() -> new FixedLengthFramer(1), b("ab"), b(""), "a", "b");
    }

    @Test
    void endOfStreamMidFrame() {
        checkWithEof(() -> new FixedLengthFramer(4), b("ABCDEF"), "ABCD", "!TRUNCATED");
        checkWithEof(() -> new FixedLengthFramer(4), b("ABCD"), "ABCD");
    }

    @Test
    void settings() {
        FixedLengthFramer framer = new FixedLengthFramer(7);
        assertThat(framer.length()).isEqualTo(7);
        assertThat(framer.maxFrameLength()).isEqualTo(7);
        assertThat(framer.isDiscarding()).isFalse();
        framer.reset();
        assertThat(framer.toString()).contains("7");
        assertThatThrownBy(() -> new FixedLengthFramer(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length").hasMessageContaining(": 0");
    }
}
