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

class CobsFramerTest {
    private static final byte[] GARBAGE = bytes(3, 1, 2);

    private static byte[] range(int from, int toInclusive) {
        byte[] out = new byte[toInclusive - from + 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (from + i);
        }
        return out;
    }

    @Test
    void encodesTheKnownVectors() {
        assertThat(CobsFramer.encode(new byte[0])).containsExactly(1, 0);
        assertThat(CobsFramer.encode(bytes(0))).containsExactly(1, 1, 0);
        assertThat(CobsFramer.encode(bytes(0, 0))).containsExactly(1, 1, 1, 0);
        assertThat(CobsFramer.encode(bytes(0x11, 0x22, 0, 0x33))).containsExactly(3, 0x11, 0x22, 2, 0x33, 0);
        assertThat(CobsFramer.encode(bytes(0x11, 0x22, 0x33, 0x44))).containsExactly(5, 0x11, 0x22, 0x33, 0x44, 0);
        assertThat(CobsFramer.encode(bytes(0x11, 0, 0, 0))).containsExactly(2, 0x11, 1, 1, 1, 0);
        assertThat(CobsFramer.encode(range(1, 0xFE))).isEqualTo(concat(bytes(0xFF), range(1, 0xFE), bytes(0)));
        assertThat(CobsFramer.encode(range(0, 0xFE))).isEqualTo(concat(bytes(1, 0xFF), range(1, 0xFE), bytes(0)));
        assertThat(CobsFramer.encode(range(1, 0xFF)))
                .isEqualTo(concat(bytes(0xFF), range(1, 0xFE), bytes(2, 0xFF, 0)));
        assertThat(CobsFramer.encode(concat(range(2, 0xFF), bytes(0))))
                .isEqualTo(concat(bytes(0xFF), range(2, 0xFF), bytes(1, 1, 0)));
        assertThat(CobsFramer.encode(concat(range(3, 0xFF), bytes(0, 1))))
                .isEqualTo(concat(bytes(0xFE), range(3, 0xFF), bytes(2, 1, 0)));
    }

    @Test
    void decodesPacketsSkippingEmptyOnes() {
        check(() -> new CobsFramer(64), bytes(0, 3, 0x41, 0x42, 2, 0x43, 0, 1, 1, 0, 0, 0, 2, 0x44, 0, 1, 0), GARBAGE,
                "AB\0C", "\0", "D", "");
    }

    @Test
    void roundTripsLongAndZeroHeavyPayloads() {
        for (int n : new int[] {253, 254, 255, 256, 508, 509, 600}) {
            byte[] ones = new byte[n];
            Arrays.fill(ones, (byte) 0x5A);
            byte[] zeros = new byte[n];
            byte[] mixed = new byte[n];
            for (int i = 0; i < n; i++) {
                mixed[i] = (byte) (i % 3 == 0 ? 0 : i);
            }
            for (byte[] payload : new byte[][] {ones, zeros, mixed}) {
                check(() -> new CobsFramer(600), concat(CobsFramer.encode(payload), CobsFramer.encode(b("ok"))),
                        GARBAGE, text(payload), "ok");
            }
        }
    }

    @Test
    void badCodeIsMalformedThenTheNextPacketComes() {
        check(() -> new CobsFramer(64), concat(bytes(5, 0x11, 0x22, 0), CobsFramer.encode(b("ok"))), GARBAGE,
                "!MALFORMED", "ok");
        check(() -> new CobsFramer(64), concat(bytes(2, 0x11, 3, 0x22, 0), CobsFramer.encode(b("ok"))), GARBAGE,
                "!MALFORMED", "ok");
        assertThat(firstError(new CobsFramer(64), bytes(5, 0x11, 0x22, 0)))
                .contains("0x05").contains("offset 0").contains("3-byte");
    }

    @Test
    void tooLongEncodedPacketIsDiscardedThroughTheDelimiter() {
        check(() -> new CobsFramer(4), concat(bytes(7, 1, 2, 3, 4, 5, 6, 0), CobsFramer.encode(b("ok"))), GARBAGE,
                "!TOO_LONG", "ok");
        CobsFramer framer = new CobsFramer(4);
        assertThat(framer.maxEncodedLength()).isEqualTo(5);
        assertThat(firstError(framer, bytes(7, 1, 2, 3, 4, 5, 6, 0)))
                .isEqualTo("TOO_LONG: encoded packet of 7 bytes exceeds maxEncodedLength 5 (maxFrameLength 4)");
        assertThat(firstError(new CobsFramer(4), bytes(7, 1, 2, 3, 4, 5)))
                .isEqualTo("TOO_LONG: encoded packet of at least 6 bytes exceeds maxEncodedLength 5 (maxFrameLength 4)");
    }

    @Test
    void tooLongDecodedPacket() {
        byte[] codes = new byte[256];
        Arrays.fill(codes, (byte) 1); // 255 zeros
        CobsFramer framer = new CobsFramer(254);
        assertThat(framer.maxEncodedLength()).isEqualTo(256);
        check(() -> new CobsFramer(254), concat(codes, bytes(0), CobsFramer.encode(b("ok"))), GARBAGE,
                "!TOO_LONG", "ok");
        assertThat(firstError(framer, concat(codes, bytes(0))))
                .isEqualTo("TOO_LONG: decoded packet of 255 bytes exceeds maxFrameLength 254");
    }

    @Test
    void maxSizedPayloadFits() {
        byte[] payload = new byte[300];
        Arrays.fill(payload, (byte) 7);
        check(() -> new CobsFramer(300), CobsFramer.encode(payload), GARBAGE, text(payload));
    }

    @Test
    void endOfStreamMidPacket() {
        checkWithEof(() -> new CobsFramer(64), bytes(2, 0x41, 0, 3, 0x41), "A", "!TRUNCATED");
        checkWithEof(() -> new CobsFramer(2), bytes(9, 9, 9, 9, 9), "!TOO_LONG");
    }

    @Test
    void bufferStaysBoundedAndResetForgets() {
        assertBufferBound(new CobsFramer(8), concat(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0},
                CobsFramer.encode(b("12345678"))), 9);
        CobsFramer framer = new CobsFramer(2);
        InputBuffer in = new InputBuffer();
        in.append(bytes(9, 9, 9, 9));
        framer.decode(in);
        assertThat(framer.isDiscarding()).isTrue();
        framer.reset();
        assertThat(framer.isDiscarding()).isFalse();
        in.append(CobsFramer.encode(b("a")));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("a"));
    }

    @Test
    void settingsAndArguments() {
        assertThat(new CobsFramer(9).maxFrameLength()).isEqualTo(9);
        assertThat(new CobsFramer(9).toString()).contains("9");
        assertThatThrownBy(() -> new CobsFramer(0)).hasMessageContaining("maxFrameLength").hasMessageContaining(": 0");
    }
}
