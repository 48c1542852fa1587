package dev.labwire.core.vxi11.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.Operation;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;
import dev.labwire.core.vxi11.Vxi11Exception;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceGenericParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceLockParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceReadParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceWriteParms;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceError;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadStbResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceWriteResp;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * One request of a {@link Vxi11Session} as VXI-11 calls: device_write chunks (payload and write terminator, at most
 * maxRecvSize each, END on the last; a short write resumes where the device stopped), then device_read calls until
 * the reply's frames are whole; or, for an {@link Operation}, its one call. Each step returns the next call to make,
 * a wait before it, or the request's ending event. io_timeout and lock_timeout are the request's time left, with
 * waitlock.
 *
 * <p>Empty reads. VXI-11 rev 1.0 B.6.12 ends a device_read without an error only when requestSize bytes came (REQCNT),
 * the termChar came (CHR) or END came; otherwise the device waits up to io_timeout and answers error 15. Some devices
 * and gateways still answer at once with a part and no reason: the part is kept and the next device_read goes at
 * once, as other clients do. But a device that answers error 0, reason 0 and no data at once tells nothing new, and
 * reading again at once made 16 000 to 19 000 RPCs in 2 s. So after such an empty read the next device_read waits
 * {@value #FIRST_EMPTY_READ_WAIT_MS} ms, doubling with each empty read in a row up to {@value #MAX_EMPTY_READ_WAIT_MS}
 * ms (about 16 reads a second), until data comes; the request's deadline still ends it, and its timeout says how
 * many empty reads the device gave.
 */
final class RequestRun {

    /** What to do next: a call on the link, or the end of the request. */
    sealed interface Step {
    }

    /** Make this call. */
    record Call(int procedure, XdrStruct args) implements Step {
    }

    /** The request ends with this event. */
    record End(Event event) implements Step {
    }

    /** Make no call before {@code atNanos}; then {@link #resume(long)} gives the call. */
    record Wait(long atNanos) implements Step {
    }

    /** The wait before the device_read that follows an empty read; doubled for each empty read in a row. */
    static final long FIRST_EMPTY_READ_WAIT_MS = 1;
    /** The longest wait between empty reads. */
    static final long MAX_EMPTY_READ_WAIT_MS = 64;

    /** Whose run it is: what its ending does. */
    enum Kind {
        /** A caller's request (or an external hook's): its ending event goes out. */
        USER,
        /** A request of config.onConnect(): no caller sees it; not succeeding fails the link. */
        HOOK,
        /** device_lock re-taking the lock this client held, on a new link: not succeeding fails the link. */
        RELOCK,
        /** create_intr_chan or device_enable_srq: not succeeding turns service requests off, the link stays. */
        INTR,
        /** device_readstb after device_intr_srq: its status byte becomes an Event.ServiceRequest. */
        SRQ_STB
    }

    final long id;
    final Request request;
    final long deadline;
    final boolean hook;
    boolean internal;   // not a caller's: no caller sees its events (kind != USER)
    Kind kind = Kind.USER;
    Call fixed;         // the one call of an INTR run
    long lockMs = -1;   // device_lock's lock_timeout when set (RELOCK), else the time left
    long sentLockMs;    // the lock_timeout the LOCK operation sent
    private ConnectionConfig config;
    private int lid;
    private long maxRecvSize;
    private byte[] out;
    private int written;
    private final ByteArrayOutputStream in = new ByteArrayOutputStream();
    private final byte[] head = new byte[11];   // the reply's first bytes: "#" n and n length digits of a block
    private int headLen;
    private long wholeAt = -1;                  // a definite block's bytes with its header, once its header came
    private int parses;                         // times the gathered reply was cut into frames, for tests
    private int emptyReads;                     // device_reads answered at once with no data, error or reason
    private int emptyInARow;
    private long readAt = Long.MAX_VALUE;       // when waiting after an empty read: when to read again

    RequestRun(long id, Request request, long deadline, boolean hook) {
        this.id = id;
        this.request = request;
        this.deadline = deadline;
        this.hook = hook;
    }

    /** Whether it waits for an answer from the device's output queue (a query, not a write or an operation). */
    boolean expectsAnswer() {
        return request.expect() != Expect.nothing() && !(request.expect() instanceof Expect.Operate);
    }

    /** Reply bytes gathered so far. */
    int received() {
        return in.size();
    }

    /** The first call. */
    Step start(int lid, long maxRecvSize, ConnectionConfig config, long now) {
        this.lid = lid;
        this.maxRecvSize = maxRecvSize;
        this.config = config;
        if (fixed != null) {
            return fixed;
        }
        if (request.expect() instanceof Expect.Operate o) {
            return operate(o.operation(), now);
        }
        byte[] payload = request.payload();
        byte[] term = config.writeTerminator();
        out = Arrays.copyOf(payload, payload.length + term.length);
        System.arraycopy(term, 0, out, payload.length, term.length);
        return writeNext(now);
    }

    private long msLeft(long now) {
        return Math.max(0, Math.min(0xFFFF_FFFFL, (deadline - now) / 1_000_000L));
    }

    private Step operate(Operation op, long now) {
        long ms = msLeft(now);
        DeviceGenericParms g = new DeviceGenericParms(lid, Vxi11.FLAG_WAITLOCK, ms, ms);
        switch (op) {
            case READ_STATUS_BYTE: return new Call(Vxi11.DEVICE_READSTB, g);
            case CLEAR: return new Call(Vxi11.DEVICE_CLEAR, g);
            case TRIGGER: return new Call(Vxi11.DEVICE_TRIGGER, g);
            case REMOTE: return new Call(Vxi11.DEVICE_REMOTE, g);
            case LOCAL: return new Call(Vxi11.DEVICE_LOCAL, g);
            case LOCK:
                // the device answers error 11 after lock_timeout: leave a quarter (at most 1 s) for that answer to
                // come back before the caller's deadline, so a locked device reads as locked, not as a timeout
                sentLockMs = lockMs >= 0 ? lockMs : ms - Math.min(ms / 4, 1000);
                return new Call(Vxi11.DEVICE_LOCK, new DeviceLockParms(lid, Vxi11.FLAG_WAITLOCK, sentLockMs));
            case UNLOCK: return new Call(Vxi11.DEVICE_UNLOCK, w -> w.putInt(lid));
            default: throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    private Step writeNext(long now) {
        int n = (int) Math.min(maxRecvSize, out.length - written);
        boolean last = written + n == out.length;
        long ms = msLeft(now);
        return new Call(Vxi11.DEVICE_WRITE, new DeviceWriteParms(lid, ms, ms,
                Vxi11.FLAG_WAITLOCK | (last ? Vxi11.FLAG_END : 0), Arrays.copyOfRange(out, written, written + n)));
    }

    private Step readNext(long now) {
        long room = ReplyFrames.maxBytes(request.expect(), config) - in.size();
        long size = Math.max(1, Math.min(room, Vxi11Session.MAX_READ));
        long ms = msLeft(now);
        return new Call(Vxi11.DEVICE_READ, new DeviceReadParms(lid, size, ms, ms, Vxi11.FLAG_WAITLOCK, 0));
    }

    private End tooLong(long max) {
        return new End(new Event.Failed(id, request, new RemoteProtocolException("the reply to " + request + " passed "
                + max + " bytes without completing")));
    }

    /**
     * Whether the reply gathered so far, {@code data} the latest part, may be whole: false only for a definite IEEE
     * 488.2 block whose header said more bytes are to come. A device that caps each device_read (16 KiB, say) sends a
     * large block in hundreds of parts; cutting everything gathered after each one copied the reply each time: a
     * 16 MB block in 16 KiB parts took 3 s instead of 0.1 s.
     */
    private boolean mayBeWhole(byte[] data, long max) {
        if (!(request.expect() instanceof Expect.Block)) {
            return true;
        }
        for (int i = 0; i < data.length && headLen < head.length; i++) {
            head[headLen++] = data[i];
        }
        if (wholeAt < 0 && headLen >= 2 && head[0] == '#' && head[1] > '0' && head[1] <= '9') {
            int n = head[1] - '0';
            if (headLen >= 2 + n) {
                long len = 0;
                for (int i = 2; i < 2 + n; i++) {
                    if (head[i] < '0' || head[i] > '9') {
                        return true;    // malformed: the framer says so
                    }
                    len = len * 10 + (head[i] - '0');
                }
                wholeAt = 2 + n + len;
            }
        }
        return wholeAt < 0 || wholeAt > max || in.size() >= wholeAt;   // too long: the framer says so at once
    }

    /** After a device_read answered with nothing: wait before the next (see the class comment). */
    private Wait emptyRead(long now) {
        emptyReads++;
        emptyInARow++;
        long ms = Math.min(MAX_EMPTY_READ_WAIT_MS, FIRST_EMPTY_READ_WAIT_MS << Math.min(emptyInARow - 1, 20));
        readAt = now + ms * 1_000_000L;
        return new Wait(readAt);
    }

    /** When the run waits to read again after an empty read, else {@code Long.MAX_VALUE}. */
    long readAt() {
        return readAt;
    }

    /** The device_read after a wait, once its time has come; null before (an early timer does nothing). */
    Step resume(long now) {
        if (readAt == Long.MAX_VALUE || readAt - now > 0) {
            return null;
        }
        readAt = Long.MAX_VALUE;
        return readNext(now);
    }

    /** How many device_reads the device answered at once with nothing (tests, messages). */
    int emptyReads() {
        return emptyReads;
    }

    /** For a timeout's message: what the device did, when it answered reads with nothing; else "". */
    String emptyReadNote() {
        return emptyReads == 0 ? "" : "; the device answered " + emptyReads + " device_read call"
                + (emptyReads == 1 ? "" : "s") + " at once with no data, no error and no reason (not END, CHR or"
                + " REQCNT), and was read again at most every " + MAX_EMPTY_READ_WAIT_MS + " ms";
    }

    /** How many times the gathered reply was cut into frames (tests: it is not cut after every device_read). */
    int parses() {
        return parses;
    }

    private End failed(String procedure, int error) {
        return new End(new Event.Failed(id, request, new Vxi11Exception(procedure, error)));
    }

    /**
     * The next step after the SUCCESS results {@code r} of {@code procedure}.
     *
     * @throws RemoteProtocolException when the results do not decode
     */
    Step result(int procedure, XdrReader r, long now) {
        String name = Vxi11.procedureName(Vxi11.CORE_PROGRAM, procedure);
        switch (procedure) {
            case Vxi11.DEVICE_WRITE: {
                DeviceWriteResp w = DeviceWriteResp.decode(r);
                if (w.error() != 0) {
                    return failed(name, w.error());
                }
                written += (int) Math.min(w.size(), out.length - written);
                if (written < out.length) {
                    return writeNext(now);
                }
                return request.expect() == Expect.nothing()
                        ? new End(new Event.Reply(id, request, List.of())) : readNext(now);
            }
            case Vxi11.DEVICE_READ: {
                DeviceReadResp d = DeviceReadResp.decode(r, Vxi11Session.MAX_READ);
                if (d.error() == dev.labwire.core.vxi11.Vxi11Error.IO_TIMEOUT.code()) {
                    return new End(new Event.Timeout(id, request, true,
                            in.size() + " reply bytes came (device_read: I/O timeout)" + emptyReadNote()));
                }
                if (d.error() != 0) {
                    return failed(name, d.error());
                }
                if (d.data().length == 0 && d.reason() == 0) {
                    return emptyRead(now);
                }
                emptyInARow = 0;
                in.writeBytes(d.data());
                long max = ReplyFrames.maxBytes(request.expect(), config);
                if (!d.end() && !mayBeWhole(d.data(), max)) {
                    return in.size() >= max ? tooLong(max) : readNext(now);
                }
                List<Frame> frames;
                parses++;
                try {
                    frames = ReplyFrames.frames(request.expect(), in.toByteArray(), d.end(), config);
                } catch (RemoteProtocolException e) {
                    return new End(new Event.Failed(id, request, e));
                }
                if (frames != null) {
                    return new End(new Event.Reply(id, request, frames));
                }
                if (in.size() >= max) {
                    return tooLong(max);
                }
                return readNext(now);
            }
            case Vxi11.DEVICE_READSTB: {
                DeviceReadStbResp s = DeviceReadStbResp.decode(r);
                return s.error() != 0 ? failed(name, s.error())
                        : new End(new Event.Reply(id, request, List.of(Frame.of(Integer.toString(s.stb())))));
            }
            default: {
                DeviceError e = DeviceError.decode(r);
                return e.error() != 0 ? failed(name, e.error()) : new End(new Event.Reply(id, request, List.of()));
            }
        }
    }
}
