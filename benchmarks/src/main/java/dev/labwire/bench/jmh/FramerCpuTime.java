package dev.labwire.bench.jmh;

import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameReader;
import dev.labwire.core.frame.FrameResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The {@link FramerBenchmark} paths timed by the thread's own CPU time instead of the wall clock, for a machine that
 * other work keeps busy: a thread waiting for a CPU is not charged, so the figures move much less with the load than
 * JMH's (cache pollution by the other work still counts). Each round runs every path over the same bytes in turn
 * (labwire through a heap buffer, labwire through a direct buffer, Netty slicing, Netty copying); the table gives the
 * minimum and the median ns per frame over the rounds and the ratios of the medians (twin / labwire, above 1.0 =
 * labwire faster).
 *
 * <pre>
 *   taskset -c 1 java -cp benchmarks/target/benchmarks.jar dev.labwire.bench.jmh.FramerCpuTime [CASE,CASE,...] [rounds]
 * </pre>
 * Only {@link FrameReader} and the Netty twins are used, so the class also runs against an older labwire jar put
 * first on the class path (before/after comparisons of the core with the same harness).
 */
public final class FramerCpuTime {
    private static volatile Object sink;

    private FramerCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        List<FramingCase> cases = new ArrayList<>();
        if (args.length > 0 && !args[0].equals("all")) {
            for (String c : args[0].split(",")) {
                cases.add(FramingCase.valueOf(c));
            }
        } else {
            cases.addAll(List.of(FramingCase.values()));
        }
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        boolean views = hasViews();
        System.out.println("| case | labwire min | labwire median | labwireDirect median | netty min | netty median | nettyCopy median "
                + "| ratio vs netty | vs nettyCopy | direct vs netty | labwireView median | view vs netty "
                + "| nettyDecode median | labwire vs nettyDecode | view vs nettyDecode |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (FramingCase c : cases) {
            FrameReader heapReader = new FrameReader(c.newFramer());
            ByteBuffer heap = ByteBuffer.wrap(c.labwireBytes());
            FrameReader directReader = new FrameReader(c.newFramer());
            ByteBuffer direct = ByteBuffer.allocateDirect(c.labwireBytes().length).put(c.labwireBytes()).clear();
            NettyTwin twin = c.newTwin();
            ByteBuf cumulation = Unpooled.buffer(256);
            byte[] nettyBytes = c.nettyBytes();
            int ops = (int) Math.max(20, 40_000_000L / c.labwireBytes().length);
            double perOp = (double) ops * c.framesPerOp();
            FrameReader viewReader = new FrameReader(c.newFramer());
            ByteBuffer viewHeap = ByteBuffer.wrap(c.labwireBytes());
            Object viewFeed = views ? new ViewFeed() : null;
            NettyTwin decoding = c.newDecodingTwin();
            double[][] t = new double[6][rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < ops; i++) {
                    check(c, feed(heapReader, heap));
                }
                long t1 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < ops; i++) {
                    check(c, feed(directReader, direct));
                }
                long t2 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < ops; i++) {
                    check(c, netty(twin, cumulation, nettyBytes, false));
                }
                long t3 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < ops; i++) {
                    check(c, netty(twin, cumulation, nettyBytes, true));
                }
                long t4 = mx.getCurrentThreadCpuTime();
                for (int i = 0; views && i < ops; i++) {
                    check(c, ((ViewFeed) viewFeed).feed(viewReader, viewHeap, null));
                }
                long t5 = mx.getCurrentThreadCpuTime();
                t[4][r] = (t5 - t4) / perOp;
                for (int i = 0; decoding != null && i < ops; i++) {
                    check(c, netty(decoding, cumulation, nettyBytes, false));
                }
                long t6 = mx.getCurrentThreadCpuTime();
                t[5][r] = (t6 - t5) / perOp;
                t[0][r] = (t1 - t0) / perOp;
                t[1][r] = (t2 - t1) / perOp;
                t[2][r] = (t3 - t2) / perOp;
                t[3][r] = (t4 - t3) / perOp;
            }
            cumulation.release();
            for (double[] x : t) {
                Arrays.sort(x);
            }
            int m = rounds / 2;
            System.out.println(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %s | %s | %s | %s |", c,
                    t[0][0], t[0][m], t[1][m], t[2][0], t[2][m], t[3][m], t[2][m] / t[0][m], t[3][m] / t[0][m], t[2][m] / t[1][m],
                    views ? String.format(Locale.ROOT, "%.2f", t[4][m]) : "n/a",
                    views ? String.format(Locale.ROOT, "%.2f", t[2][m] / t[4][m]) : "n/a",
                    decoding != null ? String.format(Locale.ROOT, "%.2f", t[5][m]) : "-",
                    decoding != null ? String.format(Locale.ROOT, "%.2f", t[5][m] / t[0][m]) : "-",
                    decoding != null && views ? String.format(Locale.ROOT, "%.2f", t[5][m] / t[4][m]) : "-"));
        }
    }

    /** True when the labwire on the class path has {@code FrameReader.receive(ByteBuffer, FrameSink)} (not before branch slice). */
    private static boolean hasViews() {
        try {
            Class.forName("dev.labwire.core.frame.FrameSink");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static void check(FramingCase c, int frames) {
        if (frames != c.framesPerOp()) {
            throw new IllegalStateException(c + ": " + frames + " frames, expected " + c.framesPerOp());
        }
    }

    /** As {@code FramerBenchmark.labwire}: the reads handed to {@code receive} in one buffer moved along. */
    private static int feed(FrameReader reader, ByteBuffer reads) {
        int frames = 0;
        int length = reads.capacity();
        for (int off = 0; off < length; off += FramingCase.READ_SIZE) {
            reads.limit(Math.min(off + FramingCase.READ_SIZE, length)).position(off);
            reader.receive(reads);
            for (FrameResult r; (r = reader.next()) instanceof Frame f; ) {
                sink = f;
                frames++;
            }
        }
        return frames;
    }

    /** As {@code FramerBenchmark.netty} / {@code nettyCopy}. */
    private static int netty(NettyTwin twin, ByteBuf cumulation, byte[] data, boolean copy) throws Exception {
        int frames = 0;
        for (int off = 0; off < data.length; off += FramingCase.READ_SIZE) {
            cumulation.writeBytes(data, off, Math.min(FramingCase.READ_SIZE, data.length - off));
            for (Object f; (f = twin.next(cumulation)) != null; ) {
                sink = copy ? ByteBufUtil.getBytes((ByteBuf) f) : f;
                ((ByteBuf) f).release();
                frames++;
            }
            cumulation.discardSomeReadBytes();
        }
        return frames;
    }
}
