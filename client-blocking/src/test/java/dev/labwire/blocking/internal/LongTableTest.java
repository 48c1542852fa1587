package dev.labwire.blocking.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link LongTable} does what a {@code HashMap<Long, V>} does, under random puts, gets and removes. */
class LongTableTest {

    @Test
    void randomOperationsAgreeWithAHashMap() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            LongTable<String> table = new LongTable<>();
            Map<Long, String> reference = new HashMap<>();
            long next = random.nextLong(); // ids in use: a sliding window of sequential ids, plus random ones
            for (int op = 0; op < 20_000; op++) {
                long key = random.nextInt(4) == 0 ? random.nextLong() : next - random.nextInt(300);
                switch (random.nextInt(3)) {
                    case 0 -> {
                        String v = "v" + op;
                        assertThat(table.put(key, v)).as("seed %d op %d put %d", seed, op, key).isEqualTo(reference.put(key, v));
                        next++;
                    }
                    case 1 -> assertThat(table.remove(key)).as("seed %d op %d remove %d", seed, op, key)
                            .isEqualTo(reference.remove(key));
                    default -> assertThat(table.get(key)).as("seed %d op %d get %d", seed, op, key).isEqualTo(reference.get(key));
                }
                assertThat(table.size()).isEqualTo(reference.size());
            }
            for (Map.Entry<Long, String> e : reference.entrySet()) {
                assertThat(table.get(e.getKey())).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void keysThatCollideAllStayReachableAfterRemovals() {
        LongTable<Long> table = new LongTable<>();
        for (long k = 0; k < 1000; k++) {
            table.put(k * 1024, k); // many share low bits
        }
        for (long k = 0; k < 1000; k += 2) {
            assertThat(table.remove(k * 1024)).isEqualTo(k);
        }
        for (long k = 0; k < 1000; k++) {
            assertThat(table.get(k * 1024)).isEqualTo(k % 2 == 0 ? null : k);
        }
        assertThat(table.size()).isEqualTo(500);
        assertThat(table.get(0)).isNull();
        assertThat(table.remove(0)).isNull();
    }

    @Test
    void refusesANullValueNamingTheKey() {
        assertThatThrownBy(() -> new LongTable<String>().put(7, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("7");
    }
}
