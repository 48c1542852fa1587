package dev.labwire.core.hislip.internal;

import dev.labwire.core.Expect;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.frame.BlockFramer;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameReader;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.FramingError;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns one whole HiSLIP response message (the payloads of Data ... DataEnd) into the frames a request's
 * {@link Expect} asks for. HiSLIP's DataEnd is the end of the response, so no framer has to guess where it stops:
 * lines are cut at {@code \n} (a {@code \r} before it dropped) and a last line without {@code \n} still counts;
 * a block is parsed as IEEE 488.2 with its trailing newline allowed; {@code bytes(n)} takes the first n bytes. A
 * response that does not hold what was expected is a {@link RemoteProtocolException} naming both.
 */
public final class ReplyCutter {
    private ReplyCutter() {
    }

    /** The frames of {@code response} for {@code expect}; {@code maxBlock} bounds a block's payload. */
    public static List<Frame> cut(byte[] response, Expect expect, int maxBlock) {
        if (expect instanceof Expect.Frames f) {
            List<Frame> lines = lines(response);
            if (lines.size() < f.count()) {
                throw new RemoteProtocolException("HiSLIP response of " + response.length + " bytes holds "
                        + lines.size() + " lines, " + f.count() + " expected");
            }
            return lines.subList(0, f.count());
        }
        if (expect instanceof Expect.UntilMarker u) {
            List<Frame> out = new ArrayList<>();
            for (Frame line : lines(response)) {
                if (Arrays.equals(line.toByteArray(), u.marker())) {
                    return out;
                }
                out.add(line);
            }
            throw new RemoteProtocolException("HiSLIP response of " + response.length + " bytes ended without the "
                    + "marker line \"" + new String(u.marker(), java.nio.charset.StandardCharsets.ISO_8859_1) + "\"");
        }
        if (expect instanceof Expect.Bytes b) {
            if (response.length < b.count()) {
                throw new RemoteProtocolException("HiSLIP response holds " + response.length + " bytes, "
                        + b.count() + " expected");
            }
            return List.of(Frame.of(Arrays.copyOf(response, b.count())));
        }
        if (expect instanceof Expect.Block blk) {
            int max = blk.maxLength() > 0 ? blk.maxLength() : maxBlock;
            FrameReader r = new FrameReader(BlockFramer.scpi(max));
            r.receive(ByteBuffer.wrap(response));
            r.receiveEof();
            FrameResult res = r.next();
            if (res instanceof Frame fr) {
                return List.of(fr);
            }
            if (res instanceof FramingError e) {
                throw new RemoteProtocolException("HiSLIP response is not an IEEE 488.2 block: "
                        + e.exception().getMessage(), e.exception());
            }
            throw new RemoteProtocolException("HiSLIP response of " + response.length + " bytes ended inside a block");
        }
        return List.of();
    }

    private static List<Frame> lines(byte[] b) {
        List<Frame> out = new ArrayList<>();
        int from = 0;
        while (from < b.length) {
            int nl = from;
            while (nl < b.length && b[nl] != '\n') {
                nl++;
            }
            int end = nl > from && b[nl - 1] == '\r' && nl < b.length ? nl - 1 : nl;
            out.add(Frame.of(Arrays.copyOfRange(b, from, end)));
            from = nl + 1;
        }
        return out;
    }
}
