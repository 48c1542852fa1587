package dev.labwire.core.internal;

import dev.labwire.core.frame.Frame;
import java.util.function.Function;

/**
 * The array inside a {@link Frame}, without the copy {@link Frame#toByteArray()} makes, for a client that hands a
 * reply's only frame to its caller and keeps nothing (a {@code queryBlock} of 100 MiB is then not copied again).
 * Only for frames that go nowhere else: whoever gets the array may change it. {@link Frame} registers itself here
 * when it loads.
 */
public final class FrameAccess {
    private static volatile Function<Frame, byte[]> bytes;

    private FrameAccess() {
    }

    /** Called once by {@link Frame}'s class initialiser. */
    public static void register(Function<Frame, byte[]> access) {
        if (bytes != null) {
            throw new IllegalStateException("already registered");
        }
        bytes = access;
    }

    /** The bytes of {@code frame} themselves (not a copy); {@code frame} must not be used again by anyone. */
    public static byte[] take(Frame frame) {
        return bytes.apply(frame); // registered: frame's class is initialised, since frame exists
    }
}
