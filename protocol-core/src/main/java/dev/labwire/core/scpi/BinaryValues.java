package dev.labwire.core.scpi;

import dev.labwire.core.RemoteProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The numbers of one binary block reply, decoded into the primitive array of their {@link ValueType}:
 * what {@code queryBinaryValues} in both clients returns (PyVISA's {@code query_binary_values}).
 *
 * <pre>{@code
 * scope.write("FORM:DATA INT,16;:FORM:BORD NORM");
 * short[] codes = scope.queryBinaryValues("CURV?", ValueType.INT16, ByteOrder.BIG_ENDIAN).asShorts();
 *
 *   reply   # 1 6  01 00  FF FE  7F FF          (IEEE 488.2 definite block, 6 payload bytes)
 *   codes   { 256, -2, 32767 }
 * }</pre>
 *
 * <p><b>Two kinds of accessor.</b> {@code asBytes()} ... {@code asDoubles()} return the decoded array
 * itself, without a copy, and only for the matching type ({@code asShorts()} for {@link ValueType#INT16});
 * another type is an {@link IllegalStateException} naming both, so a wrong {@code FORM:DATA} never turns
 * into silently wrong numbers. Each call returns the same array: it belongs to whoever holds this object,
 * which the clients make fresh for each reply. {@link #toDoubles()} converts any type to a new
 * {@code double[]}, for scaling and plotting.
 *
 * <p><b>No extra copy.</b> {@link #decode(ByteBuffer, ValueType, ByteOrder)} reads the payload through a
 * typed view of the buffer ({@link ByteBuffer#asShortBuffer()} and its kin) with the given byte order, so the
 * bytes are copied once, straight into the result array; the clients pass a read-only view of the reply
 * frame, never a copy of it.
 *
 * <p><b>Failures.</b> A payload whose length is not a whole number of values is a
 * {@link RemoteProtocolException} naming the length, the type and its size (the instrument sent a block
 * that does not fit the format the caller expected); a {@code null} argument is a
 * {@link NullPointerException}. An empty payload is zero values.
 */
public final class BinaryValues {
    private final ValueType type;
    /** One of byte[], short[], int[], long[], float[], double[], matching {@link #type}. */
    private final Object array;
    private final int length;

    private BinaryValues(ValueType type, Object array, int length) {
        this.type = type;
        this.array = array;
        this.length = length;
    }

    /**
     * Decodes the bytes from {@code payload}'s position to its limit as values of {@code type} in
     * {@code order}. The buffer's position, limit and byte order are left as they were.
     *
     * @throws RemoteProtocolException if the number of bytes is not a multiple of {@link ValueType#size()}
     */
    public static BinaryValues decode(ByteBuffer payload, ValueType type, ByteOrder order) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(order, "order");
        int bytes = payload.remaining();
        if (bytes % type.size() != 0) {
            throw new RemoteProtocolException("binary block of " + bytes + " bytes is not a whole number of "
                    + type + " values of " + type.size() + " bytes each (" + bytes % type.size()
                    + " bytes left over); check the instrument's data format (FORM:DATA)");
        }
        int n = bytes / type.size();
        // slice() starts at the caller's position and resets the order, so set it after slicing
        ByteBuffer view = payload.slice().order(order);
        Object array = switch (type) {
            case INT8 -> {
                byte[] a = new byte[n];
                view.get(a);
                yield a;
            }
            case INT16 -> {
                short[] a = new short[n];
                view.asShortBuffer().get(a);
                yield a;
            }
            case INT32 -> {
                int[] a = new int[n];
                view.asIntBuffer().get(a);
                yield a;
            }
            case INT64 -> {
                long[] a = new long[n];
                view.asLongBuffer().get(a);
                yield a;
            }
            case FLOAT32 -> {
                float[] a = new float[n];
                view.asFloatBuffer().get(a);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                view.asDoubleBuffer().get(a);
                yield a;
            }
        };
        return new BinaryValues(type, array, n);
    }

    /**
     * {@link #decode(ByteBuffer, ValueType, ByteOrder)} of the whole of {@code payload} (a block's payload,
     * as {@link IeeeBlock#decode(byte[])} returns it; not the {@code #<n><len>} header).
     *
     * @throws RemoteProtocolException if the length is not a multiple of {@link ValueType#size()}
     */
    public static BinaryValues decode(byte[] payload, ValueType type, ByteOrder order) {
        return decode(ByteBuffer.wrap(Objects.requireNonNull(payload, "payload")), type, order);
    }

    /** The type the values were decoded as. */
    public ValueType type() {
        return type;
    }

    /** The number of values (not bytes). */
    public int length() {
        return length;
    }

    /** The {@link ValueType#INT8} values, not a copy; another type throws {@link IllegalStateException}. */
    public byte[] asBytes() {
        return (byte[]) exact(ValueType.INT8, "asBytes");
    }

    /** The {@link ValueType#INT16} values, not a copy; another type throws {@link IllegalStateException}. */
    public short[] asShorts() {
        return (short[]) exact(ValueType.INT16, "asShorts");
    }

    /** The {@link ValueType#INT32} values, not a copy; another type throws {@link IllegalStateException}. */
    public int[] asInts() {
        return (int[]) exact(ValueType.INT32, "asInts");
    }

    /** The {@link ValueType#INT64} values, not a copy; another type throws {@link IllegalStateException}. */
    public long[] asLongs() {
        return (long[]) exact(ValueType.INT64, "asLongs");
    }

    /** The {@link ValueType#FLOAT32} values, not a copy; another type throws {@link IllegalStateException}. */
    public float[] asFloats() {
        return (float[]) exact(ValueType.FLOAT32, "asFloats");
    }

    /**
     * The {@link ValueType#FLOAT64} values, not a copy; for other types use {@link #toDoubles()}.
     *
     * @throws IllegalStateException for another type
     */
    public double[] asDoubles() {
        return (double[]) exact(ValueType.FLOAT64, "asDoubles");
    }

    /**
     * The values of any type as a new {@code double[]}. Exact for every type except {@link ValueType#INT64}
     * values beyond 2<sup>53</sup> in magnitude, which round to the nearest double.
     */
    public double[] toDoubles() {
        double[] out = new double[length];
        switch (type) {
            case INT8 -> {
                byte[] a = (byte[]) array;
                for (int i = 0; i < length; i++) {
                    out[i] = a[i];
                }
            }
            case INT16 -> {
                short[] a = (short[]) array;
                for (int i = 0; i < length; i++) {
                    out[i] = a[i];
                }
            }
            case INT32 -> {
                int[] a = (int[]) array;
                for (int i = 0; i < length; i++) {
                    out[i] = a[i];
                }
            }
            case INT64 -> {
                long[] a = (long[]) array;
                for (int i = 0; i < length; i++) {
                    out[i] = a[i];
                }
            }
            case FLOAT32 -> {
                float[] a = (float[]) array;
                for (int i = 0; i < length; i++) {
                    out[i] = a[i];
                }
            }
            case FLOAT64 -> System.arraycopy((double[]) array, 0, out, 0, length);
        }
        return out;
    }

    private Object exact(ValueType wanted, String accessor) {
        if (type != wanted) {
            throw new IllegalStateException(accessor + "() needs " + wanted + " values but these are " + type
                    + "; use " + accessorOf(type) + "() or toDoubles()");
        }
        return array;
    }

    private static String accessorOf(ValueType type) {
        return switch (type) {
            case INT8 -> "asBytes";
            case INT16 -> "asShorts";
            case INT32 -> "asInts";
            case INT64 -> "asLongs";
            case FLOAT32 -> "asFloats";
            case FLOAT64 -> "asDoubles";
        };
    }

    /** The type and count, e.g. {@code BinaryValues[INT16 x 1000]}. */
    @Override
    public String toString() {
        return "BinaryValues[" + type + " x " + length + "]";
    }
}
