package dev.labwire.core.vxi11.internal;

import static dev.labwire.core.vxi11.internal.XdrStruct.u32;
import static dev.labwire.core.vxi11.internal.XdrStruct.upTo;

import java.util.Arrays;
import java.util.Objects;

/**
 * The argument structures of every VXI-11 procedure (VXI-11 rev 1.0 appendix C), each encoded and decoded in the
 * field order of the specification. {@code long} in the RPCL is a signed 32-bit XDR int (Java {@code int});
 * {@code unsigned long} and {@code unsigned short} are XDR unsigned ints (Java {@code long}/{@code int}, range
 * checked); {@code char} is an XDR int (a signed or unsigned char on the wire is accepted and kept as 0..255).
 * Timeouts are milliseconds. Every {@code decode} reads a whole argument body and fails with a
 * {@link dev.labwire.core.RemoteProtocolException} on a short, over-long or malformed one; constructors fail with
 * {@link IllegalArgumentException} on out-of-range values. Arrays are copied in and out.
 */
public final class Vxi11Calls {

    private Vxi11Calls() {
    }

    /** Encodes a bare {@code Device_Link} (device_unlock, destroy_link, device_abort). */
    public static byte[] encodeLink(int lid) {
        return new XdrWriter().putInt(lid).toByteArray();
    }

    /** Decodes a bare {@code Device_Link}. */
    public static int decodeLink(byte[] args) {
        XdrReader r = new XdrReader(args);
        int lid = r.getInt("Device_Link");
        r.expectEnd("Device_Link argument");
        return lid;
    }

    /** {@code Create_LinkParms}: clientId, lockDevice, lock_timeout, device (e.g. {@code "inst0"}). */
    public record CreateLinkParms(int clientId, boolean lockDevice, long lockTimeout, String device)
            implements XdrStruct {
        /** Checks the ranges. */
        public CreateLinkParms {
            u32(lockTimeout, "lock_timeout");
            Objects.requireNonNull(device, "device");
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(clientId).putBool(lockDevice).putUnsignedInt(lockTimeout).putString(device);
        }

        /** Decodes the arguments of create_link. */
        public static CreateLinkParms decode(byte[] args) {
            XdrReader r = new XdrReader(args);
            CreateLinkParms p = new CreateLinkParms(r.getInt("clientId"), r.getBool("lockDevice"),
                    r.getUnsignedInt("lock_timeout"), r.getString(Vxi11.MAX_DEVICE_NAME, "device"));
            r.expectEnd("Create_LinkParms");
            return p;
        }
    }

    /** {@code Device_WriteParms}: lid, io_timeout, lock_timeout, flags, data. */
    public record DeviceWriteParms(int lid, long ioTimeout, long lockTimeout, int flags, byte[] data)
            implements XdrStruct {
        /** Checks the ranges, copies {@code data}. */
        public DeviceWriteParms {
            u32(ioTimeout, "io_timeout");
            u32(lockTimeout, "lock_timeout");
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** Whether the END flag is set: the data ends the message. */
        public boolean end() {
            return (flags & Vxi11.FLAG_END) != 0;
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(lid).putUnsignedInt(ioTimeout).putUnsignedInt(lockTimeout).putInt(flags).putOpaque(data);
        }

        /** Decodes the arguments of device_write. */
        public static DeviceWriteParms decode(byte[] args) {
            XdrReader r = new XdrReader(args);
            DeviceWriteParms p = new DeviceWriteParms(r.getInt("lid"), r.getUnsignedInt("io_timeout"),
                    r.getUnsignedInt("lock_timeout"), r.getInt("flags"), r.getOpaque(Integer.MAX_VALUE, "data"));
            r.expectEnd("Device_WriteParms");
            return p;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DeviceWriteParms p && lid == p.lid && ioTimeout == p.ioTimeout
                    && lockTimeout == p.lockTimeout && flags == p.flags && Arrays.equals(data, p.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(lid, ioTimeout, lockTimeout, flags) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "DeviceWriteParms[lid " + lid + ", io " + ioTimeout + " ms, lock " + lockTimeout + " ms, flags 0x"
                    + Integer.toHexString(flags) + ", " + data.length + " bytes]";
        }
    }

    /** {@code Device_ReadParms}: lid, requestSize, io_timeout, lock_timeout, flags, termChar. */
    public record DeviceReadParms(int lid, long requestSize, long ioTimeout, long lockTimeout, int flags,
            int termChar) implements XdrStruct {
        /** Checks the ranges. */
        public DeviceReadParms {
            u32(requestSize, "requestSize");
            u32(ioTimeout, "io_timeout");
            u32(lockTimeout, "lock_timeout");
            upTo(termChar, 255, "termChar");
        }

        /** Whether termChar is set (flag termchrset). */
        public boolean termCharSet() {
            return (flags & Vxi11.FLAG_TERMCHRSET) != 0;
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(lid).putUnsignedInt(requestSize).putUnsignedInt(ioTimeout).putUnsignedInt(lockTimeout)
                    .putInt(flags).putInt(termChar);
        }

        /** Decodes the arguments of device_read. */
        public static DeviceReadParms decode(byte[] args) {
            XdrReader r = new XdrReader(args);
            int lid = r.getInt("lid");
            long size = r.getUnsignedInt("requestSize");
            long io = r.getUnsignedInt("io_timeout");
            long lock = r.getUnsignedInt("lock_timeout");
            int flags = r.getInt("flags");
            int at = r.position();
            int c = r.getInt("termChar");
            if (c < -128 || c > 255) {
                throw new dev.labwire.core.RemoteProtocolException("termChar at offset " + at + " is " + c
                        + ", not a char");
            }
            r.expectEnd("Device_ReadParms");
            return new DeviceReadParms(lid, size, io, lock, flags, c & 0xFF);
        }
    }

    /** {@code Device_GenericParms}: lid, flags, lock_timeout, io_timeout (readstb, trigger, clear, remote, local). */
    public record DeviceGenericParms(int lid, int flags, long lockTimeout, long ioTimeout) implements XdrStruct {
        /** Checks the ranges. */
        public DeviceGenericParms {
            u32(lockTimeout, "lock_timeout");
            u32(ioTimeout, "io_timeout");
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(lid).putInt(flags).putUnsignedInt(lockTimeout).putUnsignedInt(ioTimeout);
        }

        /** Decodes Device_GenericParms. */
        public static DeviceGenericParms decode(byte[] args) {
            XdrReader r = new XdrReader(args);
            DeviceGenericParms p = new DeviceGenericParms(r.getInt("lid"), r.getInt("flags"),
                    r.getUnsignedInt("lock_timeout"), r.getUnsignedInt("io_timeout"));
            r.expectEnd("Device_GenericParms");
            return p;
        }
    }

    /**
     * {@code Device_RemoteFunc} of create_intr_chan: the host's IPv4 address (as an unsigned int, most significant
     * byte first: 127.0.0.1 is 0x7F000001), its port, the program and version it serves (0x0607B1, 1) and
     * {@link Vxi11#FAMILY_TCP} or {@link Vxi11#FAMILY_UDP}.
     */
    public record DeviceRemoteFunc(long hostAddr, int hostPort, int progNum, int progVers, int progFamily)
            implements XdrStruct {
        /** Checks the ranges. */
        public DeviceRemoteFunc {
            u32(hostAddr, "hostAddr");
            upTo(hostPort, 65535, "hostPort");
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putUnsignedInt(hostAddr).putUnsignedInt(hostPort).putInt(progNum).putInt(progVers).putInt(progFamily);
        }

        /** Decodes the arguments of create_intr_chan. */
        public static DeviceRemoteFunc decode(byte[] args) {
            XdrReader r = new XdrReader(args);
            DeviceRemoteFunc p = new DeviceRemoteFunc(r.getUnsignedInt("hostAddr"),
                    (int) r.getUnsignedInt("hostPort", 65535), r.getInt("progNum"), r.getInt("progVers"),
                    r.getInt("progFamily"));
            r.expectEnd("Device_RemoteFunc");
            return p;
        }
    }

    /** {@code Device_EnableSrqParms}: lid, enable, handle (at most 40 bytes, sent back in device_intr_srq). */
    public record DeviceEnableSrqParms(int lid, boolean enable, byte[] handle) implements XdrStruct {
        /** Checks the handle length, copies it. */
        public DeviceEnableSrqParms {
            upTo(handle.length, Vxi11.MAX_SRQ_HANDLE, "handle length");
            handle = handle.clone();
        }

        @Override
        public byte[] handle() {
            return handle.clone();
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(lid).putBool(enable).putOpaque(handle);
        }

        /** Decodes the arguments of device_enable_srq. */
        public static DeviceEnableSrqParms decode(byte[] args) {
            XdrReader r = new XdrReader(args);
            DeviceEnableSrqParms p = new DeviceEnableSrqParms(r.getInt("lid"), r.getBool("enable"),
                    r.getOpaque(Vxi11.MAX_SRQ_HANDLE, "handle"));
            r.expectEnd("Device_EnableSrqParms");
            return p;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DeviceEnableSrqParms p && lid == p.lid && enable == p.enable
                    && Arrays.equals(handle, p.handle);
        }

        @Override
        public int hashCode() {
            return Objects.hash(lid, enable) * 31 + Arrays.hashCode(handle);
        }

        @Override
        public String toString() {
            return "DeviceEnableSrqParms[lid " + lid + ", enable " + enable + ", handle " + Arrays.toString(handle) + "]";
        }
    }

    /** {@code Device_LockParms}: lid, flags (waitlock), lock_timeout. */
    public record DeviceLockParms(int lid, int flags, long lockTimeout) implements XdrStruct {
        /** Checks the range. */
        public DeviceLockParms {
            u32(lockTimeout, "lock_timeout");
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(lid).putInt(flags).putUnsignedInt(lockTimeout);
        }

        /** Decodes the arguments of device_lock. */
        public static DeviceLockParms decode(byte[] args) {
            XdrReader r = new XdrReader(args);
            DeviceLockParms p = new DeviceLockParms(r.getInt("lid"), r.getInt("flags"), r.getUnsignedInt("lock_timeout"));
            r.expectEnd("Device_LockParms");
            return p;
        }
    }

    /** {@code Device_DocmdParms}: lid, flags, io_timeout, lock_timeout, cmd, network_order, datasize, data_in. */
    public record DeviceDocmdParms(int lid, int flags, long ioTimeout, long lockTimeout, int cmd,
            boolean networkOrder, int dataSize, byte[] dataIn) implements XdrStruct {
        /** Checks the ranges, copies {@code dataIn}. */
        public DeviceDocmdParms {
            u32(ioTimeout, "io_timeout");
            u32(lockTimeout, "lock_timeout");
            dataIn = dataIn.clone();
        }

        @Override
        public byte[] dataIn() {
            return dataIn.clone();
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(lid).putInt(flags).putUnsignedInt(ioTimeout).putUnsignedInt(lockTimeout).putInt(cmd)
                    .putBool(networkOrder).putInt(dataSize).putOpaque(dataIn);
        }

        /** Decodes the arguments of device_docmd. */
        public static DeviceDocmdParms decode(byte[] args) {
            XdrReader r = new XdrReader(args);
            DeviceDocmdParms p = new DeviceDocmdParms(r.getInt("lid"), r.getInt("flags"),
                    r.getUnsignedInt("io_timeout"), r.getUnsignedInt("lock_timeout"), r.getInt("cmd"),
                    r.getBool("network_order"), r.getInt("datasize"), r.getOpaque(Integer.MAX_VALUE, "data_in"));
            r.expectEnd("Device_DocmdParms");
            return p;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DeviceDocmdParms p && lid == p.lid && flags == p.flags && ioTimeout == p.ioTimeout
                    && lockTimeout == p.lockTimeout && cmd == p.cmd && networkOrder == p.networkOrder
                    && dataSize == p.dataSize && Arrays.equals(dataIn, p.dataIn);
        }

        @Override
        public int hashCode() {
            return Objects.hash(lid, flags, ioTimeout, lockTimeout, cmd, networkOrder, dataSize) * 31
                    + Arrays.hashCode(dataIn);
        }

        @Override
        public String toString() {
            return "DeviceDocmdParms[lid " + lid + ", cmd 0x" + Integer.toHexString(cmd) + ", " + dataIn.length
                    + " bytes]";
        }
    }

    /** {@code Device_SrqParms} of device_intr_srq: the handle given to device_enable_srq. */
    public record DeviceSrqParms(byte[] handle) implements XdrStruct {
        /** Copies {@code handle}. */
        public DeviceSrqParms {
            handle = handle.clone();
        }

        @Override
        public byte[] handle() {
            return handle.clone();
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putOpaque(handle);
        }

        /** Decodes the arguments of device_intr_srq ({@code opaque handle<>}, bounded by the message). */
        public static DeviceSrqParms decode(byte[] args) {
            XdrReader r = new XdrReader(args);
            DeviceSrqParms p = new DeviceSrqParms(r.getOpaque(Integer.MAX_VALUE, "handle"));
            r.expectEnd("Device_SrqParms");
            return p;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DeviceSrqParms p && Arrays.equals(handle, p.handle);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(handle);
        }

        @Override
        public String toString() {
            return "DeviceSrqParms[" + Arrays.toString(handle) + "]";
        }
    }
}
