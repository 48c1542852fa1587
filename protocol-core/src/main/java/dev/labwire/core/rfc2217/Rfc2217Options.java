package dev.labwire.core.rfc2217;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link Rfc2217Session} sets up the port on each new link.
 *
 * @param ackTimeout     how long to wait, from the link coming up, for the server to accept COM-PORT-OPTION and then
 *                       for the answers to the settings sent; default 1 s. Greater than zero.
 * @param purgeOnConnect send PURGE-DATA (both buffers) after the settings, so bytes the device sent before the link
 *                       was made do not reach the first request; default true
 * @param raiseDtrRts    send SET-CONTROL DTR ON, and RTS ON unless flow control is RTS/CTS; default true
 * <p>A non-positive {@code ackTimeout} is refused with an {@link IllegalArgumentException}.
 */
public record Rfc2217Options(Duration ackTimeout, boolean purgeOnConnect, boolean raiseDtrRts) {
    /** 1 s to answer, purge on connect, DTR and RTS raised. */
    public static final Rfc2217Options DEFAULT = new Rfc2217Options(Duration.ofSeconds(1), true, true);

    public Rfc2217Options {
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        if (ackTimeout.isNegative() || ackTimeout.isZero()) {
            throw new IllegalArgumentException("ackTimeout " + ackTimeout + " is not positive");
        }
    }
}
