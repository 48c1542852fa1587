package dev.labwire.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.DelimiterBasedFrameDecoder;
import io.netty.handler.codec.FixedLengthFrameDecoder;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LineBasedFrameDecoder;

/**
 * A Netty frame decoder that the benchmarks can drive two ways: {@link #next(ByteBuf)} calls the decoder's own
 * {@code decode(ctx, in)} directly (its algorithm, without a channel), and {@link #handler()} puts it in an
 * {@code EmbeddedChannel} pipeline (what a Netty program runs). The decoders are Netty's own classes,
 * subclassed only to reach their protected {@code decode}; {@code ctx} is null, which they use only to report
 * a too-long frame, and the benchmark data has none.
 */
public interface NettyTwin {

    /**
     * The allocator of the decoding twins, {@code -Dtwin.alloc=unpooled|pooled|default}: by default unpooled heap
     * buffers, which were the fastest of the three for 32-byte packets here (2026-12-03: about 93 ns per packet against
     * 139-187 for Netty's default allocator, which {@code ctx.alloc()} gives, and 209-223 pooled), so the comparison
     * is the one least favourable to labwire.
     */
    ByteBufAllocator ALLOC = switch (System.getProperty("twin.alloc", "unpooled")) {
        case "pooled" -> PooledByteBufAllocator.DEFAULT;
        case "default" -> ByteBufAllocator.DEFAULT;
        default -> io.netty.buffer.UnpooledByteBufAllocator.DEFAULT;
    };

    /** The next frame (a retained slice the caller releases), or null when {@code in} holds no whole frame. */
    Object next(ByteBuf in) throws Exception;

    /** This decoder as a pipeline handler (one channel only: Netty's decoders are not sharable). */
    default ChannelHandler handler() {
        return (ChannelHandler) this;
    }

    /** {@code LineBasedFrameDecoder(max, stripDelimiter=true, failFast=false)}: {@code \n} and {@code \r\n}. */
    final class Line extends LineBasedFrameDecoder implements NettyTwin {
        public Line(int maxLength) {
            super(maxLength, true, false);
        }

        @Override
        public Object next(ByteBuf in) throws Exception {
            return decode(null, in);
        }
    }

    /** {@code DelimiterBasedFrameDecoder(max, stripDelimiter=true, delimiter)}. */
    final class Delimiter extends DelimiterBasedFrameDecoder implements NettyTwin {
        public Delimiter(int maxLength, byte[] delimiter) {
            super(maxLength, true, Unpooled.wrappedBuffer(delimiter));
        }

        @Override
        public Object next(ByteBuf in) throws Exception {
            return decode(null, in);
        }
    }

    /** {@code LengthFieldBasedFrameDecoder(max, 0, width, 0, width)}: big-endian length at offset 0, stripped. */
    final class LengthField extends LengthFieldBasedFrameDecoder implements NettyTwin {
        public LengthField(int maxFrameLength, int width) {
            super(maxFrameLength, 0, width, 0, width);
        }

        @Override
        public Object next(ByteBuf in) throws Exception {
            return decode(null, in);
        }
    }

    /** {@code FixedLengthFrameDecoder(length)}. */
    final class Fixed extends FixedLengthFrameDecoder implements NettyTwin {
        public Fixed(int length) {
            super(length);
        }

        @Override
        public Object next(ByteBuf in) throws Exception {
            return decode(null, in);
        }
    }

    /**
     * A SLIP decoder as one would write it for Netty (Netty has none): END found with {@code ByteBuf.indexOf} (Netty's
     * word-at-a-time search), the packet decoded into a buffer from {@link #ALLOC}, the runs between ESC bytes copied with {@code writeBytes}. Does what labwire's
     * {@code SlipFramer} does, which the cut-only {@link Delimiter} twin does not. Empty packets are skipped; bad
     * escapes are not checked (the benchmark has none). The frame is the decoded buffer, released by the caller.
     */
    final class SlipDecoding extends ByteToMessageDecoder implements NettyTwin {
        private static final byte END = (byte) 0xC0;
        private static final byte ESC = (byte) 0xDB;
        private final ByteBufAllocator alloc = ALLOC;

        @Override
        public Object next(ByteBuf in) {
            while (true) {
                int from = in.readerIndex();
                int end = in.indexOf(from, in.writerIndex(), END);
                if (end < 0) {
                    return null;
                }
                if (end == from) {
                    in.skipBytes(1);
                    continue;
                }
                ByteBuf out = alloc.heapBuffer(end - from);
                int i = from;
                while (true) {
                    int esc = in.indexOf(i, end, ESC);
                    int runEnd = esc < 0 ? end : esc;
                    out.writeBytes(in, i, runEnd - i);
                    if (esc < 0) {
                        break;
                    }
                    out.writeByte(in.getByte(esc + 1) == (byte) 0xDC ? END : ESC);
                    i = esc + 2;
                }
                in.readerIndex(end + 1);
                return out;
            }
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            for (Object f; (f = next(in)) != null; ) {
                out.add(f);
            }
        }
    }

    /**
     * A COBS decoder as one would write it for Netty (Netty has none): the zero found with {@code ByteBuf.indexOf},
     * the packet decoded into a buffer from {@link #ALLOC}, each code block copied with
     * {@code writeBytes}. Does what labwire's {@code CobsFramer} does, which the cut-only {@link Delimiter} twin does
     * not. Empty packets are skipped; codes are not checked (the benchmark has no bad ones).
     */
    final class CobsDecoding extends ByteToMessageDecoder implements NettyTwin {
        private final ByteBufAllocator alloc = ALLOC;

        @Override
        public Object next(ByteBuf in) {
            while (true) {
                int from = in.readerIndex();
                int end = in.indexOf(from, in.writerIndex(), (byte) 0);
                if (end < 0) {
                    return null;
                }
                if (end == from) {
                    in.skipBytes(1);
                    continue;
                }
                ByteBuf out = alloc.heapBuffer(end - from);
                for (int i = from; i < end; ) {
                    int code = in.getUnsignedByte(i);
                    out.writeBytes(in, i + 1, code - 1);
                    i += code;
                    if (code != 0xFF && i < end) {
                        out.writeByte(0);
                    }
                }
                in.readerIndex(end + 1);
                return out;
            }
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            for (Object f; (f = next(in)) != null; ) {
                out.add(f);
            }
        }
    }
}
