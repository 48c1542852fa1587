package dev.labwire.core.scpi;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IeeeBlockTest {

    private static byte[] bytes(String s) {
        return s.getBytes(ISO_8859_1);
    }

    private static String text(byte[] b) {
        return new String(b, ISO_8859_1);
    }

    @Test
    void encodeUsesTheFewestLengthDigits() {
        assertThat(text(IeeeBlock.encode(new byte[0]))).isEqualTo("#10");
        assertThat(text(IeeeBlock.encode(bytes("ABC")))).isEqualTo("#13ABC");
        assertThat(text(IeeeBlock.encode(new byte[9]))).startsWith("#19").hasSize(12);
        assertThat(text(IeeeBlock.encode(new byte[10]))).startsWith("#210").hasSize(14);
        byte[] hundred = new byte[100];
        Arrays.fill(hundred, (byte) 0xFF);
        byte[] block = IeeeBlock.encode(hundred);
        assertThat(text(Arrays.copyOf(block, 5))).isEqualTo("#3100");
        assertThat(Arrays.copyOfRange(block, 5, block.length)).isEqualTo(hundred);
    }

    @Test
    void encodeCopiesThePayload() {
        byte[] payload = bytes("xy");
        byte[] block = IeeeBlock.encode(payload);
        payload[0] = 'z';
        assertThat(text(block)).isEqualTo("#12xy");
    }

    @Test
    void encodeIndefinitePrefixesHashZero() {
        assertThat(text(IeeeBlock.encodeIndefinite(bytes("ABC")))).isEqualTo("#0ABC");
        assertThat(text(IeeeBlock.encodeIndefinite(new byte[0]))).isEqualTo("#0");
    }

    @Test
    void decodeDefinite() {
        assertThat(text(IeeeBlock.decode(bytes("#13ABC")))).isEqualTo("ABC");
        assertThat(text(IeeeBlock.decode(bytes("#13ABC\n")))).isEqualTo("ABC");
        assertThat(text(IeeeBlock.decode(bytes("#10")))).isEmpty();
        assertThat(text(IeeeBlock.decode(bytes("#10\n")))).isEmpty();
        assertThat(text(IeeeBlock.decode(bytes("#14AB\n\n")))).isEqualTo("AB\n\n");
        assertThat(text(IeeeBlock.decode(bytes("#3003a\nb")))).isEqualTo("a\nb");
        assertThat(text(IeeeBlock.decode(bytes("#900000000212")))).isEqualTo("12");
    }

    @Test
    void decodeIndefinite() {
        assertThat(text(IeeeBlock.decode(bytes("#0ABC\n")))).isEqualTo("ABC");
        assertThat(text(IeeeBlock.decode(bytes("#0ABC")))).isEqualTo("ABC");
        assertThat(text(IeeeBlock.decode(bytes("#0\n")))).isEmpty();
        assertThat(text(IeeeBlock.decode(bytes("#0")))).isEmpty();
        assertThat(text(IeeeBlock.decode(bytes("#0A\r\n")))).isEqualTo("A\r");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|arbitrary block does not start with '#': \"\"",
        "ABC|arbitrary block does not start with '#': \"ABC\"",
        "#|arbitrary block ends after '#', before its digit count",
        "#A12|arbitrary block digit count is not a digit 0-9: \"#A12\"",
        "#/12|arbitrary block digit count is not a digit 0-9: \"#/12\"",
        "#3|arbitrary block declares 3 length digits but only 0 bytes follow: \"#3\"",
        "#31|arbitrary block declares 3 length digits but only 1 bytes follow: \"#31\"",
        "#2x1abc|arbitrary block length holds a non-digit at index 2: \"#2x1abc\"",
        "#21:abc|arbitrary block length holds a non-digit at index 3: \"#21:abc\"",
        "#15ABC|arbitrary block declares 5 payload bytes but 3 bytes follow its header",
        "#13ABCD|arbitrary block declares 3 payload bytes but 4 bytes follow its header (extra bytes after the block)",
        "#13ABC<CRLF>|arbitrary block declares 3 payload bytes but 5 bytes follow its header (extra bytes after the block)",
        "#10xx<CRLF>|arbitrary block declares 0 payload bytes but 4 bytes follow its header (extra bytes after the block)"})
    void decodeRefusesNamingBothLengths(String whole, String message) {
        assertThatThrownBy(() -> IeeeBlock.decode(bytes(whole.replace("<CRLF>", "\r\n"))))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage(message);
    }

    @Test
    void decodeMessageIsBounded() {
        byte[] junk = new byte[500];
        Arrays.fill(junk, (byte) 'x');
        assertThatThrownBy(() -> IeeeBlock.decode(junk))
                .hasMessage("arbitrary block does not start with '#': \"" + "x".repeat(80) + "\"... (500 bytes)");
    }

    @Test
    void decodeRefusesALengthLongerThanTheBytes() {
        assertThatThrownBy(() -> IeeeBlock.decode(bytes("#9999999999AB")))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("arbitrary block declares 999999999 payload bytes but 2 bytes follow its header");
    }

    @Test
    void commandPutsTheBlockAfterTheHeader() {
        assertThat(text(IeeeBlock.command("DATA:DAC VOLATILE", bytes("AB")))).isEqualTo("DATA:DAC VOLATILE #12AB");
        byte[] wave = new byte[100];
        byte[] cmd = IeeeBlock.command("DATA:ARB wave,", wave);
        assertThat(text(Arrays.copyOf(cmd, 19))).isEqualTo("DATA:ARB wave,#3100");
        assertThat(cmd).hasSize(19 + 100);
        assertThat(text(IeeeBlock.command("X", new byte[0]))).isEqualTo("X #10");
    }

    @Test
    void commandChecksTheHeader() {
        assertThatThrownBy(() -> IeeeBlock.command("", new byte[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("header is empty: \"\"");
        assertThatThrownBy(() -> IeeeBlock.command("DATA;*RST", new byte[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("';' at index 4");
        assertThatThrownBy(() -> IeeeBlock.command("DATA\n", new byte[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'\\n' at index 4");
        assertThatThrownBy(() -> IeeeBlock.command("DATA:\u20ac", new byte[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("U+20AC at index 5");
    }

    @Test
    void definiteLimitIsNineDigits() {
        assertThat(IeeeBlock.MAX_DEFINITE_LENGTH).isEqualTo(999_999_999);
        // The real refusal needs a 1 GB array; the check shares this path with encode and command.
        assertThatThrownBy(() -> IeeeBlock.header(1_000_000_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("payload of 1000000000 bytes is over the 999999999 a definite length block can declare");
        assertThat(text(IeeeBlock.header(999_999_999))).isEqualTo("#9999999999");
    }
}
