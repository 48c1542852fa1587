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
 * <p><b>Borrowing.</b> Received bytes reach a frame with one copy, not two, when the buffer reads them where
 * the driver put them: while the buffer is empty, {@link #borrow(ByteBuffer)} makes the remaining bytes of a
 * heap buffer the readable bytes, without copying; framers cut frames straight from them (each {@link Frame}
 * copies its own bytes out); {@link #endBorrow()} then copies only the bytes no framer consumed (an unfinished
 * frame, at most about one frame limit) into the buffer's own array and moves the lender's position to its
 * limit. After {@code endBorrow()} nothing refers to the lender's array: the driver may reuse it. Between the
 * two calls the lender's bytes must not change. {@link #unappend} gives the last appended bytes back to their
 * source when they are all that is left, so that a driver can borrow again from there.
 *
 * <pre>{@code
 * if (buffer.isEmpty() && buffer.borrow(src)) {      // src: a heap ByteBuffer from the driver
 *     try { decodeAll(buffer); } finally { buffer.endBorrow(); }   // src fully consumed; the tail is owned
 * } else {
 *     buffer.append(src); decodeAll(buffer);
 * }
 * }</pre>
 *
 * <p>Capacity grows to hold what is appended (or left after a borrow) and is never larger than the largest
 * readable amount seen (rounded up to a power of two); a borrow never grows it beyond what is left. A buffer
 * that is emptied keeps its array. Not thread-safe.
 */
public final class InputBuffer {
    private byte[] own;         // the buffer's own array
    private byte[] data;        // own, or the lender's array during a borrow
    private ByteBuffer lender;  // non-null during a borrow
    private int read;
    private int write;
    private long base; // absolute position of data[0]
    // views (FrameReader.receive(ByteBuffer, FrameSink)): cuts are recorded here instead of copied into a new array
    private boolean viewing;
    private byte[] viewArray;
    private int viewOffset;
    private int viewLength;
    private byte[] scratch = new byte[0]; // a frame assembled while viewing; reused by the next such frame

    /** An empty buffer with a 256-byte initial capacity. */
    public InputBuffer() {
        this(256);
    }

    /** An empty buffer; {@code initialCapacity} must be positive. */
    public InputBuffer(int initialCapacity) {
        if (initialCapacity <= 0) {
            throw new IllegalArgumentException("initialCapacity must be positive: " + initialCapacity);
        }
        own = new byte[initialCapacity];
        data = own;
    }

    /**
     * Makes the remaining bytes of {@code src} this buffer's readable bytes without copying them, until
     * {@link #endBorrow()}; {@code src}'s position does not move until then. Only when this buffer is empty and
     * {@code src} has an accessible array ({@link ByteBuffer#hasArray()}: a heap buffer, not read-only) and
     * remaining bytes; otherwise nothing happens and it returns false (append instead). Fails with
     * {@link IllegalStateException} during a borrow.
     */
    public boolean borrow(ByteBuffer src) {
        Objects.requireNonNull(src, "src");
        if (lender != null) {
            throw new IllegalStateException("already borrowing; call endBorrow() first");
        }
        if (write != read || !src.hasArray() || !src.hasRemaining()) {
            return false;
        }
        long pos = position();
        data = src.array();
        read = src.arrayOffset() + src.position();
        write = src.arrayOffset() + src.limit();
        base = pos - read;
        lender = src;
        return true;
    }

    /** True between {@link #borrow} and {@link #endBorrow}. */
    public boolean isBorrowing() {
        return lender != null;
    }

    /**
     * Ends a borrow: the bytes still readable are copied into this buffer's own array (growing it to hold them) and
     * the lender's position moves to its limit (all its bytes are taken). Nothing refers to the lender afterwards.
     * Does nothing when not borrowing.
     */
    public void endBorrow() {
        if (lender == null) {
            return;
        }
        ByteBuffer src = lender;
        lender = null;
        ownReadable(0);
        src.position(src.limit());
    }

    /**
     * Gives the last {@code n} appended bytes back to {@code src}, which they were appended from by the last
     * {@link #append(ByteBuffer, int)}, when they are all that is readable: the readable bytes are dropped and
     * {@code src}'s position moves back over them, so the buffer is empty and the same bytes can be borrowed from
     * {@code src} at the same {@link #position()}. Framers keep their progress as absolute positions, so none
     * rescans or loses anything. Returns how many bytes were given back: 0 when more than {@code n} bytes are
     * readable (older bytes remain), nothing is readable, during a borrow, or when {@code src} cannot be borrowed
     * (no accessible array: giving its bytes back would only make the caller append them again).
     */
    public int unappend(ByteBuffer src, int n) {
        Objects.requireNonNull(src, "src");
        int r = write - read;
        if (lender != null || r == 0 || r > n || r > src.position() || !src.hasArray()) {
            return 0;
        }
        src.position(src.position() - r);
        write = read;
        skip(0);
        return r;
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
        if (data != own) {
            ownReadable(n);
        }
        if (data.length - write >= n) {
            return;
        }
        int readable = write - read;
        if (data.length - readable >= n && read > 0) {
            System.arraycopy(data, read, data, 0, readable);
            base += read;
            write = readable;
            read = 0;
        } else {
            ownReadable(n);
        }
    }

    /**
     * Moves the readable bytes to the start of this buffer's own array, grown (to a power of two) when it cannot
     * hold them and {@code extra} more; afterwards {@code data} is the own array.
     */
    private void ownReadable(int extra) {
        int readable = write - read;
        long need = (long) readable + extra;
        byte[] to = own;
        if (need > own.length) {
            if (need > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("input buffer cannot hold " + need + " bytes");
            }
            int cap = Integer.highestOneBit((int) Math.max(need - 1, 1)) << 1;
            if (cap < 0 || cap > Integer.MAX_VALUE - 8) {
                cap = Integer.MAX_VALUE - 8;
            }
            to = new byte[cap];
        }
        System.arraycopy(data, read, to, 0, readable);
        own = to;
        data = to;
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

    /** Current size of the buffer's own array, for memory checks (a borrowed array is not counted). */
    public int capacity() {
        return own.length;
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
        int at = firstOf(data, read + Math.max(0, fromOffset), write, value);
        return at < 0 ? -1 : at - read;
    }

    /** Index in {@code b[from, to)} of the first byte equal to {@code x}, or -1: {@link #firstOf(byte[], int, int, byte, byte)} for one byte. */
    static int firstOf(byte[] b, int from, int to, byte x) {
        long px = (x & 0xFFL) * ONES;
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            long wx = (long) LONGS.get(b, i) ^ px;
            long hit = (wx - ONES) & ~wx & HIGHS;
            if (hit != 0) {
                return i + (Long.numberOfTrailingZeros(hit) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    /** Offset of the first {@code a} or {@code b} at or after {@code fromOffset}, or -1 (any-EOL line ends). */
    int indexOfEither(byte a, byte b, int fromOffset) {
        int at = firstOf(data, read + Math.max(0, fromOffset), write, a, b);
        return at < 0 ? -1 : at - read;
    }

    /** Little-endian {@code long} view of a {@code byte[]}, for this package's word-at-a-time (SWAR) loops. */
    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final long ONES = 0x0101010101010101L;
    static final long HIGHS = 0x8080808080808080L;

    /**
     * Index in {@code b[from, to)} of the first byte equal to {@code x} or {@code y}, or -1. Eight bytes at a time
     * (SWAR, as Netty's {@code ByteBufUtil.indexOf}): in {@code w = word ^ pattern} a matching byte is zero, and
     * {@code (w - 0x01..01) & ~w & 0x80..80} sets the high bit of the lowest zero byte exactly (a borrow can only
     * mark bytes above it), so the lowest set bit, read little-endian, is the first match.
     */
    static int firstOf(byte[] b, int from, int to, byte x, byte y) {
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

    /**
     * A frame of the first {@code length} bytes; consumes them and {@code skipAfter} more (a terminator). While
     * {@link #isViewing()}, no copy: {@link Frame#VIEW}, the bytes left where they are (see {@link #view}).
     */
    Frame takeFrame(int length, int skipAfter) {
        Objects.checkFromIndexSize(0, length + skipAfter, write - read);
        if (viewing) {
            Frame v = view(data, read, length);
            skip(length + skipAfter);
            return v;
        }
        byte[] out = take(length);
        skip(skipAfter);
        return Frame.wrap(out);
    }

    /**
     * Sets whether cuts give views: while on, {@link #takeFrame} and the framers' decoded frames record their bytes
     * ({@link #viewArray()}, {@link #viewOffset()}, {@link #viewLength()}) and return {@link Frame#VIEW}. The bytes stay
     * valid only until this buffer changes (an append, a borrow ending) or the next view: the caller must use them at
     * once. Off again, the view is forgotten.
     */
    void viewing(boolean on) {
        viewing = on;
        if (!on) {
            viewArray = null;
        }
    }

    /** True while cuts give views. */
    boolean isViewing() {
        return viewing;
    }

    /** Records {@code a[offset, offset + length)} as the frame just cut; returns {@link Frame#VIEW}. */
    Frame view(byte[] a, int offset, int length) {
        viewArray = a;
        viewOffset = offset;
        viewLength = length;
        return Frame.VIEW;
    }

    /** The array of the last view. */
    byte[] viewArray() {
        return viewArray;
    }

    /** Index in {@link #viewArray()} of the last view's first byte. */
    int viewOffset() {
        return viewOffset;
    }

    /** Length of the last view. */
    int viewLength() {
        return viewLength;
    }

    /**
     * This buffer's scratch array, with at least {@code capacity} bytes: a frame decoded or assembled while viewing
     * lives there, and {@code SlipFramer} decodes a packet with escapes there before copying it into its frame. When it
     * must grow, its first {@code keep} bytes are kept. It lives as long as the buffer and is reused by the next such
     * frame, so it holds at most the largest such frame so far (each framer bounds its frames; SLIP asks for eight
     * bytes of slack, COBS for up to twice the packet through {@link #scratch(int, int, int)}, never more than its
     * {@code maxFrameLength + 16}).
     */
    byte[] scratch(int capacity, int keep) {
        if (scratch.length < capacity) {
            byte[] to = new byte[capacity];
            System.arraycopy(scratch, 0, to, 0, keep);
            scratch = to;
        }
        return scratch;
    }

    /**
     * As {@link #scratch(int, int)}, but when the array must grow it grows to {@code max(capacity, wanted)}: room for a
     * framer's word-at-a-time stores past the frame and for the next, somewhat longer frames without growing again.
     * {@code wanted} is the framer's business to bound.
     */
    byte[] scratch(int capacity, int keep, int wanted) {
        return scratch.length < capacity ? scratch(Math.max(capacity, wanted), keep) : scratch;
    }

    /** The scratch array as it is (possibly empty), for a framer that uses it only when a frame fits. */
    byte[] scratch() {
        return scratch;
    }

    /** Current size of the scratch array, for memory checks. */
    int scratchCapacity() {
        return scratch.length;
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
        return "InputBuffer[position=" + position() + ", readable=" + readableBytes() + ", capacity=" + own.length
                + (lender != null ? ", borrowing" : "") + "]";
    }
}
