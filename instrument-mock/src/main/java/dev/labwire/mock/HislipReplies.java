package dev.labwire.mock;

import dev.labwire.core.hislip.HislipMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** How a {@link MockHislip} session cuts client messages into commands and its replies into HiSLIP messages. */
final class HislipReplies {
    private HislipReplies() {
    }

    /**
     * The commands of one whole client message: cut at {@code \n}, a {@code \r} before it dropped; the last one
     * needs no {@code \n} (DataEnd is the end of the message).
     */
    static List<String> commands(String message) {
        List<String> out = new ArrayList<>();
        int from = 0;
        while (from < message.length()) {
            int nl = message.indexOf('\n', from);
            int to = nl < 0 ? message.length() : nl;
            int end = to > from && message.charAt(to - 1) == '\r' ? to - 1 : to;
            out.add(message.substring(from, end));
            from = to + 1;
        }
        return out;
    }

    /**
     * {@code bytes} as Data ... DataEnd, all carrying {@code messageId}, each at most {@code clientMax} bytes with its
     * header (the client's AsyncMaximumMessageSize); one empty DataEnd for no bytes.
     */
    static HislipMessage[] pieces(int messageId, byte[] bytes, long clientMax) {
        int max = (int) Math.min(Integer.MAX_VALUE - 64, clientMax - HislipMessage.HEADER_LENGTH);
        int n = Math.max(1, (bytes.length + max - 1) / max);
        HislipMessage[] out = new HislipMessage[n];
        for (int i = 0; i < n; i++) {
            byte[] part = Arrays.copyOfRange(bytes, i * max, Math.min(bytes.length, (i + 1) * max));
            out[i] = i == n - 1 ? HislipMessage.dataEnd(false, messageId, part)
                    : HislipMessage.data(false, messageId, part);
        }
        return out;
    }

    /** The pieces encoded back to back, the last one's 64-bit payload length field replaced by {@code announced}. */
    static byte[] withLyingLength(HislipMessage[] pieces, long announced) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < pieces.length; i++) {
            byte[] m = pieces[i].encode();
            if (i == pieces.length - 1) {
                java.nio.ByteBuffer.wrap(m).putLong(8, announced);
            }
            out.writeBytes(m);
        }
        return out.toByteArray();
    }
}
