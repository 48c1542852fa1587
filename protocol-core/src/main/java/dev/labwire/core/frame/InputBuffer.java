package dev.labwire.core.frame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The bytes received but not yet consumed by a {@link Framer}: a growable array with a read index and a
 * write index, compacted in place before it grows.
 *
 * <pre>
 *   consumed        readable bytes            free
 * |..........|R=====================W|...................|
 *            ^ offset 0 = position()  ^ offset readableBytes()
 * </pre>
 *
 * <p>Offsets in {@link #get}, {@link #indexOf} and friends count from the read index. {@link #position()}
 * is the absolute number of bytes consumed since the buffer was made; framers keep their scan progress
 * as absolute positions so that they never rescan bytes, even when someone else consumed bytes in between.
 *
 * <p>Capacity grows to hold what is appended and is never larger than the largest readable amount seen
 * (rounded up to a power of two). A buffer that is emptied keeps its array. Not thread-safe.
 */
public final class InputBuffer {
    private byte[] data;
    private int read;
    private int write;
    private long base; // absolute position of data[0]

    /** An empty buffer with a 256-byte initial capacity. */
    public InputBuffer() {
        this(256);
    }

    /** An empty buffer; {@code initialCapacity} must be positive. */
    public InputBuffer(int initialCapacity) {
        if (initialCapacity <= 0) {
            throw new IllegalArgumentException("initialCapacity must be positive: " + initialCapacity);
        }
        data = new byte[initialCapacity];
    }

    /** Appends every remaining byte of {@code src}, advancing its position. */
    public void append(ByteBuffer src) {
        append(src, src.remaining());
    }

    /** Appends at most {@code maxBytes} remaining bytes of {@code src}; returns how many were taken. */
    public int append(ByteBuffer src, int maxBytes) {
        Objects.requireNonNull(src, "src");
        int n = Math.min(src.remaining(), maxBytes);
        if (n <= 0) {
            return 0;
        }
        ensureWritable(n);
        src.get(data, write, n);
        write += n;
        return n;
    }

    /** Appends {@code len} bytes of {@code b} from {@code off}. */
    public void append(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureWritable(len);
        System.arraycopy(b, off, data, write, len);
        write += len;
    }

    /** Appends all of {@code b}. */
    public void append(byte[] b) {
        append(b, 0, b.length);
    }

    private void ensureWritable(int n) {
        if (data.length - write >= n) {
            return;
        }
        int readable = write - read;
        if (data.length - readable >= n && read > 0) {
            System.arraycopy(data, read, data, 0, readable);
        } else {
            long need = (long) readable + n;
            if (need > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("input buffer cannot hold " + need + " bytes");
            }
            int cap = Integer.highestOneBit((int) Math.max(need - 1, 1)) << 1;
            if (cap < 0 || cap > Integer.MAX_VALUE - 8) {
                cap = Integer.MAX_VALUE - 8;
            }
            byte[] grown = new byte[cap];
            System.arraycopy(data, read, grown, 0, readable);
            data = grown;
        }
        base += read;
        write = readable;
        read = 0;
    }

    /** Number of bytes appended and not yet consumed. */
    public int readableBytes() {
        return write - read;
    }

    /** True when no byte is waiting. */
    public boolean isEmpty() {
        return write == read;
    }

    /** Bytes consumed since the buffer was made: the absolute position of offset 0. */
    public long position() {
        return base + read;
    }

    /** Current size of the backing array, for memory checks. */
    public int capacity() {
        return data.length;
    }

    /** The byte at {@code offset} from the read index. */
    public byte get(int offset) {
        Objects.checkIndex(offset, write - read);
        return data[read + offset];
    }

    /** Unsigned value of the byte at {@code offset}. */
    public int getUnsigned(int offset) {
        return get(offset) & 0xFF;
    }

    /** Offset of the first {@code value} at or after {@code fromOffset}, or -1 when there is none yet. */
    public int indexOf(byte value, int fromOffset) {
        int at = firstOf(data, read + Math.max(0, fromOffset), write, value, value);
        return at < 0 ? -1 : at - read;
    }

    /** Offset of the first {@code a} or {@code b} at or after {@code fromOffset}, or -1 (any-EOL line ends). */
    int indexOfEither(byte a, byte b, int fromOffset) {
        int at = firstOf(data, read + Math.max(0, fromOffset), write, a, b);
        return at < 0 ? -1 : at - read;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * Index in {@code b[from, to)} of the first byte equal to {@code x} or {@code y}, or -1. Eight bytes at a time
     * (SWAR, as Netty's {@code ByteBufUtil.indexOf}): in {@code w = word ^ pattern} a matching byte is zero, and
     * {@code (w - 0x01..01) & ~w & 0x80..80} sets the high bit of the lowest zero byte exactly (a borrow can only
     * mark bytes above it), so the lowest set bit, read little-endian, is the first match.
     */
    private static int firstOf(byte[] b, int from, int to, byte x, byte y) {
        long px = (x & 0xFFL) * ONES;
        long py = (y & 0xFFL) * ONES;
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            long word = (long) LONGS.get(b, i);
            long wx = word ^ px;
            long wy = word ^ py;
            long hit = ((wx - ONES) & ~wx | (wy - ONES) & ~wy) & HIGHS;
            if (hit != 0) {
                return i + (Long.numberOfTrailingZeros(hit) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == x || b[i] == y) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Offset of the first occurrence of {@code seq} that starts at or after {@code fromOffset} and lies
     * wholly in the readable bytes, or -1.
     */
    public int indexOf(byte[] seq, int fromOffset) {
        if (seq.length == 1) {
            return indexOf(seq[0], fromOffset);
        }
        int last = write - seq.length;
        outer:
        for (int i = read + Math.max(0, fromOffset); i <= last; i++) {
            for (int j = 0; j < seq.length; j++) {
                if (data[i + j] != seq[j]) {
                    continue outer;
                }
            }
            return i - read;
        }
        return -1;
    }

    /** True when the readable bytes at {@code offset} equal {@code seq} (all of it must be readable). */
    public boolean matches(int offset, byte[] seq) {
        if (offset < 0 || offset + seq.length > write - read) {
            return false;
        }
        for (int j = 0; j < seq.length; j++) {
            if (data[read + offset + j] != seq[j]) {
                return false;
            }
        }
        return true;
    }

    /** Consumes {@code n} bytes. */
    public void skip(int n) {
        Objects.checkFromIndexSize(0, n, write - read);
        read += n;
        if (read == write) {
            base += read;
            read = 0;
            write = 0;
        }
    }

    /** Consumes all readable bytes; returns how many there were. */
    public int skipAll() {
        int n = write - read;
        skip(n);
        return n;
    }

    /** Copies {@code n} bytes from offset 0 into a new array and consumes them. */
    public byte[] take(int n) {
        Objects.checkFromIndexSize(0, n, write - read);
        byte[] out = new byte[n];
        System.arraycopy(data, read, out, 0, n);
        skip(n);
        return out;
    }

    /** Copies {@code len} bytes at {@code offset} into {@code dst} at {@code dstOff}, consuming nothing. */
    public void copy(int offset, byte[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(offset, len, write - read);
        System.arraycopy(data, read + offset, dst, dstOff, len);
    }

    /** A frame of the first {@code length} bytes; consumes them and {@code skipAfter} more (a terminator). */
    Frame takeFrame(int length, int skipAfter) {
        byte[] out = take(length);
        skip(skipAfter);
        return Frame.wrap(out);
    }

    /** The backing array, for this package's framers' tight loops: offset 0 is at {@link #readIndex()}. */
    byte[] array() {
        return data;
    }

    /** Index in {@link #array()} of offset 0. */
    int readIndex() {
        return read;
    }

    /** Drops every readable byte. */
    public void clear() {
        skipAll();
    }

    @Override
    public String toString() {
        return "InputBuffer[position=" + position() + ", readable=" + readableBytes() + ", capacity=" + data.length + "]";
    }
}
