package dev.labwire.core.frame;

import static dev.labwire.core.frame.FramerFixtures.assertBufferBound;
import static dev.labwire.core.frame.FramerFixtures.b;
import static dev.labwire.core.frame.FramerFixtures.bytes;
import static dev.labwire.core.frame.FramerFixtures.check;
import static dev.labwire.core.frame.FramerFixtures.checkWithEof;
import static dev.labwire.core.frame.FramerFixtures.concat;
import static dev.labwire.core.frame.FramerFixtures.firstError;
import static dev.labwire.core.frame.FramerFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SlipFramerTest {
    private static final byte[] GARBAGE = bytes(1, 0xDB, 0xDC);

    @Test
    void decodesEscapesAndSkipsEmptyPackets() {
        check(() -> new SlipFramer(64), bytes(0xC0, 1, 0xDB, 0xDC, 2, 0xDB, 0xDD, 0xC0, 0xC0, 3, 0xC0), GARBAGE,
                text(bytes(1, 0xC0, 2, 0xDB)), text(bytes(3)));
        check(() -> new SlipFramer(64), bytes(0x41, 0x42, 0xC0), GARBAGE, "AB");
    }

    @Test
    void encodeRoundTrips() {
        byte[] payload = bytes(0xC0, 0xDB, 0xDC, 0xDD, 0, '\n', 0xC0, 0xC0);
        byte[] encoded = SlipFramer.encode(payload);
        assertThat(encoded).containsExactly(0xC0, 0xDB, 0xDC, 0xDB, 0xDD, 0xDC, 0xDD, 0, '\n', 0xDB, 0xDC, 0xDB, 0xDC,
                0xC0);
        check(() -> new SlipFramer(64), concat(encoded, SlipFramer.encode(b("ok"))), GARBAGE, text(payload), "ok");
        assertThat(SlipFramer.encode(new byte[0])).containsExactly(0xC0, 0xC0);
    }

    @Test
    void maxSizedPayloadOfEscapesFitsAndLeavesTheBufferEmpty() {
        byte[] payload = new byte[16];
        Arrays.fill(payload, SlipFramer.END);
        check(() -> new SlipFramer(16), SlipFramer.encode(payload), GARBAGE, text(payload));
        assertBufferBound(new SlipFramer(16), SlipFramer.encode(payload), 0);
    }

    @Test
    void badEscapeDropsThePacket() {
        check(() -> new SlipFramer(64), concat(bytes(1, 0xDB, 0x41, 2, 0xDB, 0xC0), SlipFramer.encode(b("ok"))), GARBAGE,
                "!MALFORMED", "ok");
        check(() -> new SlipFramer(64), concat(bytes(1, 0xDB, 0xC0), SlipFramer.encode(b("ok"))), GARBAGE,
                "!MALFORMED", "ok");
        assertThat(firstError(new SlipFramer(64), bytes(1, 0xDB, 0x41))).contains("0x41").contains("1 decoded");
        assertThat(firstError(new SlipFramer(64), bytes(0xDB, 0xC0))).contains("END");
    }

    @Test
    void tooLongFailsFastThenTheNextPacketComes() {
        check(() -> new SlipFramer(4), concat(b("123456"), bytes(0xDB, 0xDC, 0xC0), SlipFramer.encode(b("ok"))),
                GARBAGE, "!TOO_LONG", "ok");
        assertThat(firstError(new SlipFramer(4), b("123456")))
                .isEqualTo("TOO_LONG: packet of at least 5 decoded bytes exceeds maxFrameLength 4");
        SlipFramer framer = new SlipFramer(4);
        InputBuffer in = new InputBuffer();
        in.append(b("12345"));
        framer.decode(in);
        assertThat(framer.isDiscarding()).isTrue();
        framer.reset();
        assertThat(framer.isDiscarding()).isFalse();
        in.append(bytes('a', 0xC0));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("a"));
    }

    @Test
    void endOfStreamMidPacket() {
        checkWithEof(() -> new SlipFramer(64), bytes('a', 0xC0, 'b'), "a", "!TRUNCATED");
        checkWithEof(() -> new SlipFramer(64), bytes(0xC0, 0xDB), "!TRUNCATED");
        checkWithEof(() -> new SlipFramer(64), bytes('a', 0xC0), "a");
        checkWithEof(() -> new SlipFramer(2), b("abcdef"), "!TOO_LONG");
    }

    @Test
    void settingsAndArguments() {
        assertThat(new SlipFramer(9).maxFrameLength()).isEqualTo(9);
        assertThat(new SlipFramer(9).toString()).contains("9");
        assertThatThrownBy(() -> new SlipFramer(-1)).hasMessageContaining("maxFrameLength").hasMessageContaining("-1");
    }

    @Test
    void decodeAtEofGivesWholePacketsFirst() {
        SlipFramer framer = new SlipFramer(64);
        InputBuffer in = new InputBuffer();
        in.append(bytes('a', 0xC0, 'b'));
        assertThat(framer.decodeAtEof(in)).isEqualTo(Frame.of("a"));
        assertThat(framer.decodeAtEof(in)).isInstanceOf(FramingError.class);
        assertThat(framer.decodeAtEof(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
    }
}
