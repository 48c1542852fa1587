package dev.labwire.netty.leakcheck;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The leak check itself: a buffer dropped unreleased must be found, or every other class of the module
 * would pass the check vacuously. Reads the leak through {@link LeakCheckExtension#collect()}, which
 * forgets it, so this class's own after-all check stays green.
 */
class LeakCheckSelfTest {

    @Test
    void aBufferDroppedWithoutReleaseIsReportedWithWhereItWasTouched() {
        List<String> leaks = LeakRecorder.expectingLeaks(() -> {
            leakOneBuffer();
            return LeakCheckExtension.collect();
        });
        assertThat(leaks).hasSize(1).first().asString()
                .contains("LEAK: ByteBuf.release() was not called")
                .contains("leakOneBuffer");
    }

    @Test
    void aReleasedBufferIsNotALeak() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        b.writeBytes(new byte[] {1, 2, 3});
        b.release();
        assertThat(LeakCheckExtension.collect()).isEmpty();
    }

    private static void leakOneBuffer() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        b.writeBytes(new byte[] {1, 2, 3}); // deliberately never released
    }
}
