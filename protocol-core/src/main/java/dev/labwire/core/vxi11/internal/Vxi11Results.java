package dev.labwire.core.vxi11.internal;

import static dev.labwire.core.vxi11.internal.XdrStruct.u32;
import static dev.labwire.core.vxi11.internal.XdrStruct.upTo;

import dev.labwire.core.vxi11.Vxi11Exception;
import java.util.Arrays;
import java.util.Objects;

/**
 * The result structures of every VXI-11 procedure (VXI-11 rev 1.0 appendix C), in the specification's field
 * order; conventions as in {@link Vxi11Calls}. Each starts with the {@code Device_ErrorCode error};
 * {@link #check(String, int)} turns a non-zero one into a {@link Vxi11Exception}. device_intr_srq and
 * destroy_intr_chan's argument are {@code void}. Every {@code decode} reads a whole result body and fails with a
 * {@link dev.labwire.core.RemoteProtocolException} on a short, over-long or malformed one.
 */
public final class Vxi11Results {

    private Vxi11Results() {
    }

    /** Throws {@link Vxi11Exception} naming {@code procedure} when {@code error} is not 0. */
    public static void check(String procedure, int error) {
        if (error != 0) {
            throw new Vxi11Exception(procedure, error);
        }
    }

    /** {@code Device_Error}: the result of most calls. */
    public record DeviceError(int error) implements XdrStruct {
        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(error);
        }

        /** Decodes Device_Error. */
        public static DeviceError decode(XdrReader r) {
            DeviceError e = new DeviceError(r.getInt("error"));
            r.expectEnd("Device_Error");
            return e;
        }
    }

    /** {@code Create_LinkResp}: error, lid, abortPort (the abort channel's TCP port), maxRecvSize. */
    public record CreateLinkResp(int error, int lid, int abortPort, long maxRecvSize) implements XdrStruct {
        /** Checks the ranges. */
        public CreateLinkResp {
            upTo(abortPort, 65535, "abortPort");
            u32(maxRecvSize, "maxRecvSize");
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(error).putInt(lid).putUnsignedInt(abortPort).putUnsignedInt(maxRecvSize);
        }

        /** Decodes Create_LinkResp. */
        public static CreateLinkResp decode(XdrReader r) {
            CreateLinkResp p = new CreateLinkResp(r.getInt("error"), r.getInt("lid"),
                    (int) r.getUnsignedInt("abortPort", 65535), r.getUnsignedInt("maxRecvSize"));
            r.expectEnd("Create_LinkResp");
            return p;
        }
    }

    /** {@code Device_WriteResp}: error, size (bytes the device took). */
    public record DeviceWriteResp(int error, long size) implements XdrStruct {
        /** Checks the range. */
        public DeviceWriteResp {
            u32(size, "size");
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(error).putUnsignedInt(size);
        }

        /** Decodes Device_WriteResp. */
        public static DeviceWriteResp decode(XdrReader r) {
            DeviceWriteResp p = new DeviceWriteResp(r.getInt("error"), r.getUnsignedInt("size"));
            r.expectEnd("Device_WriteResp");
            return p;
        }
    }

    /** {@code Device_ReadResp}: error, reason (REQCNT 1 | CHR 2 | END 4), data. */
    public record DeviceReadResp(int error, int reason, byte[] data) implements XdrStruct {
        /** Copies {@code data}. */
        public DeviceReadResp {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        /** Whether the read ended the device's message (reason END). */
        public boolean end() {
            return (reason & Vxi11.REASON_END) != 0;
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(error).putInt(reason).putOpaque(data);
        }

        /** Decodes Device_ReadResp; {@code maxData} bounds the data (e.g. the requestSize asked for). */
        public static DeviceReadResp decode(XdrReader r, int maxData) {
            DeviceReadResp p = new DeviceReadResp(r.getInt("error"), r.getInt("reason"), r.getOpaque(maxData, "data"));
            r.expectEnd("Device_ReadResp");
            return p;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DeviceReadResp p && error == p.error && reason == p.reason && Arrays.equals(data, p.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(error, reason) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "DeviceReadResp[error " + error + ", reason " + reason + ", " + data.length + " bytes]";
        }
    }

    /** {@code Device_ReadStbResp}: error, stb (the IEEE 488.2 status byte). */
    public record DeviceReadStbResp(int error, int stb) implements XdrStruct {
        /** Checks the range. */
        public DeviceReadStbResp {
            upTo(stb, 255, "stb");
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(error).putUnsignedInt(stb);
        }

        /** Decodes Device_ReadStbResp. */
        public static DeviceReadStbResp decode(XdrReader r) {
            DeviceReadStbResp p = new DeviceReadStbResp(r.getInt("error"), (int) r.getUnsignedInt("stb", 255));
            r.expectEnd("Device_ReadStbResp");
            return p;
        }
    }

    /** {@code Device_DocmdResp}: error, data_out. */
    public record DeviceDocmdResp(int error, byte[] dataOut) implements XdrStruct {
        /** Copies {@code dataOut}. */
        public DeviceDocmdResp {
            dataOut = dataOut.clone();
        }

        @Override
        public byte[] dataOut() {
            return dataOut.clone();
        }

        @Override
        public void writeTo(XdrWriter w) {
            w.putInt(error).putOpaque(dataOut);
        }

        /** Decodes Device_DocmdResp. */
        public static DeviceDocmdResp decode(XdrReader r) {
            DeviceDocmdResp p = new DeviceDocmdResp(r.getInt("error"), r.getOpaque(Integer.MAX_VALUE, "data_out"));
            r.expectEnd("Device_DocmdResp");
            return p;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DeviceDocmdResp p && error == p.error && Arrays.equals(dataOut, p.dataOut);
        }

        @Override
        public int hashCode() {
            return error * 31 + Arrays.hashCode(dataOut);
        }

        @Override
        public String toString() {
            return "DeviceDocmdResp[error " + error + ", " + dataOut.length + " bytes]";
        }
    }
}
