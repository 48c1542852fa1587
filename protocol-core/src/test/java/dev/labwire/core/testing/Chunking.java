package dev.labwire.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.frame.Printable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Feeds a byte fixture every way a link can deliver it and asserts the same outcome each time:
 * whole, byte by byte, split at every point, in seeded random splits, and followed by trailing garbage.
 *
 * <p>{@code run} takes the chunks (in order) and returns what the code under test produced, as a list
 * of comparable values (frames, error kinds, event summaries).
 */
public final class Chunking {
    private static final int RANDOM_SPLITS = 25;

    private Chunking() {
    }

    /** Whole; byte by byte; every two-piece split; {@value #RANDOM_SPLITS} seeded random splittings. */
    public static List<List<byte[]>> chunkings(byte[] fixture) {
        List<List<byte[]>> all = new ArrayList<>();
        all.add(List.of(fixture.clone()));
        List<byte[]> single = new ArrayList<>();
        for (byte b : fixture) {
            single.add(new byte[] {b});
        }
        all.add(single);
        for (int cut = 1; cut < fixture.length; cut++) {
            all.add(List.of(Arrays.copyOfRange(fixture, 0, cut), Arrays.copyOfRange(fixture, cut, fixture.length)));
        }
        Random random = new Random(fixture.length * 31L + Arrays.hashCode(fixture));
        for (int n = 0; n < RANDOM_SPLITS && fixture.length > 2; n++) {
            all.add(randomSplit(fixture, random));
        }
        return all;
    }

    /** Splits {@code fixture} at random points drawn from {@code random}; empty chunks included now and then. */
    public static List<byte[]> randomSplit(byte[] fixture, Random random) {
        List<byte[]> chunks = new ArrayList<>();
        int at = 0;
        while (at < fixture.length) {
            int len = random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(Math.max(1, Math.min(fixture.length - at, 1 + fixture.length / 3)));
            len = Math.min(len, fixture.length - at);
            chunks.add(Arrays.copyOfRange(fixture, at, at + len));
            at += len;
        }
        return chunks;
    }

    /** Asserts that {@code run} gives {@code expected} for every chunking of {@code fixture}. */
    public static <T> void assertEveryChunking(byte[] fixture, Function<List<byte[]>, List<T>> run, List<T> expected) {
        for (List<byte[]> chunks : chunkings(fixture)) {
            assertThat(run.apply(chunks))
                    .as("fixture fed in %d chunks %s", chunks.size(), describe(chunks))
                    .isEqualTo(expected);
        }
    }

    /**
     * Asserts that {@code run} gives {@code expected} for every chunking of {@code fixture}, and that with
     * {@code garbage} appended (fed whole, and byte by byte) what it gives still begins with {@code expected}.
     */
    public static <T> void assertEveryChunkingAndGarbage(byte[] fixture, byte[] garbage,
            Function<List<byte[]>, List<T>> run, List<T> expected) {
        assertEveryChunking(fixture, run, expected);
        byte[] dirty = Arrays.copyOf(fixture, fixture.length + garbage.length);
        System.arraycopy(garbage, 0, dirty, fixture.length, garbage.length);
        for (List<byte[]> chunks : List.of(List.of(dirty), chunkings(dirty).get(1))) {
            List<T> got = run.apply(chunks);
            assertThat(got.size()).as("events with trailing garbage").isGreaterThanOrEqualTo(expected.size());
            assertThat(got.subList(0, expected.size())).as("events before trailing garbage").isEqualTo(expected);
        }
    }

    private static String describe(List<byte[]> chunks) {
        StringBuilder sb = new StringBuilder("[");
        for (byte[] c : chunks) {
            if (sb.length() > 80) {
                sb.append("...");
                break;
            }
            sb.append(c.length).append(' ');
        }
        return sb.append(']').toString();
    }

    /** The bytes quoted as {@link Printable} shows them, all of them, for traces. */
    public static String show(byte[] b) {
        return Printable.quoted(b, 0, b.length, Integer.MAX_VALUE);
    }
}
