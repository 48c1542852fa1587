package dev.labwire.core.frame;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One frame cut from a byte stream by a {@link Framer}: a line without its terminator, the payload of
 * an IEEE 488.2 block, a decoded COBS or SLIP packet, a length-field frame.
 *
 * <p>Immutable. {@link #of(byte[])} copies its argument and {@link #toByteArray()} returns a copy, so
 * no caller can change a frame another caller holds. Text is decoded as ISO-8859-1 by {@link #asString()},
 * which maps every byte to one char and never fails; use {@link #asString(Charset)} for UTF-8 devices.
 */
public final class Frame implements FrameResult {
    private static final Frame EMPTY = new Frame(new byte[0]);
    /**
     * What a framer's cut gives while its buffer hands out views ({@link InputBuffer#isViewing()}): the frame's bytes
     * are {@link InputBuffer#viewArray()} at the view's offset and length, valid until the buffer changes. Only
     * {@link FrameReader#receive(ByteBuffer, FrameSink)} sets a buffer viewing, and it never lets this out.
     */
    static final Frame VIEW = new Frame(new byte[0]);

    static {
        dev.labwire.core.internal.FrameAccess.register(f -> f == EMPTY ? new byte[0] : f.bytes);
    }

    private final byte[] bytes;

    private Frame(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A frame holding a copy of {@code bytes}. */
    public static Frame of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Frame(bytes.clone());
    }

    /** A frame holding the ISO-8859-1 bytes of {@code text}. */
    public static Frame of(String text) {
        return wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The empty frame (an empty line, an empty block). */
    public static Frame empty() {
        return EMPTY;
    }

    /** Takes ownership of {@code bytes} without copying: only for arrays nobody else holds. */
    static Frame wrap(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Frame(bytes);
    }

    /** Number of bytes in the frame. */
    public int length() {
        return bytes.length;
    }

    /** The byte at {@code index}, 0-based. */
    public byte byteAt(int index) {
        return bytes[index];
    }

    /** A copy of the bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** A read-only view of the bytes, without copying. */
    public ByteBuffer asReadOnlyBuffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** The bytes as text, one char per byte (ISO-8859-1); never fails. */
    public String asString() {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The bytes decoded with {@code charset}; malformed input is replaced, as {@link String#String(byte[], Charset)} does. */
    public String asString(Charset charset) {
        return new String(bytes, charset);
    }

    /** True when the frame holds exactly {@code other}. */
    public boolean contentEquals(byte[] other) {
        return Arrays.equals(bytes, other);
    }

    /** True when the frame begins with {@code prefix}. */
    public boolean startsWith(byte[] prefix) {
        return prefix.length <= bytes.length
                && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && Arrays.equals(bytes, f.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The length and the bytes shown by {@link Printable}: at most 200 of them, quoted. */
    @Override
    public String toString() {
        return "Frame[" + bytes.length + " bytes: " + Printable.quoted(bytes, 0, bytes.length, Printable.DEFAULT_MAX) + "]";
    }
}
