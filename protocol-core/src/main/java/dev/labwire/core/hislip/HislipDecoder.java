package dev.labwire.core.hislip;

import dev.labwire.core.RemoteProtocolException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Cuts the byte stream of one HiSLIP channel into {@link HislipMessage}s, whatever the chunking. Sans-IO: feed it
 * with {@link #receive(ByteBuffer)} and {@link #receiveEof()}, drain it with {@link #next()} until
 * {@link Decoded.NeedData}:
 *
 * <pre>{@code
 * decoder.receive(bytesFromSocket);
 * for (Decoded d = decoder.next(); d != Decoded.NeedData.INSTANCE; d = decoder.next()) {
 *     if (d instanceof Decoded.Message m) handle(m.message());
 *     else if (d instanceof Decoded.Failure f) { send(f.answer()); if (f.fatal()) closeSession(); }
 * }
 * }</pre>
 *
 * <h2>Bounds</h2>
 * A message (16-byte header plus payload) may be at most {@link #maxMessageSize()} bytes (payloads are held in
 * one array, so at most 2 GiB - 64 whatever the setting), 1 MiB by default (the
 * VISA default of {@code VI_ATTR_TCPIP_HISLIP_MAX_MESSAGE_KB}); set the size negotiated with
 * AsyncMaximumMessageSize through {@link #maxMessageSize(long)}. A header announcing more (the 64-bit length is
 * read unsigned, so up to 2<sup>64</sup>-1) gives a {@link Decoded.Failure} naming both numbers, with
 * {@code Error} "Message too large" (IVI-6.1 section 6.3) as the answer; the payload is then skipped as it arrives,
 * never stored, and decoding goes on with the next header. Nothing is allocated from an announced length: the
 * buffer grows with the bytes that actually arrived, at most to {@code maxMessageSize}. Bytes are looked at once:
 * the header is parsed when its 16th byte arrives and the payload is only counted.
 *
 * <h2>Failures</h2>
 * A header that does not begin with {@code "HS"} is fatal ({@code FatalError} 1, "Poorly formed message header"):
 * HiSLIP has no way to find the next header, so the decoder stays broken and later input is ignored. End of
 * stream inside a message is fatal too ({@code FatalError} 0). Unknown message types are not the decoder's
 * business: it delivers them (as {@link MessageType#RESERVED} / {@link MessageType#VENDOR_SPECIFIC}) and the
 * session answers them.
 *
 * <p>Not thread-safe: one decoder per channel, used by one thread at a time.
 */
public final class HislipDecoder {

    /** The default {@link #maxMessageSize()}: 1 MiB, header included. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 1 << 20;

    /** The largest payload a Java array holds with its header; larger limits are capped to it. */
    static final long MAX_PAYLOAD_HELD = Integer.MAX_VALUE - 64;

    private final String channel;
    private long maxMessageSize;
    private byte[] buf = new byte[256];
    private int start;                 // first unconsumed byte
    private int end;                   // one past the last received byte
    private boolean headerParsed;      // the header at start has been read into the fields below
    private int type;
    private int control;
    private int parameter;
    private long payloadLength;        // unsigned on the wire; here at most maxMessageSize - 16 once accepted
    private long skipping;             // payload bytes still to drop (unsigned)
    private boolean eof;
    private Decoded.Failure broken;
    private long position;             // stream offset of buf[start], for error messages
    private HislipMessage oversized;   // the header (empty payload) of the last message too large to keep

    /** A decoder for the channel named {@code channel} ("sync", "async": used in messages), 1 MiB max. */
    public HislipDecoder(String channel) {
        this(channel, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** A decoder with {@code maxMessageSize} (at least 16, the header; {@link IllegalArgumentException} below). */
    public HislipDecoder(String channel, long maxMessageSize) {
        this.channel = channel;
        maxMessageSize(maxMessageSize);
    }

    /** The largest message accepted, header included. */
    public long maxMessageSize() {
        return maxMessageSize;
    }

    /** Sets the largest message accepted, header included (from AsyncMaximumMessageSize); at least 16. */
    public void maxMessageSize(long size) {
        if (size < HislipMessage.HEADER_LENGTH) {
            throw new IllegalArgumentException("a HiSLIP maximum message size counts the 16-byte header: " + size);
        }
        this.maxMessageSize = size;
    }

    /** Takes the remaining bytes of {@code in} (it is consumed); ignored once the decoder is broken. */
    public void receive(ByteBuffer in) {
        if (eof) {
            throw new IllegalStateException("HiSLIP " + channel + " channel: bytes after end of stream");
        }
        if (broken != null) {
            in.position(in.limit());
            return;
        }
        while (in.hasRemaining() && skipping != 0) {
            int n = (int) Math.min(in.remaining(), Long.compareUnsigned(skipping, Integer.MAX_VALUE) > 0
                    ? Integer.MAX_VALUE : skipping);
            in.position(in.position() + n);
            skipping -= n;
            position += n;
        }
        int n = in.remaining();
        if (n == 0) {
            return;
        }
        if (buf.length - end < n) {
            compactOrGrow(n);
        }
        in.get(buf, end, n);
        end += n;
    }

    /** The link ended; a message cut short becomes a fatal {@link Decoded.Failure} at the next {@link #next()}. */
    public void receiveEof() {
        eof = true;
    }

    /**
     * Payload bytes of a too-large message still to be skipped before the next header (unsigned; 0 when not
     * skipping). A header that lied about its length keeps this above 0 for as long as the peer keeps sending.
     */
    public long skipping() {
        return skipping;
    }

    /**
     * The header of the last message whose payload was too large to keep (type, control code, parameter; the
     * payload left empty), or null when none came: who the skipped payload was for (a DataEnd's message id).
     */
    public HislipMessage oversizedHeader() {
        return oversized;
    }

    /** Bytes received and not yet given out as a message (a partial message's bytes). */
    public int buffered() {
        return end - start;
    }

    /** The next message, {@link Decoded.NeedData}, or a failure; see the class comment. */
    public Decoded next() {
        if (broken != null) {
            return broken;
        }
        while (skipping != 0 && end > start) {
            int n = (int) Math.min(end - start, Long.compareUnsigned(skipping, Integer.MAX_VALUE) > 0
                    ? Integer.MAX_VALUE : skipping);
            consume(n);
            skipping -= n;
        }
        if (skipping != 0) {
            return eofCheck();
        }
        int avail = end - start;
        if (!headerParsed) {
            if (avail < HislipMessage.HEADER_LENGTH) {
                if (avail >= 1 && buf[start] != 'H' || avail >= 2 && buf[start + 1] != 'S') {
                    return poorlyFormed();
                }
                return eofCheck();
            }
            if (buf[start] != 'H' || buf[start + 1] != 'S') {
                return poorlyFormed();
            }
            ByteBuffer h = ByteBuffer.wrap(buf, start, HislipMessage.HEADER_LENGTH);
            h.position(start + 2);
            type = h.get() & 0xFF;
            control = h.get() & 0xFF;
            parameter = h.getInt();
            payloadLength = h.getLong();
            headerParsed = true;
            long maxPayload = Math.min(maxMessageSize - HislipMessage.HEADER_LENGTH, MAX_PAYLOAD_HELD);
            if (Long.compareUnsigned(payloadLength, maxPayload) > 0) {
                headerParsed = false;
                consume(HislipMessage.HEADER_LENGTH);
                skipping = payloadLength;
                oversized = new HislipMessage(type, control, parameter, new byte[0]);
                RemoteProtocolException e = new RemoteProtocolException("HiSLIP " + channel + " channel: "
                        + MessageType.of(type).specName() + " announces a payload of "
                        + Long.toUnsignedString(payloadLength) + " bytes, over the maximum message size of "
                        + maxMessageSize + " bytes (" + maxPayload + " payload + 16 header); its payload is skipped");
                return new Decoded.Failure(e, HislipMessage.error(ErrorCode.MESSAGE_TOO_LARGE), false);
            }
        }
        if (avail < HislipMessage.HEADER_LENGTH + payloadLength) {
            return eofCheck();
        }
        int len = (int) payloadLength;
        byte[] payload = Arrays.copyOfRange(buf, start + HislipMessage.HEADER_LENGTH,
                start + HislipMessage.HEADER_LENGTH + len);
        headerParsed = false;
        consume(HislipMessage.HEADER_LENGTH + len);
        return new Decoded.Message(new HislipMessage(type, control, parameter, payload));
    }

    private Decoded eofCheck() {
        if (!eof || (end == start && skipping == 0)) {
            return Decoded.NeedData.INSTANCE;
        }
        String what = skipping != 0 ? Long.toUnsignedString(skipping) + " bytes of a skipped payload missing"
                : headerParsed ? (end - start - HislipMessage.HEADER_LENGTH) + " of " + payloadLength
                        + " payload bytes of " + MessageType.of(type).specName() + " received"
                : (end - start) + " of 16 header bytes received";
        broken = new Decoded.Failure(new RemoteProtocolException("HiSLIP " + channel
                + " channel ended inside a message: " + what),
                HislipMessage.fatalError(FatalErrorCode.UNIDENTIFIED.code(), "Connection ended inside a message"),
                true);
        return broken;
    }

    private Decoded poorlyFormed() {
        int n = Math.min(end - start, HislipMessage.HEADER_LENGTH);
        broken = new Decoded.Failure(new RemoteProtocolException("HiSLIP " + channel + " channel: message header at"
                + " stream offset " + position + " does not begin with the prologue \"HS\" (48 53): "
                + dev.labwire.core.frame.Printable.quoted(buf, start, start + n, 16)
                + "; HiSLIP cannot resynchronize, the session must be reinitialized"),
                HislipMessage.fatalError(FatalErrorCode.POORLY_FORMED_HEADER), true);
        start = end = 0;
        return broken;
    }

    private void consume(int n) {
        start += n;
        position += n;
        if (start == end) {
            start = end = 0;
        }
    }

    private void compactOrGrow(int incoming) {
        int live = end - start;
        long need = (long) live + incoming;
        if (need > buf.length) {
            long cap = Math.max(need, Math.min((long) buf.length * 2, Integer.MAX_VALUE - 16));
            byte[] b = new byte[(int) Math.min(cap, Integer.MAX_VALUE - 16)];
            System.arraycopy(buf, start, b, 0, live);
            buf = b;
        } else {
            System.arraycopy(buf, start, buf, 0, live);
        }
        start = 0;
        end = live;
    }
}
