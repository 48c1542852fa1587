package dev.labwire.serial;

import dev.labwire.core.endpoint.Endpoint;
import dev.labwire.core.endpoint.SerialSettings;
import dev.labwire.core.endpoint.StopBits;
import dev.labwire.core.endpoint.UsbId;
import com.fazecast.jSerialComm.SerialPort;
import com.fazecast.jSerialComm.SerialPortInvalidPortException;
import dev.labwire.serial.SerialPortException.Reason;
import dev.labwire.serial.internal.NativeErrors;
import dev.labwire.serial.internal.PortConfig;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open serial port: short reads, whole writes, a {@link #close()} that always returns.
 *
 * <pre>{@code
 * try (SerialLink link = SerialLink.open("/dev/ttyUSB0", SerialSettings.builder().baudRate(115200).build())) {
 *     link.write(cmd, 0, cmd.length);
 *     byte[] buf = new byte[4096];
 *     while (!done) {
 *         int n = link.read(buf, 0, buf.length);   // waits at most ~100 ms; 0 means nothing arrived
 *         core.receive(ByteBuffer.wrap(buf, 0, n), System.nanoTime());
 *         ...                                       // the core's pollTimeout() decides when to give up
 *     }
 * }
 * }</pre>
 *
 * <h2>Reads are short OS reads</h2>
 * {@link #read} returns what the driver has, after waiting at most 100 ms for the
 * first byte (jSerialComm {@code TIMEOUT_READ_SEMI_BLOCKING}, termios {@code VMIN=0 VTIME=1} on POSIX). It
 * returns 0 when nothing arrived in that time. The caller, a client driver, loops; protocol timeouts belong to the
 * core, never to jSerialComm: POSIX read timeouts come in 100 ms steps and {@code VTIME} is one byte, so a
 * timeout past 25.5 s wraps around.
 *
 * <h2>Failures are exceptions, never -1</h2>
 * When the device goes away (USB unplugged, the far end of a pty closed) jSerialComm returns -1 from a read, or
 * makes no progress writing with {@code EIO}, while its {@code isOpen()} still says true. This class turns all of
 * that, and a device path that vanished, into a {@link SerialPortException} with
 * {@link Reason#DISCONNECTED}. A disconnected link stays broken: every later read and write throws
 * {@code DISCONNECTED} again until it is closed; open a new link to carry on.
 *
 * <h2>Threads</h2>
 * One thread may read while another writes. {@link #close()} may be called from any thread at any time: a read
 * in progress returns within about 100 ms and throws {@link Reason#CLOSED}; later calls throw {@code CLOSED}.
 * close waits up to one second for reads and writes in progress to leave jSerialComm, then closes the port
 * regardless (a write held back by hardware flow control can block in the kernel; closing is the only way out).
 *
 * <h2>Exclusive access</h2>
 * On Linux and macOS jSerialComm takes {@code flock(LOCK_EX | LOCK_NB)} on the device: a second process that
 * uses jSerialComm (or {@code flock}) gets {@link Reason#BUSY}. Within one JVM jSerialComm keeps one handle per
 * device, so a second open of the same device (through any symlink) is also {@code BUSY}. Programs that ignore
 * advisory locks ({@code screen}, {@code cat}) are not kept out.
 */
public final class SerialLink implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(SerialLink.class);

    /** The code jSerialComm reports, without errno, when the device is already open in this JVM. */
    private static final int JSERIALCOMM_ALREADY_OPEN = 2;

    private static final long CLOSE_WAIT_MILLIS = 1_000;

    static final String NATIVE_LIBRARY_MISSING = "cannot open: jSerialComm's native library could not be loaded "
            + "(/tmp and ~ mounted noexec? set -Djava.io.tmpdir=<exec folder> or -DjSerialComm.library.path=<folder "
            + "with libjSerialComm.so>; see the dev.labwire.serial package documentation)";

    private final String path;
    private final SerialSettings settings;
    private final SerialPort port;
    /** The device path to watch for disappearance; null for names that are not file paths (COM3). */
    private final Path devicePath;
    /** Reads and writes hold it shared; close takes it exclusively so it never closes under a native call. */
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean disconnected;

    private SerialLink(String path, SerialSettings settings, SerialPort port, Path devicePath) {
        this.path = path;
        this.settings = settings;
        this.port = port;
        this.devicePath = devicePath;
    }

    /**
     * Opens a port by path and configures it.
     *
     * @param path     {@code /dev/ttyUSB0}, {@code /dev/serial/by-id/...}, a pty or its symlink on Linux;
     *                 {@code COM3} or {@code \\.\COM10} on Windows (jSerialComm adds the {@code \\.\} prefix)
     * @param settings line settings
     * @throws SerialPortException with reason {@code NOT_FOUND}, {@code BUSY}, {@code PERMISSION_DENIED},
     *                             {@code UNSUPPORTED_SETTINGS} or {@code OTHER}, naming the path and the native code
     * @throws IllegalArgumentException if {@code path} is blank
     */
    public static SerialLink open(String path, SerialSettings settings) throws SerialPortException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(settings, "settings");
        if (path.isBlank()) {
            throw new IllegalArgumentException("serial port path is blank");
        }
        if (!NativeErrors.WINDOWS && settings.stopBits() == StopBits.ONE_POINT_FIVE) {
            throw new SerialPortException(path, Reason.UNSUPPORTED_SETTINGS, 0, "cannot open: 1.5 stop bits exist "
                    + "only on Windows; POSIX termios has 1 or 2 and jSerialComm would silently use 1");
        }
        Path devicePath = filePath(path);
        if (devicePath != null && !Files.exists(devicePath)) {
            throw new SerialPortException(path, Reason.NOT_FOUND, 0, "cannot open: no such device file");
        }
        SerialPort port;
        try {
            port = SerialPort.getCommPort(path);
        } catch (SerialPortInvalidPortException e) {
            throw new SerialPortException(path, Reason.NOT_FOUND, 0, "cannot open: no such device", e);
        } catch (LinkageError e) {
            throw new SerialPortException(path, Reason.OTHER, 0, NATIVE_LIBRARY_MISSING, e);
        }
        if (!PortConfig.apply(port, settings)) {
            throw new SerialPortException(path, Reason.UNSUPPORTED_SETTINGS, port.getLastErrorCode(),
                    "cannot open: jSerialComm rejected the settings " + settings);
        }
        if (!port.openPort()) {
            int code = port.getLastErrorCode();
            Reason reason = NativeErrors.reasonForOpen(code);
            String detail = NativeErrors.describeOpenFailure(reason, code);
            if (!NativeErrors.WINDOWS && code == JSERIALCOMM_ALREADY_OPEN && exists(port.getSystemPortPath())) {
                reason = Reason.BUSY;
                detail = "cannot open: already open in this JVM (by another SerialLink or jSerialComm SerialPort)";
            }
            throw new SerialPortException(path, reason, code, detail);
        }
        log.debug("opened serial port {} ({}) with {}", path, port.getSystemPortPath(), settings);
        return new SerialLink(path, settings, port, devicePath);
    }

    /**
     * Finds the port with this USB identity ({@link SerialPorts#find}) and opens it.
     *
     * @throws SerialPortException {@code NOT_FOUND} or {@code AMBIGUOUS} from the search (naming the ports seen),
     *                             or any reason from {@link #open(String, SerialSettings)}
     */
    public static SerialLink open(UsbId id, SerialSettings settings) throws SerialPortException {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(settings, "settings");
        return open(SerialPorts.find(id).path(), settings);
    }

    /** Opens what a {@code serial:} endpoint names, by path or by USB identity. */
    public static SerialLink open(Endpoint.Serial endpoint) throws SerialPortException {
        Objects.requireNonNull(endpoint, "endpoint");
        return endpoint.path() != null
                ? open(endpoint.path(), endpoint.settings())
                : open(endpoint.usbId(), endpoint.settings());
    }

    /**
     * Reads what has arrived, waiting at most about 100 ms for the first byte.
     *
     * @return the number of bytes read, 1 to {@code len}; 0 when nothing arrived in time (or {@code len} is 0)
     * @throws SerialPortException {@link Reason#DISCONNECTED} when the device is gone, {@link Reason#CLOSED}
     *                             after {@link #close()}
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit in {@code buf}
     */
    public int read(byte[] buf, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        checkUsable();
        if (len == 0) {
            return 0;
        }
        int n;
        gate.readLock().lock();
        try {
            checkUsable();
            n = port.readBytes(buf, len, off);
        } finally {
            gate.readLock().unlock();
        }
        if (n > 0) {
            return n;
        }
        checkUsable();
        if (n < 0) {
            throw disconnect(port.getLastErrorCode(), "read failed");
        }
        if (vanished()) {
            throw disconnect(0, "device file vanished");
        }
        return 0;
    }

    /**
     * Writes all {@code len} bytes, looping over partial writes. Returns when the driver has taken them (jSerialComm
     * {@code TIMEOUT_WRITE_BLOCKING}: on POSIX after {@code tcdrain}, i.e. when they are on the wire).
     *
     * @throws SerialPortException {@link Reason#DISCONNECTED} when the device is gone, {@link Reason#CLOSED}
     *                             after {@link #close()}, {@link Reason#OTHER} when no byte could be written for
     *                             5000 ms (flow control holding the line)
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit in {@code buf}
     */
    public void write(byte[] buf, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, buf.length);
        checkUsable();
        int written = 0;
        long stalledSince = 0;
        while (written < len) {
            int n;
            int code;
            gate.readLock().lock();
            try {
                checkUsable();
                n = port.writeBytes(buf, len - written, off + written);
                code = n > 0 ? 0 : port.getLastErrorCode();
            } finally {
                gate.readLock().unlock();
            }
            if (n > 0) {
                written += n;
                stalledSince = 0;
                continue;
            }
            checkUsable();
            if (n < 0 || code != 0) {
                throw disconnect(code, "write failed after " + written + " of " + len + " bytes");
            }
            if (vanished()) {
                throw disconnect(0, "device file vanished");
            }
            long now = System.nanoTime();
            if (stalledSince == 0) {
                stalledSince = now;
            } else if (now - stalledSince > TimeUnit.MILLISECONDS.toNanos(PortConfig.WRITE_TIMEOUT_MILLIS)) {
                throw new SerialPortException(path, Reason.OTHER, 0, "write made no progress for "
                        + PortConfig.WRITE_TIMEOUT_MILLIS + " ms after " + written + " of " + len
                        + " bytes (flow control holding the line?)");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // back off, don't spin on a stalled driver
        }
    }

    /** The path or name this link was opened with. */
    public String path() {
        return path;
    }

    /** The settings this link was opened with. */
    public SerialSettings settings() {
        return settings;
    }

    /**
     * Whether {@link #close()} has not been called yet. A disconnected link is still open in this sense: it holds
     * the port until closed, and its reads and writes throw {@link Reason#DISCONNECTED}.
     */
    public boolean isOpen() {
        return !closed.get();
    }

    /**
     * Closes the port. Idempotent, never throws, always returns (within about a second even when a write is stuck
     * in the kernel). A read blocked in another thread returns and throws {@link Reason#CLOSED}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean locked = false;
        try {
            locked = gate.writeLock().tryLock(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (!locked) {
                // expected when the client drops a link whose writes are stuck; it has said so at WARN already
                log.debug("closing serial port {} while a read or write is still in progress", path);
            }
            if (!port.closePort()) {
                log.warn("jSerialComm reported a failure closing {} (native error {})", path,
                        port.getLastErrorCode());
            }
        } catch (RuntimeException e) {
            log.warn("closing serial port {} failed", path, e);
        } finally {
            if (locked) {
                gate.writeLock().unlock();
            }
        }
        log.debug("closed serial port {}", path);
    }

    @Override
    public String toString() {
        return "SerialLink[" + path + " " + settings + (closed.get() ? ", closed" : "")
                + (disconnected ? ", disconnected" : "") + "]";
    }

    private void checkUsable() throws SerialPortException {
        if (closed.get()) {
            throw new SerialPortException(path, Reason.CLOSED, 0, "link is closed");
        }
        if (disconnected) {
            throw new SerialPortException(path, Reason.DISCONNECTED, 0, "device was disconnected earlier");
        }
    }

    private SerialPortException disconnect(int code, String what) {
        disconnected = true;
        log.debug("serial port {} disconnected: {} (native error {})", path, what, code);
        return new SerialPortException(path, Reason.DISCONNECTED, code, "device disconnected: " + what);
    }

    private boolean vanished() {
        return devicePath != null && !Files.exists(devicePath);
    }

    private static Path filePath(String path) {
        if (NativeErrors.WINDOWS || !path.contains("/")) {
            return null;
        }
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    private static boolean exists(String systemPath) {
        try {
            return systemPath != null && Files.exists(Path.of(systemPath));
        } catch (InvalidPathException e) {
            return false;
        }
    }
}
