package dev.labwire.mqtt;

import java.time.Duration;
import java.util.Objects;

/**
 * Frames the instrument pushes on its own (status lines, samples) that start with {@code prefix}, published
 * retained on {@code <prefix>/<instrument>/value/<name>} like a {@link Poll}'s values. The latest frame wins: at most
 * one publication per {@code minInterval} (frames in between are counted by {@link MqttGateway#valuesCoalesced()},
 * never queued), so a device pushing faster than the broker takes costs bounded memory. The instrument's client only
 * keeps each frame; the gateway's scheduler builds and publishes the value, so a flood of frames never holds up the
 * replies behind it.
 *
 * @param name        the value's topic level
 * @param prefix      frames starting with it are this stream's (it also makes them pushed, not replies)
 * @param minInterval at least this long between publications; zero publishes as often as the gateway gets to it
 *                    (every frame of a slow stream, the latest of a fast one)
 * @param unit        the unit, or null
 */
public record Stream(String name, String prefix, Duration minInterval, String unit) {
    /** Validates: IllegalArgumentException naming the bad field. */
    public Stream {
        Poll.checkName(name, "stream name");
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isEmpty()) throw new IllegalArgumentException("stream " + name + ": empty prefix");
        Objects.requireNonNull(minInterval, "minInterval");
        if (minInterval.isNegative()) throw new IllegalArgumentException("stream " + name + ": negative minInterval");
    }
}
