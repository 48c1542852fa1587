package dev.labwire.core.scpi;

/**
 * The element type of a binary block of numbers, as set on the instrument with {@code FORM:DATA}
 * (SCPI-1999 Vol. 2, 9.1: {@code INT,8}, {@code INT,16}, {@code INT,32}, {@code REAL,32},
 * {@code REAL,64}) or a vendor command such as {@code WAV:FORM WORD}. Integers are signed two's
 * complement, reals IEEE 754; the byte order is chosen separately (SCPI {@code FORM:BORD NORM} is
 * big-endian, {@code SWAP} little-endian).
 *
 * <table>
 *   <caption>Types, sizes and the array {@link BinaryValues} gives</caption>
 *   <tr><th>type</th><th>bytes each</th><th>Java array</th><th>PyVISA datatype</th></tr>
 *   <tr><td>{@link #INT8}</td><td>1</td><td>{@code byte[]}</td><td>{@code 'b'}</td></tr>
 *   <tr><td>{@link #INT16}</td><td>2</td><td>{@code short[]}</td><td>{@code 'h'}</td></tr>
 *   <tr><td>{@link #INT32}</td><td>4</td><td>{@code int[]}</td><td>{@code 'i'}</td></tr>
 *   <tr><td>{@link #INT64}</td><td>8</td><td>{@code long[]}</td><td>{@code 'q'}</td></tr>
 *   <tr><td>{@link #FLOAT32}</td><td>4</td><td>{@code float[]}</td><td>{@code 'f'}</td></tr>
 *   <tr><td>{@link #FLOAT64}</td><td>8</td><td>{@code double[]}</td><td>{@code 'd'}</td></tr>
 * </table>
 *
 * <p>Unsigned samples (many scopes send {@code UINT8}/{@code UINT16}) decode as the signed type of the
 * same size; read them with {@link Byte#toUnsignedInt(byte)} / {@link Short#toUnsignedInt(short)}.
 */
public enum ValueType {
    /** Signed 8-bit integers, read as {@code byte[]}. */
    INT8(1),
    /** Signed 16-bit integers, read as {@code short[]}. */
    INT16(2),
    /** Signed 32-bit integers, read as {@code int[]}. */
    INT32(4),
    /** Signed 64-bit integers, read as {@code long[]}. */
    INT64(8),
    /** IEEE 754 single precision, read as {@code float[]}. */
    FLOAT32(4),
    /** IEEE 754 double precision, read as {@code double[]}. */
    FLOAT64(8);

    private final int size;

    ValueType(int size) {
        this.size = size;
    }

    /** Bytes per value: 1, 2, 4 or 8. */
    public int size() {
        return size;
    }
}
