package dev.labwire.core.modbus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.frame.InputBuffer;
import dev.labwire.core.modbus.internal.MbapFramer;
import dev.labwire.core.testing.Chunking;
import dev.labwire.core.testing.FramerRun;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link MbapFramer}: Modbus TCP frames in every chunking, and the next frame found again after a header that lies (a
 * length one short, a length of 0 or 65535, a protocol id that is not 0), where a plain length-field framer lost the
 * replies after it.
 */
class MbapFramerTest {
    static final HexFormat HEX = HexFormat.of().withUpperCase();

    static byte[] h(String hex) {
        return HEX.parseHex(hex.replace(" ", ""));
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** The frames with a Modbus header, in order: what a reader keeps (junk before a header differs by chunking). */
    static List<String> headed(List<String> frames) {
        return frames.stream().filter(f -> MbapFramer.isFrame(f.getBytes(StandardCharsets.ISO_8859_1))).toList();
    }

    static final byte[] READ_REPLY = h("0001 0000 0009 07 03 06 022B 0000 0064"); // the application spec's FC 3 example
    static final byte[] EXCEPTION = h("0002 0000 0003 07 83 02");

    @Test
    void framesInEveryChunking() {
        byte[] two = concat(READ_REPLY, EXCEPTION);
        Chunking.assertEveryChunking(two, chunks -> FramerRun.run(MbapFramer::new, chunks, false),
                List.of(s(READ_REPLY), s(EXCEPTION)));
    }

    @Test
    void aLengthOneShortCostsItsOwnFrameAndTheNextIsFoundInEveryChunking() {
        // the first reply's length says 8 (one short): its last byte 0x64 stands before the next header
        byte[] lying = h("0001 0000 0008 07 03 06 022B 0000 0064");
        byte[] wire = concat(lying, EXCEPTION);
        Chunking.assertEveryChunking(wire, chunks -> headed(FramerRun.run(MbapFramer::new, chunks, false)),
                List.of(s(h("0001 0000 0008 07 03 06 022B 0000 00")), s(EXCEPTION)));
    }

    @Test
    void aLengthOfZeroOrPastTheLargestFrameIsNotFollowed() {
        for (String head : List.of("0001 0000 0000", "0001 0000 FFFF", "0001 0000 00FF", "0001 0000 0001", "0000 0000 0000")) {
            byte[] wire = concat(h(head + "07 03 02 00AA"), EXCEPTION);
            Chunking.assertEveryChunking(wire, chunks -> headed(FramerRun.run(MbapFramer::new, chunks, false)), List.of(s(EXCEPTION)));
        }
    }

    @Test
    void aProtocolIdOtherThanZeroIsNoHeader() {
        byte[] wire = concat(h("0001 0001 0005 07 03 02 00AA"), EXCEPTION);
        Chunking.assertEveryChunking(wire, chunks -> headed(FramerRun.run(MbapFramer::new, chunks, false)), List.of(s(EXCEPTION)));
    }

    @Test
    void garbageIsHeldFiveBytesAtMostAndNeverGrowsTheBuffer() {
        Random random = new Random(7);
        MbapFramer framer = new MbapFramer();
        InputBuffer in = new InputBuffer(16);
        for (int i = 0; i < 2000; i++) {
            byte[] chunk = new byte[1 + random.nextInt(300)];
            random.nextBytes(chunk);
            for (int k = 2; k < chunk.length; k += 4) {
                chunk[k] = (byte) 0xFF; // never a protocol id 0 at any offset: no header anywhere
            }
            in.append(chunk);
            while (framer.decode(in) instanceof dev.labwire.core.frame.Frame f) {
                assertThat(f.length()).isLessThanOrEqualTo(MbapFramer.MAX_FRAME + 300);
            }
            assertThat(in.readableBytes()).isLessThan(6);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
