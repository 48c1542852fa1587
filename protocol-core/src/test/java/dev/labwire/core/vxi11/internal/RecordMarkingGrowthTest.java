package dev.labwire.core.vxi11.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A record sent as many small fragments (RFC 5531 section 11 allows any fragment length, 1 byte included) is
 * reassembled with amortized copying: the buffer doubles, it is not regrown to the end of each fragment.
 */
class RecordMarkingGrowthTest {

    private static byte[] reassemble(RecordMarking rm, byte[] wire, int chunk) {
        ByteBuffer in = ByteBuffer.wrap(wire);
        byte[] out = null;
        while (in.hasRemaining()) {
            ByteBuffer c = in.slice();
            c.limit(Math.min(c.remaining(), chunk));
            byte[] r = rm.receive(c);
            in.position(in.position() + c.position());
            if (r != null) {
                assertThat(out).as("one record").isNull();
                out = r;
            }
        }
        return out;
    }

    @Test
    void aRecordInOneByteFragmentsGrowsTheBufferLogarithmically() {
        byte[] record = new byte[64 * 1024];
        for (int i = 0; i < record.length; i++) {
            record[i] = (byte) (i * 31);
        }
        for (int chunk : new int[] {1, 7, 8192, Integer.MAX_VALUE}) {
            RecordMarking rm = new RecordMarking(1 << 20);
            assertThat(reassemble(rm, RecordMarking.frame(record, 1), chunk)).isEqualTo(record);
            // 65536 fragments: regrowing to each fragment's end reallocated 65536 times (quadratic copying)
            assertThat(rm.growths()).as("reallocations for 65536 one-byte fragments, chunks of " + chunk)
                    .isLessThanOrEqualTo(20);
        }
    }

    @Test
    void aRecordInSmallFragmentsNeverHoldsMoreThanMaxRecord() {
        int max = 10_000;
        RecordMarking rm = new RecordMarking(max);
        byte[] record = new byte[max];
        assertThat(reassemble(rm, RecordMarking.frame(record, 3), 64)).hasSize(max);
        assertThat(rm.growths()).isLessThanOrEqualTo(10);
    }

    @Test
    void theLastFragmentIsNotAllocatedAheadOfItsBytes() {
        // the last fragment announces 1 MiB; 100 bytes of it came: the buffer holds far less than the announcement
        RecordMarking rm = new RecordMarking(2 << 20);
        ByteBuffer in = ByteBuffer.allocate(104);
        in.putInt(RecordMarking.LAST_FRAGMENT | (1 << 20)).put(new byte[100]).flip();
        assertThat(rm.receive(in)).isNull();
        assertThat(rm.isMidRecord()).isTrue();
        assertThat(rm.growths()).isEqualTo(1);
    }
}
