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

import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LengthFieldFramerTest {
    private static final byte[] GARBAGE = bytes(0, 9, 'x');

    @Test
    void defaultsKeepTheHeader() {
        LengthFieldFramer framer = LengthFieldFramer.builder().build();
        assertThat(framer.lengthFieldOffset()).isZero();
        assertThat(framer.lengthFieldWidth()).isEqualTo(2);
        assertThat(framer.byteOrder()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(framer.lengthAdjustment()).isZero();
        assertThat(framer.bytesToStrip()).isZero();
        assertThat(framer.maxFrameLength()).isEqualTo(65536);
        assertThat(framer.toString()).contains("width=2");
        byte[] frame = concat(bytes(0, 5), b("HELLO"));
        check(() -> LengthFieldFramer.builder().build(), concat(frame, bytes(0, 0), frame), GARBAGE,
                text(frame), text(bytes(0, 0)), text(frame));
    }

    @Test
    void widthsAndByteOrders() {
        check(() -> LengthFieldFramer.builder().lengthFieldWidth(1).bytesToStrip(1).build(),
                concat(bytes(5), b("HELLO"), bytes(0), bytes(1), b("x")), GARBAGE, "HELLO", "", "x");
        check(() -> LengthFieldFramer.builder().byteOrder(ByteOrder.LITTLE_ENDIAN).bytesToStrip(2).build(),
                concat(bytes(5, 0), b("HELLO")), GARBAGE, "HELLO");
        check(() -> LengthFieldFramer.builder().lengthFieldWidth(4).bytesToStrip(4).build(),
                concat(bytes(0, 0, 0, 5), b("HELLO")), GARBAGE, "HELLO");
        check(() -> LengthFieldFramer.builder().lengthFieldWidth(4).byteOrder(ByteOrder.LITTLE_ENDIAN)
                .bytesToStrip(4).build(), concat(bytes(5, 0, 0, 0), b("HELLO")), GARBAGE, "HELLO");
    }

    @Test
    void valuesAreUnsigned() {
        byte[] payload = new byte[0x1FF];
        Arrays.fill(payload, (byte) 'a');
        check(() -> LengthFieldFramer.builder().bytesToStrip(2).build(), concat(bytes(0x01, 0xFF), payload),
                GARBAGE, text(payload));
        byte[] small = Arrays.copyOf(payload, 0xFF);
        check(() -> LengthFieldFramer.builder().lengthFieldWidth(1).bytesToStrip(1).build(),
                concat(bytes(0xFF), small), GARBAGE, text(small));
    }

    @Test
    void adjustmentWhenTheLengthCountsTheHeader() {
        check(() -> LengthFieldFramer.builder().lengthAdjustment(-2).bytesToStrip(2).build(),
                concat(bytes(0, 7), b("HELLO"), bytes(0, 2)), GARBAGE, "HELLO", "");
    }

    @Test
    void offsetWithAHeaderBeforeTheLength() {
        check(() -> LengthFieldFramer.builder().lengthFieldOffset(1).lengthAdjustment(-3).bytesToStrip(3).build(),
                concat(bytes(0xA5, 0, 8), b("HELLO")), GARBAGE, "HELLO");
        // Netty's example: HDR1 | LEN | HDR2 | payload, length counts the payload, strip HDR1 and LEN
        check(() -> LengthFieldFramer.builder().lengthFieldOffset(1).lengthAdjustment(1).bytesToStrip(3).build(),
                concat(bytes(0xCA, 0, 5, 0xFE), b("HELLO")), GARBAGE, text(concat(bytes(0xFE), b("HELLO"))));
    }

    @Test
    void tooLongIsDiscardedByLengthThenTheNextFrameComes() {
        byte[] big = new byte[20];
        Arrays.fill(big, (byte) '\n');
        check(() -> LengthFieldFramer.builder().lengthFieldWidth(1).bytesToStrip(1).maxFrameLength(8).build(),
                concat(bytes(20), big, bytes(3), b("abc")), GARBAGE, "!TOO_LONG", "abc");
        assertThat(firstError(LengthFieldFramer.builder().lengthFieldWidth(1).maxFrameLength(8).build(), bytes(20)))
                .isEqualTo("TOO_LONG: frame of 21 bytes exceeds maxFrameLength 8");
    }

    @Test
    void hugeLengthDiscardsAsBytesArrive() {
        LengthFieldFramer framer = LengthFieldFramer.builder().lengthFieldWidth(4).maxFrameLength(64).build();
        InputBuffer in = new InputBuffer();
        in.append(bytes(0xFF, 0xFF, 0xFF, 0xFF, 1, 2));
        FrameResult r = framer.decode(in);
        assertThat(((FramingError) r).exception().getMessage()).contains("4294967299").contains("64");
        assertThat(framer.isDiscarding()).isTrue();
        assertThat(in.isEmpty()).isTrue();
        in.append(new byte[1000]);
        assertThat(framer.decode(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
        assertThat(in.isEmpty()).isTrue();
        framer.reset();
        assertThat(framer.isDiscarding()).isFalse();
    }

    @Test
    void lengthShorterThanTheHeaderSkipsTheHeader() {
        check(() -> LengthFieldFramer.builder().lengthFieldWidth(1).lengthAdjustment(-5).bytesToStrip(1).build(),
                bytes(2, 6, 'a'), GARBAGE, "!MALFORMED", "a");
        assertThat(firstError(LengthFieldFramer.builder().lengthAdjustment(-10).build(), bytes(0, 3)))
                .contains("length field 3").contains("-5").contains("2-byte header");
    }

    @Test
    void frameShorterThanBytesToStripIsSkipped() {
        check(() -> LengthFieldFramer.builder().lengthFieldWidth(1).bytesToStrip(3).build(),
                concat(bytes(1, 'x'), bytes(3), b("abc")), GARBAGE, "!MALFORMED", "c");
        assertThat(firstError(LengthFieldFramer.builder().lengthFieldWidth(1).bytesToStrip(3).build(), bytes(1)))
                .contains("2 bytes").contains("bytesToStrip 3");
    }

    @Test
    void endOfStreamMidFrame() {
        checkWithEof(() -> LengthFieldFramer.builder().bytesToStrip(2).build(), concat(bytes(0, 2), b("ab"), bytes(0)),
                "ab", "!TRUNCATED");
        checkWithEof(() -> LengthFieldFramer.builder().maxFrameLength(4).build(), bytes(0, 9, 1, 2), "!TOO_LONG");
    }

    @Test
    void bufferStaysBounded() {
        assertBufferBound(LengthFieldFramer.builder().lengthFieldWidth(1).maxFrameLength(8).build(),
                concat(bytes(7), b("1234567"), bytes(50), new byte[50], bytes(0)), 7);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> LengthFieldFramer.builder().lengthFieldWidth(3)).hasMessageContaining(": 3");
        assertThatThrownBy(() -> LengthFieldFramer.builder().lengthFieldOffset(-1)).hasMessageContaining(": -1");
        assertThatThrownBy(() -> LengthFieldFramer.builder().bytesToStrip(-2)).hasMessageContaining(": -2");
        assertThatThrownBy(() -> LengthFieldFramer.builder().maxFrameLength(0)).hasMessageContaining(": 0");
        assertThatThrownBy(() -> LengthFieldFramer.builder().byteOrder(null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LengthFieldFramer.builder().lengthFieldOffset(7).lengthFieldWidth(2)
                .maxFrameLength(8).build()).hasMessageContaining("(9)").hasMessageContaining("8");
    }

    @Test
    void aLargeFrameGoesStraightIntoItsArrayAndTheBufferHoldsOneReadAtMost() {
        int size = 1 << 20;
        byte[] payload = new byte[size];
        new java.util.Random(11).nextBytes(payload);
        LengthFieldFramer framer = LengthFieldFramer.builder().lengthFieldOffset(1).lengthFieldWidth(4)
                .bytesToStrip(3).maxFrameLength(size + 5).build();
        byte[] wire = concat(new byte[] {(byte) 0xA5, 0, (byte) (size >>> 16), (byte) (size >>> 8), (byte) size}, payload);
        InputBuffer in = new InputBuffer();
        FrameResult r = FrameResult.NeedData.INSTANCE;
        int read = 8192;
        int maxCapacity = 0;
        for (int off = 0; off < wire.length; off += read) {
            assertThat(r).as("no frame before the last byte").isSameAs(FrameResult.NeedData.INSTANCE);
            in.append(wire, off, Math.min(read, wire.length - off));
            maxCapacity = Math.max(maxCapacity, in.capacity());
            r = framer.decode(in);
        }
        assertThat(r).isInstanceOf(Frame.class);
        byte[] got = ((Frame) r).toByteArray();
        assertThat(Arrays.copyOfRange(got, 0, 2)).as("the length field's last two bytes stay, as bytesToStrip says")
                .isEqualTo(new byte[] {(byte) (size >>> 8), (byte) size});
        assertThat(Arrays.copyOfRange(got, 2, got.length)).isEqualTo(payload);
        assertThat(maxCapacity).as("the buffer never gathers the frame").isLessThanOrEqualTo(2 * read);
        assertThat(in.readableBytes()).isZero();
    }
}
