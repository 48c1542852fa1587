package dev.labwire.mock;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.vxi11.Vxi11Error;
import dev.labwire.core.vxi11.internal.RpcCall;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.Vxi11;
import dev.labwire.core.vxi11.internal.Vxi11Calls;
import dev.labwire.core.vxi11.internal.Vxi11Calls.CreateLinkParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceGenericParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceReadParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceWriteParms;
import dev.labwire.core.vxi11.internal.Vxi11Results.CreateLinkResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceError;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadStbResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceWriteResp;
import dev.labwire.core.vxi11.internal.XdrStruct;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The VXI-11 device behind a {@link MockInstrument#vxi11 VXI-11 mock}: the core channel (program 0x0607AF) and the
 * abort channel (0x0607B0), one monitor for all state. Commands written with END are split at {@code \n}, recorded
 * and answered exactly as the raw-socket mock answers lines ({@link MockInstrument#replyFor}); each answer is queued
 * on the link as one response message, read back by device_read with END on its last byte.
 *
 * <p>Device names {@code inst0}..{@code instN} are accepted (any case); others get error 3. Locks are device wide.
 * Calls that touch the device (write, read, readstb, trigger, clear, remote, local) wait for another link's lock
 * up to lock_timeout when waitlock is set, else fail at once with error 11. device_docmd is not supported (8).
 * device_trigger executes {@code *TRG} (IEEE 488.2: equivalent to GET). device_readstb is the dictionary's status
 * byte with this link's MAV, and RQS (bit 6) when service was requested (the dictionary's MSS rising, or
 * {@link MockInstrument#requestService()}) since the last poll, which clears it. When a client connection ends, its links go
 * and their locks are released.
 */
final class Vxi11Device {

    /** Links beyond this many get error 9 (out of resources). */
    static final int MAX_LINKS = 64;
    /** A message longer than this before END is dropped with error 9 (out of resources). */
    static final int MAX_MESSAGE = 1 << 20;

    private static final Pattern DEVICE_NAME = Pattern.compile("(?i)inst\\d+");
    private static final int STB_RQS = 0x40;

    private final MockInstrument owner;
    private final Vxi11Options options;
    private final java.util.concurrent.atomic.AtomicLong deviceReads;   // the Vxi11Side's, kept across restarts
    private volatile Vxi11Calls.DeviceRemoteFunc interruptTarget;   // with interruptCallback(false)
    private volatile byte[] srqHandle = new byte[0];
    private final Map<Integer, Vxi11Link> links = new LinkedHashMap<>();
    private int nextLid;
    private Vxi11Link lockOwner;
    private boolean serviceRequested;
    private boolean closed;
    private int abortPort;

    private final AutoCloseable srqListener;

    Vxi11Device(MockInstrument owner, Vxi11Options options, java.util.concurrent.atomic.AtomicLong deviceReads) {
        this.owner = owner;
        this.options = options;
        this.deviceReads = deviceReads;
        // the dictionary's IEEE 488.2 status model (e.g. *ESE 1;*SRE 32;*OPC) requests service: RQS and device_intr_srq
        this.srqListener = owner.dictionary().onServiceRequest(stb -> requestService());
    }

    synchronized void abortPort(int port) {
        this.abortPort = port;
    }

    /** Wakes every waiting call; later calls fail. */
    void close() {
        try {
            srqListener.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop listening for service requests", e);
        }
        synchronized (this) {
            closed = true;
            notifyAll();
        }
    }

    // ---- the core channel ----

    final RpcServer.Handler core = new RpcServer.Handler() {
        @Override
        public RpcReply handle(RpcCall call, RpcServer.Connection from) {
            RpcReply refused = PortmapService.misdirected(call, Vxi11.CORE_PROGRAM, Vxi11.VERSION);
            if (refused != null) {
                return refused;
            }
            if (call.procedure() == 0) {   // NULL, which every ONC RPC program answers (RFC 5531 section 12.1)
                return RpcReply.success(call.xid(), new byte[0]);
            }
            XdrStruct result;
            try {
                result = dispatch(call, from);
            } catch (RemoteProtocolException e) {
                return RpcReply.error(call.xid(), RpcReply.Status.GARBAGE_ARGS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return RpcReply.error(call.xid(), RpcReply.Status.SYSTEM_ERR);
            }
            return result == null ? RpcReply.error(call.xid(), RpcReply.Status.PROC_UNAVAIL)
                    : RpcReply.success(call.xid(), result.encode());
        }

        @Override
        public void closed(RpcServer.Connection c) {
            connectionEnded(c);
        }
    };

    /** The abort channel: device_abort(lid) ends that link's device_read in progress with error 23. */
    final RpcServer.Handler abort = (call, from) -> {
        RpcReply refused = PortmapService.misdirected(call, Vxi11.ABORT_PROGRAM, Vxi11.VERSION);
        if (refused != null) {
            return refused;
        }
        if (call.procedure() == 0) {
            return RpcReply.success(call.xid(), new byte[0]);
        }
        if (call.procedure() != Vxi11.DEVICE_ABORT) {
            return RpcReply.error(call.xid(), RpcReply.Status.PROC_UNAVAIL);
        }
        int lid;
        try {
            lid = Vxi11Calls.decodeLink(call.arguments());
        } catch (RemoteProtocolException e) {
            return RpcReply.error(call.xid(), RpcReply.Status.GARBAGE_ARGS);
        }
        int error;
        synchronized (this) {
            Vxi11Link link = links.get(lid);
            if (link != null && link.reading) {   // device_abort ends a call in progress, nothing later
                link.aborted = true;
                notifyAll();
            }
            error = link == null ? Vxi11Error.INVALID_LINK_IDENTIFIER.code() : 0;
        }
        return RpcReply.success(call.xid(), new DeviceError(error).encode());
    };

    private XdrStruct dispatch(RpcCall call, RpcServer.Connection from) throws InterruptedException {
        byte[] args = call.arguments();
        switch (call.procedure()) {
            case Vxi11.CREATE_LINK:
                return createLink(CreateLinkParms.decode(args), from);
            case Vxi11.DEVICE_WRITE:
                return write(DeviceWriteParms.decode(args));
            case Vxi11.DEVICE_READ:
                return read(DeviceReadParms.decode(args));
            case Vxi11.DEVICE_READSTB:
                return readStb(DeviceGenericParms.decode(args));
            case Vxi11.DEVICE_TRIGGER:
            case Vxi11.DEVICE_CLEAR:
            case Vxi11.DEVICE_REMOTE:
            case Vxi11.DEVICE_LOCAL:
                return generic(call.procedure(), DeviceGenericParms.decode(args));
            case Vxi11.DEVICE_LOCK:
                return lock(Vxi11Calls.DeviceLockParms.decode(args));
            case Vxi11.DEVICE_UNLOCK:
                return unlock(Vxi11Calls.decodeLink(args));
            case Vxi11.DEVICE_ENABLE_SRQ:
                return enableSrq(Vxi11Calls.DeviceEnableSrqParms.decode(args));
            case Vxi11.DEVICE_DOCMD:
                Vxi11Calls.DeviceDocmdParms.decode(args);
                return new dev.labwire.core.vxi11.internal.Vxi11Results.DeviceDocmdResp(
                        Vxi11Error.OPERATION_NOT_SUPPORTED.code(), new byte[0]);
            case Vxi11.DESTROY_LINK:
                return destroyLink(Vxi11Calls.decodeLink(args));
            case Vxi11.CREATE_INTR_CHAN:
                Vxi11Calls.DeviceRemoteFunc f = Vxi11Calls.DeviceRemoteFunc.decode(args);
                if (!options.interruptChannel()) {
                    return new DeviceError(Vxi11Error.INVALID_ADDRESS.code());
                }
                if (!options.interruptCallback()) {
                    interruptTarget = f;   // a test connects in the instrument's place
                    return new DeviceError(f.progFamily() == Vxi11.FAMILY_TCP ? 0
                            : Vxi11Error.OPERATION_NOT_SUPPORTED.code());
                }
                return new DeviceError(Vxi11Interrupts.create(from, f));
            case Vxi11.DESTROY_INTR_CHAN:
                if (args.length != 0) {
                    throw new RemoteProtocolException("destroy_intr_chan takes no arguments, got " + args.length);
                }
                return new DeviceError(Vxi11Interrupts.destroy(from));
            default:
                return null;
        }
    }

    private synchronized CreateLinkResp createLink(CreateLinkParms p, RpcServer.Connection from)
            throws InterruptedException {
        int max = options.maxRecvSize();
        if (!DEVICE_NAME.matcher(p.device()).matches()) {
            return new CreateLinkResp(Vxi11Error.DEVICE_NOT_ACCESSIBLE.code(), 0, abortPort, max);
        }
        if (links.size() >= MAX_LINKS) {
            return new CreateLinkResp(Vxi11Error.OUT_OF_RESOURCES.code(), 0, abortPort, max);
        }
        Vxi11Link link = new Vxi11Link(nextLid++, from);
        if (p.lockDevice()) {
            int e = awaitLock(link, Vxi11.FLAG_WAITLOCK, p.lockTimeout());
            if (e != 0) {
                return new CreateLinkResp(e, 0, abortPort, max);
            }
            lockOwner = link;
        }
        links.put(link.lid, link);
        return new CreateLinkResp(0, link.lid, abortPort, max);
    }

    /** 0 when {@code link} may use the device now, after waiting up to lockTimeout with waitlock; else 11. */
    private int awaitLock(Vxi11Link link, int flags, long lockTimeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + lockTimeoutMs * 1_000_000L;
        while (lockOwner != null && lockOwner != link) {
            long left = deadline - System.nanoTime();
            if ((flags & Vxi11.FLAG_WAITLOCK) == 0 || left <= 0 || closed) {
                return Vxi11Error.DEVICE_LOCKED_BY_ANOTHER_LINK.code();
            }
            wait(Math.max(1, left / 1_000_000L));
        }
        return 0;
    }

    private synchronized DeviceWriteResp write(DeviceWriteParms p) throws InterruptedException {
        Vxi11Link link = links.get(p.lid());
        if (link == null) {
            return new DeviceWriteResp(Vxi11Error.INVALID_LINK_IDENTIFIER.code(), 0);
        }
        byte[] data = p.data();
        if (data.length > options.maxRecvSize()) {
            return new DeviceWriteResp(Vxi11Error.PARAMETER_ERROR.code(), 0);
        }
        int e = awaitLock(link, p.flags(), p.lockTimeout());
        if (e != 0) {
            return new DeviceWriteResp(e, 0);
        }
        if (link.input.size() + data.length > MAX_MESSAGE) {
            link.input.reset();
            return new DeviceWriteResp(Vxi11Error.OUT_OF_RESOURCES.code(), 0);
        }
        link.input.write(data, 0, data.length);
        if (p.end()) {
            String message = link.input.toString(StandardCharsets.ISO_8859_1);
            link.input.reset();
            link.execute(owner, message);
            notifyAll();
        }
        return new DeviceWriteResp(0, data.length);
    }

    private synchronized DeviceReadResp read(DeviceReadParms p) throws InterruptedException {
        deviceReads.incrementAndGet();
        Vxi11Link link = links.get(p.lid());
        if (link == null) {
            return new DeviceReadResp(Vxi11Error.INVALID_LINK_IDENTIFIER.code(), 0, new byte[0]);
        }
        int e = awaitLock(link, p.flags(), p.lockTimeout());
        if (e != 0) {
            return new DeviceReadResp(e, 0, new byte[0]);
        }
        link.aborted = false;
        link.reading = true;
        try {
            return readWhileLocked(link, p);
        } finally {
            link.reading = false;
            link.aborted = false;
        }
    }

    private DeviceReadResp readWhileLocked(Vxi11Link link, DeviceReadParms p) throws InterruptedException {
        long deadline = System.nanoTime() + p.ioTimeout() * 1_000_000L;
        int termChar = p.termCharSet() ? p.termChar() : -1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long requestSize = p.requestSize();
        while (true) {
            if (link.aborted) {
                return new DeviceReadResp(Vxi11Error.ABORT.code(), 0, out.toByteArray());
            }
            if (closed || links.get(link.lid) != link) {
                return new DeviceReadResp(Vxi11Error.INVALID_LINK_IDENTIFIER.code(), 0, out.toByteArray());
            }
            long now = System.nanoTime();
            int reason = link.take(out, requestSize, termChar, now);
            if (reason != 0 || options.emptyReads()) {   // the fault: no wait, even with nothing (reason 0)
                return new DeviceReadResp(0, reason, out.toByteArray());
            }
            long left = deadline - now;
            if (left <= 0) {
                return new DeviceReadResp(Vxi11Error.IO_TIMEOUT.code(), 0, out.toByteArray());
            }
            long until = Math.min(left, link.nextAvailableNanos() - now);
            wait(Math.max(1, Math.min(until, left) / 1_000_000L + 1));
        }
    }

    private synchronized DeviceReadStbResp readStb(DeviceGenericParms p) throws InterruptedException {
        Vxi11Link link = links.get(p.lid());
        if (link == null) {
            return new DeviceReadStbResp(Vxi11Error.INVALID_LINK_IDENTIFIER.code(), 0);
        }
        int e = awaitLock(link, p.flags(), p.lockTimeout());
        if (e != 0) {
            return new DeviceReadStbResp(e, 0);
        }
        int stb = owner.dictionary().statusByte(link.hasOutput()) & ~STB_RQS;   // MAV from this link's replies
        if (serviceRequested) {
            stb |= STB_RQS;
            serviceRequested = false;   // a serial poll clears RQS (IEEE 488.2 11.2.2)
        }
        return new DeviceReadStbResp(0, stb);
    }

    private synchronized DeviceError generic(int procedure, DeviceGenericParms p) throws InterruptedException {
        Vxi11Link link = links.get(p.lid());
        if (link == null) {
            return new DeviceError(Vxi11Error.INVALID_LINK_IDENTIFIER.code());
        }
        int e = awaitLock(link, p.flags(), p.lockTimeout());
        if (e != 0) {
            return new DeviceError(e);
        }
        if (procedure == Vxi11.DEVICE_CLEAR) {
            link.clear();
            owner.record(Vxi11Options.DEVICE_CLEAR_COMMAND);
        } else if (procedure == Vxi11.DEVICE_TRIGGER) {
            link.runCommand(owner, "*TRG");
            notifyAll();
        }
        return new DeviceError(0);
    }

    private synchronized DeviceError lock(Vxi11Calls.DeviceLockParms p) throws InterruptedException {
        Vxi11Link link = links.get(p.lid());
        if (link == null) {
            return new DeviceError(Vxi11Error.INVALID_LINK_IDENTIFIER.code());
        }
        int e = awaitLock(link, p.flags(), p.lockTimeout());
        if (e == 0) {
            lockOwner = link;
        }
        return new DeviceError(e);
    }

    private synchronized DeviceError unlock(int lid) {
        Vxi11Link link = links.get(lid);
        if (link == null) {
            return new DeviceError(Vxi11Error.INVALID_LINK_IDENTIFIER.code());
        }
        if (lockOwner != link) {
            return new DeviceError(Vxi11Error.NO_LOCK_HELD_BY_THIS_LINK.code());
        }
        lockOwner = null;
        notifyAll();
        return new DeviceError(0);
    }

    private synchronized DeviceError enableSrq(Vxi11Calls.DeviceEnableSrqParms p) {
        Vxi11Link link = links.get(p.lid());
        if (link == null) {
            return new DeviceError(Vxi11Error.INVALID_LINK_IDENTIFIER.code());
        }
        link.srqEnabled = p.enable();
        link.srqHandle = p.handle();
        srqHandle = p.handle();
        return new DeviceError(0);
    }

    /** Where the latest create_intr_chan asked to be called, with the latest device_enable_srq handle; or null. */
    Vxi11InterruptTarget interruptTarget() {
        Vxi11Calls.DeviceRemoteFunc f = interruptTarget;
        if (f == null) {
            return null;
        }
        long a = f.hostAddr();
        String host = ((a >>> 24) & 0xFF) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
        return new Vxi11InterruptTarget(host, f.hostPort(), f.progNum(), f.progVers(), srqHandle);
    }

    private synchronized DeviceError destroyLink(int lid) {
        Vxi11Link link = links.remove(lid);
        if (link == null) {
            return new DeviceError(Vxi11Error.INVALID_LINK_IDENTIFIER.code());
        }
        if (lockOwner == link) {
            lockOwner = null;
        }
        notifyAll();
        return new DeviceError(0);
    }

    private void connectionEnded(RpcServer.Connection c) {
        synchronized (this) {
            links.values().removeIf(l -> l.connection == c);
            if (lockOwner != null && lockOwner.connection == c) {
                lockOwner = null;
            }
            notifyAll();
        }
        Vxi11Interrupts.destroy(c);
    }

    /**
     * Sets the status byte's RQS and calls device_intr_srq on the interrupt channel of every link with SRQ
     * enabled; returns how many calls were sent.
     */
    int requestService() {
        List<Vxi11Link> targets = new ArrayList<>();
        synchronized (this) {
            serviceRequested = true;
            for (Vxi11Link l : links.values()) {
                if (l.srqEnabled) {
                    targets.add(l);
                }
            }
        }
        int sent = 0;
        for (Vxi11Link l : targets) {
            if (Vxi11Interrupts.sendSrq(l.connection, l.srqHandle)) {
                sent++;
            }
        }
        return sent;
    }

    /** Links open now. */
    synchronized int linkCount() {
        return links.size();
    }
}
