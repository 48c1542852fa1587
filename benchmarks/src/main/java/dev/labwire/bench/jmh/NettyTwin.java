package dev.labwire.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
}
