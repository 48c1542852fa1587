package dev.labwire.mqtt;

import dev.labwire.core.ConnectionConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One instrument a gateway publishes: its name (the topic level under the prefix), its labwire endpoint
 * ({@code tcp://host:5025}, {@code serial:/dev/ttyUSB0?baud=9600}, ...), the labwire {@link ConnectionConfig} of its
 * client, and its {@link Poll}s and {@link Stream}s. Immutable; the {@code with*} methods return a copy.
 *
 * @param name     topic level: letters, digits, {@code _ - .}, 1..64 characters
 * @param endpoint a labwire endpoint string (checked when the gateway opens it)
 * @param config   the client's configuration ({@link ConnectionConfig#DEFAULT} by default)
 * @param polls    polled queries
 * @param streams  pushed-frame streams
 */
public record InstrumentSpec(String name, String endpoint, ConnectionConfig config, List<Poll> polls,
                             List<Stream> streams) {
    /** Validates and copies the lists. */
    public InstrumentSpec {
        Poll.checkName(name, "instrument name");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(config, "config");
        polls = List.copyOf(polls);
        streams = List.copyOf(streams);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Poll p : polls) {
            if (!names.add(p.name())) throw new IllegalArgumentException(name + ": two values named " + p.name());
        }
        for (Stream s : streams) {
            if (!names.add(s.name())) throw new IllegalArgumentException(name + ": two values named " + s.name());
        }
    }

    /** An instrument with the default config, no polls and no streams. */
    public static InstrumentSpec of(String name, String endpoint) {
        return new InstrumentSpec(name, endpoint, ConnectionConfig.DEFAULT, List.of(), List.of());
    }

    /** A copy with another client configuration. */
    public InstrumentSpec withConfig(ConnectionConfig config) {
        return new InstrumentSpec(name, endpoint, config, polls, streams);
    }

    /** A copy with one more poll. */
    public InstrumentSpec withPoll(Poll poll) {
        List<Poll> l = new ArrayList<>(polls);
        l.add(poll);
        return new InstrumentSpec(name, endpoint, config, l, streams);
    }

    /** A copy with one more stream. */
    public InstrumentSpec withStream(Stream stream) {
        List<Stream> l = new ArrayList<>(streams);
        l.add(stream);
        return new InstrumentSpec(name, endpoint, config, polls, l);
    }
}
