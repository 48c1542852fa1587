package dev.labwire.core.hislip;

import dev.labwire.core.RemoteProtocolException;
import java.util.Objects;

/**
 * What {@link HislipDecoder#next()} gives: a whole {@link Message}, {@link NeedData}, or a {@link Failure} that
 * says what was wrong and what IVI-6.1 has the receiver send back.
 */
public sealed interface Decoded {

    /** A whole message. */
    record Message(HislipMessage message) implements Decoded {
        public Message {
            Objects.requireNonNull(message, "message");
        }
    }

    /** No whole message yet: feed more bytes. */
    enum NeedData implements Decoded {
        INSTANCE
    }

    /**
     * The peer sent something HiSLIP does not allow.
     *
     * @param exception what was wrong, with the numbers involved
     * @param answer    the message the spec has the receiver send to the peer: an {@code Error} (the message was
     *                  skipped and decoding goes on) or a {@code FatalError} (the channel is unusable; send it, then
     *                  close the session's connections)
     * @param fatal     true when the decoder is broken for good: every later {@code next()} gives this failure again
     */
    record Failure(RemoteProtocolException exception, HislipMessage answer, boolean fatal) implements Decoded {
        public Failure {
            Objects.requireNonNull(exception, "exception");
            Objects.requireNonNull(answer, "answer");
        }
    }
}
