package dev.labwire.core.testing;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * A driver's receive buffer, as drivers hand them to the core: a plain heap buffer, a heap slice inside a bigger
 * array (non-zero {@code arrayOffset}, bytes of other reads around it), a read-only heap buffer (no accessible array)
 * and a direct buffer. {@link #scribble()} then does what a driver does once {@code receive} returned: it reuses the
 * buffer, here by overwriting every byte of its storage, so a frame or event that still refers to it would change.
 */
public final class Lender {
    private final byte[] storage;     // the heap array behind the buffer (null for direct)
    private final ByteBuffer direct;  // the whole direct storage (null for heap)
    private final ByteBuffer buffer;
    private final Random random;

    private Lender(byte[] storage, ByteBuffer direct, ByteBuffer buffer, Random random) {
        this.storage = storage;
        this.direct = direct;
        this.buffer = buffer;
        this.random = random;
    }

    /** {@code chunk}'s bytes in a buffer of a kind drawn from {@code random} (mostly heap buffers). */
    public static Lender of(byte[] chunk, Random random) {
        int kind = random.nextInt(8);
        if (kind < 3) {
            byte[] a = chunk.clone();
            return new Lender(a, null, ByteBuffer.wrap(a), random);
        }
        if (kind < 6) {
            int before = random.nextInt(20);
            byte[] a = new byte[before + chunk.length + random.nextInt(20)];
            random.nextBytes(a);
            System.arraycopy(chunk, 0, a, before, chunk.length);
            ByteBuffer b = ByteBuffer.wrap(a, Math.max(0, before - random.nextInt(3)), 0);
            b.limit(before + chunk.length).position(before);
            return new Lender(a, null, random.nextBoolean() ? b.slice() : b, random);
        }
        if (kind == 6) {
            byte[] a = chunk.clone();
            return new Lender(a, null, ByteBuffer.wrap(a).asReadOnlyBuffer(), random);
        }
        ByteBuffer d = ByteBuffer.allocateDirect(chunk.length + 8);
        d.position(4);
        d.put(chunk);
        d.flip().position(4);
        return new Lender(null, d.duplicate().clear(), d, random);
    }

    /** The buffer to hand to {@code receive}. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Overwrites the buffer's whole storage with random bytes, as a driver reusing it would. */
    public void scribble() {
        if (storage != null) {
            byte[] junk = new byte[storage.length];
            random.nextBytes(junk);
            System.arraycopy(junk, 0, storage, 0, junk.length);
        } else {
            byte[] junk = new byte[direct.capacity()];
            random.nextBytes(junk);
            direct.clear();
            direct.put(junk);
        }
    }

    /** Shown in assertion messages. */
    @Override
    public String toString() {
        return "Lender[" + buffer + (storage != null ? ", array of " + storage.length : ", direct") + "]";
    }
}
