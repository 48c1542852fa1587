package dev.labwire.blocking.internal;

import java.util.Arrays;

/**
 * A map from {@code long} keys (the core's request ids) to values, without boxing: open addressing, linear probing,
 * deletion by backward shift (no tombstones), capacity a power of two kept at most half full. The calls of one driver
 * are a handful to a few thousand at a time; a {@code HashMap<Long, Call>} cost a {@code Long} per call and the
 * boxed compares showed in the profile of {@code queryAll} (docs/BENCHMARKS.md). Not thread-safe: used under the
 * driver's lock. Memory: it grows with the most entries held at once and never shrinks below that.
 */
final class LongTable<V> {
    private long[] keys;
    private Object[] values; // null: a free slot
    private int size;

    LongTable() {
        keys = new long[16];
        values = new Object[16];
    }

    int size() {
        return size;
    }

    /** Hands every value to {@code action}, which must not change the table. */
    @SuppressWarnings("unchecked")
    void forEachValue(java.util.function.Consumer<V> action) {
        for (Object v : values) {
            if (v != null) {
                action.accept((V) v);
            }
        }
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return (V) values[i];
            }
        }
        return null;
    }

    /** Maps {@code key} to {@code value} (not null); returns the value it replaced, or null. */
    @SuppressWarnings("unchecked")
    V put(long key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null value for key " + key);
        }
        int mask = keys.length - 1;
        int i = slot(key, mask);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) {
            grow();
        }
        return null;
    }

    /** Removes {@code key}; returns its value, or null when it was not there. */
    @SuppressWarnings("unchecked")
    V remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        for (; values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                shiftBack(i, mask);
                size--;
                return old;
            }
        }
        return null;
    }

    /** Slot {@code gap} was freed: moves back every later entry of the run that may not stay past the gap. */
    private void shiftBack(int gap, int mask) {
        for (int j = (gap + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j], mask);
            // the entry at j may move to the gap if its home is not in the cyclic range (gap, j]
            if (((j - home) & mask) >= ((j - gap) & mask)) {
                keys[gap] = keys[j];
                values[gap] = values[j];
                gap = j;
            }
        }
        values[gap] = null;
        keys[gap] = 0;
    }

    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        int mask = keys.length - 1;
        for (int k = 0; k < oldKeys.length; k++) {
            if (oldValues[k] != null) {
                int i = slot(oldKeys[k], mask);
                while (values[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[k];
                values[i] = oldValues[k];
            }
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing: consecutive ids spread over the table
        return (int) (h ^ (h >>> 32)) & mask;
    }

    @Override
    public String toString() {
        return "LongTable[size " + size + ", capacity " + keys.length + ", keys " + Arrays.toString(
                java.util.stream.IntStream.range(0, keys.length).filter(i -> values[i] != null).mapToLong(i -> keys[i]).toArray()) + "]";
    }
}
