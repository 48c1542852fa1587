package dev.labwire.netty;

import dev.labwire.core.frame.Frame;
import java.util.Objects;

/**
 * One item of {@link NettyClient#latest()}: the newest pushed frame at the moment the subscriber asked,
 * and how many frames were overwritten unseen before it. For monitoring a status stream at a slower rate
 * than the device sends it: a subscriber that requests one item per second sees the newest status each
 * second and learns how many it skipped.
 *
 * @param frame        the newest frame
 * @param dropped      frames that arrived after the previous item and were replaced by a newer one
 *                     before this subscriber asked; 0 when it keeps up
 * @param totalDropped all frames dropped for this subscriber since it subscribed
 */
public record LatestFrame(Frame frame, long dropped, long totalDropped) {
    public LatestFrame {
        Objects.requireNonNull(frame, "frame");
        if (dropped < 0 || totalDropped < dropped) {
            throw new IllegalArgumentException("dropped counts must satisfy 0 <= dropped <= totalDropped: "
                    + dropped + ", " + totalDropped);
        }
    }
}
