package dev.labwire.mock;

import dev.labwire.core.vxi11.internal.Vxi11;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One VXI-11 link of the mock (made by create_link): the message being written until END, the replies waiting to
 * be read, and the link's SRQ and abort state. Guarded by the owning {@link Vxi11Device}'s monitor.
 */
final class Vxi11Link {

    /** Bytes of one reply, readable from {@code availableNanos}; {@code end}: the last part of its message. */
    private static final class Part {
        final byte[] bytes;
        final long availableNanos;
        boolean end;
        int taken;

        Part(byte[] bytes, long availableNanos, boolean end) {
            this.bytes = bytes;
            this.availableNanos = availableNanos;
            this.end = end;
        }
    }

    /** What one device_read gathered: its reason bits and data (reason 0: nothing complete yet). */
    record Taken(int reason, byte[] data) {
    }

    final int lid;
    final RpcServer.Connection connection;
    final ByteArrayOutputStream input = new ByteArrayOutputStream();
    private final Deque<Part> output = new ArrayDeque<>();
    boolean stalled;        // a MockReply.stall(): later commands are not answered until device_clear
    boolean reading;        // a device_read is in progress (device_abort applies only then)
    boolean aborted;        // device_abort arrived: the read in progress ends with error 23
    boolean srqEnabled;
    byte[] srqHandle = new byte[0];

    Vxi11Link(int lid, RpcServer.Connection connection) {
        this.lid = lid;
        this.connection = connection;
    }

    /** Runs each {@code \n}-separated command of a message, queuing each answer as one response message. */
    void execute(MockInstrument owner, String message) {
        for (String command : message.split("\n", -1)) {
            String c = command.endsWith("\r") ? command.substring(0, command.length() - 1) : command;
            if (!c.isEmpty()) {
                runCommand(owner, c);
            }
        }
    }

    /** Records {@code command} and queues its answer (the mock's scripted reply, responder or dictionary). */
    void runCommand(MockInstrument owner, String command) {
        long at = System.nanoTime();
        owner.record(command);
        if (stalled) {
            return;
        }
        MockReply reply = owner.replyFor(command);
        if (reply.kind == MockReply.Kind.STALL) {
            stalled = true;
            return;
        }
        Part last = null;
        for (MockReply r = reply; r != null; r = r.next) {
            at += r.delay.toNanos();
            if (r.kind == MockReply.Kind.BYTES) {
                last = new Part(r.raw(), at, false);
                output.add(last);
            }
        }
        if (last != null) {
            last.end = true;
        }
    }

    /** Whether reply bytes are queued (readable now or later): the status byte's MAV. */
    boolean hasOutput() {
        return !output.isEmpty();
    }

    /** When the next queued part becomes readable, or {@code Long.MAX_VALUE} when nothing is queued. */
    long nextAvailableNanos() {
        return output.isEmpty() ? Long.MAX_VALUE : output.peekFirst().availableNanos;
    }

    /** Drops everything queued and half-written (device_clear). */
    void clear() {
        input.reset();
        output.clear();
        stalled = false;
        aborted = false;
    }

    /**
     * Moves readable bytes into {@code into}, at most up to {@code requestSize} in all, stopping after
     * {@code termChar} (when not negative); returns the reasons met: REQCNT, CHR, END (0: none yet).
     */
    int take(ByteArrayOutputStream into, long requestSize, int termChar, long nowNanos) {
        while (!output.isEmpty() && output.peekFirst().availableNanos - nowNanos <= 0) {
            Part p = output.peekFirst();
            int reason = 0;
            while (p.taken < p.bytes.length && into.size() < requestSize) {
                int b = p.bytes[p.taken++] & 0xFF;
                into.write(b);
                if (b == termChar) {
                    reason |= Vxi11.REASON_CHR;
                    break;
                }
            }
            if (p.taken == p.bytes.length) {
                output.removeFirst();
                if (p.end) {
                    reason |= Vxi11.REASON_END;
                }
            }
            if (into.size() >= requestSize) {
                reason |= Vxi11.REASON_REQCNT;
            }
            if (reason != 0) {
                return reason;
            }
        }
        return into.size() >= requestSize ? Vxi11.REASON_REQCNT : 0;
    }
}
