package dev.labwire.core.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UsbIdTest {

    private static final String EXPECTED =
            "; expected vid:pid[:serial] with 4 hex digits each, e.g. 0403:6001 or 0403:6001:A50285BI";

    @Test
    void parsesVendorAndProduct() {
        assertThat(UsbId.parse("0403:6001")).isEqualTo(new UsbId(0x0403, 0x6001, null));
        assertThat(UsbId.parse("ABCD:ef01")).isEqualTo(new UsbId(0xabcd, 0xef01));
    }

    @Test
    void parsesSerialNumberIncludingColons() {
        assertThat(UsbId.parse("0403:6001:A50285BI")).isEqualTo(new UsbId(0x0403, 0x6001, "A50285BI"));
        assertThat(UsbId.parse("0403:6001:AB:CD").serialNumber()).isEqualTo("AB:CD");
    }

    @Test
    void toStringRoundTrips() {
        assertThat(new UsbId(0x403, 0x6001)).hasToString("0403:6001");
        assertThat(new UsbId(0xABCD, 0x1, "X1")).hasToString("abcd:0001:X1");
        assertThat(UsbId.parse(new UsbId(0xABCD, 0x1, "X1").toString())).isEqualTo(new UsbId(0xABCD, 0x1, "X1"));
    }

    @Test
    void matchesComparesTheSerialOnlyWhenGiven() {
        assertThat(new UsbId(1, 2).matches(1, 2, "anything")).isTrue();
        assertThat(new UsbId(1, 2).matches(1, 2, null)).isTrue();
        assertThat(new UsbId(1, 2, "S").matches(1, 2, "S")).isTrue();
        assertThat(new UsbId(1, 2, "S").matches(1, 2, "T")).isFalse();
        assertThat(new UsbId(1, 2, "S").matches(1, 2, null)).isFalse();
        assertThat(new UsbId(1, 2).matches(1, 3, null)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "403:6001|bad vendor id '403'",
        "04031:6001|bad vendor id '04031'",
        "xyz1:6001|bad vendor id 'xyz1'",
        "0403:60|bad product id '60'",
        "0403:|bad product id ''",
        "0403|no ':' between vendor and product id",
        "0403:6001:|empty serial number after the second ':'",
        ":6001|bad vendor id ''",
    })
    void badInputNamesThePartAndTheForm(String text, String what) {
        assertThatThrownBy(() -> UsbId.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(what + " in USB id '" + text + "'" + EXPECTED);
    }

    @Test
    void nullBlankAndBadSerials() {
        assertThatThrownBy(() -> UsbId.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("USB id is null" + EXPECTED);
        assertThatThrownBy(() -> UsbId.parse(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("USB id is blank" + EXPECTED);
        assertThatThrownBy(() -> UsbId.parse("0403:6001:A B")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("USB serial number 'A B' contains a space, control character or '?' at "
                        + "index 1 in USB id '0403:6001:A B'");
        assertThatThrownBy(() -> new UsbId(0x10000, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("USB vendor id 65536 is out of range 0..0xFFFF");
        assertThatThrownBy(() -> new UsbId(1, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("USB product id -1 is out of range 0..0xFFFF");
        assertThatThrownBy(() -> new UsbId(1, 1, "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("USB serial number is empty");
    }
}
