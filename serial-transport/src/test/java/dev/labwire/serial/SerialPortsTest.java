package dev.labwire.serial;

import dev.labwire.core.endpoint.UsbId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.serial.SerialPortException.Reason;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SerialPortsTest {

    private static final SerialPortInfo UART =
            new SerialPortInfo("/dev/ttyS0", "Physical Port S0", Optional.empty(), Optional.empty());
    private static final SerialPortInfo FTDI_A = new SerialPortInfo("/dev/ttyUSB0", "FT232R USB UART",
            Optional.of(new UsbId(0x0403, 0x6001, "A50285BI")), Optional.of("1-1.4:1.0"));
    private static final SerialPortInfo FTDI_B = new SerialPortInfo("/dev/ttyUSB1", "FT232R USB UART",
            Optional.of(new UsbId(0x0403, 0x6001, "B7")), Optional.of("1-1.5:1.0"));
    private static final SerialPortInfo NO_SERIAL = new SerialPortInfo("/dev/ttyACM0", "Arduino Uno",
            Optional.of(new UsbId(0x2341, 0x0043)), Optional.empty());

    @Test
    void listsWhatJSerialCommSees() {
        List<SerialPortInfo> ports = SerialPorts.list();
        assertThat(ports).isNotNull().doesNotContainNull();
        for (SerialPortInfo p : ports) {
            assertThat(p.path()).isNotBlank();
        }
    }

    @Test
    void findWithoutAMatchNamesThePortsSeen() {
        UsbId nobody = new UsbId(0xfffe, 0xfffd, "NOBODY");
        assertThatThrownBy(() -> SerialPorts.find(nobody)).isInstanceOfSatisfying(SerialPortException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
            assertThat(e.port()).isEqualTo("usb:fffe:fffd:NOBODY");
            assertThat(e.getMessage()).contains("no serial port has USB id fffe:fffd:NOBODY; seen ");
        });
    }

    @Test
    void selectsByVendorAndProductAndSerial() throws SerialPortException {
        List<SerialPortInfo> ports = List.of(UART, FTDI_A, FTDI_B, NO_SERIAL);
        assertThat(SerialPorts.select(ports, UsbId.parse("0403:6001:B7"))).isEqualTo(FTDI_B);
        assertThat(SerialPorts.select(ports, UsbId.parse("2341:0043"))).isEqualTo(NO_SERIAL);
    }

    @Test
    void severalMatchesAreAmbiguous() {
        List<SerialPortInfo> ports = List.of(UART, FTDI_A, FTDI_B);
        assertThatThrownBy(() -> SerialPorts.select(ports, UsbId.parse("0403:6001")))
                .isInstanceOfSatisfying(SerialPortException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.AMBIGUOUS);
                    assertThat(e.getMessage()).startsWith("usb:0403:6001: 2 serial ports have USB id 0403:6001, "
                            + "add the serial number (vid:pid[:serial]) to pick one: ")
                            .contains("/dev/ttyUSB0 \"FT232R USB UART\" usb:0403:6001:A50285BI @1-1.4:1.0")
                            .contains("/dev/ttyUSB1");
                });
    }

    @Test
    void noMatchListsEveryPort() {
        List<SerialPortInfo> ports = List.of(UART, FTDI_A);
        assertThatThrownBy(() -> SerialPorts.select(ports, UsbId.parse("0403:6001:ZZZ")))
                .isInstanceOfSatisfying(SerialPortException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
                    assertThat(e.getMessage()).contains("seen 2 ports: [/dev/ttyS0 \"Physical Port S0\", "
                            + "/dev/ttyUSB0 \"FT232R USB UART\" usb:0403:6001:A50285BI @1-1.4:1.0]");
                });
        assertThatThrownBy(() -> SerialPorts.select(List.of(), UsbId.parse("0403:6001")))
                .hasMessageContaining("seen no ports at all");
    }
}
