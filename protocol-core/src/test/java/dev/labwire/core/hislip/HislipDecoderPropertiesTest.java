package dev.labwire.core.hislip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Chunking;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Random messages, random splits, random and truncated bytes: same messages, clear failures, bounded memory. */
class HislipDecoderPropertiesTest {

    @Provide
    Arbitrary<HislipMessage> messages() {
        return Combinators.combine(Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255),
                        Arbitraries.integers(), Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
                .as(HislipMessage::new);
    }

    @Provide
    Arbitrary<List<HislipMessage>> messageLists() {
        return messages().list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 300)
    void randomMessagesSurviveRandomSplits(@ForAll("messageLists") List<HislipMessage> ms,
            @ForAll long seed) {
        ByteBuffer all = ByteBuffer.allocate(ms.stream().mapToInt(HislipMessage::encodedLength).sum());
        List<String> expected = new ArrayList<>();
        for (HislipMessage m : ms) {
            m.encodeTo(all);
            expected.add(m.toString());
        }
        List<byte[]> chunks = Chunking.randomSplit(all.array(), new Random(seed));
        assertThat(HislipBytes.run(chunks)).isEqualTo(expected);
    }

    @Property(tries = 300)
    void randomBytesGiveMessagesOrClearFailuresWithBoundedMemory(
            @ForAll @Size(max = 2000) byte[] noise, @ForAll boolean validStart, @ForAll long seed,
            @ForAll @IntRange(min = 16, max = 400) int max) {
        byte[] wire = noise;
        if (validStart && noise.length >= 2) {
            wire = noise.clone();
            wire[0] = 'H';
            wire[1] = 'S';
        }
        HislipDecoder d = new HislipDecoder("fuzz", max);
        List<byte[]> chunks = Chunking.randomSplit(wire, new Random(seed));
        for (byte[] c : chunks) {
            d.receive(ByteBuffer.wrap(c));
            assertThat(d.buffered()).isLessThanOrEqualTo(max + c.length);
            for (int i = 0; ; i++) {
                assertThat(i).as("decoder loops").isLessThan(1000);
                Decoded r = d.next();
                if (r == Decoded.NeedData.INSTANCE) {
                    break;
                }
                if (r instanceof Decoded.Message m) {
                    assertThat(m.message().encodedLength()).isLessThanOrEqualTo(max);
                } else if (r instanceof Decoded.Failure f) {
                    assertThat(f.exception().getMessage()).startsWith("HiSLIP fuzz channel");
                    if (f.fatal()) {
                        assertThat(d.next()).isSameAs(f);
                        break;
                    }
                }
            }
            assertThat(d.buffered()).isLessThanOrEqualTo(max);
        }
    }

    @Property(tries = 200)
    void truncatedMessagesWaitThenFailAtEof(@ForAll("messages") HislipMessage m, @ForAll long seed) {
        byte[] wire = m.encode();
        int cut = new Random(seed).nextInt(wire.length);   // 0 .. length-1 bytes of it
        HislipDecoder d = new HislipDecoder("cut");
        d.receive(ByteBuffer.wrap(wire, 0, cut));
        assertThat(d.next()).isEqualTo(Decoded.NeedData.INSTANCE);
        d.receiveEof();
        Decoded r = d.next();
        if (cut == 0) {
            assertThat(r).isEqualTo(Decoded.NeedData.INSTANCE);
        } else {
            assertThat(r).isInstanceOf(Decoded.Failure.class);
            assertThat(((Decoded.Failure) r).fatal()).isTrue();
            assertThat(((Decoded.Failure) r).exception()).hasMessageContaining("ended inside a message");
        }
    }
}
