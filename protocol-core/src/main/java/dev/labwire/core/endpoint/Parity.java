package dev.labwire.core.endpoint;

/**
 * The parity bit. {@link #MARK} and {@link #SPACE} are a parity bit that is always 1 or always 0 (on Linux the
 * termios {@code CMSPAR} flag); some RS485 protocols use them as a ninth "address" bit.
 */
public enum Parity {
    NONE,
    ODD,
    EVEN,
    MARK,
    SPACE
}
