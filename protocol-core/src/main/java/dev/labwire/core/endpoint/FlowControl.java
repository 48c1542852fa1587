package dev.labwire.core.endpoint;

/** Flow control. Lab instruments mostly use none; some use hardware RTS/CTS, a few software XON/XOFF. */
public enum FlowControl {
    /** No flow control: the sender never waits. */
    NONE,
    /** Hardware handshake on the RTS and CTS lines, both directions. */
    RTS_CTS,
    /**
     * Software handshake with XON (0x11) and XOFF (0x13) bytes, both directions; binary data must avoid them. The OS
     * holds the port's output from the device's XOFF to its XON and takes both bytes out of the input (termios
     * {@code IXON}); the clients' connection also takes out and obeys any that still reach it, so they are never part
     * of a reply or a pushed frame.
     */
    XON_XOFF
}
