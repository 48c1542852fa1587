package dev.labwire.core.endpoint;

import java.time.Duration;
import java.util.Objects;

/**
 * Kernel RS485 mode: the UART driver itself switches the transceiver to send with the RTS line, so no byte is
 * lost to a late turnaround.
 *
 * <p>Use {@link #DISABLED} (the default) for RS232, USB CDC devices and RS485 adapters that switch direction on
 * their own (most USB-RS485 dongles), and {@link #enabled(RtsPolarity, Duration, Duration)} for a UART with a
 * transceiver on RTS (for example a Raspberry Pi HAT). On Linux the settings are applied with the
 * {@code TIOCSRS485} ioctl; the kernel counts the delays in whole milliseconds, so sub-millisecond parts are
 * dropped. jSerialComm 2.11 ignores a failing {@code TIOCSRS485}: a driver without kernel RS485 support (every
 * pty, most USB adapters) silently stays in plain mode, and nothing here can tell.
 *
 * @param mode        whether kernel RS485 mode is on
 * @param rtsActive   the RTS level while sending; {@link RtsPolarity#HIGH} when disabled
 * @param delayBefore time between raising RTS and the first bit: whole microseconds, 0 to {@link #MAX_DELAY};
 *                    zero when disabled
 * @param delayAfter  time between the last bit and dropping RTS: whole microseconds, 0 to {@link #MAX_DELAY};
 *                    zero when disabled
 */
public record Rs485(Mode mode, RtsPolarity rtsActive, Duration delayBefore, Duration delayAfter) {

    /** Whether the kernel drives RS485 direction switching. */
    public enum Mode {
        DISABLED,
        ENABLED
    }

    /** The largest delay: jSerialComm takes the delay as an {@code int} of microseconds. */
    public static final Duration MAX_DELAY = Duration.ofNanos(Integer.MAX_VALUE * 1000L);

    /** RS485 mode off: the link is plain RS232 as far as the driver knows. */
    public static final Rs485 DISABLED = new Rs485(Mode.DISABLED, RtsPolarity.HIGH, Duration.ZERO, Duration.ZERO);

    /** Validates; for {@link Mode#DISABLED} only the values of {@link #DISABLED} are accepted. */
    public Rs485 {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(rtsActive, "rtsActive");
        Objects.requireNonNull(delayBefore, "delayBefore");
        Objects.requireNonNull(delayAfter, "delayAfter");
        checkDelay("delayBefore", delayBefore);
        checkDelay("delayAfter", delayAfter);
        if (mode == Mode.DISABLED
                && (rtsActive != RtsPolarity.HIGH || !delayBefore.isZero() || !delayAfter.isZero())) {
            throw new IllegalArgumentException("RS485 is disabled but rtsActive=" + rtsActive + ", delayBefore="
                    + delayBefore + ", delayAfter=" + delayAfter + " were given; use Rs485.enabled(...)");
        }
    }

    /** RS485 on, RTS high while sending, no delays. */
    public static Rs485 enabled() {
        return enabled(RtsPolarity.HIGH, Duration.ZERO, Duration.ZERO);
    }

    /** RS485 on with the given RTS level and delays around each transmission. */
    public static Rs485 enabled(RtsPolarity rtsActive, Duration delayBefore, Duration delayAfter) {
        return new Rs485(Mode.ENABLED, rtsActive, delayBefore, delayAfter);
    }

    /** Whether kernel RS485 mode is on. */
    public boolean isEnabled() {
        return mode == Mode.ENABLED;
    }

    private static void checkDelay(String name, Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException(name + " " + delay + " is negative; RS485 delays must be >= 0");
        }
        if (delay.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException(name + " " + delay + " is too long; at most " + MAX_DELAY);
        }
        if (delay.toNanos() % 1000 != 0) {
            throw new IllegalArgumentException(name + " " + delay + " is not a whole number of microseconds");
        }
    }

    @Override
    public String toString() {
        if (!isEnabled()) {
            return "RS485 off";
        }
        return "RS485 on (RTS " + rtsActive + " while sending, " + delayBefore.toNanos() / 1000 + " us before, "
                + delayAfter.toNanos() / 1000 + " us after)";
    }
}
