package dev.labwire.bench.jmh;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameReader;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.InputBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Each labwire framer against its Netty twin on the same bytes ({@link FramingCase}). One operation feeds one
 * whole stream in {@value FramingCase#READ_SIZE}-byte reads and takes out every frame; divide by
 * {@link FramingCase#framesPerOp()} for the cost per frame ({@link Suite} does, and prints the table).
 *
 * <ul>
 *   <li>{@code labwire}: each read handed to {@link FrameReader#receive(ByteBuffer)} in one reused heap
 *       {@code ByteBuffer} (as the blocking driver hands its read buffer to {@code Connection.receive}), then
 *       {@link FrameReader#next()} until it needs data. The entry point a driver uses: since issue 17 it reads the
 *       buffer in place and copies each frame once where frames are big (see {@link FrameReader}). Each frame is a {@link Frame} owning a fresh {@code byte[]}.
 *       (Until 2026-12-03 this path called {@link InputBuffer#append} and {@link Framer#decode} itself.)</li>
 *   <li>{@code labwireDirect}: the same through a direct {@code ByteBuffer}, as Netty's pooled buffers arrive: the
 *       bytes are appended to the reader's buffer first (two copies per frame byte).</li>
 *   <li>{@code labwireView}: the heap reads through {@link FrameReader#receive(ByteBuffer, dev.labwire.core.frame.FrameSink)},
 *       each frame handed to a sink as a read-only view valid during the call (as Netty's slices): no copy of a frame
 *       that lies whole in a read, one (into an array the reader reuses) of a frame that straddles reads.</li>
 *   <li>{@code netty}: the same buffering done by hand (one heap {@code ByteBuf} that each read is copied into,
 *       {@code discardSomeReadBytes()} after each read, as {@code ByteToMessageDecoder} does) and the decoder's
 *       own {@code decode(ctx, in)}: the decoding algorithm alone. Each frame is a retained slice, released.</li>
 *   <li>{@code nettyCopy}: as {@code netty}, and each frame copied into a {@code byte[]} ({@code ByteBufUtil.getBytes}):
 *       the same deliverable as labwire's, for a program that keeps the reply.</li>
 *   <li>{@code nettyChannel}: the decoder in an {@link EmbeddedChannel} in front of a handler that releases
 *       each frame: Netty's real cumulator and pipeline, as a Netty program runs it.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FramerBenchmark {

    @Param
    public FramingCase framing;

    private byte[] labwireBytes;
    private byte[] nettyBytes;
    private Framer framer;
    private FrameReader reader;
    private ByteBuffer heapReads;
    private FrameReader directReader;
    private ByteBuffer directReads;
    private FrameReader viewReader;
    private ByteBuffer viewReads;
    private ViewFeed viewFeed;
    private NettyTwin twin;
    private ByteBuf cumulation;
    private EmbeddedChannel channel;
    private Sink sink;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        labwireBytes = framing.labwireBytes();
        nettyBytes = framing.nettyBytes();
        framer = framing.newFramer();
        reader = new FrameReader(framer);
        heapReads = ByteBuffer.wrap(labwireBytes);
        directReader = new FrameReader(framing.newFramer());
        directReads = ByteBuffer.allocateDirect(labwireBytes.length).put(labwireBytes).clear();
        viewReader = new FrameReader(framing.newFramer());
        viewReads = ByteBuffer.wrap(labwireBytes);
        viewFeed = new ViewFeed();
        twin = framing.newTwin();
        cumulation = Unpooled.buffer(256);
        sink = new Sink();
        channel = new EmbeddedChannel(framing.newTwin().handler(), sink);
        // the three paths must cut the same number of frames, or the comparison means nothing
        int expected = framing.framesPerOp();
        check("labwire", labwire(reader, heapReads, null), expected);
        check("labwireDirect", labwire(directReader, directReads, null), expected);
        check("labwireView", viewFeed.feed(viewReader, viewReads, null), expected);
        check("netty", netty(twin, cumulation, nettyBytes, null), expected);
        check("nettyCopy", nettyCopy(twin, cumulation, nettyBytes, null), expected);
        check("nettyChannel", nettyChannel(channel, sink, nettyBytes, null), expected);
    }

    private void check(String path, int frames, int expected) {
        if (frames != expected) {
            throw new IllegalStateException(framing + " " + path + ": " + frames + " frames, expected " + expected);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cumulation.release();
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public int labwire(Blackhole bh) {
        return labwire(reader, heapReads, bh);
    }

    @Benchmark
    public int labwireDirect(Blackhole bh) {
        return labwire(directReader, directReads, bh);
    }

    @Benchmark
    public int labwireView(Blackhole bh) {
        return viewFeed.feed(viewReader, viewReads, bh);
    }

    @Benchmark
    public int netty(Blackhole bh) throws Exception {
        return netty(twin, cumulation, nettyBytes, bh);
    }

    @Benchmark
    public int nettyCopy(Blackhole bh) throws Exception {
        return nettyCopy(twin, cumulation, nettyBytes, bh);
    }

    @Benchmark
    public int nettyChannel(Blackhole bh) {
        return nettyChannel(channel, sink, nettyBytes, bh);
    }

    /**
     * Feeds the bytes of {@code reads} (position 0 to capacity) to a {@link FrameReader} in reads, through that one
     * buffer moved along as a driver's read buffer is refilled; returns the frames cut. {@code bh} may be null.
     */
    static int labwire(FrameReader reader, ByteBuffer reads, Blackhole bh) {
        int frames = 0;
        int length = reads.capacity();
        for (int off = 0; off < length; off += FramingCase.READ_SIZE) {
            reads.limit(Math.min(off + FramingCase.READ_SIZE, length)).position(off);
            reader.receive(reads);
            for (FrameResult r; (r = reader.next()) instanceof Frame f; ) {
                if (bh != null) {
                    bh.consume(f);
                }
                frames++;
            }
        }
        return frames;
    }

    /** Feeds {@code data} to a Netty decoder's {@code decode} in reads, buffering as ByteToMessageDecoder does. */
    static int netty(NettyTwin twin, ByteBuf cumulation, byte[] data, Blackhole bh) throws Exception {
        int frames = 0;
        for (int off = 0; off < data.length; off += FramingCase.READ_SIZE) {
            cumulation.writeBytes(data, off, Math.min(FramingCase.READ_SIZE, data.length - off));
            for (Object f; (f = twin.next(cumulation)) != null; ) {
                if (bh != null) {
                    bh.consume(f);
                }
                ((ByteBuf) f).release();
                frames++;
            }
            cumulation.discardSomeReadBytes();
        }
        return frames;
    }

    /** As {@link #netty} but each frame is copied into its own {@code byte[]}: the same deliverable as labwire's. */
    static int nettyCopy(NettyTwin twin, ByteBuf cumulation, byte[] data, Blackhole bh) throws Exception {
        int frames = 0;
        for (int off = 0; off < data.length; off += FramingCase.READ_SIZE) {
            cumulation.writeBytes(data, off, Math.min(FramingCase.READ_SIZE, data.length - off));
            for (Object f; (f = twin.next(cumulation)) != null; ) {
                byte[] copy = ByteBufUtil.getBytes((ByteBuf) f);
                if (bh != null) {
                    bh.consume(copy);
                }
                ((ByteBuf) f).release();
                frames++;
            }
            cumulation.discardSomeReadBytes();
        }
        return frames;
    }

    /** Writes {@code data} into a channel in reads; the sink counts and releases the frames. */
    static int nettyChannel(EmbeddedChannel channel, Sink sink, byte[] data, Blackhole bh) {
        sink.frames = 0;
        sink.bh = bh;
        for (int off = 0; off < data.length; off += FramingCase.READ_SIZE) {
            channel.writeInbound(Unpooled.wrappedBuffer(data, off, Math.min(FramingCase.READ_SIZE, data.length - off)));
        }
        return sink.frames;
    }

    /** The last handler: counts and releases every frame. */
    static final class Sink extends ChannelInboundHandlerAdapter {
        int frames;
        Blackhole bh;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            frames++;
            if (bh != null) {
                bh.consume(msg);
            }
            ReferenceCountUtil.release(msg);
        }
    }
}
