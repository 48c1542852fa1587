package dev.labwire.core.testing;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.FramingError;
import dev.labwire.core.frame.InputBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs a fresh framer over chunks and lists what came out: each frame as its text (ISO-8859-1), each
 * error as {@code "!" + kind}. Optionally ends with end of stream. Also records the largest buffer
 * capacity seen, for memory-bound checks.
 */
public final class FramerRun {
    private FramerRun() {
    }

    /** What {@code framer} gives for {@code chunks}, draining after every chunk; then EOF when {@code eof}. */
    public static List<String> run(Supplier<? extends Framer> framer, List<byte[]> chunks, boolean eof) {
        return run(framer.get(), new InputBuffer(16), chunks, eof);
    }

    /** As {@link #run(Supplier, List, boolean)} over a given framer and buffer. */
    public static List<String> run(Framer framer, InputBuffer buffer, List<byte[]> chunks, boolean eof) {
        List<String> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            buffer.append(chunk);
            drain(out, framer, buffer, false);
        }
        if (eof) {
            drain(out, framer, buffer, true);
        }
        return out;
    }

    private static void drain(List<String> out, Framer framer, InputBuffer buffer, boolean eof) {
        for (int guard = 0; guard < 1_000_000; guard++) {
            FrameResult r = eof ? framer.decodeAtEof(buffer) : framer.decode(buffer);
            if (r instanceof Frame f) {
                out.add(f.asString());
            } else if (r instanceof FramingError e) {
                out.add("!" + e.exception().kind());
            } else {
                return;
            }
        }
        throw new AssertionError("framer never said NeedData: it loops");
    }

    /** Shorthand for a text fixture's bytes (ISO-8859-1). */
    public static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
