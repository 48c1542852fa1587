package dev.labwire.discovery;

/** Where a {@link FoundInstrument} came from. */
public enum Source {
    /** An mDNS/DNS-SD service announced on the local network ({@code _scpi-raw._tcp}, {@code _hislip._tcp}, ...). */
    MDNS,
    /** A VXI-11 portmapper that answered a broadcast GETPORT for the VXI-11 core program. */
    VXI11_BROADCAST,
    /** A serial port of this machine, as the serial transport lists it (with its USB identity, when it has one). */
    SERIAL
}
