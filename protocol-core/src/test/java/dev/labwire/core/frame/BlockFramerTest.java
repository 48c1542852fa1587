package dev.labwire.core.frame;

import static dev.labwire.core.frame.FramerFixtures.assertBufferBound;
import static dev.labwire.core.frame.FramerFixtures.b;
import static dev.labwire.core.frame.FramerFixtures.check;
import static dev.labwire.core.frame.FramerFixtures.checkWithEof;
import static dev.labwire.core.frame.FramerFixtures.firstError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.frame.BlockFramer.TrailingTerminator;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class BlockFramerTest {
    private static final byte[] GARBAGE = b("zz#9");
    private static final Supplier<BlockFramer> SCPI = () -> BlockFramer.scpi(64);
    private static final Supplier<BlockFramer> NONE = () -> new BlockFramer(b("\n"), 64, TrailingTerminator.NONE);
    private static final Supplier<BlockFramer> REQUIRED = () -> new BlockFramer(b("\n"), 64, TrailingTerminator.REQUIRED);
    private static final Supplier<BlockFramer> CRLF_OPTIONAL =
            () -> new BlockFramer(b("\r\n"), 64, TrailingTerminator.OPTIONAL);
    private static final Supplier<BlockFramer> CRLF_REQUIRED =
            () -> new BlockFramer(b("\r\n"), 64, TrailingTerminator.REQUIRED);

    @Test
    void definiteBlockWithAndWithoutTrailingTerminator() {
        check(SCPI, b("#15HELLO\n"), GARBAGE, "HELLO");
        check(SCPI, b("#15HELLO"), GARBAGE, "HELLO");
        check(SCPI, b("#15HELLO\n#211hello world\n#10\n"), GARBAGE, "HELLO", "hello world", "");
        check(SCPI, b("#15HELLO#14ABCD#3004wxyz\n"), GARBAGE, "HELLO", "ABCD", "wxyz");
    }

    @Test
    void binaryPayloadMayHoldTerminatorsAndHashes() {
        check(SCPI, b("#16a\n#b\nc\n#13\n\n\n\n"), GARBAGE, "a\n#b\nc", "\n\n\n");
        check(REQUIRED, b("#16a\n#b\nc\n"), GARBAGE, "a\n#b\nc");
    }

    @Test
    void noneLeavesTheTerminatorForTheNextFrame() {
        check(NONE, b("#15HELLO#13abc"), GARBAGE, "HELLO", "abc");
        check(NONE, b("#15HELLO\n#13abc"), GARBAGE, "HELLO", "!MALFORMED", "abc");
    }

    @Test
    void requiredWaitsForTheTerminator() {
        check(REQUIRED, b("#15HELLO\n#13abc\n"), GARBAGE, "HELLO", "abc");
        check(CRLF_REQUIRED, b("#15HELLO\r\n#13abc\r\n"), GARBAGE, "HELLO", "abc");
        InputBuffer in = new InputBuffer();
        BlockFramer framer = REQUIRED.get();
        in.append(b("#15HELLO"));
        assertThat(framer.decode(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
        in.append(b("\n"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("HELLO"));
    }

    @Test
    void requiredRefusesAnotherByteAfterTheData() {
        check(REQUIRED, b("#15HELLOx#13abc\n"), GARBAGE, "!MALFORMED", "abc");
        check(REQUIRED, b("#15HELLO#13abc\n"), GARBAGE, "!MALFORMED", "abc");
        check(CRLF_REQUIRED, b("#15HELLO\rX\r\n#11a\r\n"), GARBAGE, "!MALFORMED", "a");
        assertThat(firstError(REQUIRED.get(), b("#15HELLOx")))
                .contains("5 bytes").contains("0x78").contains("\\n");
    }

    @Test
    void optionalWithMultiByteTerminator() {
        check(CRLF_OPTIONAL, b("#15HELLO\r\n#13abc#11x\r\n"), GARBAGE, "HELLO", "abc", "x");
        check(CRLF_OPTIONAL, b("#15HELLO\r#13abc"), GARBAGE, "HELLO", "!MALFORMED", "abc");
    }

    @Test
    void indefiniteBlockRunsToTheTerminator() {
        check(SCPI, b("#0abc\n#0\n#13xyz"), GARBAGE, "abc", "", "xyz");
        check(CRLF_OPTIONAL, b("#0ab\rc\n\r\n"), GARBAGE, "ab\rc\n");
        check(NONE, b("#0a#b\n"), GARBAGE, "a#b");
    }

    @Test
    void garbageBeforeTheHashIsOneError() {
        check(SCPI, b("xyz#13abc\n"), GARBAGE, "!MALFORMED", "abc");
        check(SCPI, b("junk\n#13abc\n"), GARBAGE, "!MALFORMED", "abc");
        check(SCPI, b("\n#13abc\n"), GARBAGE, "!MALFORMED", "abc");
        check(CRLF_OPTIONAL, b("ju\rnk\r\n#13abc\r\n"), GARBAGE, "!MALFORMED", "abc");
        assertThat(firstError(SCPI.get(), b("xyz"))).contains("'#'").contains("0x78");
    }

    @Test
    void badHeaderIsDiscardedThroughTheTerminator() {
        check(SCPI, b("#A123#\n#13abc\n"), GARBAGE, "!MALFORMED", "abc");
        check(SCPI, b("#\n#13abc\n"), GARBAGE, "!MALFORMED", "abc");
        check(SCPI, b("#2x1#abc\n#13abc\n"), GARBAGE, "!MALFORMED", "abc");
        check(SCPI, b("#31\n#13abc\n"), GARBAGE, "!MALFORMED", "abc");
        assertThat(firstError(SCPI.get(), b("#A"))).contains("0x41");
        assertThat(firstError(SCPI.get(), b("#31x"))).contains("digit 2 of 3").contains("0x78");
    }

    @Test
    void definiteBlockTooLongIsSkippedByItsLength() {
        Supplier<BlockFramer> small = () -> BlockFramer.scpi(4);
        check(small, b("#210hello\nworl\n#13abc\n"), GARBAGE, "!TOO_LONG", "abc");
        check(small, b("#210hello\nworl#13abc"), GARBAGE, "!TOO_LONG", "abc");
        check(() -> new BlockFramer(b("\n"), 4, TrailingTerminator.NONE), b("#210helloworld#13abc"), GARBAGE,
                "!TOO_LONG", "abc");
        check(() -> new BlockFramer(b("\n"), 4, TrailingTerminator.REQUIRED), b("#210helloworld\n#13abc\n"), GARBAGE,
                "!TOO_LONG", "abc");
        assertThat(firstError(small.get(), b("#9100000000")))
                .isEqualTo("TOO_LONG: definite block of 100000000 bytes exceeds maxFrameLength 4");
    }

    @Test
    void definiteBlockTooLongDiscardsAsBytesArrive() {
        BlockFramer framer = BlockFramer.scpi(4);
        InputBuffer in = new InputBuffer();
        in.append(b("#3100abc"));
        assertThat(framer.decode(in)).isInstanceOf(FramingError.class);
        assertThat(framer.isDiscarding()).isTrue();
        assertThat(in.isEmpty()).isTrue();
        in.append(new byte[96]);
        assertThat(framer.decode(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
        assertThat(in.isEmpty()).isTrue();
        in.append(b("x\n#11z"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("z"));
        assertThat(framer.isDiscarding()).isFalse();
    }

    @Test
    void indefiniteBlockTooLong() {
        Supplier<BlockFramer> small = () -> BlockFramer.scpi(4);
        check(small, b("#0helloworld\n#13abc\n"), GARBAGE, "!TOO_LONG", "abc");
        check(small, b("#0hello\n#0abcd\n"), GARBAGE, "!TOO_LONG", "abcd");
        assertThat(firstError(small.get(), b("#0helloworld\n")))
                .isEqualTo("TOO_LONG: indefinite block of 10 bytes exceeds maxFrameLength 4");
        assertThat(firstError(small.get(), b("#0hello")))
                .isEqualTo("TOO_LONG: indefinite block of at least 5 bytes exceeds maxFrameLength 4");
    }

    @Test
    void settleTrailingConsumesALateTerminator() {
        BlockFramer framer = CRLF_OPTIONAL.get();
        InputBuffer in = new InputBuffer();
        assertThat(framer.settleTrailing(in)).isTrue(); // nothing pending
        in.append(b("#13abc"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("abc"));
        assertThat(framer.settleTrailing(in)).isFalse();
        in.append(b("\r"));
        assertThat(framer.settleTrailing(in)).isFalse();
        in.append(b("\n"));
        assertThat(framer.settleTrailing(in)).isTrue();
        assertThat(in.isEmpty()).isTrue();
        assertThat(framer.settleTrailing(in)).isTrue();
    }

    @Test
    void settleTrailingLeavesOtherBytes() {
        BlockFramer framer = CRLF_OPTIONAL.get();
        InputBuffer in = new InputBuffer();
        in.append(b("#13abc\rX"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("abc"));
        assertThat(framer.settleTrailing(in)).isTrue();
        assertThat(in.readableBytes()).isEqualTo(2);
        // nothing pending any more: a later terminator is not swallowed
        in.skipAll();
        in.append(b("\r\n"));
        assertThat(framer.settleTrailing(in)).isTrue();
        assertThat(in.readableBytes()).isEqualTo(2);
    }

    @Test
    void settleTrailingBeforeSwitchingToALineFramer() {
        BlockFramer block = BlockFramer.scpi(64);
        LineFramer line = LineFramer.lf(64);
        InputBuffer in = new InputBuffer();
        in.append(b("#13abc"));
        assertThat(block.decode(in)).isEqualTo(Frame.of("abc"));
        in.append(b("\nOK\n"));
        assertThat(block.settleTrailing(in)).isTrue();
        assertThat(line.decode(in)).isEqualTo(Frame.of("OK"));
    }

    @Test
    void settleTrailingAfterNoneOrRequiredIsAlwaysTrue() {
        for (Supplier<BlockFramer> s : java.util.List.of(NONE, REQUIRED)) {
            BlockFramer framer = s.get();
            InputBuffer in = new InputBuffer();
            in.append(b("#13abc\n"));
            framer.decode(in);
            assertThat(framer.settleTrailing(in)).isTrue();
        }
    }

    @Test
    void endOfStream() {
        checkWithEof(SCPI, b("#15HEL"), "!TRUNCATED");
        checkWithEof(SCPI, b("#0HEL"), "!TRUNCATED");
        checkWithEof(SCPI, b("#13abc"), "abc");
        checkWithEof(CRLF_OPTIONAL, b("#13abc\r"), "abc");
        checkWithEof(REQUIRED, b("#13abc"), "!TRUNCATED");
        checkWithEof(() -> BlockFramer.scpi(4), b("#0abcdefgh"), "!TOO_LONG");
        checkWithEof(() -> BlockFramer.scpi(4), b("#18abcdefg"), "!TOO_LONG");
    }

    @Test
    void resetForgetsEverything() {
        BlockFramer framer = BlockFramer.scpi(4);
        InputBuffer in = new InputBuffer();
        in.append(b("#220abc"));
        framer.decode(in);
        assertThat(framer.isDiscarding()).isTrue();
        framer.reset();
        assertThat(framer.isDiscarding()).isFalse();
        in.append(b("#11a"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("a"));
        framer.reset();
        assertThat(framer.settleTrailing(in)).isTrue();
    }

    @Test
    void bufferStaysBounded() {
        assertBufferBound(BlockFramer.scpi(8), b("#0abcdefghijkl\n#212abcdefghijkl\n#18abcdefgh\n"), 8 + 2);
        assertBufferBound(new BlockFramer(b("\r\n"), 8, TrailingTerminator.REQUIRED), b("#9000000008abcdefgh\r\n"),
                8 + 11 + 1);
        assertBufferBound(BlockFramer.scpi(8), b("garbage garbage garbage\n"), 0);
    }

    @Test
    void settingsAndArguments() {
        BlockFramer framer = new BlockFramer(b("\r\n"), 10, TrailingTerminator.REQUIRED);
        assertThat(framer.terminator()).containsExactly('\r', '\n');
        assertThat(framer.trailing()).isEqualTo(TrailingTerminator.REQUIRED);
        assertThat(framer.maxFrameLength()).isEqualTo(10);
        assertThat(framer.toString()).contains("REQUIRED").contains("10");
        assertThat(BlockFramer.scpi(5).trailing()).isEqualTo(TrailingTerminator.ANY_EOL);
        assertThatThrownBy(() -> new BlockFramer(b("\n"), 0, TrailingTerminator.NONE)).hasMessageContaining(": 0");
        assertThatThrownBy(() -> new BlockFramer(new byte[0], 5, TrailingTerminator.NONE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BlockFramer(b("\n"), 5, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trailing");
    }

    @Test
    void decodeAtEofGivesWholeBlocksFirst() {
        BlockFramer framer = CRLF_OPTIONAL.get();
        InputBuffer in = new InputBuffer();
        in.append(b("#11a#11b\r"));
        assertThat(framer.decodeAtEof(in)).isEqualTo(Frame.of("a"));
        assertThat(framer.decodeAtEof(in)).isEqualTo(Frame.of("b"));
        assertThat(framer.decodeAtEof(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
        assertThat(in.isEmpty()).isTrue();
        in.append(b("#11"));
        assertThat(framer.decodeAtEof(in)).isInstanceOf(FramingError.class);
        assertThat(in.isEmpty()).isTrue();
    }

    @Test
    void aLargeDefiniteBlockGoesStraightIntoItsFrameAndTheBufferHoldsOneReadAtMost() {
        int size = 1 << 20;
        byte[] data = new byte[size];
        new java.util.Random(7).nextBytes(data);
        BlockFramer framer = BlockFramer.scpi(size);
        InputBuffer in = new InputBuffer();
        in.append(b("#7" + size));
        FrameResult r = framer.decode(in);
        int read = 8192;
        int maxCapacity = 0;
        for (int off = 0; off < size; off += read) {
            assertThat(r).as("no frame before the last byte").isSameAs(FrameResult.NeedData.INSTANCE);
            in.append(data, off, Math.min(read, size - off));
            maxCapacity = Math.max(maxCapacity, in.capacity());
            r = framer.decode(in);
        }
        assertThat(r).isInstanceOf(Frame.class);
        assertThat(((Frame) r).toByteArray()).isEqualTo(data);
        assertThat(maxCapacity).as("the buffer never gathers the block").isLessThanOrEqualTo(2 * read);
        assertThat(framer.isTrailerOwed()).as("an end of line may still follow").isTrue();
        in.append(b("\r\n+1\n"));
        assertThat(framer.settleTrailing(in)).isTrue();
        assertThat(in.readableBytes()).isEqualTo(3);
    }

    @Test
    void endOfStreamInsideAnArrivingBlockIsTruncatedAndResetDropsIt() {
        BlockFramer framer = BlockFramer.scpi(64);
        InputBuffer in = new InputBuffer();
        in.append(b("#210hello"));
        assertThat(framer.decode(in)).isSameAs(FrameResult.NeedData.INSTANCE);
        FrameResult eof = framer.decodeAtEof(in);
        assertThat(eof).isInstanceOf(FramingError.class);
        assertThat(((FramingError) eof).exception().kind()).isEqualTo(FramingException.Kind.TRUNCATED);
        assertThat(((FramingError) eof).exception().getMessage()).contains("5 of the 10 data bytes");
        in.append(b("#210hello"));
        assertThat(framer.decode(in)).isSameAs(FrameResult.NeedData.INSTANCE);
        framer.reset();
        in.clear();
        in.append(b("#13abc"));
        assertThat(((Frame) framer.decode(in)).asString()).as("nothing of the dropped block is left").isEqualTo("abc");
    }
}
