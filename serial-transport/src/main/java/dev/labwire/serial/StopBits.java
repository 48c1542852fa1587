package dev.labwire.serial;

/**
 * Stop bits per character.
 *
 * <p>{@link #ONE_POINT_FIVE} exists only on Windows (and there only with 5 data bits). POSIX termios has no 1.5
 * stop bits and jSerialComm would silently send 1, so {@link SerialLink#open} refuses it on other systems with
 * {@link SerialPortException.Reason#UNSUPPORTED_SETTINGS}.
 */
public enum StopBits {
    ONE,
    ONE_POINT_FIVE,
    TWO
}
