package dev.labwire.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.frame.FrameReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The benchmark workloads are right: labwire and both Netty paths cut the same number of frames from each
 * case, three operations in a row (state carried over between operations, as in a JMH iteration). Runs in
 * well under a second; measures nothing.
 */
class FramingCaseTest {

    @ParameterizedTest
    @EnumSource(FramingCase.class)
    void everyPathCutsEveryFrame(FramingCase c) throws Exception {
        var reader = new FrameReader(c.newFramer());
        var heap = ByteBuffer.wrap(c.labwireBytes());
        var directReader = new FrameReader(c.newFramer());
        var direct = ByteBuffer.allocateDirect(c.labwireBytes().length).put(c.labwireBytes()).clear();
        ByteBuf cumulation = Unpooled.buffer(256);
        FramerBenchmark.Sink sink = new FramerBenchmark.Sink();
        EmbeddedChannel channel = new EmbeddedChannel(c.newTwin().handler(), sink);
        NettyTwin twin = c.newTwin();
        for (int op = 0; op < 3; op++) {
            assertThat(FramerBenchmark.labwire(reader, heap, null)).isEqualTo(c.framesPerOp());
            assertThat(reader.bufferedBytes()).isZero();
            assertThat(FramerBenchmark.labwire(directReader, direct, null)).isEqualTo(c.framesPerOp());
            assertThat(directReader.bufferedBytes()).isZero();
            assertThat(FramerBenchmark.netty(twin, cumulation, c.nettyBytes(), null)).isEqualTo(c.framesPerOp());
            assertThat(cumulation.readableBytes()).isZero();
            assertThat(FramerBenchmark.nettyCopy(twin, cumulation, c.nettyBytes(), null)).isEqualTo(c.framesPerOp());
            assertThat(FramerBenchmark.nettyChannel(channel, sink, c.nettyBytes(), null)).isEqualTo(c.framesPerOp());
        }
        cumulation.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void connectionBenchmarkSetUpChecksItsReplies() {
        new ConnectionBenchmark().setUp(); // throws when a reply is wrong or lost
    }
}
