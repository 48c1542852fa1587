package dev.labwire.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.frame.InputBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
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
        var framer = c.newFramer();
        var buffer = new InputBuffer();
        ByteBuf cumulation = Unpooled.buffer(256);
        FramerBenchmark.Sink sink = new FramerBenchmark.Sink();
        EmbeddedChannel channel = new EmbeddedChannel(c.newTwin().handler(), sink);
        NettyTwin twin = c.newTwin();
        for (int op = 0; op < 3; op++) {
            assertThat(FramerBenchmark.labwire(framer, buffer, c.labwireBytes(), null)).isEqualTo(c.framesPerOp());
            assertThat(buffer.readableBytes()).isZero();
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
