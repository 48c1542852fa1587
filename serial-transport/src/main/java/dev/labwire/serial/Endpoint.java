package dev.labwire.serial;

import dev.labwire.serial.internal.EndpointSyntax;
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
 * </pre>
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
public sealed interface Endpoint permits Endpoint.Tcp, Endpoint.Serial {

    /** The SCPI raw socket port (IEEE 488.2 over TCP, "LXI raw"), used when a tcp endpoint gives none. */
    int DEFAULT_TCP_PORT = 5025;

    /**
     * Parses an endpoint string.
     *
     * @throws IllegalArgumentException for null or blank input, an unknown scheme, a missing host, a bad port,
     *                                  an empty path, a bad USB id, an unknown or duplicate key or a bad value,
     *                                  naming the bad part and listing what is allowed
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
}
