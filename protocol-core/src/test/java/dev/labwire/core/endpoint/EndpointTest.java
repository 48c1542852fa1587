package dev.labwire.core.endpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EndpointTest {

    private static final String FORMS =
            "allowed: tcp://host[:port], vxi11://host[:portmapper-port][/device], hislip://host[:port][/hislip<n>], rfc2217://host:port[?options], "
            + "serial:<path>[?options], serial:usb:<vid>:<pid>[:<serial>][?options], "
            + "TCPIP[board]::host::port::SOCKET, TCPIP[board]::host[::inst0]::INSTR (VXI-11), "
            + "TCPIP[board]::host::hislip0[,port]::INSTR (HiSLIP), ASRL<n>::INSTR, ASRL<path>::INSTR";

    @Test
    void vxi11Endpoints() {
        assertThat(Endpoint.parse("vxi11://scope.lab")).isEqualTo(new Endpoint.Vxi11("scope.lab", 111, "inst0"));
        assertThat(Endpoint.parse("VXI11://10.0.0.5:40111/gpib0,7"))
                .isEqualTo(new Endpoint.Vxi11("10.0.0.5", 40111, "gpib0,7"));
        assertThat(Endpoint.parse("vxi11://[::1]/inst2")).isEqualTo(new Endpoint.Vxi11("::1", 111, "inst2"));
        for (String s : new String[] {"vxi11://scope.lab:111/inst0", "vxi11://[::1]:111/inst2", "vxi11://h:7/gpib0,7"}) {
            assertThat(Endpoint.parse(s)).hasToString(s);
        }
    }

    @Test
    void hislipEndpoints() {
        assertThat(Endpoint.parse("hislip://scope.lab")).isEqualTo(new Endpoint.Hislip("scope.lab", 4880, "hislip0"));
        assertThat(Endpoint.parse("hislip://10.0.0.6:4990/hislip3"))
                .isEqualTo(new Endpoint.Hislip("10.0.0.6", 4990, "hislip3"));
        assertThat(Endpoint.parse("hislip://[fe80::2]")).hasToString("hislip://[fe80::2]:4880/hislip0");
        assertThat(Endpoint.parse("hislip://[fe80::2]:4880/hislip0")).isEqualTo(new Endpoint.Hislip("fe80::2", 4880, "hislip0"));
    }

    @Test
    void badLanEndpointsNameTheBadPart() {
        assertThatThrownBy(() -> Endpoint.parse("vxi11://")).hasMessageContaining("missing host in 'vxi11://'");
        assertThatThrownBy(() -> Endpoint.parse("vxi11://h:0")).hasMessageContaining("bad port '0'")
                .hasMessageContaining("or none for 111");
        assertThatThrownBy(() -> Endpoint.parse("vxi11://h/")).hasMessageContaining("empty name after '/'");
        assertThatThrownBy(() -> Endpoint.parse("vxi11://h/in st0")).hasMessageContaining("bad device 'in st0'")
                .hasMessageContaining("character ' ' at index 2");
        assertThatThrownBy(() -> Endpoint.parse("vxi11://h/hislip0")).hasMessageContaining("HiSLIP sub-address")
                .hasMessageContaining("hislip://");
        assertThatThrownBy(() -> Endpoint.parse("vxi11://h?x=1")).hasMessageContaining("unexpected '?x=1'");
        assertThatThrownBy(() -> Endpoint.parse("vxi11://::1/inst0")).hasMessageContaining("needs brackets, e.g. vxi11://[::1]");
        assertThatThrownBy(() -> Endpoint.parse("hislip://h/inst0")).hasMessageContaining("bad HiSLIP sub-address 'inst0'");
        assertThatThrownBy(() -> Endpoint.parse("hislip://h:70000")).hasMessageContaining("bad port '70000'")
                .hasMessageContaining("or none for 4880");
        assertThatThrownBy(() -> new Endpoint.Vxi11("h", 111, "x".repeat(65))).hasMessageContaining("longer than 64");
        assertThatThrownBy(() -> new Endpoint.Hislip("h", 0, "hislip0")).hasMessageContaining("HiSLIP port 0");
    }

    @Test
    void tcpWithHostAndPort() {
        assertThat(Endpoint.parse("tcp://scope.lab:5025")).isEqualTo(new Endpoint.Tcp("scope.lab", 5025));
        assertThat(Endpoint.parse("tcp://192.168.1.20:5025")).isEqualTo(new Endpoint.Tcp("192.168.1.20", 5025));
        assertThat(Endpoint.parse("tcp://localhost:1")).isEqualTo(new Endpoint.Tcp("localhost", 1));
        assertThat(Endpoint.parse("tcp://localhost:65535")).isEqualTo(new Endpoint.Tcp("localhost", 65535));
    }

    @Test
    void tcpPortDefaultsToTheScpiRawSocketPort() {
        assertThat(Endpoint.parse("tcp://psu-3")).isEqualTo(new Endpoint.Tcp("psu-3", 5025));
        assertThat(Endpoint.parse("tcp://[::1]")).isEqualTo(new Endpoint.Tcp("::1", Endpoint.DEFAULT_TCP_PORT));
    }

    @Test
    void tcpIpv6InBrackets() {
        assertThat(Endpoint.parse("tcp://[::1]:5025")).isEqualTo(new Endpoint.Tcp("::1", 5025));
        assertThat(Endpoint.parse("tcp://[fe80::1%eth0]:5025")).isEqualTo(new Endpoint.Tcp("fe80::1%eth0", 5025));
        assertThat(new Endpoint.Tcp("::1", 5025)).hasToString("tcp://[::1]:5025");
    }

    @Test
    void schemeIsCaseInsensitive() {
        assertThat(Endpoint.parse("TCP://host:7")).isEqualTo(new Endpoint.Tcp("host", 7));
        assertThat(Endpoint.parse("Serial:/dev/ttyS0")).isEqualTo(
                Endpoint.Serial.ofPath("/dev/ttyS0", SerialSettings.DEFAULT));
    }

    @Test
    void serialByPathWithAllOptions() {
        Endpoint e = Endpoint.parse("serial:/dev/ttyUSB0?baud=115200&parity=even&data=7&stop=1&flow=rtscts");
        assertThat(e).isEqualTo(Endpoint.Serial.ofPath("/dev/ttyUSB0", SerialSettings.builder()
                .baudRate(115200).parity(Parity.EVEN).dataBits(DataBits.SEVEN).stopBits(StopBits.ONE)
                .flowControl(FlowControl.RTS_CTS).build()));
    }

    @Test
    void serialMissingKeysTakeDefaults() {
        assertThat(Endpoint.parse("serial:COM3?baud=9600"))
                .isEqualTo(Endpoint.Serial.ofPath("COM3", SerialSettings.DEFAULT));
        assertThat(Endpoint.parse("serial:/dev/ttyACM0"))
                .isEqualTo(Endpoint.Serial.ofPath("/dev/ttyACM0", SerialSettings.DEFAULT));
        assertThat(Endpoint.parse("serial:COM3?stop=2"))
                .isEqualTo(Endpoint.Serial.ofPath("COM3", SerialSettings.builder().stopBits(StopBits.TWO).build()));
    }

    @Test
    void serialWindowsDeviceNamespace() {
        assertThat(Endpoint.parse("serial:\\\\.\\COM10?baud=19200")).isEqualTo(Endpoint.Serial.ofPath(
                "\\\\.\\COM10", SerialSettings.builder().baudRate(19200).build()));
    }

    @Test
    void serialByUsbIdentity() {
        assertThat(Endpoint.parse("serial:usb:0403:6001:A50285BI?baud=9600")).isEqualTo(
                Endpoint.Serial.ofUsb(new UsbId(0x0403, 0x6001, "A50285BI"), SerialSettings.DEFAULT));
        assertThat(Endpoint.parse("serial:usb:2341:0043")).isEqualTo(
                Endpoint.Serial.ofUsb(new UsbId(0x2341, 0x0043), SerialSettings.DEFAULT));
    }

    @Test
    void everyWordOfEveryKey() {
        for (String p : new String[] {"none", "odd", "even", "mark", "space"}) {
            assertThat(((Endpoint.Serial) Endpoint.parse("serial:x?parity=" + p)).settings().parity().name())
                    .isEqualToIgnoringCase(p);
        }
        assertThat(settings("data=5").dataBits()).isEqualTo(DataBits.FIVE);
        assertThat(settings("data=6").dataBits()).isEqualTo(DataBits.SIX);
        assertThat(settings("data=8").dataBits()).isEqualTo(DataBits.EIGHT);
        assertThat(settings("stop=1.5").stopBits()).isEqualTo(StopBits.ONE_POINT_FIVE);
        assertThat(settings("flow=none").flowControl()).isEqualTo(FlowControl.NONE);
        assertThat(settings("flow=xonxoff").flowControl()).isEqualTo(FlowControl.XON_XOFF);
        assertThat(settings("FLOW=RtsCts").flowControl()).isEqualTo(FlowControl.RTS_CTS);
        assertThat(settings("rs485=off").rs485()).isEqualTo(Rs485.DISABLED);
    }

    @Test
    void rs485Options() {
        assertThat(settings("rs485=on").rs485()).isEqualTo(Rs485.enabled());
        assertThat(settings("rs485=on&rs485.rts=low&rs485.before=250&rs485.after=1000").rs485())
                .isEqualTo(Rs485.enabled(RtsPolarity.LOW, Duration.ofNanos(250_000), Duration.ofMillis(1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "tcp://scope.lab:5025",
        "tcp://[::1]:5025",
        "tcp://[fe80::1%eth0]:80",
        "serial:/dev/ttyUSB0?baud=115200&data=7&parity=even&stop=1&flow=rtscts&rs485=off",
        "serial:COM3?baud=9600&data=8&parity=none&stop=1&flow=none&rs485=off",
        "serial:usb:0403:6001:A50285BI?baud=9600&data=8&parity=none&stop=1&flow=none&rs485=off",
        "serial:usb:0403:6001?baud=1200&data=5&parity=mark&stop=1.5&flow=xonxoff&rs485=off",
        "serial:/dev/ttyAMA0?baud=19200&data=8&parity=space&stop=2&flow=none&rs485=on&rs485.rts=low"
                + "&rs485.before=10&rs485.after=500",
    })
    void canonicalStringsRoundTripExactly(String canonical) {
        Endpoint e = Endpoint.parse(canonical);
        assertThat(e).hasToString(canonical);
        assertThat(Endpoint.parse(e.toString())).isEqualTo(e);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "tcp://host",
        "TCP://[::1]",
        "serial:/dev/ttyUSB0",
        "serial:COM3?baud=9600",
        "serial:usb:0403:6001:A50285BI?BAUD=9600&Parity=ODD",
        "serial:/dev/ttyS1?rs485=on&rs485.after=7",
    })
    void anyAcceptedStringGivesACanonicalStringThatParsesToTheSameEndpoint(String text) {
        Endpoint e = Endpoint.parse(text);
        assertThat(Endpoint.parse(e.toString())).isEqualTo(e);
        assertThat(Endpoint.parse(e.toString()).toString()).isEqualTo(e.toString());
    }

    @Test
    void nullAndBlankInput() {
        assertThatThrownBy(() -> Endpoint.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpoint is null; " + FORMS);
        assertThatThrownBy(() -> Endpoint.parse("  ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpoint is blank; " + FORMS);
        assertThatThrownBy(() -> Endpoint.parse(" tcp://x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leading or trailing whitespace");
    }

    @Test
    void unknownScheme() {
        assertThatThrownBy(() -> Endpoint.parse("udp://x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown scheme 'udp' in 'udp://x'; " + FORMS);
        assertThatThrownBy(() -> Endpoint.parse("/dev/ttyUSB0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing scheme in '/dev/ttyUSB0'; " + FORMS);
        assertThatThrownBy(() -> Endpoint.parse("tcp:host:5025")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing '//' after 'tcp:' in 'tcp:host:5025'; allowed: tcp://host[:port]");
    }

    @Test
    void missingHost() {
        assertThatThrownBy(() -> Endpoint.parse("tcp://")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing host in 'tcp://'; allowed: tcp://host[:port]");
        assertThatThrownBy(() -> Endpoint.parse("tcp://:5025")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing host in 'tcp://:5025'; allowed: tcp://host[:port]");
        assertThatThrownBy(() -> Endpoint.parse("tcp://[]:5025")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("missing host in 'tcp://[]:5025'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tcp://host:0|0",
        "tcp://host:65536|65536",
        "tcp://host:-1|-1",
        "tcp://host:50x|50x",
        "tcp://host:|''",
        "tcp://host:0000080|0000080",
        "tcp://[::1]:99999|99999",
    })
    void badPort(String text, String port) {
        assertThatThrownBy(() -> Endpoint.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad port '" + port + "' in '" + text + "'; allowed: 1..65535, or none for 5025");
    }

    @Test
    void badTcpShapes() {
        assertThatThrownBy(() -> Endpoint.parse("tcp://::1:5025")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("IPv6 address in 'tcp://::1:5025' needs brackets, e.g. tcp://[::1]:5025");
        assertThatThrownBy(() -> Endpoint.parse("tcp://host:5025/path")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unexpected '/path' after the host in 'tcp://host:5025/path'; allowed: tcp://host[:port]");
        assertThatThrownBy(() -> Endpoint.parse("tcp://[::1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unclosed '[' in 'tcp://[::1'");
        assertThatThrownBy(() -> Endpoint.parse("tcp://[::1]x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unexpected 'x' after ']'");
        assertThatThrownBy(() -> Endpoint.parse("tcp://[host]:1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-IPv6 host 'host'");
        assertThatThrownBy(() -> Endpoint.parse("tcp://my host:1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad host 'my host' in 'tcp://my host:1': character ' ' at index 2; allowed: a host "
                        + "name, an IPv4 address or an [IPv6] address");
    }

    @Test
    void emptyPath() {
        assertThatThrownBy(() -> Endpoint.parse("serial:")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty path in 'serial:'; allowed: serial:<path>[?options], "
                        + "serial:usb:<vid>:<pid>[:<serial>][?options]");
        assertThatThrownBy(() -> Endpoint.parse("serial:?baud=9600")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("empty path in 'serial:?baud=9600'");
    }

    @Test
    void badUsbIdentity() {
        assertThatThrownBy(() -> Endpoint.parse("serial:usb:403:6001")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad vendor id '403' in USB id '403:6001'; expected vid:pid[:serial] with 4 hex digits "
                        + "each, e.g. 0403:6001 or 0403:6001:A50285BI (in endpoint 'serial:usb:403:6001')");
        assertThatThrownBy(() -> Endpoint.parse("serial:usb:0403")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no ':' between vendor and product id in USB id '0403'");
    }

    @Test
    void unknownKeyListsTheKeys() {
        assertThatThrownBy(() -> Endpoint.parse("serial:COM3?speed=9600")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown key 'speed' in 'serial:COM3?speed=9600'; allowed keys: baud, data, parity, "
                        + "stop, flow, rs485, rs485.rts, rs485.before, rs485.after");
    }

    @Test
    void duplicateKey() {
        assertThatThrownBy(() -> Endpoint.parse("serial:COM3?baud=9600&Baud=19200"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duplicate key 'baud' in 'serial:COM3?baud=9600&Baud=19200'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "baud=fast|bad value 'fast' for key 'baud'|a positive integer, e.g. 9600 or 115200",
        "baud=0|bad value '0' for key 'baud'|a positive integer, e.g. 9600 or 115200",
        "baud=-9600|bad value '-9600' for key 'baud'|a positive integer, e.g. 9600 or 115200",
        "baud=99999999999|bad value '99999999999' for key 'baud'|a positive integer, e.g. 9600 or 115200",
        "baud=|empty value for key 'baud'|a positive integer, e.g. 9600 or 115200",
        "parity=e|bad value 'e' for key 'parity'|none, odd, even, mark, space",
        "data=9|bad value '9' for key 'data'|5, 6, 7, 8",
        "stop=3|bad value '3' for key 'stop'|1, 1.5, 2",
        "flow=hardware|bad value 'hardware' for key 'flow'|none, rtscts, xonxoff",
        "rs485=yes|bad value 'yes' for key 'rs485'|on, off",
        "rs485=on&rs485.rts=up|bad value 'up' for key 'rs485.rts'|high, low",
        "rs485=on&rs485.before=1.5|bad value '1.5' for key 'rs485.before'|whole microseconds 0..2147483647",
        "rs485=on&rs485.after=-1|bad value '-1' for key 'rs485.after'|whole microseconds 0..2147483647",
    })
    void badValueListsWhatIsAllowed(String options, String start, String allowed) {
        String text = "serial:/dev/ttyUSB0?" + options;
        assertThatThrownBy(() -> Endpoint.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(start + " in '" + text + "'; allowed: " + allowed);
    }

    @Test
    void badOptionShapes() {
        assertThatThrownBy(() -> Endpoint.parse("serial:COM3?")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("empty options after '?' in 'serial:COM3?'; allowed keys: baud,");
        assertThatThrownBy(() -> Endpoint.parse("serial:COM3?baud=1&&data=8"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("empty option (a stray '&') in 'serial:COM3?baud=1&&data=8'");
        assertThatThrownBy(() -> Endpoint.parse("serial:COM3?baud")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("option 'baud' has no value in 'serial:COM3?baud'; expected key=value");
        assertThatThrownBy(() -> Endpoint.parse("serial:COM3?rs485.rts=low"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key 'rs485.rts' needs rs485=on in 'serial:COM3?rs485.rts=low'");
        assertThatThrownBy(() -> Endpoint.parse("serial:COM3?rs485=off&rs485.after=5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("key 'rs485.after' needs rs485=on");
    }

    @Test
    void recordsValidateToo() {
        assertThatThrownBy(() -> new Endpoint.Tcp("h", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TCP port 0 is out of range 1..65535");
        assertThatThrownBy(() -> new Endpoint.Serial("/dev/x", new UsbId(1, 2), SerialSettings.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one of path and usbId");
        assertThatThrownBy(() -> new Endpoint.Serial(null, null, SerialSettings.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one of path and usbId");
        assertThatThrownBy(() -> Endpoint.Serial.ofPath("/dev/x?y", SerialSettings.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'?' at index 6");
    }

    private static SerialSettings settings(String options) {
        return ((Endpoint.Serial) Endpoint.parse("serial:/dev/ttyUSB0?" + options)).settings();
    }
}
