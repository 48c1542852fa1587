package dev.labwire.core.endpoint;

/** The RTS line level that enables an RS485 transceiver's driver while sending. */
public enum RtsPolarity {
    /** RTS is driven high (logical 1) while sending, low afterwards: the usual wiring. */
    HIGH,
    /** RTS is driven low while sending, high afterwards: inverted transceivers. */
    LOW
}
