package dev.labwire.core.frame;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.testing.Chunking;
import dev.labwire.core.testing.FramerRun;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Shorthands for framer tests: fixtures as text, every chunking, the first error's message. */
final class FramerFixtures {
    private FramerFixtures() {
    }

    /** ISO-8859-1 bytes of {@code s}. */
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Bytes from ints, for binary fixtures. */
    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** ISO-8859-1 text of {@code bytes}, as {@link FramerRun} shows a frame. */
    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** {@code fixture} gives {@code expected} in every chunking, and still with {@code garbage} after it. */
    static void check(Supplier<? extends Framer> framer, byte[] fixture, byte[] garbage, String... expected) {
        Chunking.assertEveryChunkingAndGarbage(fixture, garbage,
                chunks -> FramerRun.run(framer, chunks, false), List.of(expected));
    }

    /** {@code fixture} then end of stream gives {@code expected} in every chunking. */
    static void checkWithEof(Supplier<? extends Framer> framer, byte[] fixture, String... expected) {
        Chunking.assertEveryChunking(fixture, chunks -> FramerRun.run(framer, chunks, true), List.of(expected));
    }

    /** Every result (frames and errors) of feeding {@code chunks} to {@code framer}, draining after each. */
    static List<FrameResult> results(Framer framer, byte[]... chunks) {
        InputBuffer in = new InputBuffer(16);
        List<FrameResult> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            in.append(chunk);
            for (FrameResult r = framer.decode(in); r != FrameResult.NeedData.INSTANCE; r = framer.decode(in)) {
                out.add(r);
            }
        }
        return out;
    }

    /** The message of the first error {@code framer} gives for {@code chunks}. */
    static String firstError(Framer framer, byte[]... chunks) {
        for (FrameResult r : results(framer, chunks)) {
            if (r instanceof FramingError e) {
                return e.exception().getMessage();
            }
        }
        throw new AssertionError("no error");
    }

    /** Feeds {@code fixture} byte by byte and asserts the buffer never holds more than {@code bound} bytes at NeedData. */
    static void assertBufferBound(Framer framer, byte[] fixture, int bound) {
        InputBuffer in = new InputBuffer(16);
        for (byte x : fixture) {
            in.append(new byte[] {x});
            while (framer.decode(in) != FrameResult.NeedData.INSTANCE) {
                // drain
            }
            assertThat(in.readableBytes()).as("readable bytes at NeedData").isLessThanOrEqualTo(bound);
        }
    }
}
