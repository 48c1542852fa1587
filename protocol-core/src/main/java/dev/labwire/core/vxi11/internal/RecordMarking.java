package dev.labwire.core.vxi11.internal;

import dev.labwire.core.RemoteProtocolException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * ONC RPC record marking for TCP (RFC 5531 section 11): a record is sent as fragments, each behind a 4-byte
 * big-endian header whose top bit says "last fragment" and whose low 31 bits give the fragment's length.
 *
 * <pre>
 * one record of 5 bytes, one fragment:    80 00 00 05  h e l l o
 * the same in two fragments (2 + 3):      00 00 00 02  h e   80 00 00 03  l l o
 * </pre>
 *
 * {@link #frame} encodes; an instance reassembles. Feed it whatever the link delivered with
 * {@link #receive(ByteBuffer)}; it consumes bytes only up to the end of the next complete record and returns that
 * record, or {@code null} when the buffer ran out first (then feed more). Bytes are looked at once: the header is
 * collected across calls, fragment bodies are copied, nothing is rescanned.
 *
 * <h2>Bounds and recovery</h2>
 * A record whose fragments add up to more than {@code maxRecord} bytes fails with a
 * {@link RemoteProtocolException} naming both numbers as soon as a header announces it; the reassembler then
 * skips that record's remaining bytes up to its last fragment and carries on with the next one (record marking
 * keeps the boundaries, so the stream is not lost). Memory held is at most {@code maxRecord} bytes plus the
 * header. Not thread-safe.
 */
public final class RecordMarking {

    /** The "last fragment" bit of a fragment header. */
    public static final int LAST_FRAGMENT = 0x8000_0000;
    /** The largest fragment length a header can carry (31 bits). */
    public static final int MAX_FRAGMENT = 0x7FFF_FFFF;

    private final int maxRecord;
    private final byte[] header = new byte[4];
    private int headerLen;
    private long fragmentLeft;      // body bytes of the current fragment still to come (after a header)
    private boolean inFragment;
    private boolean lastFragment;
    private byte[] record = new byte[0];
    private int recordLen;
    private boolean discarding;     // skipping a too-long record to its last fragment
    private int growths;            // reallocations of record, for tests

    /**
     * @param maxRecord the largest record accepted, in bytes (1..2^31-9); a larger one fails and is skipped
     * @throws IllegalArgumentException when {@code maxRecord} is out of range
     */
    public RecordMarking(int maxRecord) {
        if (maxRecord < 1 || maxRecord > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxRecord must be 1.." + (Integer.MAX_VALUE - 8) + ": " + maxRecord);
        }
        this.maxRecord = maxRecord;
    }

    /** The record as one last fragment: header {@code 0x80000000 | length}, then the bytes. */
    public static byte[] frame(byte[] record) {
        return frame(record, MAX_FRAGMENT);
    }

    /**
     * The record cut into fragments of at most {@code maxFragment} bytes (an empty record is one empty last
     * fragment).
     *
     * @throws IllegalArgumentException when {@code maxFragment} is not 1..2^31-1
     */
    public static byte[] frame(byte[] record, int maxFragment) {
        if (maxFragment < 1) {
            throw new IllegalArgumentException("maxFragment must be at least 1: " + maxFragment);
        }
        int fragments = Math.max(1, (record.length + maxFragment - 1) / maxFragment);
        byte[] out = new byte[record.length + 4 * fragments];
        int in = 0;
        int at = 0;
        for (int f = 0; f < fragments; f++) {
            int n = Math.min(maxFragment, record.length - in);
            int h = n | (f == fragments - 1 ? LAST_FRAGMENT : 0);
            out[at] = (byte) (h >>> 24);
            out[at + 1] = (byte) (h >>> 16);
            out[at + 2] = (byte) (h >>> 8);
            out[at + 3] = (byte) h;
            System.arraycopy(record, in, out, at + 4, n);
            in += n;
            at += 4 + n;
        }
        return out;
    }

    /**
     * Consumes bytes from {@code in} up to the end of the next complete record and returns it (a copy the
     * caller owns); {@code null} when {@code in} ran out before a record was complete.
     *
     * @throws RemoteProtocolException when a fragment header makes the current record longer than
     *     {@code maxRecord} (the message gives both numbers); {@code in} is positioned just after that header and
     *     the next calls skip the rest of that record
     */
    public byte[] receive(ByteBuffer in) {
        while (true) {
            if (!inFragment) {
                while (headerLen < 4 && in.hasRemaining()) {
                    header[headerLen++] = in.get();
                }
                if (headerLen < 4) {
                    return null;
                }
                headerLen = 0;
                int h = (header[0] & 0xFF) << 24 | (header[1] & 0xFF) << 16 | (header[2] & 0xFF) << 8 | header[3] & 0xFF;
                lastFragment = (h & LAST_FRAGMENT) != 0;
                fragmentLeft = h & MAX_FRAGMENT;
                inFragment = true;
                if (!discarding && recordLen + fragmentLeft > maxRecord) {
                    long announced = recordLen + fragmentLeft;
                    discarding = true;
                    recordLen = 0;
                    record = new byte[0];
                    throw new RemoteProtocolException("RPC record of at least " + announced
                            + " bytes exceeds the maximum of " + maxRecord + " bytes; skipping it"
                            + (lastFragment ? "" : " to its last fragment"));
                }
            }
            int n = (int) Math.min(fragmentLeft, in.remaining());
            if (discarding) {
                in.position(in.position() + n);
            } else if (n > 0) {
                if (recordLen + n > record.length) {
                    grow(n);
                }
                in.get(record, recordLen, n);
                recordLen += n;
            }
            fragmentLeft -= n;
            if (fragmentLeft > 0) {
                return null;
            }
            inFragment = false;
            if (lastFragment) {
                if (discarding) {
                    discarding = false;
                    continue;
                }
                byte[] done = Arrays.copyOf(record, recordLen);
                recordLen = 0;
                if (record.length > 64 * 1024) {
                    record = new byte[0];   // do not keep a large buffer for a link that sends small records
                }
                return done;
            }
        }
    }

    /**
     * Makes room for {@code n} more bytes of the current fragment: the buffer at least doubles (never past
     * {@code maxRecord}, and in the last fragment never past the record's announced end), so a record sent as many
     * small fragments (legal, down to 1 byte each) costs amortized O(1) copying per byte. Growing only to the end of
     * the current fragment instead copied the whole record once per fragment: a 256 KiB reply in 1-byte fragments
     * took 11 s of CPU, and a reply in 1000-byte fragments made a blocking query end 0.8 s after its deadline.
     */
    private void grow(int n) {
        long need = recordLen + (long) n;
        long doubled = record.length * 2L + 64;
        long size = lastFragment ? Math.min(recordLen + fragmentLeft, doubled) : doubled;
        record = Arrays.copyOf(record, (int) Math.min(maxRecord, Math.max(need, size)));
        growths++;
    }

    /** How many times the record buffer was reallocated so far (its growth is amortized: tests check it). */
    int growths() {
        return growths;
    }

    /** Whether bytes of an unfinished record (or header) are held: an end of stream now cuts a record short. */
    public boolean isMidRecord() {
        return headerLen > 0 || inFragment || recordLen > 0 || discarding;
    }

    /** The configured maximum record length. */
    public int maxRecord() {
        return maxRecord;
    }
}
