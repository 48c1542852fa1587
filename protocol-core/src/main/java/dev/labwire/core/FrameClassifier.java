package dev.labwire.core;

import dev.labwire.core.frame.Frame;

/**
 * Decides whether an incoming frame answers the request at the head of the line or was pushed by the
 * device on its own (a status push, a stream sample). Pushed frames come out as {@link Event.Pushed}
 * and never end a request. The classifier sees frames of the connection's own framing only: while the
 * head request expects a block or raw bytes, every byte belongs to that reply.
 *
 * <pre>{@code
 * FrameClassifier stat = f -> f.startsWith("STAT:".getBytes(US_ASCII)) ? Kind.PUSHED : Kind.REPLY;
 * }</pre>
 *
 * Must be fast and must not throw; a thrown exception propagates out of {@link Connection#receive}.
 */
@FunctionalInterface
public interface FrameClassifier {

    /** What a frame is. */
    enum Kind {
        /** The frame is (part of) the reply to the oldest request awaiting one. */
        REPLY,
        /** The device pushed the frame unasked. */
        PUSHED
    }

    /** Every frame is a reply; a frame nobody asked for comes out as {@link Event.Discarded} ({@code UNEXPECTED}). The default. */
    FrameClassifier ALL_REPLIES = f -> Kind.REPLY;

    /** Every frame is pushed: a pure streaming link with no request-reply traffic. */
    FrameClassifier ALL_PUSHED = f -> Kind.PUSHED;

    /** Classifies one frame. */
    Kind classify(Frame frame);

    /** Frames starting with {@code prefix} are pushed, others are replies. */
    static FrameClassifier pushedIfStartsWith(byte[] prefix) {
        byte[] p = prefix.clone();
        return f -> f.startsWith(p) ? Kind.PUSHED : Kind.REPLY;
    }
}
