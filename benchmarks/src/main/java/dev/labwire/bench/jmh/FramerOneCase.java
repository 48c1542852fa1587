package dev.labwire.bench.jmh;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameReader;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.FrameSink;
import dev.labwire.core.frame.FramingError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * One {@link FramingCase} on one path in a JVM of its own, timed by the thread's CPU time: the quick check of a
 * change to one framer, without {@link FramerCpuTime}'s other paths and cases sharing the JIT's profiles (which is
 * what a real program does, so {@link FramerCpuTime} gives the figures to report). Paths: {@code view} (frames as
 * views, {@link FrameReader#receive(ByteBuffer, FrameSink)}), {@code frame} ({@code receive} then {@code next()}),
 * {@code netty} (the cut-only twin, slices). Prints the minimum and the median ns per frame over batches of 200
 * operations run for {@code seconds}.
 *
 * <pre>
 *   taskset -c 1 java [-Dpollute] [-Dprefr] -cp benchmarks/target/benchmarks.jar dev.labwire.bench.jmh.FramerOneCase CASE view|frame|netty seconds
 * </pre>
 * {@code -Dpollute}: every case's view and Netty paths run briefly first (the JIT then sees several framer classes,
 * as in {@link FramerCpuTime} or a program with several links). {@code -Dprefr}: this case's {@code frame} path runs
 * first (a framer class used both ways). It also runs against an older labwire jar put first on the class path, from
 * branch slice on (it is a {@link FrameSink}).
 */
public final class FramerOneCase implements FrameSink {
    private static volatile Object sinkObject;
    private static volatile int sinkByte;
    private int frames;

    private FramerOneCase() {
    }

    @Override
    public void frame(ByteBuffer frame) {
        frames++;
        if (frame.hasRemaining()) {
            sinkByte = frame.get(frame.position());
        }
    }

    @Override
    public void error(FramingError error) {
        throw new IllegalStateException(error.toString());
    }

    public static void main(String[] args) throws Exception {
        FramingCase c = FramingCase.valueOf(args[0]);
        String path = args[1];
        double seconds = Double.parseDouble(args[2]);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (System.getProperty("pollute") != null) {
            for (FramingCase other : FramingCase.values()) {
                FrameReader reader = new FrameReader(other.newFramer());
                NettyTwin twin = other.newTwin();
                ByteBuf cumulation = Unpooled.buffer(256);
                for (int k = 0; k < 30; k++) {
                    views(reader, ByteBuffer.wrap(other.labwireBytes()), new FramerOneCase());
                    netty(twin, cumulation, other.nettyBytes());
                }
                cumulation.release();
            }
        }
        if (System.getProperty("prefr") != null) {
            FrameReader reader = new FrameReader(c.newFramer());
            for (int k = 0; k < 3000; k++) {
                frames(reader, ByteBuffer.wrap(c.labwireBytes()));
            }
        }
        FrameReader reader = new FrameReader(c.newFramer());
        ByteBuffer heap = ByteBuffer.wrap(c.labwireBytes());
        NettyTwin twin = c.newTwin();
        ByteBuf cumulation = Unpooled.buffer(256);
        FramerOneCase sink = new FramerOneCase();
        List<Double> perFrame = new ArrayList<>();
        long endAt = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < endAt) {
            long t0 = mx.getCurrentThreadCpuTime();
            long n = 0;
            for (int k = 0; k < 200; k++) {
                n += switch (path) {
                    case "view" -> views(reader, heap, sink);
                    case "frame" -> frames(reader, heap);
                    case "netty" -> netty(twin, cumulation, c.nettyBytes());
                    default -> throw new IllegalArgumentException("path must be view, frame or netty: " + path);
                };
            }
            long t1 = mx.getCurrentThreadCpuTime();
            if (n != 200L * c.framesPerOp()) {
                throw new IllegalStateException(c + ": " + n + " frames, expected " + 200L * c.framesPerOp());
            }
            perFrame.add((t1 - t0) / (double) n);
        }
        cumulation.release();
        Collections.sort(perFrame);
        System.out.printf(Locale.ROOT, "%s %s: min %.2f median %.2f ns/frame (%d batches)%n", c, path, perFrame.get(0),
                perFrame.get(perFrame.size() / 2), perFrame.size());
    }

    private static int views(FrameReader reader, ByteBuffer reads, FramerOneCase sink) {
        sink.frames = 0;
        int length = reads.capacity();
        for (int off = 0; off < length; off += FramingCase.READ_SIZE) {
            reads.limit(Math.min(off + FramingCase.READ_SIZE, length)).position(off);
            reader.receive(reads, sink);
        }
        return sink.frames;
    }

    private static int frames(FrameReader reader, ByteBuffer reads) {
        int n = 0;
        int length = reads.capacity();
        for (int off = 0; off < length; off += FramingCase.READ_SIZE) {
            reads.limit(Math.min(off + FramingCase.READ_SIZE, length)).position(off);
            reader.receive(reads);
            for (FrameResult r; (r = reader.next()) instanceof Frame f; ) {
                sinkObject = f;
                n++;
            }
        }
        return n;
    }

    private static int netty(NettyTwin twin, ByteBuf cumulation, byte[] data) throws Exception {
        int n = 0;
        for (int off = 0; off < data.length; off += FramingCase.READ_SIZE) {
            cumulation.writeBytes(data, off, Math.min(FramingCase.READ_SIZE, data.length - off));
            for (Object f; (f = twin.next(cumulation)) != null; ) {
                sinkObject = f;
                ((ByteBuf) f).release();
                n++;
            }
            cumulation.discardSomeReadBytes();
        }
        return n;
    }
}
