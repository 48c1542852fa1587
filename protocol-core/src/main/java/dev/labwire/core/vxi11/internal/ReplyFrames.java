package dev.labwire.core.vxi11.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Expect;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.frame.BlockFramer;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.frame.FrameResult;
import dev.labwire.core.frame.Framer;
import dev.labwire.core.frame.FramingError;
import dev.labwire.core.frame.InputBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts what VXI-11 device_read calls returned into the frames a {@link dev.labwire.core.Request} expects. A VXI-11
 * response message ends with END (reason bit 4), so a last line without a terminator still counts as a line there.
 * {@link #frames} returns null while more must be read.
 */
final class ReplyFrames {

    private ReplyFrames() {
    }

    /** How many reply bytes a request may gather before it fails (memory stays bounded). */
    static long maxBytes(Expect expect, ConnectionConfig config) {
        int line = config.maxFrameLength();
        if (expect instanceof Expect.Block b) {
            return (b.maxLength() == 0 ? line : b.maxLength()) + 64L;
        }
        if (expect instanceof Expect.Bytes n) {
            return n.count();
        }
        if (expect instanceof Expect.Frames f) {
            return Math.min(64L << 20, (long) f.count() * (line + 2));
        }
        if (expect instanceof Expect.UntilMarker u) {
            return Math.min(64L << 20, (long) u.maxFrames() * (line + 2));
        }
        return line;
    }

    /**
     * The reply's frames from {@code data} gathered so far ({@code end}: the device's message ended), or null when
     * more must be read.
     *
     * @throws RemoteProtocolException when the bytes break the framing, or the message ended short of the reply
     *     for {@link Expect.Bytes} and {@link Expect.Block}
     */
    static List<Frame> frames(Expect expect, byte[] data, boolean end, ConnectionConfig config) {
        if (expect instanceof Expect.Bytes n) {
            if (data.length >= n.count()) {
                return List.of(Frame.of(Arrays.copyOf(data, n.count())));
            }
            return shortOrMore(end, data.length + " of " + n.count() + " bytes");
        }
        if (expect instanceof Expect.Block b) {
            Framer framer = BlockFramer.scpi(b.maxLength() == 0 ? config.maxFrameLength() : b.maxLength());
            FrameResult r = framer.decode(buffer(data));
            if (r instanceof Frame f) {
                return List.of(f);
            }
            if (r instanceof FramingError e) {
                throw e.exception();
            }
            return shortOrMore(end, "an IEEE 488.2 block (" + data.length + " bytes so far)");
        }
        Framer framer = config.framing().newFramer(config.maxFrameLength());
        InputBuffer in = buffer(data);
        List<Frame> frames = new ArrayList<>();
        while (true) {
            FrameResult r = framer.decode(in);
            if (r instanceof Frame f) {
                frames.add(f);
            } else if (r instanceof FramingError e) {
                throw e.exception();
            } else {
                break;
            }
        }
        if (end && in.readableBytes() > 0) {
            frames.add(Frame.of(in.take(in.readableBytes())));   // END ends the last line
        }
        if (expect instanceof Expect.Frames f) {
            return frames.size() >= f.count() ? List.copyOf(frames.subList(0, f.count())) : null;
        }
        if (expect instanceof Expect.UntilMarker u) {
            byte[] marker = u.marker();
            for (int i = 0; i < frames.size(); i++) {
                if (frames.get(i).contentEquals(marker)) {
                    return List.copyOf(frames.subList(0, i));
                }
                if (i >= u.maxFrames()) {
                    throw new RemoteProtocolException("more than " + u.maxFrames() + " frames before the marker");
                }
            }
            return null;
        }
        return List.of();
    }

    private static List<Frame> shortOrMore(boolean end, String what) {
        if (end) {
            throw new RemoteProtocolException("the device's message ended (END) after " + what);
        }
        return null;
    }

    private static InputBuffer buffer(byte[] data) {
        InputBuffer in = new InputBuffer(Math.max(16, data.length));
        in.append(data);
        return in;
    }
}
