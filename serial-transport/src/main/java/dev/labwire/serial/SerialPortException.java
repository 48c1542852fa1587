package dev.labwire.serial;

import dev.labwire.serial.internal.NativeErrors;
import java.io.IOException;
import java.util.Objects;

/**
 * A serial port could not be found, opened or used. Says which port, why ({@link #reason()}) and the operating
 * system's error code ({@link #nativeErrorCode()}).
 *
 * <p>The message reads like {@code /dev/ttyUSB0: cannot open: permission denied (reason PERMISSION_DENIED,
 * native error 13 EACCES); add the user to the dialout group (sudo usermod -aG dialout $USER, then log in
 * again)}.
 */
public class SerialPortException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The hint given for {@link Reason#PERMISSION_DENIED}. */
    public static final String DIALOUT_HINT =
            "add the user to the dialout group (sudo usermod -aG dialout $USER, then log in again)";

    /** Why a port operation failed. */
    public enum Reason {
        /** No such device: the path does not exist, or no port has the requested USB identity. */
        NOT_FOUND,
        /** Several ports have the requested USB identity; add the serial number to pick one. */
        AMBIGUOUS,
        /** Another process (a {@code flock}, jSerialComm's exclusive lock) or this JVM already has it open. */
        BUSY,
        /** The user may not open the device node (on Linux: not in the {@code dialout} group). */
        PERMISSION_DENIED,
        /** The driver refused the settings (baud rate, 1.5 stop bits on POSIX, ...). */
        UNSUPPORTED_SETTINGS,
        /** The device went away while open: unplugged, or the other end of a pty closed. Final for the link. */
        DISCONNECTED,
        /** The link was closed by {@link SerialLink#close()} in this process. */
        CLOSED,
        /** Anything else; see the message and the native error code. */
        OTHER
    }

    private final String port;
    private final Reason reason;
    private final int nativeErrorCode;

    /**
     * @param port            the port path or name as the caller gave it ({@code /dev/ttyUSB0}, {@code COM3}), or
     *                        the USB id ({@code usb:0403:6001}) when looking one up
     * @param reason          why it failed
     * @param nativeErrorCode the OS error code, or 0 when no native call failed (see {@link #nativeErrorCode()})
     * @param detail          what was being done and what happened, e.g. {@code "cannot open"}
     */
    public SerialPortException(String port, Reason reason, int nativeErrorCode, String detail) {
        this(port, reason, nativeErrorCode, detail, null);
    }

    /** As {@link #SerialPortException(String, Reason, int, String)}, with a cause. */
    public SerialPortException(String port, Reason reason, int nativeErrorCode, String detail, Throwable cause) {
        super(message(port, reason, nativeErrorCode, detail), cause);
        this.port = Objects.requireNonNull(port, "port");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.nativeErrorCode = nativeErrorCode;
    }

    /** The port path or name as given to {@link SerialLink#open}, or {@code usb:<vid>:<pid>[:<serial>]}. */
    public String port() {
        return port;
    }

    /** Why it failed. */
    public Reason reason() {
        return reason;
    }

    /**
     * The error code jSerialComm reported ({@code SerialPort.getLastErrorCode()}), or 0 when the failure was found
     * without a failing native call (a missing path checked up front, a closed link, an unsupported setting).
     * On Linux and macOS it is the C {@code errno} (2 ENOENT, 13 EACCES, 16 EBUSY, 11 EAGAIN from a held
     * {@code flock}, 5 EIO, ...); on Windows it is the Win32 {@code GetLastError()} code (2 file not found, 5 access
     * denied, which for a COM port means it is open elsewhere). One jSerialComm quirk: a port already open in this
     * JVM gives the code 2 with no {@code errno} behind it; {@link SerialLink#open} reports that as
     * {@link Reason#BUSY}.
     */
    public int nativeErrorCode() {
        return nativeErrorCode;
    }

    private static String message(String port, Reason reason, int code, String detail) {
        StringBuilder m = new StringBuilder();
        m.append(port).append(": ").append(detail).append(" (reason ").append(reason)
                .append(", native error ").append(code);
        String name = NativeErrors.errnoName(code);
        if (code != 0 && !name.isEmpty()) {
            m.append(' ').append(name);
        }
        m.append(')');
        if (reason == Reason.PERMISSION_DENIED) {
            m.append("; ").append(DIALOUT_HINT);
        }
        return m.toString();
    }
}
