package dev.labwire.core.scpi;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class ScpiPropertiesTest {

    @Property(tries = 2000)
    void formatNumberReadsBackAsTheSameDouble(@ForAll double x) {
        // the three SCPI special values are read back as infinity and NaN by design
        Assume.that(Double.isFinite(x) && x != 9.9E37 && x != -9.9E37 && x != 9.91E37);
        String text = Scpi.formatNumber(x);
        assertThat(Scpi.parseNumber(text) == x).as("%s formatted as %s", x, text).isTrue();
    }

    @Property(tries = 2000)
    void formatNumberRoundTripsRawBitPatterns(@ForAll long bits) {
        double x = Double.longBitsToDouble(bits);
        Assume.that(Double.isFinite(x));
        String text = Scpi.formatNumber(x);
        assertThat(Scpi.parseNumber(text) == x).as("%s formatted as %s", x, text).isTrue();
        assertThat(text).doesNotContain(".0E").doesNotContain("E0");
    }

    @Property(tries = 500)
    void definiteBlockRoundTrips(@ForAll @Size(max = 2000) byte[] payload) {
        byte[] block = IeeeBlock.encode(payload);
        assertThat(IeeeBlock.decode(block)).isEqualTo(payload);
        String len = Integer.toString(payload.length);
        assertThat(block).hasSize(2 + len.length() + payload.length);
    }
}
