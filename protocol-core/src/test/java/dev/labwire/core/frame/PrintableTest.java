package dev.labwire.core.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The one byte printer: every byte value, the cut at its bound, and that what it shows can be read back. */
class PrintableTest {

    /** The documented format, written out once per byte value without the printer's code. */
    private static String expected(int c) {
        if (c == '\r') {
            return "\\r";
        }
        if (c == '\n') {
            return "\\n";
        }
        if (c == '\t') {
            return "\\t";
        }
        if (c == '\\') {
            return "\\\\";
        }
        if (c == '"') {
            return "\\\"";
        }
        if (c >= 0x20 && c <= 0x7E) {
            return String.valueOf((char) c);
        }
        String hex = Integer.toHexString(c).toUpperCase();
        return "\\x" + (hex.length() == 1 ? "0" : "") + hex;
    }

    @Test
    void everyByteValueIsShownByTheDocumentedRule() {
        for (int c = 0; c < 256; c++) {
            byte[] one = {(byte) c};
            assertThat(Printable.of(one)).as("byte 0x%02X", c).isEqualTo(expected(c));
            assertThat(Printable.quoted(one, 0, 1, 1)).isEqualTo("\"" + expected(c) + "\"");
            assertThat(Printable.append(new StringBuilder(), (byte) c).toString()).isEqualTo(expected(c));
            assertThat(Printable.quoted(String.valueOf((char) c), 1)).as("a char of a byte's value is that byte")
                    .isEqualTo("\"" + expected(c) + "\"");
            assertThat(Printable.hex(c)).isEqualTo(String.format("0x%02X", c));
        }
    }

    @Test
    void allBytesAtOnceAreTheConcatenationOfEachShown() {
        byte[] all = new byte[256];
        StringBuilder want = new StringBuilder();
        for (int c = 0; c < 256; c++) {
            all[c] = (byte) c;
            want.append(expected(c));
        }
        assertThat(Printable.of(all, 0, 256, 256)).isEqualTo(want.toString());
        assertThat(Printable.of(all)).as("the default bound is 200 bytes")
                .isEqualTo(Printable.of(all, 0, 200, 200) + "... (256 bytes)");
    }

    @Test
    void theCutShowsMaxBytesThenTheWholeCount() {
        byte[] b = "0123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(Printable.of(b, 0, 10, 11)).isEqualTo("0123456789");
        assertThat(Printable.of(b, 0, 10, 10)).as("exactly at the bound: no note").isEqualTo("0123456789");
        assertThat(Printable.of(b, 0, 10, 9)).isEqualTo("012345678... (10 bytes)");
        assertThat(Printable.of(b, 0, 10, 1)).isEqualTo("0... (10 bytes)");
        assertThat(Printable.of(b, 0, 10, 0)).isEqualTo("... (10 bytes)");
        assertThat(Printable.of(b, 2, 5, 2)).as("a range counts its own bytes").isEqualTo("23... (3 bytes)");
        assertThat(Printable.of(b, 4, 4, 0)).isEmpty();
        assertThat(Printable.quoted(b, 0, 10, 10)).isEqualTo("\"0123456789\"");
        assertThat(Printable.quoted(b, 0, 10, 9)).as("the note follows the closing quote")
                .isEqualTo("\"012345678\"... (10 bytes)");
        assertThat(Printable.quoted("abc", 2)).isEqualTo("\"ab\"... (3 chars)");
        assertThat(Printable.quoted("abc", 3)).isEqualTo("\"abc\"");
    }

    @Test
    void theBoundCountsBytesNotTheCharsOfTheirEscapes() {
        byte[] b = {0, 1, 2, '\n'};
        assertThat(Printable.of(b, 0, 4, 3)).isEqualTo("\\x00\\x01\\x02... (4 bytes)");
        assertThat(Printable.of(b, 0, 4, 4)).isEqualTo("\\x00\\x01\\x02\\n");
    }

    @Test
    void aBufferIsShownFromPositionToLimitAndKeepsThem() {
        ByteBuffer buf = ByteBuffer.allocateDirect(16);
        buf.put("xxMEAS?\n".getBytes(StandardCharsets.US_ASCII)).flip().position(2);
        assertThat(Printable.of(buf, 200)).isEqualTo("MEAS?\\n");
        assertThat(Printable.quoted(buf, 3)).isEqualTo("\"MEA\"... (6 bytes)");
        assertThat(buf.position()).isEqualTo(2);
        assertThat(buf.limit()).isEqualTo(8);
    }

    @Test
    void charsAboveAByteAreUnicodeEscapes() {
        assertThat(Printable.quoted("5\u00b5V \u20ac\u03a9", 80)).isEqualTo("\"5\\xB5V \\u20AC\\u03A9\"");
    }

    @Test
    void badArgumentsAreRefused() {
        byte[] b = new byte[4];
        assertThatThrownBy(() -> Printable.of(b, 3, 2, 10)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Printable.of(b, 0, 5, 10)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Printable.of(b, 0, 4, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void whatIsShownCanBeReadBack() {
        SplittableRandom rnd = new SplittableRandom(16);
        for (int run = 0; run < 500; run++) {
            byte[] b = new byte[rnd.nextInt(64)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) rnd.nextInt(256);
            }
            String q = Printable.quoted(b, 0, b.length, b.length);
            assertThat(q).startsWith("\"").endsWith("\"");
            assertThat(unescape(q.substring(1, q.length() - 1))).isEqualTo(b);
        }
    }

    /** The inverse of the format; fails on a bare quote or a lone backslash, which the printer never writes. */
    private static byte[] unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            assertThat(c).isNotEqualTo('"');
            if (c != '\\') {
                out.write(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'r' -> out.write('\r');
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case '\\', '"' -> out.write(e);
                case 'x' -> {
                    out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> throw new AssertionError("unknown escape \\" + e + " in " + s);
            }
        }
        return out.toByteArray();
    }
}
