package dev.labwire.blocking;

import dev.labwire.blocking.internal.BlockingDriver;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Request;
import dev.labwire.core.bus.Address;
import dev.labwire.core.bus.Bus;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.scpi.Scpi;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One addressed device on a {@link BlockingBus}: the calls of {@link BlockingClient}, each carrying this
 * device's address on the wire and answered only by this device's reply (address and checksum stripped).
 * Thread-safe; handles are cheap and any number may exist for one address. Failures are those of
 * {@link BlockingClient}; a reply from another address is a {@link dev.labwire.core.RemoteProtocolException}.
 */
public final class BusDevice {
    private final BlockingDriver driver;
    private final Address address;

    BusDevice(BlockingDriver driver, Address address) {
        this.driver = driver;
        this.address = address;
    }

    /** This device's address. */
    public Address address() {
        return address;
    }

    /** Sends {@code command} and returns the one-line reply. */
    public String query(String command) {
        return request(Request.query(command)).text();
    }

    /** {@link #query(String)} with its own whole-exchange timeout (queueing for the bus counts). */
    public String query(String command, Duration timeout) {
        return request(Request.query(command).withTimeout(timeout)).text();
    }

    /** Sends {@code command}, expecting no reply. */
    public void write(String command) {
        request(Request.write(command));
    }

    /** Sends {@code command} and returns exactly {@code count} reply lines. */
    public List<String> queryLines(String command, int count) {
        return request(Request.of(command, Expect.lines(count))).frames().stream().map(Frame::asString).toList();
    }

    /** Sends {@code command} and parses its reply as one number. */
    public double queryNumber(String command) {
        return Scpi.parseNumber(query(command));
    }

    /** Sends {@code command} and parses its reply as comma-separated numbers. */
    public double[] queryNumbers(String command) {
        return Scpi.parseNumbers(query(command));
    }

    /**
     * Reads this device's status byte (IEEE 488.2 STB; bit 6, {@code 0x40}, is RQS: it requests service) where the bus's
     * addressing has a command for it: on a Prologix GPIB adapter ({@link dev.labwire.core.bus.Prologix#config()}) a
     * serial poll, {@code ++spoll}, which reaches the instrument even while its parser is busy.
     *
     * @throws UnsupportedOperationException when the addressing has no status read (ASCII-prefix, Modbus), naming it
     * @throws dev.labwire.core.RemoteProtocolException when the answer is not a number 0..255
     */
    public int readStatusByte() {
        return dev.labwire.core.internal.Operations.statusByte(request(Request.operation(dev.labwire.core.Operation.READ_STATUS_BYTE)));
    }

    /**
     * Device clear (IEEE 488.1 Selected Device Clear: the instrument drops its input and output buffers): {@code ++clr}
     * on a Prologix GPIB adapter.
     *
     * @throws UnsupportedOperationException when the addressing has no device clear, naming it
     */
    public void clear() {
        request(Request.operation(dev.labwire.core.Operation.CLEAR));
    }

    /**
     * Triggers this device (IEEE 488.1 Group Execute Trigger): {@code ++trg} on a Prologix GPIB adapter.
     *
     * @throws UnsupportedOperationException when the addressing has no trigger, naming it
     */
    public void trigger() {
        request(Request.operation(dev.labwire.core.Operation.TRIGGER));
    }

    /** Runs any request of the core at normal priority. */
    public Event.Reply request(Request request) {
        return request(request, Bus.Priority.NORMAL);
    }

    /** Runs any request of the core; {@link Bus.Priority#HIGH} goes before every normal request on the bus. */
    public Event.Reply request(Request request, Bus.Priority priority) {
        return driver.request(address, Objects.requireNonNull(request, "request"), Objects.requireNonNull(priority, "priority"));
    }

    @Override
    public String toString() {
        return "BusDevice[" + address + " on " + driver.name() + "]";
    }
}
