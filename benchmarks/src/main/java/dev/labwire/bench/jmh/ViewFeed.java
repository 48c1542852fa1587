package dev.labwire.bench.jmh;

import dev.labwire.core.frame.FrameReader;
import dev.labwire.core.frame.FrameSink;
import dev.labwire.core.frame.FramingError;
import java.nio.ByteBuffer;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The labwire path that hands frames out as views ({@link FrameReader#receive(ByteBuffer, FrameSink)}), as Netty's
 * decoders hand out slices: the reads of {@code FramerBenchmark.labwire} given to a sink that counts the frames and
 * reads one byte of each (the twin's path reads its slice's reader index). In a class of its own so that
 * {@link FramerCpuTime} still runs against an older labwire jar without {@code FrameSink}.
 */
final class ViewFeed implements FrameSink {
    static volatile int sink;

    private int frames;
    private int errors;
    private Blackhole bh;

    /** Feeds the bytes of {@code reads} (position 0 to capacity) in reads; returns the frames given to the sink. */
    int feed(FrameReader reader, ByteBuffer reads, Blackhole bh) {
        this.bh = bh;
        frames = 0;
        int length = reads.capacity();
        for (int off = 0; off < length; off += FramingCase.READ_SIZE) {
            reads.limit(Math.min(off + FramingCase.READ_SIZE, length)).position(off);
            reader.receive(reads, this);
        }
        if (errors != 0) {
            throw new IllegalStateException(errors + " framing errors");
        }
        return frames;
    }

    @Override
    public void frame(ByteBuffer frame) {
        frames++;
        if (bh != null) {
            bh.consume(frame);
        } else if (frame.hasRemaining()) {
            sink = frame.get(frame.position());
        }
    }

    @Override
    public void error(FramingError error) {
        errors++;
    }
}
