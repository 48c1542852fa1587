package dev.labwire.core.endpoint;

/** Flow control. Lab instruments mostly use none; some use hardware RTS/CTS, a few software XON/XOFF. */
public enum FlowControl {
    /** No flow control: the sender never waits. */
    NONE,
    /** Hardware handshake on the RTS and CTS lines, both directions. */
    RTS_CTS,
    /** Software handshake with XON (0x11) and XOFF (0x13) bytes, both directions; binary data must avoid them. */
    XON_XOFF
}
