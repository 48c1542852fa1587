package dev.labwire.core.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.frame.BlockFramer.TrailingTerminator;
import dev.labwire.core.testing.FramerRun;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameReader#receive(ByteBuffer, FrameSink)}: frames as views give exactly what frames as arrays give, for
 * byte fixtures fed whole, byte by byte, at every split point and with trailing garbage; a sink that throws loses
 * nothing; an arriving frame's array grows with what arrived, never from the announced length alone.
 */
class FrameViewsTest {

    /** Each framer with a fixture of good frames, errors and trailing garbage. */
    private static List<Object[]> fixtures() {
        List<Object[]> f = new ArrayList<>();
        f.add(new Object[] {(Supplier<Framer>) () -> LineFramer.lf(16), "+1.0\nline two\n\nthis line is far too long\nok\ngarb"});
        f.add(new Object[] {(Supplier<Framer>) () -> LineFramer.crlf(16), "a\r\nb\rc\r\n\r\nxx\r"});
        f.add(new Object[] {(Supplier<Framer>) () -> BlockFramer.scpi(16),
                "#15HELLO\n#0abc\n#9000000020abcdefghijklmnopqrst\n#2041234\r\n#x\n#13a\nb#11"});
        f.add(new Object[] {(Supplier<Framer>) () -> new BlockFramer(new byte[] {'\r', '\n'}, 16, TrailingTerminator.REQUIRED),
                "#15HELLO\r\n#13abcX#12ab\r\n#1"});
        f.add(new Object[] {(Supplier<Framer>) () -> LengthFieldFramer.builder().bytesToStrip(2).maxFrameLength(16).build(),
                "\000\005HELLO\000\000\000\040" + "x".repeat(32) + "\000\003abc\000"});
        f.add(new Object[] {(Supplier<Framer>) () -> new FixedLengthFramer(3), "abcdefgh"});
        f.add(new Object[] {(Supplier<Framer>) () -> new CobsFramer(16),
                "\003\021\042\002\063\000\001\001\000\000\002\104\000\011\001\000"
                        + "\021" + "y".repeat(20) + "\000\002z"});
        f.add(new Object[] {(Supplier<Framer>) () -> new SlipFramer(16),
                "\300\001\333\334\002\333\335\300\300\003\300plain\300\333\101\300"
                        + "z".repeat(20) + "\300\333\334q"});
        return f;
    }

    private static List<String> views(Supplier<Framer> framer, List<byte[]> chunks) {
        return FramerRun.runReaderViews(new FrameReader(framer.get()), chunks, true, new Random(1), false, r -> { });
    }

    @Test
    @SuppressWarnings("unchecked")
    void viewsGiveWhatFramesGiveWholeByteByByteAndAtEverySplit() {
        for (Object[] fx : fixtures()) {
            Supplier<Framer> framer = (Supplier<Framer>) fx[0];
            byte[] wire = FramerRun.bytes((String) fx[1]);
            List<String> expected = FramerRun.run(framer, List.of(wire), true);
            assertThat(expected).as("fixture %s gives frames", framer.get()).anyMatch(s -> !s.startsWith("!"));
            assertThat(views(framer, List.of(wire))).as("%s whole", framer.get()).isEqualTo(expected);
            List<byte[]> bytes = new ArrayList<>();
            for (byte b : wire) {
                bytes.add(new byte[] {b});
            }
            assertThat(views(framer, bytes)).as("%s byte by byte", framer.get()).isEqualTo(expected);
            assertThat(FramerRun.runReaderViews(new FrameReader(framer.get()), bytes, true, new Random(2), true, r -> { }))
                    .as("%s byte by byte, mixed with next()", framer.get()).isEqualTo(expected);
            for (int split = 0; split <= wire.length; split++) {
                List<byte[]> two = List.of(Arrays.copyOf(wire, split), Arrays.copyOfRange(wire, split, wire.length));
                assertThat(views(framer, two)).as("%s split at %d", framer.get(), split).isEqualTo(expected);
            }
        }
    }

    @Test
    void oversizedFramesReachTheSinkAsErrorsNamingTheLimit() {
        FrameReader reader = new FrameReader(LengthFieldFramer.builder().lengthFieldWidth(4).maxFrameLength(100).build());
        List<String> errors = new ArrayList<>();
        List<Integer> frames = new ArrayList<>();
        FrameSink sink = sink(frames, errors);
        reader.receive(ByteBuffer.wrap(new byte[] {0, 0, 0x10, 0, 1, 2, 3}), sink);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).contains("TOO_LONG").contains("4100").contains("maxFrameLength 100");
        assertThat(reader.scratchCapacity()).isZero();
        reader.receive(ByteBuffer.allocate(4096 - 3), sink); // the rest of the refused frame: dropped
        reader.receive(ByteBuffer.wrap(new byte[] {0, 0, 0, 2, 7, 8}), sink);
        assertThat(frames).as("the next frame, its 4-byte header kept").containsExactly(6);
        assertThat(reader.bufferedBytes()).isZero();
    }

    @Test
    void aSinkThatThrowsLosesNoFrameAndTheDriverBufferIsFree() {
        FrameReader reader = new FrameReader(LineFramer.lf(64));
        ByteBuffer data = ByteBuffer.wrap("one\ntwo\nthree\nfo".getBytes(StandardCharsets.US_ASCII));
        List<String> got = new ArrayList<>();
        FrameSink throwing = new FrameSink() {
            @Override
            public void frame(ByteBuffer frame) {
                got.add(text(frame));
                throw new IllegalStateException("sink failed");
            }

            @Override
            public void error(FramingError error) {
                throw new AssertionError(error);
            }
        };
        assertThatThrownBy(() -> reader.receive(data, throwing)).hasMessage("sink failed");
        assertThat(data.hasRemaining()).as("all the bytes were taken").isFalse();
        Arrays.fill(data.array(), (byte) '?'); // the driver reuses its buffer
        List<String> errors = new ArrayList<>();
        FrameSink collect = new FrameSink() {
            @Override
            public void frame(ByteBuffer frame) {
                got.add(text(frame));
            }

            @Override
            public void error(FramingError error) {
                errors.add(error.exception().kind().toString());
            }
        };
        reader.receive(ByteBuffer.wrap("ur\n".getBytes(StandardCharsets.US_ASCII)), collect);
        assertThat(got).containsExactly("one", "two", "three", "four");
        reader.receiveEof(collect);
        assertThat(errors).isEmpty();
        assertThatThrownBy(() -> reader.receive(ByteBuffer.allocate(1), collect)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> reader.receive(ByteBuffer.allocate(1), null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anArrivingFrameGrowsWithWhatArrivedNotWithWhatWasAnnounced() {
        int announced = 48 << 20;
        byte[] payload = new byte[announced];
        new Random(3).nextBytes(payload);
        byte[] header = {0, 0, 0, 0x03}; // 48 MiB, little-endian
        for (boolean views : new boolean[] {false, true}) {
            LengthFieldFramer framer = LengthFieldFramer.builder().lengthFieldWidth(4).byteOrder(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .bytesToStrip(4).maxFrameLength(64 << 20).build();
            FrameReader reader = new FrameReader(framer);
            List<byte[]> got = new ArrayList<>();
            FrameSink sink = new FrameSink() {
                @Override
                public void frame(ByteBuffer frame) {
                    byte[] b = new byte[frame.remaining()];
                    frame.get(b);
                    got.add(b);
                }

                @Override
                public void error(FramingError error) {
                    throw new AssertionError(error);
                }
            };
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            first.writeBytes(header);
            first.write(payload, 0, 1000);
            feed(reader, first.toByteArray(), views, sink, got);
            int held = views ? reader.scratchCapacity() : framer.arrivingCapacity();
            assertThat(held).as("array after 1000 bytes of a 48 MiB frame (views %s)", views)
                    .isGreaterThanOrEqualTo(1000).isLessThanOrEqualTo(1000 + ArrivingFrame.STEP);
            int at = 1000;
            while (at < announced) {
                int n = Math.min(65536, announced - at);
                feed(reader, Arrays.copyOfRange(payload, at, at + n), views, sink, got);
                at += n;
                if (at < announced) {
                    held = views ? reader.scratchCapacity() : framer.arrivingCapacity();
                    assertThat((long) held).as("array after %d bytes", at).isLessThanOrEqualTo(Math.max((1L + ArrivingFrame.AHEAD) * at, at + ArrivingFrame.STEP));
                }
            }
            assertThat(got).hasSize(1);
            assertThat(Arrays.equals(got.get(0), payload)).as("the 48 MiB frame (views %s)", views).isTrue();
            assertThat(framer.arrivingCapacity()).isZero();
        }
    }

    private static void feed(FrameReader reader, byte[] bytes, boolean views, FrameSink sink, List<byte[]> got) {
        if (views) {
            reader.receive(ByteBuffer.wrap(bytes), sink);
            return;
        }
        reader.receive(ByteBuffer.wrap(bytes));
        for (FrameResult r; (r = reader.next()) instanceof Frame f; ) {
            got.add(f.toByteArray());
        }
    }

    private static FrameSink sink(List<Integer> frames, List<String> errors) {
        return new FrameSink() {
            @Override
            public void frame(ByteBuffer frame) {
                assertThat(frame.isReadOnly()).isTrue();
                frames.add(frame.remaining());
            }

            @Override
            public void error(FramingError error) {
                errors.add(error.exception().kind() + ": " + error.exception().getMessage());
            }
        };
    }

    private static String text(ByteBuffer frame) {
        byte[] b = new byte[frame.remaining()];
        frame.get(b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
