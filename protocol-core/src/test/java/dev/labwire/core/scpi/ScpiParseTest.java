package dev.labwire.core.scpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScpiParseTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "+1.23E+00|1.23",
        "-5|-5",
        ".5|0.5",
        "2.|2",
        "1e3|1000",
        "+1.00000000E-09|1e-9",
        "9.9E36|9.9E36"})
    void parseNumberReadsNr1Nr2Nr3(String text, double expected) {
        assertThat(Scpi.parseNumber(text)).isEqualTo(expected);
    }

    @Test
    void parseNumberTrimsWhitespaceAndKeepsNegativeZero() {
        assertThat(Scpi.parseNumber("  +4.5e-3 \r\n")).isEqualTo(0.0045);
        assertThat(Double.doubleToRawLongBits(Scpi.parseNumber("-0"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"9.9E37", "+9.9E+37", "9.90000E+37", "INF", "+inf", "Inf"})
    void parseNumberReadsPositiveInfinity(String text) {
        assertThat(Scpi.parseNumber(text)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-9.9E37", "-9.9E+37", "-INF", "NINF", "ninf"})
    void parseNumberReadsNegativeInfinity(String text) {
        assertThat(Scpi.parseNumber(text)).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"9.91E37", "+9.91E+37", "NAN", "nan", " NaN "})
    void parseNumberReadsNan(String text) {
        assertThat(Scpi.parseNumber(text)).isNaN();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "0x10", "1_000", "Infinity", "-Infinity", "1d", "1f", "5V",
        "1e", "+", ".", "1.2.3", "1,2", "e5", "1e+", "--1", "0X10", "1 000"})
    void parseNumberRefusesQuotingTheText(String text) {
        assertThatThrownBy(() -> Scpi.parseNumber(text))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("not a SCPI number: " + Text.quoted(text));
    }

    @Test
    void parseNumberMessageIsTruncated() {
        String junk = "x".repeat(200);
        assertThatThrownBy(() -> Scpi.parseNumber(junk))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("not a SCPI number: \"" + "x".repeat(80) + "\"... (200 chars)");
        assertThatThrownBy(() -> Scpi.parseNumber("5\u00b5V\r\n"))
                .hasMessage("not a SCPI number: \"5\\xB5V\\r\\n\""); // a char of a byte's value is shown as that byte
    }

    @Test
    void parseNumberRefusesValuesBeyondDouble() {
        assertThatThrownBy(() -> Scpi.parseNumber("1E999"))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("number out of double range: \"1E999\"");
    }

    @Test
    void parseNumbersReadsALists() {
        assertThat(Scpi.parseNumbers("1,2.5,-3E-3, +4 ")).containsExactly(1, 2.5, -3e-3, 4);
        assertThat(Scpi.parseNumbers("9.9E37")).containsExactly(Double.POSITIVE_INFINITY);
        assertThat(Scpi.parseNumbers("")).isEmpty();
        assertThat(Scpi.parseNumbers(" \n")).isEmpty();
    }

    @Test
    void parseNumbersNamesTheBadElement() {
        assertThatThrownBy(() -> Scpi.parseNumbers("1,,2"))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("element 1 of 3 in number list \"1,,2\" is bad: not a SCPI number: \"\"")
                .hasCauseInstanceOf(RemoteProtocolException.class);
        assertThatThrownBy(() -> Scpi.parseNumbers("1,2,OVLD"))
                .hasMessageContaining("element 2 of 3")
                .hasMessageEndingWith("not a SCPI number: \"OVLD\"");
    }

    @Test
    void parseListSplitsOutsideQuotes() {
        assertThat(Scpi.parseList("a, b ,c")).containsExactly("a", "b", "c");
        assertThat(Scpi.parseList("\"a,b\", c")).containsExactly("a,b", "c");
        assertThat(Scpi.parseList("CH1, \"my \"\"wave\"\", v2\",5"))
                .containsExactly("CH1", "my \"wave\", v2", "5");
        assertThat(Scpi.parseList("\" padded \"")).containsExactly(" padded ");
        assertThat(Scpi.parseList("\"\",x")).containsExactly("", "x");
        assertThat(Scpi.parseList("a,")).containsExactly("a", "");
        assertThat(Scpi.parseList("single")).containsExactly("single");
        assertThat(Scpi.parseList("")).isEmpty();
        assertThat(Scpi.parseList("  ")).isEmpty();
    }

    @Test
    void parseListKeepsTextAroundAQuoteAsIs() {
        assertThat(Scpi.parseList("ab\"c,d\"e,f")).containsExactly("ab\"c,d\"e", "f");
    }

    @Test
    void parseListIsUnmodifiable() {
        assertThatThrownBy(() -> Scpi.parseList("a,b").add("c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void parseListRefusesUnterminatedQuote() {
        assertThatThrownBy(() -> Scpi.parseList("a,\"b,c"))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("unterminated string (quote at index 2) in list \"a,\\\"b,c\"");
        assertThatThrownBy(() -> Scpi.parseList("\"a\"\"")).isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("quote at index 3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "ON", "on", " On\n"})
    void parseBooleanTrue(String text) {
        assertThat(Scpi.parseBoolean(text)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "OFF", "off", "\t0 "})
    void parseBooleanFalse(String text) {
        assertThat(Scpi.parseBoolean(text)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "2", "+1", "TRUE", "yes", "1.0"})
    void parseBooleanRefusesQuotingTheText(String text) {
        assertThatThrownBy(() -> Scpi.parseBoolean(text))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessage("not a SCPI Boolean (1, 0, ON or OFF): " + Text.quoted(text));
    }

    @Test
    void unquoteStripsEitherQuoteAndUndoubles() {
        assertThat(Scpi.unquote("\"a\"\"b\"")).isEqualTo("a\"b");
        assertThat(Scpi.unquote(" 'it''s' ")).isEqualTo("it's");
        assertThat(Scpi.unquote("'say \"\"hi\"\"'")).isEqualTo("say \"\"hi\"\"");
        assertThat(Scpi.unquote("\"\"")).isEmpty();
        assertThat(Scpi.unquote("\"Keysight\"\n")).isEqualTo("Keysight");
    }

    @Test
    void unquoteLeavesUnquotedTextTrimmed() {
        assertThat(Scpi.unquote("  plain \n")).isEqualTo("plain");
        assertThat(Scpi.unquote("\"")).isEqualTo("\"");
        assertThat(Scpi.unquote("\"mixed'")).isEqualTo("\"mixed'");
        assertThat(Scpi.unquote("")).isEmpty();
    }
}
