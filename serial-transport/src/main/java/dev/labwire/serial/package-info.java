/**
 * Serial links for lab instruments: jSerialComm behind a small API and port listing with USB identity. The settings
 * ({@link dev.labwire.core.endpoint.SerialSettings}) and the {@link dev.labwire.core.endpoint.Endpoint} strings that
 * name any link live in the protocol core's {@code dev.labwire.core.endpoint} package (since 0.2.0), so that TCP
 * users need neither this module nor jSerialComm.
 *
 * <h2>Overview</h2>
 * <ul>
 *   <li>{@link dev.labwire.core.endpoint.SerialSettings}: baud rate, data bits, parity, stop bits, flow control, RS485,
 *       immutable, with a builder; {@code SerialSettings.DEFAULT} is 9600 8N1.</li>
 *   <li>{@link dev.labwire.serial.SerialLink}: one open port. {@code read} is a short OS read (at most ~100 ms,
 *       0 when idle), {@code write} writes everything, {@code close} always returns. Protocol timeouts belong to
 *       the protocol core, not to the port.</li>
 *   <li>{@link dev.labwire.serial.SerialPortException}: every failure, with the port, a
 *       {@link dev.labwire.serial.SerialPortException.Reason} and the native error code. Never a boolean, never
 *       -1.</li>
 *   <li>{@link dev.labwire.serial.SerialPorts}: {@code list()} and {@code find(UsbId)}, so
 *       {@code serial:usb:0403:6001:A50285BI} finds the same adapter after re-plugging.</li>
 *   <li>{@link dev.labwire.core.endpoint.Endpoint}: {@code tcp://host[:port]} and
 *       {@code serial:<path>[?options]} strings, as VISA resource strings do.</li>
 * </ul>
 *
 * <h2>Port names</h2>
 * Linux: {@code serial:/dev/ttyUSB0}, {@code serial:/dev/ttyACM0}, or the stable
 * {@code serial:/dev/serial/by-id/usb-FTDI_...-if00-port0}; ptys (for example the ends of a {@code socat} pair)
 * open by path even though {@link dev.labwire.serial.SerialPorts#list()} does not list them. Windows:
 * {@code serial:COM3}; ports from COM10 up need the device namespace, {@code \\.\COM10}, which jSerialComm adds
 * by itself, so {@code serial:COM10} and {@code serial:\\.\COM10} both work.
 *
 * <h2>Permissions</h2>
 * On Linux serial devices belong to the {@code dialout} group (some distributions: {@code uucp}). Without it
 * opening fails with {@code PERMISSION_DENIED}; the message says:
 * {@code sudo usermod -aG dialout $USER}, then log in again.
 *
 * <h2>The native library and a {@code noexec} /tmp</h2>
 * jSerialComm is a JNI library. Its class initializer (checked in the 2.11.2 jar) looks for the native library
 * in this order and loads the first that works:
 * <ol>
 *   <li>if the system property {@code jSerialComm.library.path} is set: the directory
 *       {@code <path>/<OS>/<arch>/} for each candidate architecture (for example
 *       {@code <path>/Linux/x86_64/libjSerialComm.so}), then {@code <path>/libjSerialComm.so};</li>
 *   <li>{@code System.loadLibrary("jSerialComm")}, i.e. {@code java.library.path}, if its version matches;</li>
 *   <li>a copy unpacked earlier in {@code ${java.io.tmpdir}/jSerialComm/<appid>/2.11.2/}, then in
 *       {@code ${user.home}/.jSerialComm/<appid>/2.11.2/};</li>
 *   <li>a fresh copy unpacked from the jar into those two folders, in that order.</li>
 * </ol>
 * {@code <appid>} is the system property {@code fazecast.jSerialComm.appid} (default {@code .}, i.e. no
 * sub-folder); set it per application when several share a machine, because jSerialComm cleans up its unpack
 * folder on start. {@code jSerialComm.library.randomizeNativeName=true} unpacks under a new, time-stamped file name
 * each run (for systems that cache a loaded library by name).
 *
 * <p>Checked with 2.11.2 on Linux: when the temp folder is mounted {@code noexec} the copy there cannot be
 * mapped and loading falls back to {@code ~/.jSerialComm} on its own. If that is {@code noexec} or read-only too
 * (locked-down lab PCs, containers), initialising {@code SerialPort} throws {@code UnsatisfiedLinkError: Cannot load
 * native library. Errors as follows: ...}; {@link dev.labwire.serial.SerialLink#open} and
 * {@link dev.labwire.serial.SerialPorts#find} turn that into a {@code SerialPortException} (reason {@code OTHER})
 * that points here, {@link dev.labwire.serial.SerialPorts#list()} lets the error through. Fixes, any one of:
 * <pre>
 * java -Djava.io.tmpdir=/var/tmp/myapp ...             a folder on a file system mounted with exec
 * java -DjSerialComm.library.path=/opt/myapp/native ... a folder holding libjSerialComm.so (taken from the jar's
 *                                                       Linux/x86_64/ folder), or Linux/x86_64/libjSerialComm.so
 * </pre>
 * Set them on the command line (or before the first use of any class here); jSerialComm reads them once, when
 * its {@code SerialPort} class is initialised.
 *
 * <h2>JDK 24 and later</h2>
 * jSerialComm loads a native library with {@code System.loadLibrary}/{@code System.load}, which newer JDKs flag
 * with "WARNING: A restricted method in java.lang.System has been called". Add
 * {@code --enable-native-access=com.fazecast.jSerialComm} (module path) or
 * {@code --enable-native-access=ALL-UNNAMED} (class path) to the {@code java} command to allow it explicitly.
 *
 * <h2>Logging</h2>
 * Through SLF4J only: open and close at DEBUG, trouble while closing at WARN.
 */
package dev.labwire.serial;
