package dev.labwire.core.endpoint.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.endpoint.SerialSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** VISA resource strings through {@link Endpoint#parse}, and the ASRL board rule on both kinds of system. */
class VisaSyntaxTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "TCPIP0::192.168.1.5::5025::SOCKET | tcp://192.168.1.5:5025",
        "TCPIP::scope.lab::5025::SOCKET    | tcp://scope.lab:5025",
        "tcpip1::Scope.Lab::23::socket     | tcp://Scope.Lab:23",
        "TcpIp12::10.0.0.7::65535::Socket  | tcp://10.0.0.7:65535",
        "TCPIP0::[fe80::1%eth0]::5025::SOCKET | tcp://[fe80::1%eth0]:5025",
        "TCPIP::[::1]::5025::SOCKET        | tcp://[::1]:5025",
    })
    void socketResourcesAreTcpEndpoints(String visa, String canonical) {
        Endpoint e = Endpoint.parse(visa);
        assertThat(e).isInstanceOf(Endpoint.Tcp.class).hasToString(canonical);
        assertThat(Endpoint.parse(canonical)).isEqualTo(e);
    }

    @Test
    void serialResourcesByPath() {
        assertThat(Endpoint.parse("ASRL/dev/ttyUSB0::INSTR"))
                .isEqualTo(Endpoint.Serial.ofPath("/dev/ttyUSB0", SerialSettings.DEFAULT));
        assertThat(Endpoint.parse("asrl/dev/serial/by-id/usb-FTDI_A50285BI-if00::instr"))
                .isEqualTo(Endpoint.Serial.ofPath("/dev/serial/by-id/usb-FTDI_A50285BI-if00", SerialSettings.DEFAULT));
        assertThat(Endpoint.parse("ASRL/dev/ttyUSB0::INSTR?baud=115200&parity=even"))
                .isEqualTo(Endpoint.Serial.ofPath("/dev/ttyUSB0", SerialSettings.builder().baudRate(115200)
                        .parity(dev.labwire.core.endpoint.Parity.EVEN).build()));
    }

    @Test
    void asrlBoardsAreComPortsOnWindows() {
        assertThat(VisaSyntax.parse("ASRL3::INSTR", true)).isEqualTo(Endpoint.Serial.ofPath("COM3", SerialSettings.DEFAULT));
        assertThat(VisaSyntax.parse("asrl12::instr?baud=19200", true))
                .isEqualTo(Endpoint.Serial.ofPath("COM12", SerialSettings.builder().baudRate(19200).build()));
    }

    @Test
    void asrlBoardsAreRefusedElsewhereNamingTheComPort() {
        assertThatThrownBy(() -> VisaSyntax.parse("ASRL3::INSTR", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ASRL3'").hasMessageContaining("COM3, a Windows port name")
                .hasMessageContaining("ASRL/dev/ttyS2::INSTR");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        // the bad string | a part of the message that names what is wrong
        "TCPIP0::192.168.1.5::SOCKET             | missing port",
        "TCPIP0::192.168.1.5::5025::6000::SOCKET | unexpected '6000' after the port",
        "TCPIP0::192.168.1.5::50x25::SOCKET      | bad port '50x25'",
        "TCPIP0::192.168.1.5::0::SOCKET          | bad port '0'",
        "TCPIP0::192.168.1.5::70000::SOCKET      | bad port '70000'",
        "TCPIP0::192.168.1.5::5025::RAW          | unknown resource class 'RAW'",
        "TCPIPx::192.168.1.5::5025::SOCKET       | bad board number 'x'",
        "TCPIP0::::5025::SOCKET                  | missing host",
        "TCPIP0::bad host::5025::SOCKET          | bad host 'bad host'",
        "TCPIP0::[fe80::1::5025::SOCKET          | unclosed '['",
        "TCPIP0::[fe80::1]x::5025::SOCKET        | unexpected 'x::5025::SOCKET' after ']'",
        "ASRL/dev/ttyUSB0                        | missing '::INSTR'",
        "ASRL/dev/ttyUSB0::SOCKET                | unknown resource class 'SOCKET'",
        "ASRL::INSTR                             | missing board number or device path",
        "ASRLx3::INSTR                           | bad board number 'x3'",
        "ASRL0::INSTR                            | 'ASRL0' in 'ASRL0::INSTR' names no serial port",
        "ASRL/dev/ttyUSB0::INSTR?baud=fast       | bad value 'fast' for key 'baud'",
        "TCPIP0::192.168.1.5::hislip::INSTR      | bad HiSLIP sub-address 'hislip'",
        "TCPIP0::192.168.1.5::hislip0,99999::INSTR | bad port '99999'",
        "TCPIP0::192.168.1.5::in st0::INSTR      | bad device 'in st0'",
        "TCPIP0::192.168.1.5::inst0::x::INSTR    | unexpected 'x' after the device name",
        "GPIB0::5::INSTR                         | VISA interface type 'GPIB'",
        "GPIB-VXI0::5::INSTR                     | VISA interface type 'GPIB-VXI'",
        "USB0::0x0957::0x1755::MY123::INSTR      | VISA interface type 'USB'",
        "usb::0x0957::0x1755::MY123::INSTR       | VISA interface type 'usb'",
    })
    void badResourcesNameTheBadPart(String bad, String named) {
        assertThatThrownBy(() -> Endpoint.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(named).hasMessageContaining("'" + bad + "'");
    }

    @Test
    void tcpipInstrIsVxi11OrHislip() {
        assertThat(Endpoint.parse("TCPIP::10.0.0.7::INSTR")).isEqualTo(new Endpoint.Vxi11("10.0.0.7", 111, "inst0"));
        assertThat(Endpoint.parse("tcpip0::10.0.0.7::inst1::instr")).isEqualTo(new Endpoint.Vxi11("10.0.0.7", 111, "inst1"));
        assertThat(Endpoint.parse("TCPIP::gw.lab::gpib0,5::INSTR")).isEqualTo(new Endpoint.Vxi11("gw.lab", 111, "gpib0,5"));
        assertThat(Endpoint.parse("TCPIP::[fe80::1]::INSTR")).isEqualTo(new Endpoint.Vxi11("fe80::1", 111, "inst0"));
        assertThat(Endpoint.parse("TCPIP::10.0.0.8::hislip0::INSTR")).isEqualTo(new Endpoint.Hislip("10.0.0.8", 4880, "hislip0"));
        assertThat(Endpoint.parse("TCPIP0::10.0.0.8::HiSLIP1,4881::INSTR"))
                .isEqualTo(new Endpoint.Hislip("10.0.0.8", 4881, "HiSLIP1"));
        assertThat(Endpoint.parse("TCPIP0::10.0.0.7")).as("INSTR is optional in VISA").isEqualTo(
                new Endpoint.Vxi11("10.0.0.7", 111, "inst0"));
        assertThat(Endpoint.parse("TCPIP::10.0.0.7::INSTR")).hasToString("vxi11://10.0.0.7:111/inst0");
        assertThat(Endpoint.parse("TCPIP::10.0.0.8::hislip0,4880::INSTR")).hasToString("hislip://10.0.0.8:4880/hislip0");
    }

    @Test
    void stringsWithoutAVisaKeywordKeepTheirOldErrors() {
        assertThatThrownBy(() -> Endpoint.parse("gpib://7")).hasMessageContaining("unknown scheme 'gpib'");
        assertThat(VisaSyntax.looksLikeVisa("TCPIP0:host")).isFalse();
        assertThat(VisaSyntax.looksLikeVisa("Asrl3::instr")).isTrue();
        assertThat(VisaSyntax.looksLikeVisa("asrl/dev/ttyS0")).isTrue();
    }
}
