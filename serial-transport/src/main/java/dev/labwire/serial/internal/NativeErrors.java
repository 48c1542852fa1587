package dev.labwire.serial.internal;

import dev.labwire.serial.SerialPortException.Reason;
import java.util.Locale;

/**
 * Turns jSerialComm's {@code getLastErrorCode()} into a {@link Reason}. On POSIX systems the code is {@code errno}
 * (Linux numbering below; macOS and the BSDs agree for these low numbers except EAGAIN, 35 there); on Windows it
 * is a Win32 error code.
 */
public final class NativeErrors {

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int ENODEV = 19;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENOTTY = 25;
    private static final int EAGAIN_BSD = 35;

    private static final int WIN_FILE_NOT_FOUND = 2;
    private static final int WIN_PATH_NOT_FOUND = 3;
    private static final int WIN_ACCESS_DENIED = 5;
    private static final int WIN_INVALID_PARAMETER = 87;

    public static final boolean WINDOWS =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    private static final boolean LINUX =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");

    private NativeErrors() {}

    /** The reason for a failed open with this native code. */
    public static Reason reasonForOpen(int code) {
        if (WINDOWS) {
            return switch (code) {
                case WIN_FILE_NOT_FOUND, WIN_PATH_NOT_FOUND -> Reason.NOT_FOUND;
                case WIN_ACCESS_DENIED -> Reason.BUSY;
                case WIN_INVALID_PARAMETER -> Reason.UNSUPPORTED_SETTINGS;
                default -> Reason.OTHER;
            };
        }
        if (code == EAGAIN_BSD && !LINUX) {
            return Reason.BUSY;
        }
        return switch (code) {
            case ENOENT, ENXIO, ENODEV -> Reason.NOT_FOUND;
            case EACCES, EPERM -> Reason.PERMISSION_DENIED;
            case EBUSY, EAGAIN -> Reason.BUSY;
            case EINVAL -> Reason.UNSUPPORTED_SETTINGS;
            default -> Reason.OTHER;
        };
    }

    /** The symbolic name of a POSIX errno, or "" when unknown or on Windows. */
    public static String errnoName(int code) {
        if (WINDOWS) {
            return "";
        }
        return switch (code) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EIO -> "EIO";
            case ENXIO -> "ENXIO";
            case EAGAIN -> LINUX ? "EAGAIN" : "";
            case EACCES -> "EACCES";
            case EBUSY -> "EBUSY";
            case ENODEV -> "ENODEV";
            case EISDIR -> "EISDIR";
            case EINVAL -> "EINVAL";
            case ENOTTY -> "ENOTTY";
            default -> "";
        };
    }

    /** Words for the message of a failed open. */
    public static String describeOpenFailure(Reason reason, int code) {
        return switch (reason) {
            case NOT_FOUND -> "cannot open: no such device";
            case PERMISSION_DENIED -> "cannot open: permission denied";
            case BUSY -> "cannot open: port is busy (locked or opened by another process, or already open in this JVM)";
            case UNSUPPORTED_SETTINGS -> "cannot open: the driver refused the settings";
            default -> !WINDOWS && code == ENOTTY ? "cannot open: not a serial device (not a terminal)"
                    : !WINDOWS && code == EISDIR ? "cannot open: not a serial device (a directory)"
                    : "cannot open";
        };
    }

    /**
     * Whether a failed open's native {@code code} says the path is no serial device at all (a plain file, /dev/null, a
     * directory): opening it again gives the same answer.
     */
    public static boolean notASerialDevice(int code) {
        return !WINDOWS && (code == ENOTTY || code == EISDIR);
    }
}
