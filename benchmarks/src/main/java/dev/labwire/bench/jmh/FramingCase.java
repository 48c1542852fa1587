package dev.labwire.bench.jmh;

import dev.labwire.core.frame.BlockFramer;
import dev.labwire.core.frame.CobsFramer;
import dev.labwire.core.frame.FixedLengthFramer;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.LengthFieldFramer;
import dev.labwire.core.frame.LineFramer;
import dev.labwire.core.frame.SlipFramer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * One framing workload: the bytes of one benchmark operation, the labwire framer that cuts them, and its Netty
 * twin fed the same bytes (or, where the wire formats differ, the same payloads in Netty's nearest format).
 * Every operation feeds the whole stream in {@value #READ_SIZE}-byte reads, the size of the blocking client's
 * read buffer, so frames straddle reads as they do on a socket.
 *
 * <pre>
 *   SCPI_LF       "+1.234567E+00\n" x 4681 (64 KiB)          LineFramer.lf          | LineBasedFrameDecoder
 *   SCPI_ANYEOL   same bytes                                   LineFramer.anyEol      | LineBasedFrameDecoder (\n and \r\n)
 *   SCPI_CRLF     "+1.234567E+00\r\n" x 4369                   LineFramer.crlf        | DelimiterBasedFrameDecoder("\r\n")
 *   LINE_4K       4095 bytes + "\n", x 16                      LineFramer.lf          | LineBasedFrameDecoder
 *   BLOCK_1M      "#71048576" + 1 MiB + "\n"                   BlockFramer.scpi       | LengthFieldBasedFrameDecoder over |len32|1 MiB|
 *   LENGTH_1M     |00 10 00 00| + 1 MiB                        LengthFieldFramer w4   | LengthFieldBasedFrameDecoder w4
 *   LENGTH_SHORT  |00 0E| + 14 bytes, x 4096                   LengthFieldFramer w2   | LengthFieldBasedFrameDecoder w2
 *   FIXED_32      32-byte records x 2048                       FixedLengthFramer(32)  | FixedLengthFrameDecoder(32)
 *   COBS_32       COBS(32 random bytes) + 00, x 1900           CobsFramer (decodes)   | DelimiterBasedFrameDecoder(00): cuts only
 *   SLIP_32       C0 + SLIP(32 random bytes) + C0, x 1700      SlipFramer (decodes)   | DelimiterBasedFrameDecoder(C0): cuts only,
 *                                                                                        stream without the leading C0
 * </pre>
 * Netty has no IEEE 488.2 block, COBS or SLIP decoder: those twins are the nearest Netty decoder, which does
 * less work (no ASCII length header, no unstuffing), so their ratios are a lower bound for labwire.
 */
public enum FramingCase {
    SCPI_LF(scpi("\n", 64 * 1024), null, () -> LineFramer.lf(4096),
            () -> new NettyTwin.Line(4096)),
    SCPI_ANYEOL(scpi("\n", 64 * 1024), null, () -> LineFramer.anyEol(4096),
            () -> new NettyTwin.Line(4096)),
    SCPI_CRLF(scpi("\r\n", 64 * 1024), null, () -> LineFramer.crlf(4096),
            () -> new NettyTwin.Delimiter(4096, new byte[] {'\r', '\n'})),
    LINE_4K(lines(4095, 16), null, () -> LineFramer.lf(8192),
            () -> new NettyTwin.Line(8192)),
    BLOCK_1M(block(1 << 20), lengthPrefixed(4, 1 << 20, 1), () -> BlockFramer.scpi(2 << 20),
            () -> new NettyTwin.LengthField((2 << 20) + 4, 4)),
    LENGTH_1M(lengthPrefixed(4, 1 << 20, 1), null,
            () -> LengthFieldFramer.builder().lengthFieldWidth(4).bytesToStrip(4).maxFrameLength((2 << 20) + 4).build(),
            () -> new NettyTwin.LengthField((2 << 20) + 4, 4)),
    LENGTH_SHORT(lengthPrefixed(2, 14, 4096), null,
            () -> LengthFieldFramer.builder().lengthFieldWidth(2).bytesToStrip(2).maxFrameLength(4096).build(),
            () -> new NettyTwin.LengthField(4096, 2)),
    FIXED_32(random(32 * 2048, 1), null, () -> new FixedLengthFramer(32),
            () -> new NettyTwin.Fixed(32)),
    COBS_32(cobs(32, 1900), null, () -> new CobsFramer(256),
            () -> new NettyTwin.Delimiter(256, new byte[] {0})),
    SLIP_32(slip(32, 1700, true), slip(32, 1700, false), () -> new SlipFramer(256),
            () -> new NettyTwin.Delimiter(256, new byte[] {SlipFramer.END})),
    SLIP_32_PLAIN(slipPlain(32, 1700, true), slipPlain(32, 1700, false), () -> new SlipFramer(256),
            () -> new NettyTwin.Delimiter(256, new byte[] {SlipFramer.END}));

    /** Bytes per simulated socket read. */
    public static final int READ_SIZE = 16 * 1024;

    private final Stream labwire;
    private final Stream netty;
    private final Supplier<Framer> framer;
    private final Supplier<NettyTwin> twin;

    FramingCase(Stream labwire, Stream netty, Supplier<Framer> framer, Supplier<NettyTwin> twin) {
        this.labwire = labwire;
        this.netty = netty == null ? labwire : netty;
        this.framer = framer;
        this.twin = twin;
    }

    /** The bytes labwire's framer is fed in one operation. */
    public byte[] labwireBytes() {
        return labwire.bytes;
    }

    /** The bytes the Netty twin is fed in one operation (the same bytes unless the formats differ). */
    public byte[] nettyBytes() {
        return netty.bytes;
    }

    /** Frames in one operation, both sides. */
    public int framesPerOp() {
        return labwire.frames;
    }

    /** Payload bytes delivered in one operation. */
    public long payloadBytesPerOp() {
        return labwire.payload;
    }

    public Framer newFramer() {
        return framer.get();
    }

    public NettyTwin newTwin() {
        return twin.get();
    }

    /**
     * For COBS and SLIP, whose {@link #newTwin()} only cuts at the delimiter: a Netty-style decoder that also decodes
     * ({@link NettyTwin.CobsDecoding}, {@link NettyTwin.SlipDecoding}); null for the other cases.
     */
    public NettyTwin newDecodingTwin() {
        return this == COBS_32 ? new NettyTwin.CobsDecoding() : this == SLIP_32 || this == SLIP_32_PLAIN ? new NettyTwin.SlipDecoding() : null;
    }

    private record Stream(byte[] bytes, int frames, long payload) {
    }

    private static Stream scpi(String terminator, int approxBytes) {
        byte[] line = ("+1.234567E+00" + terminator).getBytes(StandardCharsets.US_ASCII);
        int n = approxBytes / line.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(n * line.length);
        for (int i = 0; i < n; i++) {
            out.writeBytes(line);
        }
        return new Stream(out.toByteArray(), n, (long) n * (line.length - terminator.length()));
    }

    private static Stream lines(int length, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < length; j++) {
                out.write(0x20 + r.nextInt(0x5F)); // printable ASCII, never \r or \n
            }
            out.write('\n');
        }
        return new Stream(out.toByteArray(), count, (long) length * count);
    }

    private static Stream block(int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 16);
        String digits = Integer.toString(length);
        out.writeBytes(("#" + digits.length() + digits).getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(random(length, 3).bytes);
        out.write('\n');
        return new Stream(out.toByteArray(), 1, length);
    }

    private static Stream lengthPrefixed(int width, int length, int count) {
        byte[] payload = random(length, 5).bytes;
        ByteArrayOutputStream out = new ByteArrayOutputStream((width + length) * count);
        for (int i = 0; i < count; i++) {
            for (int b = width - 1; b >= 0; b--) {
                out.write(length >>> (8 * b));
            }
            out.writeBytes(payload);
        }
        return new Stream(out.toByteArray(), count, (long) length * count);
    }

    private static Stream random(int length, long seed) {
        byte[] b = new byte[length];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return new Stream(b, length / 32, length);
    }

    private static Stream cobs(int payloadLength, int frames) {
        SplittableRandom r = new SplittableRandom(11);
        ByteArrayOutputStream out = new ByteArrayOutputStream(frames * (payloadLength + 2));
        for (int f = 0; f < frames; f++) {
            byte[] p = new byte[payloadLength];
            for (int i = 0; i < p.length; i++) {
                p[i] = (byte) (r.nextInt(8) == 0 ? 0 : r.nextInt(256)); // zeros are what COBS stuffs
            }
            out.writeBytes(CobsFramer.encode(p));
        }
        return new Stream(out.toByteArray(), frames, (long) payloadLength * frames);
    }

    private static Stream slipPlain(int payloadLength, int frames, boolean leadingEnd) {
        SplittableRandom r = new SplittableRandom(13);
        ByteArrayOutputStream out = new ByteArrayOutputStream(frames * (payloadLength + 8));
        for (int f = 0; f < frames; f++) {
            byte[] p = new byte[payloadLength];
            for (int i = 0; i < p.length; i++) {
                do {
                    p[i] = (byte) r.nextInt(256);
                } while (p[i] == SlipFramer.END || p[i] == SlipFramer.ESC);
            }
            byte[] e = SlipFramer.encode(p);
            out.write(e, leadingEnd ? 0 : 1, leadingEnd ? e.length : e.length - 1);
        }
        return new Stream(out.toByteArray(), frames, (long) payloadLength * frames);
    }

    private static Stream slip(int payloadLength, int frames, boolean leadingEnd) {
        SplittableRandom r = new SplittableRandom(13);
        ByteArrayOutputStream out = new ByteArrayOutputStream(frames * (payloadLength + 8));
        for (int f = 0; f < frames; f++) {
            byte[] p = new byte[payloadLength];
            for (int i = 0; i < p.length; i++) {
                int pick = r.nextInt(32);
                p[i] = pick == 0 ? SlipFramer.END : pick == 1 ? SlipFramer.ESC : (byte) r.nextInt(256);
            }
            byte[] e = SlipFramer.encode(p);
            out.write(e, leadingEnd ? 0 : 1, leadingEnd ? e.length : e.length - 1);
        }
        return new Stream(out.toByteArray(), frames, (long) payloadLength * frames);
    }
}
