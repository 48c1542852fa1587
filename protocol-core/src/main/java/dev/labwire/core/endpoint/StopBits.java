package dev.labwire.core.endpoint;

/**
 * Stop bits per character.
 *
 * <p>{@link #ONE_POINT_FIVE} exists only on Windows (and there only with 5 data bits). POSIX termios has no 1.5
 * stop bits and jSerialComm would silently send 1, so {@code SerialLink.open} (labwire-serial-transport) refuses it on other systems with
 * {@code SerialPortException.Reason.UNSUPPORTED_SETTINGS}.
 */
public enum StopBits {
    ONE,
    ONE_POINT_FIVE,
    TWO
}
