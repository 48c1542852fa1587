package dev.labwire.core.vxi11.internal;

/**
 * VXI-11 rev 1.0 numbers (VXIbus Consortium, "TCP/IP Instrument Protocol Specification", appendix C RPCL):
 * programs, procedures, Device_Flags bits, read reasons, and the names of the procedures for messages.
 *
 * <pre>
 * program DEVICE_CORE  0x0607AF v1: create_link 10, device_write 11, device_read 12, device_readstb 13,
 *     device_trigger 14, device_clear 15, device_remote 16, device_local 17, device_lock 18, device_unlock 19,
 *     device_enable_srq 20, device_docmd 22, destroy_link 23, create_intr_chan 25, destroy_intr_chan 26
 * program DEVICE_ASYNC 0x0607B0 v1: device_abort 1            (the abort channel)
 * program DEVICE_INTR  0x0607B1 v1: device_intr_srq 30        (the interrupt channel, device to host)
 * </pre>
 */
public final class Vxi11 {

    /** The core channel program. */
    public static final int CORE_PROGRAM = 0x0607AF;
    /** The abort channel program. */
    public static final int ABORT_PROGRAM = 0x0607B0;
    /** The interrupt channel program (served by the host). */
    public static final int INTR_PROGRAM = 0x0607B1;
    /** The version of all three programs. */
    public static final int VERSION = 1;

    /** device_abort, on the abort channel. */
    public static final int DEVICE_ABORT = 1;
    /** create_link. */
    public static final int CREATE_LINK = 10;
    /** device_write. */
    public static final int DEVICE_WRITE = 11;
    /** device_read. */
    public static final int DEVICE_READ = 12;
    /** device_readstb. */
    public static final int DEVICE_READSTB = 13;
    /** device_trigger. */
    public static final int DEVICE_TRIGGER = 14;
    /** device_clear. */
    public static final int DEVICE_CLEAR = 15;
    /** device_remote. */
    public static final int DEVICE_REMOTE = 16;
    /** device_local. */
    public static final int DEVICE_LOCAL = 17;
    /** device_lock. */
    public static final int DEVICE_LOCK = 18;
    /** device_unlock. */
    public static final int DEVICE_UNLOCK = 19;
    /** device_enable_srq. */
    public static final int DEVICE_ENABLE_SRQ = 20;
    /** device_docmd. */
    public static final int DEVICE_DOCMD = 22;
    /** destroy_link. */
    public static final int DESTROY_LINK = 23;
    /** create_intr_chan. */
    public static final int CREATE_INTR_CHAN = 25;
    /** destroy_intr_chan. */
    public static final int DESTROY_INTR_CHAN = 26;
    /** device_intr_srq, on the interrupt channel. */
    public static final int DEVICE_INTR_SRQ = 30;

    /** Device_Flags: wait for the lock up to lock_timeout instead of failing at once with error 11. */
    public static final int FLAG_WAITLOCK = 0x01;
    /** Device_Flags on device_write: the data ends the message (END, like GPIB EOI). */
    public static final int FLAG_END = 0x08;
    /** Device_Flags on device_read: termChar is valid and ends the read. */
    public static final int FLAG_TERMCHRSET = 0x80;

    /** Device_ReadResp reason: requestSize bytes were transferred. */
    public static final int REASON_REQCNT = 0x1;
    /** Device_ReadResp reason: the termChar was read. */
    public static final int REASON_CHR = 0x2;
    /** Device_ReadResp reason: the END indicator was read. */
    public static final int REASON_END = 0x4;

    /** Device_AddrFamily DEVICE_TCP. */
    public static final int FAMILY_TCP = 0;
    /** Device_AddrFamily DEVICE_UDP. */
    public static final int FAMILY_UDP = 1;

    /** The most bytes of a device name accepted by create_link decoding. */
    public static final int MAX_DEVICE_NAME = 256;
    /** The longest handle of device_enable_srq ({@code opaque handle<40>}). */
    public static final int MAX_SRQ_HANDLE = 40;

    private Vxi11() {
    }

    /** The specification's name of a core/abort/interrupt procedure, e.g. {@code "device_write"}. */
    public static String procedureName(int program, int procedure) {
        if (program == ABORT_PROGRAM) {
            return procedure == DEVICE_ABORT ? "device_abort" : "abort procedure " + procedure;
        }
        if (program == INTR_PROGRAM) {
            return procedure == DEVICE_INTR_SRQ ? "device_intr_srq" : "interrupt procedure " + procedure;
        }
        switch (procedure) {
            case CREATE_LINK: return "create_link";
            case DEVICE_WRITE: return "device_write";
            case DEVICE_READ: return "device_read";
            case DEVICE_READSTB: return "device_readstb";
            case DEVICE_TRIGGER: return "device_trigger";
            case DEVICE_CLEAR: return "device_clear";
            case DEVICE_REMOTE: return "device_remote";
            case DEVICE_LOCAL: return "device_local";
            case DEVICE_LOCK: return "device_lock";
            case DEVICE_UNLOCK: return "device_unlock";
            case DEVICE_ENABLE_SRQ: return "device_enable_srq";
            case DEVICE_DOCMD: return "device_docmd";
            case DESTROY_LINK: return "destroy_link";
            case CREATE_INTR_CHAN: return "create_intr_chan";
            case DESTROY_INTR_CHAN: return "destroy_intr_chan";
            default: return "core procedure " + procedure;
        }
    }
}
