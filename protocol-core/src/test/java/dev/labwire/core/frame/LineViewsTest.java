package dev.labwire.core.frame;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.FramerRun;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The lines a view loop cuts without {@code decode} ({@code LineFramer.viewLines}: one-byte terminators and any-EOL):
 * the terminator at each of the eight places of a word and after the last whole word, CR LF, a lone CR and a CR that
 * ends a receive (its LF in the next), empty lines, a line of exactly {@code maxFrameLength} and one byte more, heap
 * buffers at every alignment and direct buffers, every split. Expected lines are written out, not taken from another
 * run of the framer.
 */
class LineViewsTest {

    private static List<String> views(Supplier<Framer> framer, List<ByteBuffer> reads) {
        List<String> out = new ArrayList<>();
        FrameSink sink = new FrameSink() {
            @Override
            public void frame(ByteBuffer frame) {
                byte[] b = new byte[frame.remaining()];
                frame.get(b);
                out.add(new String(b, StandardCharsets.ISO_8859_1));
            }

            @Override
            public void error(FramingError error) {
                out.add("!" + error.exception().kind());
            }
        };
        FrameReader reader = new FrameReader(framer.get());
        for (ByteBuffer read : reads) {
            reader.receive(read, sink);
            assertThat(read.hasRemaining()).isFalse();
        }
        reader.receiveEof(sink);
        return out;
    }

    /** {@code wire[from, to)} in a heap buffer at {@code offset} inside an array of terminators (a scan past the end would see them). */
    private static ByteBuffer heapAt(byte[] wire, int from, int to, int offset) {
        byte[] a = new byte[offset + (to - from) + 16];
        Arrays.fill(a, (byte) '\n');
        System.arraycopy(wire, from, a, offset, to - from);
        return ByteBuffer.wrap(a, offset, to - from).slice();
    }

    private static ByteBuffer direct(byte[] wire, int from, int to) {
        ByteBuffer d = ByteBuffer.allocateDirect(to - from);
        d.put(wire, from, to - from).flip();
        return d;
    }

    private static void assertEveryWay(Supplier<Framer> framer, String fixture, List<String> expected) {
        byte[] wire = fixture.getBytes(StandardCharsets.ISO_8859_1);
        for (int offset = 0; offset < 8; offset++) {
            assertThat(views(framer, List.of(heapAt(wire, 0, wire.length, offset))))
                    .as("%s whole at offset %d", framer.get(), offset).isEqualTo(expected);
        }
        assertThat(views(framer, List.of(direct(wire, 0, wire.length)))).as("%s direct", framer.get()).isEqualTo(expected);
        for (int split = 0; split <= wire.length; split++) {
            assertThat(views(framer, List.of(heapAt(wire, 0, split, split % 8), heapAt(wire, split, wire.length, 3))))
                    .as("%s split at %d", framer.get(), split).isEqualTo(expected);
            assertThat(views(framer, List.of(heapAt(wire, 0, split, 5), direct(wire, split, wire.length))))
                    .as("%s split at %d, then direct", framer.get(), split).isEqualTo(expected);
        }
        List<byte[]> one = List.of(wire);
        assertThat(FramerRun.runReaderViews(new FrameReader(framer.get()), one, true, new Random(3), false, r -> { }))
                .as("%s through random driver buffers", framer.get()).isEqualTo(expected);
    }

    @Test
    void terminatorAtEveryPlaceOfAWord() {
        for (int n = 0; n <= 20; n++) {
            String line = "x".repeat(n);
            for (String eol : new String[] {"\n", "\r\n", "\r"}) {
                String fixture = line + eol + "ab" + eol + line + eol;
                assertEveryWay(() -> LineFramer.anyEol(32), fixture, List.of(line, "ab", line));
            }
            assertEveryWay(() -> LineFramer.lf(32), line + "\nab\n" + line + "\n", List.of(line, "ab", line));
            assertEveryWay(() -> LineFramer.cr(32), line + "\rab\r" + line + "\r", List.of(line, "ab", line));
        }
    }

    @Test
    void anyEolMixedEmptyLinesLimitsAndAnUnfinishedLine() {
        String max = "m".repeat(16);
        assertEveryWay(() -> LineFramer.anyEol(16),
                "a\r\n\r\nb\rc\n\n" + max + "\r\n" + max + "X\r\nok\r\r\nd\r",
                List.of("a", "", "b", "c", "", max, "!TOO_LONG", "ok", "", "d"));
        assertEveryWay(() -> LineFramer.lf(16), "a\n\nb\r\n" + max + "\n" + max + "X\nok\nrest",
                List.of("a", "", "b\r", max, "!TOO_LONG", "ok", "!TRUNCATED"));
    }
}
