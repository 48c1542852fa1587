package dev.labwire.core.bus;

import java.util.Objects;

/** The built-in {@link Checksum}s: CRC-16/MODBUS (table driven), sum8, xor8. */
final class Checksums {
    static final Checksum CRC16_MODBUS = new Builtin("CRC-16/MODBUS", 2) {
        @Override
        int update(int crc, byte b) {
            return (crc >>> 8) ^ CRC16_TABLE[(crc ^ b) & 0xFF];
        }

        @Override
        int initial() {
            return 0xFFFF;
        }
    };

    static final Checksum SUM8 = new Builtin("sum8", 1) {
        @Override
        int update(int sum, byte b) {
            return (sum + b) & 0xFF;
        }
    };

    static final Checksum XOR8 = new Builtin("xor8", 1) {
        @Override
        int update(int x, byte b) {
            return (x ^ b) & 0xFF;
        }
    };

    /** CRC-16/MODBUS one byte at a time: the table of the reflected polynomial 0xA001. */
    private static final int[] CRC16_TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int bit = 0; bit < 8; bit++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xA001 : c >>> 1;
            }
            CRC16_TABLE[i] = c;
        }
    }

    private Checksums() {
    }

    /** {@code 0x4B37} for a 2-byte value, {@code 0xDD} for a 1-byte one. */
    static String hex(int value, int size) {
        long v = size >= 4 ? value & 0xFFFF_FFFFL : value & ((1L << (8 * size)) - 1);
        return String.format("0x%0" + (2 * size) + "X", v);
    }

    private abstract static class Builtin implements Checksum {
        private final String name;
        private final int size;

        Builtin(String name, int size) {
            this.name = name;
            this.size = size;
        }

        abstract int update(int value, byte b);

        int initial() {
            return 0;
        }

        @Override
        public final int compute(byte[] data, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, data.length);
            int v = initial();
            for (int i = offset; i < offset + length; i++) {
                v = update(v, data[i]);
            }
            return v;
        }

        @Override
        public final String name() {
            return name;
        }

        @Override
        public final int size() {
            return size;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
