package dev.labwire.core.scpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScpiCommandTest {
    enum Coupling { AC, DC }

    @Test
    void commandWithoutArgumentsIsTheHeader() {
        assertThat(Scpi.command("*RST")).isEqualTo("*RST");
    }

    @Test
    void commandFormatsOneNumber() {
        assertThat(Scpi.command("VOLT", 5.0)).isEqualTo("VOLT 5");
        assertThat(Scpi.command("VOLT", 0.001)).isEqualTo("VOLT 0.001");
    }

    @Test
    void commandSeparatesArgumentsWithCommas() {
        assertThat(Scpi.command("APPL:DC", 1, 2.5)).isEqualTo("APPL:DC 1,2.5");
        assertThat(Scpi.command("APPL:SIN", 1e3, 0.5, -0.25)).isEqualTo("APPL:SIN 1000,0.5,-0.25");
    }

    @Test
    void commandFormatsEveryArgumentType() {
        assertThat(Scpi.command("X", true, false)).isEqualTo("X 1,0");
        assertThat(Scpi.command("INP:COUP", Coupling.AC)).isEqualTo("INP:COUP AC");
        assertThat(Scpi.command("VOLT", "MAX")).isEqualTo("VOLT MAX");
        assertThat(Scpi.command("VOLT", new StringBuilder("MIN"))).isEqualTo("VOLT MIN");
        assertThat(Scpi.command("X", 7L, (short) -3, (byte) 9)).isEqualTo("X 7,-3,9");
        assertThat(Scpi.command("X", 0.1f, 5.0f, 1.5e-9f)).isEqualTo("X 0.1,5,1.5E-9");
        assertThat(Scpi.command("X", new BigInteger("123456789012345678901"))).isEqualTo("X 123456789012345678901");
        assertThat(Scpi.command("X", new BigDecimal("1E-4"))).isEqualTo("X 0.0001");
        assertThat(Scpi.command("X", new java.util.concurrent.atomic.AtomicLong(42))).isEqualTo("X 42");
    }

    @Test
    void commandSendsTextAsIsAndQuoteQuotesIt() {
        assertThat(Scpi.command("DISP:TEXT", Scpi.quote("a\"b"))).isEqualTo("DISP:TEXT \"a\"\"b\"");
        assertThat(Scpi.command("MMEM:LOAD", Scpi.quote("x;y"))).isEqualTo("MMEM:LOAD \"x;y\"");
        assertThat(Scpi.quote("")).isEqualTo("\"\"");
    }

    @Test
    void queryAppendsQuestionMarkOnce() {
        assertThat(Scpi.query("*IDN")).isEqualTo("*IDN?");
        assertThat(Scpi.query("MEAS:VOLT?")).isEqualTo("MEAS:VOLT?");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'VOLT\n5'|'\\n' at index 4",
        "'VOLT\r'|'\\r' at index 4",
        "'VOLT 5;*RST'|';' at index 6"})
    void badHeaderIsRefusedNamingIt(String header, String where) {
        assertThatThrownBy(() -> Scpi.command(header, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Text.quoted(header))
                .hasMessageContaining(where);
        assertThatThrownBy(() -> Scpi.query(header))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(where);
    }

    @Test
    void emptyHeaderIsRefused() {
        assertThatThrownBy(() -> Scpi.command("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("header is empty: \"\"");
        assertThatThrownBy(() -> Scpi.query("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("header is empty: \"  \"");
        assertThatThrownBy(() -> Scpi.command(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("header");
    }

    @Test
    void nonFiniteNumbersAreRefusedNamingThem() {
        assertThatThrownBy(() -> Scpi.command("VOLT", Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("argument 0 of VOLT is not a finite number: NaN");
        assertThatThrownBy(() -> Scpi.command("APPL:DC", 1, Double.NEGATIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("argument 1 of APPL:DC is not a finite number: -Infinity");
        assertThatThrownBy(() -> Scpi.command("X", Float.POSITIVE_INFINITY))
                .hasMessage("argument 0 of X is not a finite number: Infinity");
        assertThatThrownBy(() -> Scpi.formatNumber(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value is not a finite number: Infinity");
    }

    @Test
    void badArgumentsAreRefusedNamingThem() {
        assertThatThrownBy(() -> Scpi.command("X", 1, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("argument 1 of X is null");
        assertThatThrownBy(() -> Scpi.command("X", new Object[] {new int[0]}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("argument 0 of X has unsupported type [I");
        assertThatThrownBy(() -> Scpi.command("DISP:TEXT", "a\nb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("argument 0 of DISP:TEXT holds a line terminator: \"a\\nb\"");
        assertThatThrownBy(() -> Scpi.command("X", "a\r")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "5.0, 5",
        "-12.0, -12",
        "-0.0, 0",
        "0.0, 0",
        "1e15, 1000000000000000",
        "-1e15, -1000000000000000",
        "1.5e15, 1.5E+15",
        "0.001, 0.001",
        "0.5, 0.5",
        "1.5e-9, 1.5E-9",
        "1e-4, 1E-4",
        "2.5e20, 2.5E+20",
        "1e16, 1E+16",
        "12345678.5, 12345678.5",
        "-1.5e-300, -1.5E-300",
        "1.7976931348623157E308, 1.7976931348623157E+308",
        "4.9E-324, 4.9E-324"})
    void formatNumberDouble(double value, String expected) {
        assertThat(Scpi.formatNumber(value)).isEqualTo(expected);
    }

    @Test
    void formatNumberIntegers() {
        assertThat(Scpi.formatNumber(-12)).isEqualTo("-12");
        assertThat(Scpi.formatNumber(Long.MIN_VALUE)).isEqualTo("-9223372036854775808");
    }
}
