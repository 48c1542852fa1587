package dev.labwire.core.modbus.internal;

import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Addressing;
import java.time.Duration;
import java.util.Optional;

/**
 * What Modbus RTU and ASCII addressing share: unit addresses 0 (broadcast) and 1..247 (Serial Line v1.02 section
 * 2.2: 248..255 are reserved), and the turnaround delay after a broadcast.
 */
public interface SerialAddressing extends Addressing {

    /** The quiet time after a broadcast: the spec's "turnaround delay". */
    Duration broadcastDelay();

    @Override
    default Optional<Duration> turnaroundAfterWrite(Address address) {
        return address.isNumeric() && address.number() == 0 ? Optional.of(broadcastDelay()) : Optional.empty();
    }

    /** The unit number of {@code address}, refusing what a serial line cannot address. */
    static int unit(Address address) {
        if (!address.isNumeric()) {
            throw new IllegalArgumentException("Modbus addresses units by number (0 broadcast, 1..247): " + address);
        }
        int n = address.number();
        if (n > 247) {
            throw new IllegalArgumentException("Modbus serial unit address must be 0 (broadcast) or 1..247 (248..255 are reserved): " + n);
        }
        return n;
    }
}
