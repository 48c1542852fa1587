package dev.labwire.netty;

import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Request;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.scpi.Scpi;
import dev.labwire.netty.internal.Call;
import dev.labwire.netty.internal.NettyDriver;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One addressed device on a {@link NettyBus}: the calls of {@link NettyClient}, each carrying this device's
 * address on the wire ({@code query("FLOW?")} sends {@code AFLOW?} for device {@code A}) and completed only
 * by this device's reply, with the address (and checksum) stripped. Every call returns at once; the future
 * completes on the bus's event loop (or its callback executor), so <b>callbacks must not block</b>.
 *
 * <p>Failures are those of {@link NettyBus}, for this call only: a reply from another address or with a bad
 * checksum fails the future with a {@link dev.labwire.core.RemoteProtocolException} naming both. Arguments
 * are refused at the call, before a future exists, and nothing is sent: a null command throws
 * {@link NullPointerException}; an empty command, a timeout that is not positive, a line count below 1, a
 * request expecting an IEEE 488.2 block (its address would come before the {@code '#'}) or a command whose
 * addressed form contains the write terminator throws {@link IllegalArgumentException}. Cancelling a future does not withdraw its request.
 *
 * <p>Thread-safe; handles are cheap and any number may exist for one address.
 */
public final class NettyBusDevice {
    private final NettyDriver driver;
    private final Address address;

    NettyBusDevice(NettyDriver driver, Address address) {
        this.driver = driver;
        this.address = address;
    }

    /** This device's address. */
    public Address address() {
        return address;
    }

    /** Sends {@code command}; completes with its one-line reply, without address and terminator. */
    public CompletableFuture<String> query(String command) {
        return send(Request.query(command), Call.TEXT);
    }

    /** {@link #query(String)} with its own whole-exchange timeout (the wait for the bus counts). */
    public CompletableFuture<String> query(String command, Duration timeout) {
        return send(Request.query(command).withTimeout(timeout), Call.TEXT);
    }

    /** Sends {@code command}, expecting no reply; completes once the bytes are handed to the link (and echoed, with echo checking on). */
    public CompletableFuture<Void> write(String command) {
        return send(Request.write(command), r -> null);
    }

    /** {@link #write(String)} with its own timeout (the wait for the bus and a live link). */
    public CompletableFuture<Void> write(String command, Duration timeout) {
        return send(Request.write(command).withTimeout(timeout), r -> null);
    }

    /** Sends {@code command}; completes with exactly {@code count} reply lines, each without its address. */
    public CompletableFuture<List<String>> queryLines(String command, int count) {
        return send(Request.of(command, Expect.lines(count)), r -> r.frames().stream().map(Frame::asString).toList());
    }

    /** Sends {@code command}; completes with its reply parsed as one number ({@code +14.70} gives 14.7). */
    public CompletableFuture<Double> queryNumber(String command) {
        return send(Request.query(command), r -> Scpi.parseNumber(r.text()));
    }

    /** Sends {@code command}; completes with its reply parsed as comma-separated numbers. */
    public CompletableFuture<double[]> queryNumbers(String command) {
        return send(Request.query(command), r -> Scpi.parseNumbers(r.text()));
    }

    /**
     * Reads this device's status byte (IEEE 488.2 STB; bit 6, {@code 0x40}, is RQS) where the bus's addressing has a
     * command for it: on a Prologix GPIB adapter ({@link dev.labwire.core.bus.Prologix#config()}) a serial poll,
     * {@code ++spoll}. Fails with {@link dev.labwire.core.RemoteProtocolException} when the answer is not 0..255.
     *
     * @throws UnsupportedOperationException at the call when the addressing has no status read, naming it
     */
    public CompletableFuture<Integer> readStatusByte() {
        return send(Request.operation(dev.labwire.core.Operation.READ_STATUS_BYTE), dev.labwire.core.internal.Operations::statusByte);
    }

    /**
     * Device clear (IEEE 488.1 Selected Device Clear): {@code ++clr} on a Prologix GPIB adapter.
     *
     * @throws UnsupportedOperationException at the call when the addressing has no device clear, naming it
     */
    public CompletableFuture<Void> clear() {
        return send(Request.operation(dev.labwire.core.Operation.CLEAR), r -> null);
    }

    /**
     * Triggers this device (IEEE 488.1 Group Execute Trigger): {@code ++trg} on a Prologix GPIB adapter.
     *
     * @throws UnsupportedOperationException at the call when the addressing has no trigger, naming it
     */
    public CompletableFuture<Void> trigger() {
        return send(Request.operation(dev.labwire.core.Operation.TRIGGER), r -> null);
    }

    /** Runs any request of the core at {@link Bus.Priority#NORMAL normal} priority; completes with its reply. */
    public CompletableFuture<Event.Reply> request(Request request) {
        return request(request, Bus.Priority.NORMAL);
    }

    /**
     * Runs any request of the core (text or binary payload, without the address); {@link Bus.Priority#HIGH}
     * goes before every normal request on the bus. Completes with the reply, address and checksum stripped.
     */
    public CompletableFuture<Event.Reply> request(Request request, Bus.Priority priority) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(priority, "priority");
        return driver.request(address, request, priority, Call.REPLY);
    }

    /** One stage: the future completes with {@code convert} applied to the reply. */
    private <T> CompletableFuture<T> send(Request request, java.util.function.Function<Event.Reply, ? extends T> convert) {
        return driver.request(address, Objects.requireNonNull(request, "request"), Bus.Priority.NORMAL, convert);
    }

    @Override
    public String toString() {
        return "NettyBusDevice[" + address + " on " + driver.name() + "]";
    }
}
