package dev.labwire.core.scpi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The documented exceptions to the format/parse round trip. */
class SpecialValuesTest {
    @Test
    void scpiSpecialValuesDoNotRoundTrip() {
        assertThat(Scpi.formatNumber(9.9E37)).isEqualTo("9.9E+37");
        assertThat(Scpi.parseNumber(Scpi.formatNumber(9.9E37))).isInfinite();
        assertThat(Scpi.parseNumber(Scpi.formatNumber(-9.9E37))).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Scpi.parseNumber(Scpi.formatNumber(9.91E37))).isNaN();
        assertThat(Scpi.parseNumber(Scpi.formatNumber(-9.91E37))).isEqualTo(-9.91E37);
    }
}
