package dev.labwire.core.bus;

import dev.labwire.core.frame.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Which device on a bus a request is for: a text address such as {@code "A"} (ASCII-prefix protocols:
 * mass flow controllers, pumps, temperature controllers) or a number 0..255 (binary protocols: Modbus
 * RTU slave ids). Immutable; equal when kind and bytes are equal, so {@code Address.of("A")} and
 * {@code Address.of(65)} are different addresses (they belong to different {@link Addressing}s).
 *
 * <pre>{@code
 * Address.of("A")     // text:   "A" on the wire
 * Address.of("01")    // text:   "01"
 * Address.of(17)      // number: 0x11 on the wire
 * }</pre>
 *
 * A text address is 1 to {@value #MAX_TEXT_LENGTH} printable ASCII chars (0x21..0x7E: no space, no
 * control char, so never a line terminator); a number is 0..255. Anything else is refused with an
 * {@link IllegalArgumentException} naming the value.
 */
public final class Address {
    /** The longest text address: {@value} chars. */
    public static final int MAX_TEXT_LENGTH = 16;

    private final byte[] bytes;
    private final boolean numeric;

    private Address(byte[] bytes, boolean numeric) {
        this.bytes = bytes;
        this.numeric = numeric;
    }

    /** A text address, e.g. {@code "A"}. */
    public static Address of(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("a text address must be 1 to " + MAX_TEXT_LENGTH + " chars: "
                    + (text == null ? "null" : "\"" + text + "\" has " + text.length()));
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw new IllegalArgumentException("a text address must be printable ASCII without spaces: \""
                        + text + "\" has U+" + String.format("%04X", (int) c) + " at index " + i);
            }
        }
        return new Address(text.getBytes(StandardCharsets.US_ASCII), false);
    }

    /** A numeric address 0..255, sent as one byte. */
    public static Address of(int number) {
        if (number < 0 || number > 255) {
            throw new IllegalArgumentException("a numeric address must be 0..255: " + number);
        }
        return new Address(new byte[] {(byte) number}, true);
    }

    /** True for {@link #of(int)} addresses, false for text ones. */
    public boolean isNumeric() {
        return numeric;
    }

    /** The number of a numeric address. @throws IllegalStateException for a text address */
    public int number() {
        if (!numeric) {
            throw new IllegalStateException("address " + this + " is text, not a number");
        }
        return bytes[0] & 0xFF;
    }

    /** The text of a text address. @throws IllegalStateException for a numeric address */
    public String text() {
        if (numeric) {
            throw new IllegalStateException("address " + this + " is a number, not text");
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** A copy of the address as it goes on the wire. */
    public byte[] bytes() {
        return bytes.clone();
    }

    byte[] bytesNoCopy() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Address a && a.numeric == numeric && Arrays.equals(a.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 2 + (numeric ? 1 : 0);
    }

    /** {@code "A"} for text, {@code 17 (0x11)} for numbers. */
    @Override
    public String toString() {
        return numeric ? number() + " (" + Printable.hex(bytes[0]) + ")" : "\"" + text() + "\"";
    }
}
