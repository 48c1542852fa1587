package dev.labwire.core.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.testing.Chunking;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link Framer#receiveWindow}: a driver reads a frame's bytes straight into the frame's array. The frames are the same
 * as through the buffer, whatever the reads; a window never reaches past the frame's end, so what follows the frame
 * (its trailer, the next reply) still comes through the buffer; and the arrays held stay within the rule of
 * {@link ArrivingFrame}: arrived + max(step, 3 x arrived), at most length + ceil(length / 3), never sized from the
 * announced length alone.
 */
class ReceiveWindowTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] block(byte[] data, String trailer) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        String len = Integer.toString(data.length);
        b.writeBytes(ascii("#" + len.length() + len));
        b.writeBytes(data);
        b.writeBytes(ascii(trailer));
        return b.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A frame as compared: its length and contents. */
    private static String show(FrameResult r) {
        if (r instanceof Frame f) {
            byte[] b = f.toByteArray();
            return "frame " + b.length + " " + Arrays.hashCode(b);
        }
        return "error " + ((FramingError) r).exception().kind();
    }

    /**
     * A driver with windows: each chunk is what the link has for one or more reads. While the framer offers a window,
     * a read puts min(window, cap, what the link has) there; otherwise the rest of the chunk goes through the buffer.
     * After every step the memory rule is checked, and every window is checked to end at or before the frame's end.
     */
    static List<String> run(BlockFramer f, List<byte[]> chunks, int cap, int[] windowReads) {
        InputBuffer in = new InputBuffer();
        List<String> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            int at = 0;
            while (at < chunk.length) {
                ByteBuffer w = f.receiveWindow(in);
                if (w != null) {
                    int filled = f.arrivingFilled();
                    assertThat(w.position()).as("window begins at the next byte").isGreaterThanOrEqualTo(0);
                    assertThat(filled + w.remaining()).as("window ends within the frame")
                            .isLessThanOrEqualTo(f.arrivingLength());
                    int k = Math.min(Math.min(w.remaining(), cap), chunk.length - at);
                    w.put(chunk, at, k);
                    at += k;
                    assertThat(f.receivedInWindow(w, k)).isTrue();
                    windowReads[0]++;
                } else {
                    in.append(chunk, at, chunk.length - at);
                    at = chunk.length;
                }
                for (FrameResult r; (r = f.decode(in)) != FrameResult.NeedData.INSTANCE; ) {
                    out.add(show(r));
                }
                assertBound(f);
            }
        }
        return out;
    }


    /** The memory rule of ArrivingFrame, with the framer's step. */
    static void assertBound(BlockFramer f) {
        long filled = f.arrivingFilled();
        long held = f.arrivingCapacity();
        assertThat(held).as("held with %d arrived", filled)
                .isLessThanOrEqualTo(filled + Math.max(f.arrivingStep, ArrivingFrame.AHEAD * filled));
        long length = f.arrivingLength();
        assertThat(held).as("held for a frame of %d", length).isLessThanOrEqualTo(length + (length + 2) / 3);
    }

    private static BlockFramer framer(int step) {
        BlockFramer f = BlockFramer.scpi(1 << 20);
        f.arrivingStep = step;
        return f;
    }

    @Test
    void aBlockThenALineInTheSameReadComeOutTheSameWhateverTheSplitsAndSteps() {
        byte[] data = random(300, 1);
        byte[] fixture = concat(block(data, "\r\n"), block(ascii("HELLO"), "\n"));
        List<String> expected = List.of(show(Frame.wrap(data)), show(Frame.wrap(ascii("HELLO"))));
        for (int step : new int[] {4, 64, ArrivingFrame.STEP}) {
            for (int cap : new int[] {1, 7, 1 << 20}) {
                int[] reads = {0};
                Chunking.assertEveryChunkingAndGarbage(fixture, ascii("#\u0000xyz"),
                        chunks -> run(framer(step), chunks, cap, reads), expected);
                assertThat(reads[0]).as("window reads (step %d, cap %d)", step, cap).isPositive();
            }
        }
    }

    @Test
    void aWindowEndsAtTheFrameEndSoTheTrailerAndTheNextFrameComeThroughTheBuffer() {
        for (int step : new int[] {8, ArrivingFrame.STEP}) {
            BlockFramer f = framer(step);
            InputBuffer in = new InputBuffer();
            byte[] data = random(100, 2);
            in.append(concat(ascii("#3100"), Arrays.copyOf(data, 40)));
            assertThat(f.decode(in)).isSameAs(FrameResult.NeedData.INSTANCE);
            byte[] rest = concat(Arrays.copyOfRange(data, 40, 100), ascii("\r\n#15HELLO\n"));
            int at = 0;
            List<String> out = new ArrayList<>();
            while (at < rest.length) {
                ByteBuffer w = f.receiveWindow(in);
                if (w == null) {
                    in.append(rest, at, rest.length - at);
                    at = rest.length;
                } else {
                    assertThat(f.arrivingFilled() + w.remaining()).as("window ends at or before byte 100 (step %d)", step)
                            .isLessThanOrEqualTo(100);
                    int k = Math.min(w.remaining(), rest.length - at); // a read takes all the window holds
                    w.put(rest, at, k);
                    at += k;
                    assertThat(f.receivedInWindow(w, k)).isTrue();
                }
                for (FrameResult r; (r = f.decode(in)) != FrameResult.NeedData.INSTANCE; ) {
                    out.add(show(r));
                }
            }
            assertThat(out).containsExactly(show(Frame.wrap(data)), show(Frame.wrap(ascii("HELLO"))));
            assertThat(f.receiveWindow(in)).as("no frame arriving: no window").isNull();
        }
    }

    @Test
    void aLyingHeaderGetsRoomForWhatArrivedOnly() {
        BlockFramer f = BlockFramer.scpi(1 << 30);
        InputBuffer in = new InputBuffer();
        in.append(concat(ascii("#9999999999"), new byte[10])); // announces 999,999,999 bytes, sends 10
        assertThat(f.decode(in)).isSameAs(FrameResult.NeedData.INSTANCE);
        ByteBuffer w = f.receiveWindow(in);
        assertThat(w).isNotNull();
        assertThat(w.capacity()).as("array for 10 bytes of a 999,999,999-byte block").isEqualTo(10 + ArrivingFrame.STEP);
        assertThat(f.arrivingCapacity()).isEqualTo(10 + ArrivingFrame.STEP);
        assertThat(w.remaining()).isEqualTo(ArrivingFrame.STEP);
        // the peer sends what the window holds: the next room is paid for by it, at most 3 x what arrived
        w.put(new byte[w.remaining()]);
        assertThat(f.receivedInWindow(w, ArrivingFrame.STEP)).isTrue();
        assertThat(f.decode(in)).isSameAs(FrameResult.NeedData.INSTANCE);
        ByteBuffer next = f.receiveWindow(in);
        long arrived = 10 + ArrivingFrame.STEP;
        assertThat((long) f.arrivingCapacity()).isEqualTo(arrived + 3 * arrived);
        assertThat((long) next.remaining()).isEqualTo(3 * arrived);
        // asking again allocates nothing more
        f.receiveWindow(in);
        assertThat((long) f.arrivingCapacity()).isEqualTo(arrived + 3 * arrived);
        // a block longer than maxFrameLength gets no window at all
        BlockFramer small = BlockFramer.scpi(1000);
        InputBuffer in2 = new InputBuffer();
        in2.append(ascii("#9999999999abc"));
        assertThat(small.decode(in2)).isInstanceOf(FramingError.class);
        assertThat(small.receiveWindow(in2)).isNull();
        assertThat(small.arrivingCapacity()).isZero();
    }

    @Test
    void aLongFrameIsGatheredInChunksUpToAThirdThenCopiedOnceIntoItsOwnArray() {
        int length = 10 << 20;
        BlockFramer f = BlockFramer.scpi(length);
        InputBuffer in = new InputBuffer();
        byte[] data = random(length, 5);
        in.append(concat(ascii("#8" + length), Arrays.copyOf(data, 1000)));
        assertThat(f.decode(in)).isSameAs(FrameResult.NeedData.INSTANCE);
        long allocated = 0;
        byte[] lastArray = null;
        int at = 1000;
        Frame got = null;
        while (got == null) {
            ByteBuffer w = f.receiveWindow(in);
            if (w.array() != lastArray) {
                lastArray = w.array();
                allocated += lastArray.length; // each array the frame is gathered in, once
            }
            assertBound(f);
            int k = Math.min(w.remaining(), 65536);
            w.put(data, at, k);
            at += k;
            assertThat(f.receivedInWindow(w, k)).isTrue();
            FrameResult r = f.decode(in);
            if (r instanceof Frame fr) {
                got = fr;
            }
        }
        assertThat(Arrays.equals(got.toByteArray(), data)).isTrue();
        assertThat(allocated).as("chunks of a third, then the frame's own array")
                .isEqualTo(length + (length + 2) / 3);
    }

    @Test
    void aWindowIsVoidOnceBytesCameThroughTheBufferOrTheFramerWasReset() {
        BlockFramer f = framer(ArrivingFrame.STEP);
        InputBuffer in = new InputBuffer();
        in.append(ascii("#210abc"));
        assertThat(f.decode(in)).isSameAs(FrameResult.NeedData.INSTANCE);
        ByteBuffer w = f.receiveWindow(in);
        in.append(ascii("de"));
        assertThat(f.decode(in)).isSameAs(FrameResult.NeedData.INSTANCE);
        assertThat(f.receivedInWindow(w, 2)).as("bytes came through the buffer since").isFalse();
        ByteBuffer w2 = f.receiveWindow(in);
        assertThat(w2.position()).isEqualTo(5);
        assertThatThrownBy(() -> f.receivedInWindow(w2, 6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("6 bytes").hasMessageContaining("window of 5");
        f.reset();
        assertThat(f.receivedInWindow(w2, 1)).as("framer reset").isFalse();
        assertThat(f.receiveWindow(in)).isNull();
        assertThat(LineFramer.lf(10).receiveWindow(in)).as("default: no window").isNull();
    }

    @Test
    void aFrameAssembledInScratchForViewsOffersNoWindow() {
        FrameReader reader = new FrameReader(BlockFramer.scpi(1 << 20));
        List<Integer> got = new ArrayList<>();
        FrameSink sink = new FrameSink() {
            @Override
            public void frame(ByteBuffer frame) {
                got.add(frame.remaining());
            }

            @Override
            public void error(FramingError error) {
                throw new AssertionError(error);
            }
        };
        reader.receive(ByteBuffer.wrap(ascii("#3100abc")), sink);
        assertThat(got).isEmpty();
        reader.receive(ByteBuffer.wrap(new byte[97]), sink);
        assertThat(got).containsExactly(100);
    }

    /** A length-field framer's frame through windows, as through the buffer, at every split; the next frame intact. */
    @Test
    public void lengthFieldFramesThroughWindowsAreTheSameAtEverySplit() {
        byte[] body = random(300, 9);
        java.nio.ByteBuffer wire = java.nio.ByteBuffer.allocate(4 + 300 + 4 + 3);
        wire.putInt(300).put(body).putInt(3).put(ascii("abc"));
        byte[] fixture = wire.array();
        List<String> expected = List.of(show(Frame.wrap(body)), show(Frame.wrap(ascii("abc"))));
        for (int step : new int[] {4, ArrivingFrame.STEP}) {
            int[] reads = {0};
            Chunking.assertEveryChunking(fixture, chunks -> {
                LengthFieldFramer f = LengthFieldFramer.builder().lengthFieldWidth(4).bytesToStrip(4).maxFrameLength(1000).build();
                f.arrivingStep = step;
                InputBuffer in = new InputBuffer();
                List<String> out = new ArrayList<>();
                for (byte[] chunk : chunks) {
                    int at = 0;
                    while (at < chunk.length) {
                        ByteBuffer w = f.receiveWindow(in);
                        if (w != null) {
                            int k = Math.min(w.remaining(), chunk.length - at);
                            w.put(chunk, at, k);
                            at += k;
                            assertThat(f.receivedInWindow(w, k)).isTrue();
                            reads[0]++;
                        } else {
                            in.append(chunk, at, chunk.length - at);
                            at = chunk.length;
                        }
                        for (FrameResult r; (r = f.decode(in)) != FrameResult.NeedData.INSTANCE; ) {
                            out.add(show(r));
                        }
                        assertThat(f.arrivingCapacity()).isLessThanOrEqualTo(300 + 100);
                    }
                }
                return out;
            }, expected);
            assertThat(reads[0]).as("window reads (step %d)", step).isPositive();
        }
    }

    @Property(tries = 200)
    void randomBlocksSplitsStepsAndReadSizesGiveTheSameFramesWithinTheBound(
            @ForAll @IntRange(min = 0, max = 4000) int length, @ForAll @IntRange(min = 1, max = 300) int step,
            @ForAll @IntRange(min = 1, max = 5000) int cap, @ForAll long seed) {
        byte[] data = random(length, seed);
        byte[] fixture = concat(block(data, "\n"), ascii("#14abcd"), block(random(length / 2, seed + 1), "\r\n"));
        List<String> expected = new ArrayList<>();
        InputBuffer plain = new InputBuffer();
        plain.append(fixture);
        BlockFramer ref = framer(ArrivingFrame.STEP);
        for (FrameResult r; (r = ref.decode(plain)) != FrameResult.NeedData.INSTANCE; ) {
            expected.add(show(r));
        }
        assertThat(expected).hasSize(3);
        List<byte[]> chunks = Chunking.randomSplit(fixture, new Random(seed));
        assertThat(run(framer(step), chunks, cap, new int[1])).isEqualTo(expected);
    }
}
