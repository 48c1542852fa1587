package dev.labwire.core.frame;

import static dev.labwire.core.frame.FramerFixtures.bytes;
import static dev.labwire.core.frame.FramerFixtures.concat;
import static dev.labwire.core.frame.FramerFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.FramerRun;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The one-pass COBS decode of {@link FrameReader#receive(ByteBuffer, FrameSink)} ({@code CobsFramer.viewPacket}: the
 * delimiter searched eight bytes at a time while the packet is copied, then the codes cleared): the delimiter at each
 * of the eight places of a word and in the bytes after the last whole word, packets that end exactly where a receive
 * ends, heap buffers at every alignment and direct buffers, the scratch array growing as packets grow, and the cases
 * it hands to the general path (0xFF blocks, bad codes, packets too long, empty packets). The expected frames come
 * from the payloads themselves, not from another run of the framer.
 */
class CobsViewsTest {

    /** A payload of {@code n} bytes, a zero every {@code zeroEvery} bytes (never with 0), the rest nonzero. */
    private static byte[] payload(int n, int zeroEvery, int seed) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = zeroEvery > 0 && i % zeroEvery == zeroEvery - 1 ? 0 : (byte) (1 + (i * 31 + seed) % 255);
        }
        return p;
    }

    private static List<String> views(FrameReader reader, List<ByteBuffer> reads) {
        List<String> out = new ArrayList<>();
        FrameSink sink = new FrameSink() {
            @Override
            public void frame(ByteBuffer frame) {
                byte[] b = new byte[frame.remaining()];
                frame.get(b);
                out.add(text(b));
            }

            @Override
            public void error(FramingError error) {
                out.add("!" + error.exception().kind());
            }
        };
        for (ByteBuffer read : reads) {
            reader.receive(read, sink);
            assertThat(read.hasRemaining()).isFalse();
        }
        return out;
    }

    /** {@code wire} in a heap buffer at {@code offset} inside a bigger array, with bytes that look like packets around it. */
    private static ByteBuffer heapAt(byte[] wire, int from, int to, int offset) {
        byte[] a = new byte[offset + (to - from) + 16];
        Arrays.fill(a, (byte) 0x00); // zeros around the read: a scan past its end would find a false delimiter
        System.arraycopy(wire, from, a, offset, to - from);
        return ByteBuffer.wrap(a, offset, to - from).slice();
    }

    private static ByteBuffer direct(byte[] wire, int from, int to) {
        ByteBuffer d = ByteBuffer.allocateDirect(to - from);
        d.put(wire, from, to - from).flip();
        return d;
    }

    @Test
    void delimiterAtEveryPlaceOfAWordAtEveryAlignmentHeapAndDirect() {
        for (int n = 0; n <= 40; n++) {
            for (int zeroEvery : new int[] {0, 1, 3, 8, 9}) {
                byte[] p = payload(n, zeroEvery, n);
                byte[] wire = concat(CobsFramer.encode(p), CobsFramer.encode(FramerRun.bytes("ok")));
                List<String> expected = List.of(text(p), "ok");
                for (int offset = 0; offset < 8; offset++) {
                    assertThat(views(new FrameReader(new CobsFramer(64)), List.of(heapAt(wire, 0, wire.length, offset))))
                            .as("%d bytes, a zero every %d, array offset %d", n, zeroEvery, offset).isEqualTo(expected);
                }
                assertThat(views(new FrameReader(new CobsFramer(64)), List.of(direct(wire, 0, wire.length))))
                        .as("%d bytes, a zero every %d, direct", n, zeroEvery).isEqualTo(expected);
            }
        }
    }

    @Test
    void packetsThatEndWhereAReceiveEndsAndAtEverySplit() {
        for (int n = 0; n <= 24; n++) {
            byte[] p = payload(n, 5, 7);
            byte[] first = CobsFramer.encode(p);
            byte[] wire = concat(first, CobsFramer.encode(payload(n + 3, 4, 1)), CobsFramer.encode(p));
            List<String> expected = List.of(text(p), text(payload(n + 3, 4, 1)), text(p));
            // the first packet's delimiter is the last byte of the first receive (no word after it)
            for (int offset = 0; offset < 8; offset++) {
                assertThat(views(new FrameReader(new CobsFramer(64)), List.of(heapAt(wire, 0, first.length, offset),
                        heapAt(wire, first.length, wire.length, 7 - offset))))
                        .as("%d bytes ending the first read, offset %d", n, offset).isEqualTo(expected);
            }
            for (int split = 0; split <= wire.length; split++) {
                assertThat(views(new FrameReader(new CobsFramer(64)),
                        List.of(heapAt(wire, 0, split, split % 8), direct(wire, split, wire.length))))
                        .as("%d bytes split at %d", n, split).isEqualTo(expected);
            }
        }
    }

    @Test
    void growingPacketsAndZeroBlocksGiveWhatTheyEncodeWithTheScratchArrayBounded() {
        int max = 600;
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        for (int n = 1; n <= max; n += 7) {
            byte[] p = payload(n, n % 3 == 0 ? 0 : 11, n); // every third one without zeros: 0xFF blocks past 253 bytes
            wire.writeBytes(CobsFramer.encode(p));
            expected.add(text(p));
        }
        byte[] w = wire.toByteArray();
        FrameReader reader = new FrameReader(new CobsFramer(max));
        assertThat(views(reader, List.of(ByteBuffer.wrap(w)))).isEqualTo(expected);
        assertThat(reader.scratchCapacity()).isLessThanOrEqualTo(max + 16);
        assertThat(FramerRun.runReaderViews(new FrameReader(new CobsFramer(max)), List.of(w), true, new Random(5), false,
                r -> assertThat(r.scratchCapacity()).isLessThanOrEqualTo(max + 16))).isEqualTo(expected);
    }

    @Test
    void whatTheOnePassDeclinesStillGivesTheRightFramesAndErrors() {
        byte[] ok = CobsFramer.encode(FramerRun.bytes("ok"));
        byte[] longPayload = payload(80, 0, 3); // 80 decoded bytes > maxFrameLength 64
        byte[] wire = concat(
                ok,
                bytes(0, 0),                                   // empty packets
                bytes(5, 0x11, 0x22, 0),                       // code past the end: MALFORMED
                ok,
                bytes(2, 0x11, 9, 0x22, 0x33, 0),              // a later code past the end
                CobsFramer.encode(longPayload),                // TOO_LONG
                ok,
                CobsFramer.encode(payload(30, 6, 9)),
                bytes(3, 0x41));                               // unfinished at the end
        List<String> expected = List.of("ok", "!MALFORMED", "ok", "!MALFORMED", "!TOO_LONG", "ok",
                text(payload(30, 6, 9)), "!TRUNCATED");
        assertThat(FramerRun.run(() -> new CobsFramer(64), List.of(wire), true)).isEqualTo(expected);
        for (int seed = 0; seed < 20; seed++) {
            assertThat(FramerRun.runReaderViews(new FrameReader(new CobsFramer(64)), List.of(wire), true, new Random(seed),
                    false, r -> { })).as("lender seed %d", seed).isEqualTo(expected);
        }
        for (int split = 0; split <= wire.length; split++) {
            List<byte[]> two = List.of(Arrays.copyOf(wire, split), Arrays.copyOfRange(wire, split, wire.length));
            assertThat(FramerRun.runReaderViews(new FrameReader(new CobsFramer(64)), two, true, new Random(split), false,
                    r -> { })).as("split at %d", split).isEqualTo(expected);
        }
    }

    @Test
    void aFramerOfAnotherPackageStillGetsItsFramesDelivered() {
        // FrameReader's own loop is for this package's framers; any other Framer goes through the general one
        Framer outside = new Framer() {
            private final LineFramer inner = LineFramer.lf(16);

            @Override
            public FrameResult decode(InputBuffer in) {
                return inner.decode(in);
            }

            @Override
            public boolean isDiscarding() {
                return inner.isDiscarding();
            }

            @Override
            public void reset() {
                inner.reset();
            }

            @Override
            public int maxFrameLength() {
                return inner.maxFrameLength();
            }
        };
        assertThat(views(new FrameReader(outside),
                List.of(ByteBuffer.wrap("a\nbb\nthis line is far too long\nc".getBytes(StandardCharsets.US_ASCII)),
                        ByteBuffer.wrap("c\n".getBytes(StandardCharsets.US_ASCII)))))
                .containsExactly("a", "bb", "!TOO_LONG", "cc");
    }
}
