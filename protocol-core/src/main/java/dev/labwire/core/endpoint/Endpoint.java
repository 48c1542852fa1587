package dev.labwire.core.endpoint;

import dev.labwire.core.endpoint.internal.EndpointSyntax;
import java.util.Objects;

/**
 * Where an instrument is, as one string, the way VISA resource strings work.
 *
 * <pre>
 * tcp://192.168.1.20:5025                   TCP, SCPI raw socket
 * tcp://scope.lab                           port defaults to 5025
 * tcp://[fe80::1%eth0]:5025                 IPv6 literals in brackets
 * serial:/dev/ttyUSB0?baud=115200&amp;parity=even&amp;data=7&amp;stop=1&amp;flow=rtscts
 * serial:COM3?baud=9600                     Windows; serial:\\.\COM10 also works
 * serial:usb:0403:6001:A50285BI?baud=9600   by USB identity: survives re-plugging
 * serial:/dev/ttyAMA0?baud=19200&amp;rs485=on&amp;rs485.rts=high&amp;rs485.before=0&amp;rs485.after=500
 * vxi11://192.168.1.5                       VXI-11 device inst0, port found by the portmapper
 * vxi11://192.168.1.5/gpib0,5               VXI-11 to GPIB address 5 behind a LAN/GPIB gateway
 * hislip://192.168.1.6                      HiSLIP, port 4880, sub-address hislip0
 * rfc2217://ts.lab:7001?baud=9600&amp;parity=even  a serial port behind an RFC 2217 terminal server (ser2net)
 * TCPIP0::192.168.1.5::5025::SOCKET         VISA raw socket: the same as tcp://192.168.1.5:5025
 * TCPIP::192.168.1.5::INSTR                 VISA VXI-11: the same as vxi11://192.168.1.5/inst0
 * TCPIP::192.168.1.6::hislip0,4880::INSTR   VISA HiSLIP: the same as hislip://192.168.1.6:4880/hislip0
 * ASRL/dev/ttyUSB0::INSTR                   VISA serial port by path: serial:/dev/ttyUSB0 (9600 8N1)
 * ASRL3::INSTR                              VISA serial board 3: COM3, on Windows only
 * </pre>
 *
 * <h2>VISA resource strings</h2>
 * The VISA forms labwire can open are accepted wherever an endpoint string is, with VISA's rules (IVI VPP-4.3
 * section 4.3.1): keywords are case-insensitive ({@code tcpip0::host::5025::socket}), the board number after
 * {@code TCPIP} or {@code ASRL} is optional. The host and the device path keep their case.
 * <ul>
 *   <li>{@code TCPIP[board]::host::port::SOCKET}: a TCP endpoint. The port is required (VISA has no default for
 *       SOCKET; SCPI instruments listen on 5025). IPv6 literals go in brackets: {@code TCPIP::[fe80::1]::5025::SOCKET}.
 *       The board number is accepted and ignored (it picks a network interface in VISA).</li>
 *   <li>{@code ASRL<path>::INSTR}: a serial port by device path, as PyVISA and NI-VISA on Linux write it.</li>
 *   <li>{@code ASRL<n>::INSTR}: serial board n, which VISA maps to {@code COMn}. Only on Windows; elsewhere there
 *       are no COM names, and the string is refused naming {@code COMn} and the path form to write instead.</li>
 *   <li>Serial settings are VISA attributes, not part of the string, so an {@code ASRL} endpoint takes the defaults
 *       (9600 8N1, as VISA does); as a labwire extension the {@code ?options} below may follow {@code ::INSTR}.</li>
 *   <li>{@code TCPIP[board]::host[::device]::INSTR}: a {@link Vxi11} endpoint (device {@code inst0} when none is
 *       given), or a {@link Hislip} one when the device is {@code hislip<n>} or {@code hislip<n>,<port>}.</li>
 *   <li>Refused, each with a message naming what is not supported yet: the GPIB, GPIB-VXI, USB, VXI, PXI and
 *       FIREWIRE interface types.</li>
 * </ul>
 * A parsed VISA string is an ordinary {@link Tcp}, {@link Serial}, {@link Vxi11} or {@link Hislip}: its
 * {@code toString()} is the canonical {@code tcp://}, {@code serial:}, {@code vxi11://} or {@code hislip://} form.
 *
 * <h2>Serial options</h2>
 * Options follow a {@code ?}, joined by {@code &amp;}; each key at most once; keys and words are case-insensitive.
 * Missing keys take the {@link SerialSettings#DEFAULT} values (9600 8N1, no flow control, RS485 off).
 * <table>
 * <caption>keys</caption>
 * <tr><th>key</th><th>values</th><th>default</th></tr>
 * <tr><td>baud</td><td>a positive integer</td><td>9600</td></tr>
 * <tr><td>data</td><td>5, 6, 7, 8</td><td>8</td></tr>
 * <tr><td>parity</td><td>none, odd, even, mark, space</td><td>none</td></tr>
 * <tr><td>stop</td><td>1, 1.5, 2</td><td>1</td></tr>
 * <tr><td>flow</td><td>none, rtscts, xonxoff</td><td>none</td></tr>
 * <tr><td>rs485</td><td>on, off</td><td>off</td></tr>
 * <tr><td>rs485.rts</td><td>high, low: RTS level while sending (needs rs485=on)</td><td>high</td></tr>
 * <tr><td>rs485.before</td><td>microseconds, integer &ge; 0 (needs rs485=on)</td><td>0</td></tr>
 * <tr><td>rs485.after</td><td>microseconds, integer &ge; 0 (needs rs485=on)</td><td>0</td></tr>
 * </table>
 * A path is taken literally (no percent-decoding) and cannot contain {@code ?}.
 *
 * <p>{@link #parse} fails at once with an {@link IllegalArgumentException} naming the bad part and what is
 * allowed. {@code toString()} gives the canonical form, which {@code parse} turns back into an equal endpoint:
 * TCP always with its port, serial with every option in the order above (the {@code rs485.*} keys only when
 * RS485 is on).
 */
public sealed interface Endpoint permits Endpoint.Tcp, Endpoint.Serial, Endpoint.Vxi11, Endpoint.Hislip, Endpoint.Rfc2217 {

    /** The SCPI raw socket port (IEEE 488.2 over TCP, "LXI raw"), used when a tcp endpoint gives none. */
    int DEFAULT_TCP_PORT = 5025;

    /**
     * Parses an endpoint string.
     *
     * @throws IllegalArgumentException for null or blank input, an unknown scheme, a missing host, a bad port,
     *                                  an empty path, a bad USB id, an unknown or duplicate key or a bad value,
     *                                  a VISA form labwire cannot open yet, naming the bad part and listing what
     *                                  is allowed
     */
    static Endpoint parse(String text) {
        return EndpointSyntax.parse(text);
    }

    /**
     * A TCP endpoint.
     *
     * @param host a host name or IP address; an IPv6 literal without brackets
     * @param port 1 to 65535
     */
    record Tcp(String host, int port) implements Endpoint {
        public Tcp {
            Objects.requireNonNull(host, "host");
            EndpointSyntax.checkHost(host, host);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("TCP port " + port + " is out of range 1..65535");
            }
        }

        /** {@code tcp://host:port}, IPv6 literals in brackets. */
        @Override
        public String toString() {
            return EndpointSyntax.format(this);
        }
    }

    /**
     * A serial endpoint: by device path, or by USB identity. Exactly one of {@code path} and {@code usbId} is
     * non-null.
     *
     * @param path     the device path or name ({@code /dev/ttyUSB0}, {@code COM3}), or null
     * @param usbId    the USB identity, or null
     * @param settings line settings
     */
    record Serial(String path, UsbId usbId, SerialSettings settings) implements Endpoint {
        public Serial {
            Objects.requireNonNull(settings, "settings");
            if ((path == null) == (usbId == null)) {
                throw new IllegalArgumentException("a serial endpoint needs exactly one of path and usbId, got path="
                        + path + ", usbId=" + usbId);
            }
            if (path != null) {
                EndpointSyntax.checkPath(path, path);
            }
        }

        /** A serial endpoint by device path. */
        public static Serial ofPath(String path, SerialSettings settings) {
            return new Serial(Objects.requireNonNull(path, "path"), null, settings);
        }

        /** A serial endpoint by USB identity. */
        public static Serial ofUsb(UsbId usbId, SerialSettings settings) {
            return new Serial(null, Objects.requireNonNull(usbId, "usbId"), settings);
        }

        /** {@code serial:<path>?<options>} or {@code serial:usb:<vid>:<pid>[:<serial>]?<options>}. */
        @Override
        public String toString() {
            return EndpointSyntax.format(this);
        }
    }

    /**
     * A VXI-11 instrument (ONC RPC over TCP): {@code vxi11://host[:portmapper-port][/device]}, or VISA's
     * {@code TCPIP::host::INSTR} / {@code TCPIP::host::inst0::INSTR}. The client asks the host's portmapper (port 111
     * unless given) for the core channel's port, then opens a link to {@code device} ({@code inst0} unless given;
     * {@code gpib0,5} names a GPIB instrument behind a LAN/GPIB gateway). {@code toString()} is
     * {@code vxi11://host:port/device}. The constructor throws {@link IllegalArgumentException} naming the bad part.
     *
     * @param host           a host name, IPv4 or IPv6 address (no brackets)
     * @param portmapperPort the portmapper's TCP port, 1..65535 ({@value #PORTMAPPER_PORT} on every instrument)
     * @param device         the device name: letters, digits, '_', ',' and '.', at most 64 characters
     */
    record Vxi11(String host, int portmapperPort, String device) implements Endpoint {
        /** The portmapper's port (RFC 1833). */
        public static final int PORTMAPPER_PORT = 111;
        /** The device name when none is given. */
        public static final String DEFAULT_DEVICE = "inst0";

        public Vxi11 {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(device, "device");
            EndpointSyntax.checkHost(host, host);
            if (portmapperPort < 1 || portmapperPort > 65535) {
                throw new IllegalArgumentException("portmapper port " + portmapperPort + " is out of range 1..65535");
            }
            dev.labwire.core.endpoint.internal.LanSyntax.checkDevice(device, device);
        }

        @Override
        public String toString() {
            return dev.labwire.core.endpoint.internal.LanSyntax.format(this);
        }
    }

    /**
     * A HiSLIP instrument (IVI-6.1): {@code hislip://host[:port][/hislip<n>]}, or VISA's
     * {@code TCPIP::host::hislip0::INSTR} / {@code TCPIP::host::hislip0,4880::INSTR}. Both of its channels connect to
     * {@code port} ({@value #DEFAULT_PORT} unless given). {@code toString()} is {@code hislip://host:port/hislip0}.
     * The constructor throws {@link IllegalArgumentException} naming the bad part.
     *
     * @param host       a host name, IPv4 or IPv6 address (no brackets)
     * @param port       the TCP port, 1..65535
     * @param subAddress {@code hislip} and a number, sent in the Initialize message
     */
    record Hislip(String host, int port, String subAddress) implements Endpoint {
        /** HiSLIP's registered port. */
        public static final int DEFAULT_PORT = 4880;
        /** The sub-address when none is given. */
        public static final String DEFAULT_SUB_ADDRESS = "hislip0";

        public Hislip {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(subAddress, "subAddress");
            EndpointSyntax.checkHost(host, host);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("HiSLIP port " + port + " is out of range 1..65535");
            }
            dev.labwire.core.endpoint.internal.LanSyntax.checkSubAddress(subAddress, subAddress);
        }

        @Override
        public String toString() {
            return dev.labwire.core.endpoint.internal.LanSyntax.format(this);
        }
    }

    /**
     * A serial port behind a terminal server that speaks RFC 2217 (Telnet Com Port Control: ser2net's
     * {@code telnet(rfc2217)} accepter, Moxa/Digi/Lantronix device servers in "RFC 2217" mode):
     * {@code rfc2217://host:port[?options]}, with the serial options of {@link Serial} except the {@code rs485}
     * keys (a terminal server's RS485 mode is its own configuration, not something RFC 2217 can set). The client
     * opens TCP to {@code host:port}, negotiates the Telnet options, sends {@code settings} (baud, data bits,
     * parity, stop bits, flow control) and only then lets requests flow; it sends them again on every reconnect.
     * The port is required: terminal servers have no standard one. {@code toString()} is
     * {@code rfc2217://host:port?baud=..&data=..&parity=..&stop=..&flow=..}. For a raw TCP port of the same server
     * (no Telnet), use {@link Tcp}.
     *
     * @param host     a host name, IPv4 or IPv6 address (no brackets)
     * @param port     the TCP port, 1..65535
     * <p>How the session sets up the port ({@link dev.labwire.core.rfc2217.Rfc2217Options}) is part of the endpoint
     * too, with the keys {@code ack_ms} (how long the server has to answer COM-PORT-OPTION and the settings: whole ms
     * 1..60000, default 1000), {@code purge} (PURGE-DATA after the settings: {@code on}, the default, or {@code off})
     * and {@code dtr_rts} (raise DTR and RTS: {@code on}, the default, or {@code off}):
     * {@code rfc2217://ts:4001?baud=9600&ack_ms=3000&purge=off}. {@code toString()} shows them when they differ from
     * {@link dev.labwire.core.rfc2217.Rfc2217Options#DEFAULT}; the clients' builders can also set them
     * ({@code rfc2217Options(...)}), which gives a copy of the endpoint through {@link #withOptions}.
     *
     * @param settings the line settings to send; RS485 must be off (a bad part is refused with an
     *                 {@link IllegalArgumentException} naming it)
     * @param options  how the session sets up the port on each new link
     */
    record Rfc2217(String host, int port, SerialSettings settings, dev.labwire.core.rfc2217.Rfc2217Options options)
            implements Endpoint {
        /** An endpoint with {@link dev.labwire.core.rfc2217.Rfc2217Options#DEFAULT}. */
        public Rfc2217(String host, int port, SerialSettings settings) {
            this(host, port, settings, dev.labwire.core.rfc2217.Rfc2217Options.DEFAULT);
        }

        /** This endpoint with {@code options}. */
        public Rfc2217 withOptions(dev.labwire.core.rfc2217.Rfc2217Options options) {
            return new Rfc2217(host, port, settings, options);
        }

        public Rfc2217 {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(options, "options");
            EndpointSyntax.checkHost(host, host);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("RFC 2217 port " + port + " is out of range 1..65535");
            }
            if (settings.rs485().isEnabled()) {
                throw new IllegalArgumentException("RS485 mode cannot be set over RFC 2217 (" + settings.rs485()
                        + "); configure it on the terminal server");
            }
        }

        @Override
        public String toString() {
            return dev.labwire.core.endpoint.internal.Rfc2217Syntax.format(this);
        }
    }
}
