package dev.labwire.core.scpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class BinaryValuesTest {

    private static final ByteOrder[] ORDERS = {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN};

    static Stream<Arguments> typesAndOrders() {
        return Stream.of(ValueType.values()).flatMap(t -> Stream.of(ORDERS).map(o -> Arguments.of(t, o)));
    }

    /** Edge values of each type, written into a payload the slow way (one put per value). */
    private static byte[] payload(ValueType type, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(5 * type.size()).order(order);
        switch (type) {
            case INT8 -> b.put((byte) 0).put((byte) 1).put((byte) -1).put(Byte.MIN_VALUE).put(Byte.MAX_VALUE);
            case INT16 -> b.putShort((short) 0).putShort((short) 258).putShort((short) -2)
                    .putShort(Short.MIN_VALUE).putShort(Short.MAX_VALUE);
            case INT32 -> b.putInt(0).putInt(0x01020304).putInt(-2).putInt(Integer.MIN_VALUE).putInt(Integer.MAX_VALUE);
            case INT64 -> b.putLong(0).putLong(0x0102030405060708L).putLong(-2)
                    .putLong(Long.MIN_VALUE).putLong(Long.MAX_VALUE);
            case FLOAT32 -> b.putFloat(0f).putFloat(1.5f).putFloat(-2.25e-3f)
                    .putFloat(Float.NaN).putFloat(Float.NEGATIVE_INFINITY);
            case FLOAT64 -> b.putDouble(0).putDouble(1.5).putDouble(-2.25e-300)
                    .putDouble(Double.NaN).putDouble(Double.POSITIVE_INFINITY);
        }
        return b.array();
    }

    private static double[] expected(ValueType type) {
        return switch (type) {
            case INT8 -> new double[] {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE};
            case INT16 -> new double[] {0, 258, -2, Short.MIN_VALUE, Short.MAX_VALUE};
            case INT32 -> new double[] {0, 0x01020304, -2, Integer.MIN_VALUE, Integer.MAX_VALUE};
            case INT64 -> new double[] {0, 0x0102030405060708L, -2, Long.MIN_VALUE, Long.MAX_VALUE};
            case FLOAT32 -> new double[] {0, 1.5, -2.25e-3f, Double.NaN, Double.NEGATIVE_INFINITY};
            case FLOAT64 -> new double[] {0, 1.5, -2.25e-300, Double.NaN, Double.POSITIVE_INFINITY};
        };
    }

    @ParameterizedTest
    @MethodSource("typesAndOrders")
    void valuesRoundTripThroughABlock(ValueType type, ByteOrder order) {
        byte[] block = IeeeBlock.encode(payload(type, order));

        BinaryValues v = BinaryValues.decode(IeeeBlock.decode(block), type, order);

        assertThat(v.type()).isEqualTo(type);
        assertThat(v.length()).isEqualTo(5);
        assertThat(v.toDoubles()).containsExactly(expected(type));
        switch (type) {
            case INT8 -> assertThat(v.asBytes()).containsExactly(0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case INT16 -> assertThat(v.asShorts()).containsExactly((short) 0, (short) 258, (short) -2,
                    Short.MIN_VALUE, Short.MAX_VALUE);
            case INT32 -> assertThat(v.asInts()).containsExactly(0, 0x01020304, -2, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case INT64 -> assertThat(v.asLongs()).containsExactly(0, 0x0102030405060708L, -2, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT32 -> assertThat(v.asFloats()).containsExactly(0f, 1.5f, -2.25e-3f, Float.NaN, Float.NEGATIVE_INFINITY);
            case FLOAT64 -> assertThat(v.asDoubles()).containsExactly(0, 1.5, -2.25e-300, Double.NaN, Double.POSITIVE_INFINITY);
        }
    }

    @Test
    void byteOrderIsTheOneAskedFor() {
        byte[] payload = {0x01, 0x02, (byte) 0xFF, (byte) 0xFE};
        assertThat(BinaryValues.decode(payload, ValueType.INT16, ByteOrder.BIG_ENDIAN).asShorts())
                .containsExactly((short) 0x0102, (short) -2);
        assertThat(BinaryValues.decode(payload, ValueType.INT16, ByteOrder.LITTLE_ENDIAN).asShorts())
                .containsExactly((short) 0x0201, (short) 0xFEFF);
        assertThat(BinaryValues.decode(payload, ValueType.INT32, ByteOrder.BIG_ENDIAN).asInts())
                .containsExactly(0x0102FFFE);
        assertThat(BinaryValues.decode(payload, ValueType.INT32, ByteOrder.LITTLE_ENDIAN).asInts())
                .containsExactly(0xFEFF0201);
    }

    @ParameterizedTest
    @EnumSource(value = ValueType.class, names = "INT8", mode = EnumSource.Mode.EXCLUDE)
    void aPayloadThatIsNotWholeValuesIsRefusedNamingBothLengths(ValueType type) {
        for (ByteOrder order : ORDERS) {
            for (int extra = 1; extra < type.size(); extra++) {
                int bytes = 3 * type.size() + extra;
                assertThatThrownBy(() -> BinaryValues.decode(new byte[bytes], type, order))
                        .isInstanceOf(RemoteProtocolException.class)
                        .hasMessageContaining(bytes + " bytes")
                        .hasMessageContaining(type + " values of " + type.size() + " bytes each")
                        .hasMessageContaining(extra + " bytes left over");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ValueType.class)
    void anEmptyPayloadIsNoValues(ValueType type) {
        BinaryValues v = BinaryValues.decode(new byte[0], type, ByteOrder.BIG_ENDIAN);
        assertThat(v.length()).isZero();
        assertThat(v.toDoubles()).isEmpty();
    }

    @Test
    void decodingAViewReadsFromPositionToLimitAndLeavesTheBufferAlone() {
        ByteBuffer buf = ByteBuffer.wrap(new byte[] {9, 0, 1, 0, 2, 9}).asReadOnlyBuffer();
        buf.position(1).limit(5);

        short[] s = BinaryValues.decode(buf, ValueType.INT16, ByteOrder.BIG_ENDIAN).asShorts();

        assertThat(s).containsExactly((short) 1, (short) 2);
        assertThat(buf.position()).isEqualTo(1);
        assertThat(buf.limit()).isEqualTo(5);
        assertThat(buf.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
    }

    @Test
    void theExactAccessorHandsOverTheDecodedArrayAndToDoublesCopies() {
        BinaryValues v = BinaryValues.decode(new byte[16], ValueType.FLOAT64, ByteOrder.LITTLE_ENDIAN);
        assertThat(v.asDoubles()).isSameAs(v.asDoubles());
        assertThat(v.toDoubles()).isNotSameAs(v.asDoubles()).containsExactly(0, 0);
    }

    @Test
    void aMismatchedAccessorNamesBothTypes() {
        BinaryValues v = BinaryValues.decode(new byte[4], ValueType.INT16, ByteOrder.BIG_ENDIAN);
        assertThatThrownBy(v::asInts).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("asInts() needs INT32 values but these are INT16")
                .hasMessageContaining("asShorts()");
        assertThatThrownBy(v::asDoubles).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("toDoubles()");
        assertThat(v).hasToString("BinaryValues[INT16 x 2]");
    }

    @Test
    void sizesAreThoseOfTheJavaTypes() {
        assertThat(ValueType.INT8.size()).isEqualTo(Byte.BYTES);
        assertThat(ValueType.INT16.size()).isEqualTo(Short.BYTES);
        assertThat(ValueType.INT32.size()).isEqualTo(Integer.BYTES);
        assertThat(ValueType.INT64.size()).isEqualTo(Long.BYTES);
        assertThat(ValueType.FLOAT32.size()).isEqualTo(Float.BYTES);
        assertThat(ValueType.FLOAT64.size()).isEqualTo(Double.BYTES);
    }

    @Test
    void nullsAreRefused() {
        assertThatThrownBy(() -> BinaryValues.decode((byte[]) null, ValueType.INT8, ByteOrder.BIG_ENDIAN))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("payload");
        assertThatThrownBy(() -> BinaryValues.decode(new byte[0], null, ByteOrder.BIG_ENDIAN))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("type");
        assertThatThrownBy(() -> BinaryValues.decode(new byte[0], ValueType.INT8, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("order");
    }
}
