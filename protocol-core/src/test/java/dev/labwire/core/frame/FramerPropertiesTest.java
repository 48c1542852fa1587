package dev.labwire.core.frame;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.frame.BlockFramer.TrailingTerminator;
import dev.labwire.core.testing.Chunking;
import dev.labwire.core.testing.FramerRun;
import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random bytes in random splits: no framer throws, loops, hands out a frame above its limit or holds more
 * than {@code maxFrameLength + 16} bytes after a drain; encoded payloads decode back to exactly themselves.
 */
class FramerPropertiesTest {
    private static final int MAX = 64;

    /** A framer to test, named for jqwik's reports. */
    record Case(String name, Supplier<Framer> make) {
        @Override
        public String toString() {
            return name;
        }
    }

    @Provide
    Arbitrary<Case> framers() {
        return Arbitraries.of(
                new Case("lf", () -> LineFramer.lf(MAX)),
                new Case("crlf", () -> LineFramer.crlf(MAX)),
                new Case("cr", () -> LineFramer.cr(MAX)),
                new Case("anyEol", () -> LineFramer.anyEol(MAX)),
                new Case("END asciiOnly", () -> LineFramer.of("END".getBytes(StandardCharsets.US_ASCII), MAX).asciiOnly()),
                new Case("block scpi", () -> BlockFramer.scpi(MAX)),
                new Case("block crlf none", () -> new BlockFramer(new byte[] {'\r', '\n'}, MAX, TrailingTerminator.NONE)),
                new Case("block crlf required",
                        () -> new BlockFramer(new byte[] {'\r', '\n'}, MAX, TrailingTerminator.REQUIRED)),
                new Case("length w1", () -> LengthFieldFramer.builder().lengthFieldWidth(1).maxFrameLength(MAX).build()),
                new Case("length w2 le adj strip", () -> LengthFieldFramer.builder().lengthFieldOffset(1)
                        .byteOrder(ByteOrder.LITTLE_ENDIAN).lengthAdjustment(-3).bytesToStrip(3).maxFrameLength(MAX).build()),
                new Case("length w4", () -> LengthFieldFramer.builder().lengthFieldWidth(4).maxFrameLength(MAX).build()),
                new Case("fixed 8", () -> new FixedLengthFramer(8)),
                new Case("cobs", () -> new CobsFramer(MAX)),
                new Case("slip", () -> new SlipFramer(MAX)));
    }

    /** Bytes rich in terminators, delimiters, escapes, digits and block headers. */
    private static Arbitrary<Byte> noisyByte() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.of((byte) '\n', (byte) '\r', (byte) '#', (byte) 0, (byte) 0xC0,
                        (byte) 0xDB, (byte) 0xDC, (byte) 0xDD, (byte) 'E', (byte) 'N', (byte) 'D', (byte) 0x80)),
                net.jqwik.api.Tuple.of(2, Arbitraries.bytes().between((byte) '0', (byte) '9')),
                net.jqwik.api.Tuple.of(3, Arbitraries.bytes()));
    }

    @Provide
    Arbitrary<byte[]> noise() {
        return noisyByte().array(byte[].class).ofMaxSize(400);
    }

    @Provide
    Arbitrary<List<byte[]>> payloads() {
        return noisyByte().array(byte[].class).ofMaxSize(MAX).list().ofMaxSize(8);
    }

    @Property(tries = 10_000)
    void decodeNeverThrowsLoopsOrHoardsBytes(@ForAll("framers") Case c, @ForAll("noise") byte[] data,
            @ForAll long seed) {
        Framer framer = c.make().get();
        InputBuffer in = new InputBuffer(16);
        for (byte[] chunk : Chunking.randomSplit(data, new Random(seed))) {
            in.append(chunk);
            drain(framer, in, false);
            assertThat(in.readableBytes()).as("readable bytes after a drain").isLessThanOrEqualTo(MAX + 16);
        }
        drain(framer, in, true);
        assertThat(in.isEmpty()).as("all bytes consumed at end of stream").isTrue();
        assertThat(framer.decodeAtEof(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
    }

    /**
     * The same noise through {@link FrameReader#receive}, which reads heap buffers in place: exactly what appending
     * gives, frames intact although every buffer is overwritten after its receive, and no more than
     * {@code maxFrameLength + 16} bytes kept (an oversized frame is refused, not stored) whatever the buffers hold.
     */
    @Property(tries = 10_000)
    void readingInPlaceGivesWhatAppendingGives(@ForAll("framers") Case c, @ForAll("noise") byte[] data,
            @ForAll long seed) {
        List<byte[]> chunks = Chunking.randomSplit(data, new Random(seed));
        List<String> appended = FramerRun.run(c.make(), chunks, true);
        List<String> inPlace = FramerRun.runReader(new FrameReader(c.make().get(), 0), chunks, true, new Random(seed + 1),
                reader -> assertThat(reader.bufferedBytes()).as("bytes kept after a receive").isLessThanOrEqualTo(MAX + 16));
        assertThat(inPlace).isEqualTo(appended);
        List<String> adaptive = FramerRun.runReader(new FrameReader(c.make().get()), chunks, true, new Random(seed + 2),
                reader -> { });
        assertThat(adaptive).as("in place for big frames only").isEqualTo(appended);
        List<String> views = FramerRun.runReaderViews(new FrameReader(c.make().get()), chunks, true, new Random(seed + 3),
                false, reader -> {
                    assertThat(reader.bufferedBytes()).as("bytes kept after a receive").isLessThanOrEqualTo(MAX + 16);
                    // maxFrameLength, plus COBS's code bytes or SLIP's eight bytes of slack
                    assertThat(reader.scratchCapacity()).as("assembly array").isLessThanOrEqualTo(MAX + 16);
                });
        assertThat(views).as("views").isEqualTo(appended);
        List<String> mixed = FramerRun.runReaderViews(new FrameReader(c.make().get(), 0), chunks, true, new Random(seed + 4),
                true, reader -> assertThat(reader.bufferedBytes()).as("bytes kept after a receive").isLessThanOrEqualTo(MAX + 16));
        assertThat(mixed).as("views and frames mixed").isEqualTo(appended);
    }

    private static void drain(Framer framer, InputBuffer in, boolean eof) {
        for (int guard = 0; guard < 100_000; guard++) {
            FrameResult r = eof ? framer.decodeAtEof(in) : framer.decode(in);
            if (r == FrameResult.NeedData.INSTANCE) {
                return;
            }
            if (r instanceof Frame f) {
                assertThat(f.length()).isLessThanOrEqualTo(framer.maxFrameLength());
            }
        }
        throw new AssertionError("framer never said NeedData");
    }

    @Property(tries = 10_000)
    void linesRoundTrip(@ForAll("payloads") List<byte[]> payloads, @ForAll @IntRange(max = 4) int kind,
            @ForAll long seed) {
        Random random = new Random(seed);
        String[] terminators = {"\n", "\r\n", "\r", null, "END"};
        String term = terminators[kind];
        Supplier<Framer> framer = switch (kind) {
            case 0 -> () -> LineFramer.lf(MAX);
            case 1 -> () -> LineFramer.crlf(MAX);
            case 2 -> () -> LineFramer.cr(MAX);
            case 3 -> () -> LineFramer.anyEol(MAX);
            default -> () -> LineFramer.of(term.getBytes(StandardCharsets.ISO_8859_1), MAX);
        };
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        String previous = "";
        for (byte[] p : payloads) {
            String line = new String(p, StandardCharsets.ISO_8859_1);
            String t = term;
            if (t == null) {
                line = line.replace('\r', 'x').replace('\n', 'x');
                t = new String[] {"\n", "\r\n", "\r"}[random.nextInt(3)];
                if (previous.equals("\r") && line.isEmpty() && t.equals("\n")) {
                    t = "\r\n"; // "\r" then "\n" would be one terminator
                }
                if (previous.equals("\n") && line.isEmpty() && t.startsWith("\r")) {
                    t = "\n"; // "\n" then "\r" would be one terminator (LF CR)
                }
            } else {
                while ((line + t).indexOf(t) < line.length()) {
                    int at = (line + t).indexOf(t);
                    line = line.substring(0, at) + "x" + line.substring(at + 1);
                }
            }
            previous = t;
            expected.add(line);
            wire.writeBytes((line + t).getBytes(StandardCharsets.ISO_8859_1));
        }
        assertRoundTrip(framer, wire.toByteArray(), expected, random);
    }

    @Property(tries = 10_000)
    void cobsRoundTrips(@ForAll("bigPayloads") List<byte[]> payloads, @ForAll long seed) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (byte[] p : payloads) {
            wire.writeBytes(CobsFramer.encode(p));
        }
        assertRoundTrip(() -> new CobsFramer(600), wire.toByteArray(), texts(payloads), new Random(seed));
    }

    @Provide
    Arbitrary<List<byte[]>> bigPayloads() {
        Arbitrary<Byte> zeroHeavy = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, Arbitraries.just((byte) 0)),
                net.jqwik.api.Tuple.of(3, Arbitraries.bytes()));
        return Arbitraries.oneOf(zeroHeavy, Arbitraries.bytes().filter(x -> x != 0))
                .array(byte[].class).ofMaxSize(600).list().ofMaxSize(4);
    }

    @Property(tries = 10_000)
    void slipRoundTrips(@ForAll("payloads") List<byte[]> payloads, @ForAll boolean leadingEnd, @ForAll long seed) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        List<byte[]> sent = new ArrayList<>();
        for (byte[] p : payloads) {
            if (p.length == 0) {
                continue; // an empty SLIP packet is indistinguishable from the flush END
            }
            byte[] e = SlipFramer.encode(p);
            wire.write(e, leadingEnd ? 0 : 1, leadingEnd ? e.length : e.length - 1);
            sent.add(p);
        }
        assertRoundTrip(() -> new SlipFramer(MAX), wire.toByteArray(), texts(sent), new Random(seed));
    }

    @Property(tries = 10_000)
    void lengthFieldRoundTrips(@ForAll("payloads") List<byte[]> payloads, @ForAll @IntRange(max = 2) int widthIndex,
            @ForAll boolean littleEndian, @ForAll @IntRange(max = 3) int offset, @ForAll boolean lengthCountsFrame,
            @ForAll long seed) {
        int width = new int[] {1, 2, 4}[widthIndex];
        int header = offset + width;
        ByteOrder order = littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        int adjustment = lengthCountsFrame ? -header : 0;
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (byte[] p : payloads) {
            wire.writeBytes(new byte[offset]);
            long value = p.length - adjustment;
            for (int i = 0; i < width; i++) {
                int shift = 8 * (order == ByteOrder.BIG_ENDIAN ? width - 1 - i : i);
                wire.write((int) (value >>> shift) & 0xFF);
            }
            wire.writeBytes(p);
        }
        assertRoundTrip(() -> LengthFieldFramer.builder().lengthFieldOffset(offset).lengthFieldWidth(width)
                .byteOrder(order).lengthAdjustment(adjustment).bytesToStrip(header).maxFrameLength(MAX + header).build(),
                wire.toByteArray(), texts(payloads), new Random(seed));
    }

    @Property(tries = 10_000)
    void blocksRoundTrip(@ForAll("payloads") List<byte[]> payloads, @ForAll TrailingTerminator trailing,
            @ForAll long seed) {
        Random random = new Random(seed);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        for (byte[] p : payloads) {
            String data = new String(p, StandardCharsets.ISO_8859_1);
            if (random.nextInt(4) == 0) {
                data = data.replace('\n', 'x');
                wire.writeBytes(("#0" + data + "\n").getBytes(StandardCharsets.ISO_8859_1));
            } else {
                String length = "0".repeat(random.nextInt(3)) + data.length();
                boolean terminated = trailing == TrailingTerminator.REQUIRED
                        || trailing == TrailingTerminator.OPTIONAL && random.nextBoolean();
                wire.writeBytes(("#" + length.length() + length + data + (terminated ? "\n" : ""))
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
            expected.add(data);
        }
        assertRoundTrip(() -> new BlockFramer(new byte[] {'\n'}, MAX, trailing), wire.toByteArray(), expected, random);
    }

    private static List<String> texts(List<byte[]> payloads) {
        List<String> out = new ArrayList<>();
        for (byte[] p : payloads) {
            out.add(new String(p, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    private static void assertRoundTrip(Supplier<Framer> framer, byte[] wire, List<String> expected, Random random) {
        List<byte[]> chunks = Chunking.randomSplit(wire, random);
        assertThat(FramerRun.run(framer, chunks, true)).isEqualTo(expected);
        assertThat(FramerRun.runReader(new FrameReader(framer.get(), 0), chunks, true, random, reader -> { }))
                .as("read in place").isEqualTo(expected);
        assertThat(FramerRun.runReader(new FrameReader(framer.get()), chunks, true, random, reader -> { }))
                .as("in place for big frames only").isEqualTo(expected);
        assertThat(FramerRun.runReaderViews(new FrameReader(framer.get()), chunks, true, random, random.nextBoolean(), reader -> { }))
                .as("views").isEqualTo(expected);
    }
}
