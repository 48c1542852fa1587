package dev.labwire.core.frame;

import static dev.labwire.core.frame.FramerFixtures.assertBufferBound;
import static dev.labwire.core.frame.FramerFixtures.b;
import static dev.labwire.core.frame.FramerFixtures.check;
import static dev.labwire.core.frame.FramerFixtures.checkWithEof;
import static dev.labwire.core.frame.FramerFixtures.firstError;
import static dev.labwire.core.frame.FramerFixtures.results;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LineFramerTest {
    private static final byte[] GARBAGE = b("zz\u00ff");

    @Test
    void lfLinesIncludingEmptyOnes() {
        check(() -> LineFramer.lf(64), b("+1.00E+00\n\nOK\n"), GARBAGE, "+1.00E+00", "", "OK");
    }

    @Test
    void crlfKeepsLoneCrAndLfInTheLine() {
        check(() -> LineFramer.crlf(64), b("OK\r\na\rb\nc\r\n\r\n"), GARBAGE, "OK", "a\rb\nc", "");
    }

    @Test
    void crLines() {
        check(() -> LineFramer.cr(64), b("a\rb\n\r\r"), GARBAGE, "a", "b\n", "");
    }

    @Test
    void multiByteTerminatorSplitAcrossReadsAndOverlappingItself() {
        check(() -> LineFramer.of(b("\r\r\n"), 64), b("a\r\r\r\nb\r\r\n\r\r\n"), GARBAGE, "a\r", "b", "");
        check(() -> LineFramer.of(b("END"), 64), b("xxENDyEN\nENDENENDEND"), GARBAGE, "xx", "yEN\n", "EN", "");
    }

    @Test
    void anyEolEndsAtLfCrlfOrCr() {
        check(() -> LineFramer.anyEol(64), b("A\rB\r\nC\nD\r\rE\n\r\n"), GARBAGE, "A", "B", "C", "D", "", "E", "");
    }

    @Test
    void anyEolSwallowsLfArrivingInALaterCall() {
        LineFramer framer = LineFramer.anyEol(64);
        InputBuffer in = new InputBuffer();
        in.append(b("A\r"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("A"));
        assertThat(framer.decode(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
        assertThat(framer.decode(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
        in.append(b("\nB\n"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("B"));
        assertThat(in.isEmpty()).isTrue();
    }

    /**
     * LF CR (some RS232 devices and terminals end lines so) is one terminator, also when the CR comes in a later read:
     * at 9600 baud it comes a millisecond after the line, when the next command may be on the wire already. Before
     * (2026-12-04), the CR was an empty line of its own, the next query's reply, and every later reply went to the
     * query after its own.
     */
    @Test
    void anyEolTakesLfCrAsOneTerminatorAlsoWhenTheCrComesLater() {
        check(() -> LineFramer.anyEol(64), b("A\n\rB\n\r\n\rC\n"), GARBAGE, "A", "B", "", "C");
        LineFramer framer = LineFramer.anyEol(64);
        InputBuffer in = new InputBuffer();
        in.append(b("A\n"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("A"));
        assertThat(framer.decode(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
        in.append(b("\r"));
        assertThat(framer.decode(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
        in.append(b("B\n"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("B"));
        assertThat(in.isEmpty()).isTrue();
    }

    @Test
    void anyEolResetForgetsThePendingLf() {
        LineFramer framer = LineFramer.anyEol(64);
        InputBuffer in = new InputBuffer();
        in.append(b("A\r"));
        framer.decode(in);
        framer.reset();
        in.append(b("\n"));
        assertThat(framer.decode(in)).isEqualTo(Frame.empty());
    }

    @Test
    void asciiOnlyRefusesTheWholeLineThenGoesOn() {
        check(() -> LineFramer.lf(64).asciiOnly(), b("ok\nb\u00e9d\u00ff\nnext\n"), GARBAGE, "ok", "!ENCODING", "next");
        check(() -> LineFramer.crlf(64).asciiOnly(), b("\u0080\r\nok\r\n"), GARBAGE, "!ENCODING", "ok");
        assertThat(firstError(LineFramer.lf(64).asciiOnly(), b("b\u00e9d\u00ff\n")))
                .contains("0xE9").contains("offset 1").contains("4-byte line");
    }

    @Test
    void asciiOnlyAcceptsAsciiAndANonAsciiTerminator() {
        check(() -> LineFramer.of(new byte[] {(byte) 0xFF}, 8).asciiOnly(), b("abc\u00ff\u00ff"), b("x"), "abc", "");
    }

    @Test
    void tooLongLineFailsFastThenTheNextLineIsDelivered() {
        check(() -> LineFramer.lf(8), b("0123456789ABCDEF\nok\n12345678\n"), GARBAGE, "!TOO_LONG", "ok", "12345678");
        check(() -> LineFramer.crlf(4), b("12345\r\nok\r\n"), GARBAGE, "!TOO_LONG", "ok");
        check(() -> LineFramer.anyEol(4), b("123456\r\nok\n"), GARBAGE, "!TOO_LONG", "ok");
        check(() -> LineFramer.anyEol(4), b("123456\rok\n"), GARBAGE, "!TOO_LONG", "ok");
        check(() -> LineFramer.lf(4).asciiOnly(), b("\u00e9\u00e9\u00e9\u00e9\u00e9\nok\n"), GARBAGE, "!TOO_LONG", "ok");
    }

    @Test
    void tooLongMessageNamesBothNumbers() {
        assertThat(firstError(LineFramer.lf(8), b("0123456789ABCDEF\n")))
                .isEqualTo("TOO_LONG: line of 16 bytes exceeds maxFrameLength 8");
        assertThat(firstError(LineFramer.lf(8), b("0123456789")))
                .isEqualTo("TOO_LONG: line of at least 10 bytes exceeds maxFrameLength 8");
        assertThat(firstError(LineFramer.crlf(65536), new byte[70002]))
                .isEqualTo("TOO_LONG: line of at least 70001 bytes exceeds maxFrameLength 65536");
    }

    @Test
    void oneErrorForALongLineFedByteByByte() {
        LineFramer framer = LineFramer.lf(4);
        byte[][] chunks = new byte[20][];
        for (int i = 0; i < 19; i++) {
            chunks[i] = b("x");
        }
        chunks[19] = b("\nok\n");
        List<FrameResult> out = results(framer, chunks);
        assertThat(out).hasSize(2);
        assertThat(out.get(1)).isEqualTo(Frame.of("ok"));
    }

    @Test
    void discardingIsReportedAndConsumedAsBytesArrive() {
        LineFramer framer = LineFramer.crlf(4);
        InputBuffer in = new InputBuffer();
        in.append(b("123456"));
        assertThat(framer.decode(in)).isInstanceOf(FramingError.class);
        assertThat(framer.isDiscarding()).isTrue();
        assertThat(in.readableBytes()).isLessThanOrEqualTo(1);
        in.append(b("789\r"));
        assertThat(framer.decode(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
        assertThat(in.readableBytes()).isEqualTo(1);
        in.append(b("\nA\r\n"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("A"));
        assertThat(framer.isDiscarding()).isFalse();
    }

    @Test
    void resetForgetsDiscarding() {
        LineFramer framer = LineFramer.lf(2);
        InputBuffer in = new InputBuffer();
        in.append(b("12345"));
        framer.decode(in);
        framer.reset();
        assertThat(framer.isDiscarding()).isFalse();
        in.append(b("ab\n"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("ab"));
    }

    @Test
    void bufferStaysBounded() {
        assertBufferBound(LineFramer.lf(8), b("0123456789ABCDEF\nok\n"), 8);
        assertBufferBound(LineFramer.of(b("END"), 8), b("0123456789ENABCDEFEND\nokEND"), 10);
        assertBufferBound(LineFramer.anyEol(8), b("0123456789ABCDEF\r\nok\r"), 8);
    }

    @Test
    void exactlyMaxIsAccepted() {
        check(() -> LineFramer.crlf(4), b("1234\r\n"), GARBAGE, "1234");
    }

    @Test
    void endOfStreamMidLineIsTruncated() {
        checkWithEof(() -> LineFramer.lf(64), b("abc\nde"), "abc", "!TRUNCATED");
        checkWithEof(() -> LineFramer.lf(64), b("abc\n"), "abc");
        checkWithEof(() -> LineFramer.anyEol(64), b("abc\r"), "abc");
        checkWithEof(() -> LineFramer.lf(4), b("abcdefgh"), "!TOO_LONG");
    }

    @Test
    void scanResumesAfterAnotherConsumerTookBytes() {
        LineFramer framer = LineFramer.lf(64);
        InputBuffer in = new InputBuffer();
        in.append(b("abc"));
        assertThat(framer.decode(in)).isEqualTo(FrameResult.NeedData.INSTANCE);
        in.skip(2);
        in.append(b("d\n"));
        assertThat(framer.decode(in)).isEqualTo(Frame.of("cd"));
    }

    @Test
    void settingsAndArguments() {
        assertThat(LineFramer.lf(5).terminator()).containsExactly('\n');
        assertThat(LineFramer.crlf(5).terminator()).containsExactly('\r', '\n');
        assertThat(LineFramer.cr(5).terminator()).containsExactly('\r');
        assertThat(LineFramer.anyEol(5).terminator()).containsExactly('\n');
        byte[] term = b("END");
        LineFramer framer = LineFramer.of(term, 7);
        term[0] = 'X';
        assertThat(framer.terminator()).containsExactly('E', 'N', 'D');
        framer.terminator()[0] = 'Y';
        assertThat(framer.terminator()).containsExactly('E', 'N', 'D');
        assertThat(framer.maxFrameLength()).isEqualTo(7);
        assertThat(framer.isAsciiOnly()).isFalse();
        LineFramer ascii = framer.asciiOnly();
        assertThat(ascii.isAsciiOnly()).isTrue();
        assertThat(ascii.maxFrameLength()).isEqualTo(7);
        assertThat(ascii.terminator()).containsExactly('E', 'N', 'D');
        assertThat(ascii.toString()).contains("END").contains("7").contains("asciiOnly");
        assertThat(LineFramer.anyEol(3).toString()).contains("anyEol");
        assertThat(LineFramer.anyEol(3).asciiOnly().terminator()).containsExactly('\n');
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> LineFramer.lf(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxFrameLength").hasMessageContaining(": 0");
        assertThatThrownBy(() -> LineFramer.crlf(-5)).hasMessageContaining("-5");
        assertThatThrownBy(() -> LineFramer.of(new byte[0], 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> LineFramer.of(null, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LineFramer.of(new byte[17], 5)).hasMessageContaining("17");
        assertThatThrownBy(() -> LineFramer.cr((1 << 30) + 1)).hasMessageContaining("1073741825");
    }
}
