package dev.labwire.core.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The borrow contract of {@link InputBuffer}: bytes read in place, only the unconsumed tail kept, the lender released. */
class InputBufferBorrowTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aBorrowReadsTheLendersBytesInPlaceAndKeepsOnlyTheTail() {
        InputBuffer in = new InputBuffer(4);
        byte[] storage = ascii("xxone\ntwo\nthrYY");
        ByteBuffer src = ByteBuffer.wrap(storage, 2, 12); // "one\ntwo\nthr"
        assertThat(in.borrow(src)).isTrue();
        assertThat(in.isBorrowing()).isTrue();
        assertThat(src.position()).as("the lender does not move during the borrow").isEqualTo(2);
        assertThat(in.readableBytes()).isEqualTo(12);
        assertThat(in.capacity()).as("a borrowed array is not the buffer's").isEqualTo(4);
        Framer lf = LineFramer.lf(64);
        assertThat(lf.decode(in)).isEqualTo(Frame.of("one"));
        Frame two = (Frame) lf.decode(in);
        assertThat(lf.decode(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
        assertThat(in.position()).isEqualTo(8);
        in.endBorrow();
        assertThat(in.isBorrowing()).isFalse();
        assertThat(src.position()).as("all of the lender is taken").isEqualTo(14);
        assertThat(in.readableBytes()).isEqualTo(4);
        Arrays.fill(storage, (byte) '\n'); // the driver reuses its buffer
        assertThat(two.asString()).isEqualTo("two");
        assertThat(in.get(0)).isEqualTo((byte) 't');
        assertThat(in.get(3)).isEqualTo((byte) 'Y');
        assertThat(in.position()).as("positions run on across the borrow").isEqualTo(8);
        in.append(ascii("ee\n"));
        assertThat(lf.decode(in)).isEqualTo(Frame.of("thrYee"));
    }

    @Test
    void onlyAnEmptyBufferBorrowsAndOnlyFromAnAccessibleArray() {
        InputBuffer in = new InputBuffer();
        assertThat(in.borrow(ByteBuffer.allocate(0))).as("nothing to borrow").isFalse();
        assertThat(in.borrow(ByteBuffer.allocateDirect(4))).as("direct").isFalse();
        assertThat(in.borrow(ByteBuffer.wrap(ascii("ab")).asReadOnlyBuffer())).as("read-only").isFalse();
        in.append(ascii("a"));
        ByteBuffer src = ByteBuffer.wrap(ascii("bc"));
        assertThat(in.borrow(src)).as("bytes are held").isFalse();
        assertThat(src.position()).isZero();
        in.skipAll();
        assertThat(in.borrow(src)).isTrue();
        assertThatThrownBy(() -> in.borrow(ByteBuffer.wrap(ascii("d")))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already borrowing");
        in.endBorrow();
        in.endBorrow(); // nothing to end: no change
        assertThat(in.readableBytes()).isEqualTo(2);
        assertThatThrownBy(() -> in.borrow(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void appendingDuringABorrowKeepsTheOrderAndReleasesTheLender() {
        InputBuffer in = new InputBuffer(2);
        byte[] storage = ascii("abc");
        ByteBuffer src = ByteBuffer.wrap(storage);
        assertThat(in.borrow(src)).isTrue();
        in.skip(1);
        in.append(ascii("de"));
        Arrays.fill(storage, (byte) '!');
        assertThat(in.take(4)).containsExactly('b', 'c', 'd', 'e');
        in.endBorrow();
        assertThat(src.hasRemaining()).isFalse();
        assertThat(in.isEmpty()).isTrue();
    }

    @Test
    void unappendGivesTheLastAppendedBytesBackOnlyWhenTheyAreAllThatIsLeft() {
        InputBuffer in = new InputBuffer(4);
        in.append(ascii("ab"));
        ByteBuffer src = ByteBuffer.wrap(ascii("c\ndef"));
        int n = in.append(src, 4); // "c\nde"
        assertThat(in.unappend(src, n)).as("older bytes are still held").isZero();
        Framer lf = LineFramer.lf(64);
        assertThat(lf.decode(in)).isEqualTo(Frame.of("abc"));
        long pos = in.position();
        assertThat(in.unappend(src, n)).isEqualTo(2);
        assertThat(in.isEmpty()).isTrue();
        assertThat(in.position()).isEqualTo(pos);
        assertThat(src.position()).isEqualTo(2);
        assertThat(in.borrow(src)).isTrue();
        in.endBorrow();
        assertThat(in.take(3)).containsExactly('d', 'e', 'f');
        assertThat(in.unappend(src, 3)).as("nothing readable").isZero();

        ByteBuffer direct = ByteBuffer.allocateDirect(3).put(ascii("xyz")).flip();
        int d = in.append(direct, 3);
        assertThat(in.unappend(direct, d)).as("a direct buffer cannot be borrowed: its bytes stay").isZero();
        assertThat(in.readableBytes()).isEqualTo(3);
    }

    @Test
    void anOversizedLineInOneBigReadIsRefusedWithoutBeingStored() {
        FrameReader reader = new FrameReader(LineFramer.lf(4096));
        byte[] big = new byte[1 << 20];
        Arrays.fill(big, (byte) 'x');
        big[big.length - 3] = '\n';
        big[big.length - 2] = 'o';
        big[big.length - 1] = 'k';
        reader.receive(ByteBuffer.wrap(big));
        FrameResult r = reader.next();
        assertThat(r).isInstanceOfSatisfying(FramingError.class, e -> assertThat(e.exception().kind())
                .isEqualTo(FramingException.Kind.TOO_LONG));
        assertThat(reader.next()).isEqualTo(FrameResult.NeedData.INSTANCE);
        assertThat(reader.bufferedBytes()).isEqualTo(2);
        assertThat(reader.bufferCapacity()).as("the 1 MiB line was never copied in").isEqualTo(256);
        reader.receive(ByteBuffer.wrap(ascii("\n")));
        assertThat(reader.next()).isEqualTo(Frame.of("ok"));
    }
}
