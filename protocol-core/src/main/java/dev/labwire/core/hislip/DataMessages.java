package dev.labwire.core.hislip;

import dev.labwire.core.hislip.internal.MessageIds;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Data and DataEnd messages of a {@link HislipSession}'s synchronous channel (IVI-6.1 6.3), both ways: a request's
 * payload and write terminator cut into messages no larger than the server's maximum message size (Data parts, then
 * DataEnd), and a response gathered from the Data ... DataEnd that carry the awaited message id, up to
 * {@code maxFrameLength} bytes (beyond that the rest is dropped and the response marked as overflowed, so memory stays
 * bounded whatever the server sends). It owns the gathered bytes and the server's maximum; it is separate because
 * assembling bytes is independent of which request they belong to, which the session decides.
 */
final class DataMessages {

    private final ByteArrayOutputStream gathered = new ByteArrayOutputStream();
    private boolean overflow;
    private long serverMax = HislipDecoder.DEFAULT_MAX_MESSAGE_SIZE;

    /** The server's maximum message size from the handshake (at least a header and one byte). */
    void serverMaxMessageSize(long size) {
        serverMax = Math.max(HislipMessage.HEADER_LENGTH + 1, size);
    }

    /** Drops what was gathered and the overflow mark: nothing of it reaches anybody. */
    void reset() {
        gathered.reset();
        overflow = false;
    }

    /** Drops the bytes gathered so far but keeps the overflow mark (an interrupted response). */
    void dropGathered() {
        gathered.reset();
    }

    /** Adds {@code m}'s payload to the response, or marks it overflowed when it would pass {@code maxFrameLength}. */
    void gather(HislipMessage m, int maxFrameLength) {
        if (gathered.size() + m.payloadLength() > maxFrameLength) {
            overflow = true;
            gathered.reset();
        } else if (!overflow) {
            gathered.writeBytes(m.payload());
        }
    }

    /** Whether the response taken next passed maxFrameLength. Read before {@link #take()}, which clears it. */
    boolean overflowed() {
        return overflow;
    }

    /** The gathered response; starts the next one. */
    byte[] take() {
        byte[] response = gathered.toByteArray();
        reset();
        return response;
    }

    /**
     * {@code body} and {@code terminator} as Data ... DataEnd messages with the next message id from {@code ids}, none
     * larger than the server's maximum message size.
     */
    List<HislipMessage> split(byte[] body, byte[] terminator, MessageIds ids) {
        byte[] all = new byte[body.length + terminator.length];
        System.arraycopy(body, 0, all, 0, body.length);
        System.arraycopy(terminator, 0, all, body.length, terminator.length);
        int max = (int) Math.min(Integer.MAX_VALUE - 64, serverMax - HislipMessage.HEADER_LENGTH);
        List<HislipMessage> out = new ArrayList<>();
        int at = 0;
        do {
            int n = Math.min(max, all.length - at);
            boolean end = at + n == all.length;
            out.add(ids.send(end, Arrays.copyOfRange(all, at, at + n)));
            at += n;
        } while (at < all.length);
        return out;
    }
}
