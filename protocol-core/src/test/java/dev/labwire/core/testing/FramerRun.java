package dev.labwire.core.testing;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameReader;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.FrameSink;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.FramingError;
import dev.labwire.core.frame.InputBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
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

    /**
     * What {@code framer} gives for {@code chunks} fed through a {@link FrameReader}, the way a driver feeds a
     * connection: each chunk in a buffer of a random kind ({@link Lender}), which is overwritten as soon as
     * {@code receive} returned. The frames are turned into text only at the very end, so a frame still referring to
     * a driver's buffer would show the scribbles. After every receive, {@code afterReceive} sees the reader (bounds).
     */
    public static List<String> runReader(FrameReader reader, List<byte[]> chunks, boolean eof, Random random,
            java.util.function.Consumer<FrameReader> afterReceive) {
        List<FrameResult> results = new ArrayList<>();
        for (byte[] chunk : chunks) {
            Lender lender = Lender.of(chunk, random);
            ByteBuffer b = lender.buffer();
            int limit = b.limit();
            reader.receive(b);
            if (b.position() != limit || b.limit() != limit) {
                throw new AssertionError("receive left " + b + " (limit was " + limit + ")");
            }
            lender.scribble();
            afterReceive.accept(reader);
            for (FrameResult r; (r = reader.next()) != FrameResult.NeedData.INSTANCE; ) {
                results.add(r);
            }
        }
        if (eof) {
            reader.receiveEof();
            for (int guard = 0; ; guard++) {
                FrameResult r = reader.next();
                if (r == FrameResult.NeedData.INSTANCE) {
                    break;
                }
                if (guard > 1_000_000) {
                    throw new AssertionError("reader never said NeedData at end of stream: it loops");
                }
                results.add(r);
            }
        }
        List<String> out = new ArrayList<>();
        for (FrameResult r : results) {
            out.add(r instanceof Frame f ? f.asString() : "!" + ((FramingError) r).exception().kind());
        }
        return out;
    }

    /**
     * As {@link #runReader} through {@link FrameReader#receive(ByteBuffer, FrameSink)}: each frame is read (and
     * checked read-only) while the sink has it, the buffers are overwritten after each receive, and every
     * {@code next()} in between must give nothing. With {@code mixed}, a random half of the chunks go through
     * {@link FrameReader#receive(ByteBuffer)} and {@code next()} instead (the two ways may be mixed on one reader).
     */
    public static List<String> runReaderViews(FrameReader reader, List<byte[]> chunks, boolean eof, Random random,
            boolean mixed, java.util.function.Consumer<FrameReader> afterReceive) {
        List<String> out = new ArrayList<>();
        FrameSink sink = new FrameSink() {
            @Override
            public void frame(ByteBuffer frame) {
                if (!frame.isReadOnly()) {
                    throw new AssertionError("a view must be read-only");
                }
                byte[] b = new byte[frame.remaining()];
                frame.get(b);
                out.add(new String(b, java.nio.charset.StandardCharsets.ISO_8859_1));
            }

            @Override
            public void error(FramingError error) {
                out.add("!" + error.exception().kind());
            }
        };
        for (byte[] chunk : chunks) {
            Lender lender = Lender.of(chunk, random);
            ByteBuffer b = lender.buffer();
            int limit = b.limit();
            boolean plain = mixed && random.nextBoolean();
            if (plain) {
                reader.receive(b);
            } else {
                reader.receive(b, sink);
            }
            if (b.position() != limit || b.limit() != limit) {
                throw new AssertionError("receive left " + b + " (limit was " + limit + ")");
            }
            lender.scribble();
            afterReceive.accept(reader);
            if (plain && random.nextBoolean()) {
                for (FrameResult r; (r = reader.next()) != FrameResult.NeedData.INSTANCE; ) {
                    out.add(r instanceof Frame f ? f.asString() : "!" + ((FramingError) r).exception().kind());
                }
            } else if (!plain && reader.next() != FrameResult.NeedData.INSTANCE) {
                throw new AssertionError("next() after receive(data, sink) gave a result");
            }
        }
        if (eof) {
            reader.receiveEof(sink);
            if (reader.next() != FrameResult.NeedData.INSTANCE) {
                throw new AssertionError("next() after receiveEof(sink) gave a result");
            }
        }
        return out;
    }

    /** Shorthand for a text fixture's bytes (ISO-8859-1). */
    public static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
