package dev.labwire.core.frame;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The word-at-a-time searches of {@link InputBuffer} agree with a plain byte loop at every alignment. */
class InputBufferSearchTest {

    @Test
    void indexOfFindsTheFirstMatchAtEveryOffsetAndAlignment() {
        SplittableRandom r = new SplittableRandom(42);
        for (int consumed = 0; consumed < 9; consumed++) {
            for (int length = 0; length < 40; length++) {
                for (int trial = 0; trial < 20; trial++) {
                    byte[] b = new byte[consumed + length];
                    for (int i = 0; i < b.length; i++) {
                        // few distinct values so that matches, near-matches (0x0B, 0x8A) and borrows all occur
                        b[i] = (byte) new int[] {'\n', '\r', 0x0B, 0x09, 0x8A, 0x8D, 0x00, 0xFF, 'A'}[r.nextInt(9)];
                    }
                    InputBuffer in = new InputBuffer(4);
                    in.append(b);
                    in.skip(consumed);
                    for (int from = 0; from <= length + 1; from++) {
                        for (byte v : new byte[] {'\n', '\r', 0x00, (byte) 0xFF, (byte) 0x8A}) {
                            assertThat(in.indexOf(v, from)).as("value %d from %d in %d bytes", v, from, length)
                                    .isEqualTo(naive(in, v, v, from));
                        }
                        assertThat(in.indexOfEither((byte) '\n', (byte) '\r', from)).isEqualTo(naive(in, (byte) '\n', (byte) '\r', from));
                    }
                }
            }
        }
    }

    private static int naive(InputBuffer in, byte x, byte y, int from) {
        for (int i = Math.max(0, from); i < in.readableBytes(); i++) {
            if (in.get(i) == x || in.get(i) == y) {
                return i;
            }
        }
        return -1;
    }
}
