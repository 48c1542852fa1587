package dev.labwire.mock;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One simulated device on a {@link MockInstrument#busDevice(String) bus mock}: it answers the commands that start with its
 * address, and its replies start with the address too ({@code AFLOW?} answered by {@code A+14.70}). The reply
 * is the {@link #responder(Function) responder}'s, else its own {@link ScpiDictionary}'s ({@code SP 50} then {@code SP?} gives
 * {@code 50}; {@code dictionary().set("FLOW", "+14.70")} for a reading). A device can be made
 * {@link #silent(boolean) silent} (it never answers: a dead address) or {@link #delay(Duration) slow}.
 * Thread-safe.
 */
public final class MockBusDevice {
    private final String address;
    private final byte[] prefix;
    private final ScpiDictionary dictionary = new ScpiDictionary();
    private final CommandLog commands = new CommandLog();
    private volatile Function<String, MockReply> responder;
    private volatile boolean silent;
    private volatile Duration delay = Duration.ZERO;

    MockBusDevice(String address) {
        if (address.isEmpty() || address.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("bad bus address: \"" + address + "\"");
        }
        this.address = address;
        this.prefix = address.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The address, as it prefixes commands and replies. */
    public String address() {
        return address;
    }

    /** This device's settings dictionary. */
    public ScpiDictionary dictionary() {
        return dictionary;
    }

    /** Answers commands (address stripped); null from it falls back to the dictionary. Null removes it. */
    public MockBusDevice responder(Function<String, MockReply> responder) {
        this.responder = responder;
        return this;
    }

    /** A silent device records its commands and never answers. */
    public MockBusDevice silent(boolean silent) {
        this.silent = silent;
        return this;
    }

    /**
     * Every reply of this device comes {@code delay} late (counted from when the command was read, added to any
     * delay the reply has), default zero: one slow address on a bus, e.g. later than the client's timeout. The
     * mock answers in command order, so a reply still waiting holds back the replies to commands read after it
     * (a client that timed out and moved on to another address gets the stale reply first).
     *
     * @throws IllegalArgumentException when {@code delay} is negative
     */
    public MockBusDevice delay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative: " + delay);
        }
        this.delay = delay;
        return this;
    }

    /**
     * The commands this device received (address stripped), oldest first: the last 10,000, like
     * {@link MockInstrument#commands()}.
     */
    public List<String> commands() {
        return commands.all();
    }

    /** The reply to {@code command} (address already stripped), address-prefixed; NONE when silent or unknown. */
    MockReply answer(String command) {
        commands.add(command);
        if (silent) {
            return MockReply.none();
        }
        MockReply r = null;
        Function<String, MockReply> f = responder;
        if (f != null) {
            r = f.apply(command);
        }
        if (r == null) {
            r = dictionary.answer(command);
        }
        if (r == null || r.kind != MockReply.Kind.BYTES) {
            return MockReply.none();
        }
        MockReply prefixed = r.prefixed(prefix);
        return delay.isZero() ? prefixed : prefixed.delay(prefixed.delay.plus(delay));
    }
}
