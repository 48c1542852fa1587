package dev.labwire.core.frame;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Chunking;
import dev.labwire.core.testing.FramerRun;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The run-scanning {@link SlipFramer} gives exactly what a byte-at-a-time SLIP decoder (RFC 1055, with the
 * framer's documented error rules) gives, for any bytes in any split: the same frames, the same errors, in order.
 */
class SlipReferenceTest {
    private static final int MAX = 48;

    @Provide
    Arbitrary<byte[]> slipNoise() {
        Arbitrary<Byte> b = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(SlipFramer.END, SlipFramer.ESC, SlipFramer.ESC_END, SlipFramer.ESC_ESC)),
                Tuple.of(6, Arbitraries.bytes()));
        Arbitrary<byte[]> runs = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(3 * MAX);
        // long plain runs (to cross maxFrameLength) mixed with dense specials
        return Arbitraries.oneOf(b.array(byte[].class).ofMaxSize(500),
                runs.list().ofMaxSize(6).map(SlipReferenceTest::joinWithEnds));
    }

    private static byte[] joinWithEnds(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
            out.write(SlipFramer.END);
        }
        return out.toByteArray();
    }

    @Property(tries = 10_000)
    void sameFramesAndErrorsAsAByteAtATimeDecoder(@ForAll("slipNoise") byte[] data, @ForAll long seed) {
        List<String> expected = reference(data);
        List<byte[]> chunks = Chunking.randomSplit(data, new Random(seed));
        assertThat(FramerRun.run(() -> new SlipFramer(MAX), chunks, true)).isEqualTo(expected);
    }

    /** RFC 1055 decoding one byte at a time, as {@link SlipFramer}'s Javadoc specifies it; then end of stream. */
    private static List<String> reference(byte[] data) {
        List<String> out = new ArrayList<>();
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        boolean escaped = false;
        boolean discarding = false;
        for (byte b : data) {
            if (b == SlipFramer.END) {
                if (!discarding && escaped) {
                    out.add("!MALFORMED");
                } else if (!discarding && packet.size() > 0) {
                    out.add(packet.toString(java.nio.charset.StandardCharsets.ISO_8859_1));
                }
                packet.reset();
                escaped = false;
                discarding = false;
                continue;
            }
            if (discarding) {
                continue;
            }
            if (escaped) {
                escaped = false;
                if (b == SlipFramer.ESC_END) {
                    b = SlipFramer.END;
                } else if (b == SlipFramer.ESC_ESC) {
                    b = SlipFramer.ESC;
                } else {
                    out.add("!MALFORMED");
                    discarding = true;
                    continue;
                }
            } else if (b == SlipFramer.ESC) {
                escaped = true;
                continue;
            }
            if (packet.size() == MAX) {
                out.add("!TOO_LONG");
                discarding = true;
                continue;
            }
            packet.write(b);
        }
        if (!discarding && (packet.size() > 0 || escaped)) {
            out.add("!TRUNCATED");
        }
        return out;
    }
}
