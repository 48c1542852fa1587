package dev.labwire.core.vxi11;

import static dev.labwire.core.vxi11.Vxi11Fixtures.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.vxi11.internal.Vxi11;
import dev.labwire.core.vxi11.internal.Vxi11Calls;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceDocmdParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceEnableSrqParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceGenericParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceLockParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceReadParms;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceRemoteFunc;
import dev.labwire.core.vxi11.internal.Vxi11Calls.DeviceSrqParms;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceDocmdResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadStbResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceWriteResp;
import dev.labwire.core.vxi11.internal.XdrReader;
import org.junit.jupiter.api.Test;

/** The VXI-11 structures not in the record fixtures, against bytes written by hand from appendix C's RPCL. */
class Vxi11StructsTest {

    @Test
    void readParmsKeepTheFieldOrderAndAcceptASignedTermChar() {
        // lid 7, requestSize 1024, io_timeout 2000, lock_timeout 0, flags termchrset, termChar '\n'
        byte[] b = hex("00000007 00000400 000007d0 00000000 00000080 0000000a");
        DeviceReadParms p = new DeviceReadParms(7, 1024, 2000, 0, Vxi11.FLAG_TERMCHRSET, '\n');
        assertThat(p.encode()).isEqualTo(b);
        assertThat(DeviceReadParms.decode(b)).isEqualTo(p);
        assertThat(p.termCharSet()).isTrue();
        // a C client with a signed char sends 0xFF as -1
        assertThat(DeviceReadParms.decode(hex("00000007 00000400 000007d0 00000000 00000080 ffffffff")).termChar())
                .isEqualTo(255);
        assertThatThrownBy(() -> DeviceReadParms.decode(hex("00000007 00000400 000007d0 00000000 00000080 00000100")))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("termChar at offset 20 is 256");
    }

    @Test
    void genericLockAndRemoteFuncLayouts() {
        // Device_GenericParms: lid, flags, lock_timeout, io_timeout (note: lock before io, unlike the read/write parms)
        assertThat(new DeviceGenericParms(1, Vxi11.FLAG_WAITLOCK, 500, 3000).encode())
                .isEqualTo(hex("00000001 00000001 000001f4 00000bb8"));
        assertThat(new DeviceLockParms(1, Vxi11.FLAG_WAITLOCK, 500).encode()).isEqualTo(hex("00000001 00000001 000001f4"));
        // Device_RemoteFunc: hostAddr 127.0.0.1, hostPort 40000, DEVICE_INTR 0x0607B1 v1, DEVICE_TCP
        byte[] f = hex("7f000001 00009c40 000607b1 00000001 00000000");
        DeviceRemoteFunc rf = new DeviceRemoteFunc(0x7F000001L, 40000, Vxi11.INTR_PROGRAM, 1, Vxi11.FAMILY_TCP);
        assertThat(rf.encode()).isEqualTo(f);
        assertThat(DeviceRemoteFunc.decode(f)).isEqualTo(rf);
        assertThatThrownBy(() -> DeviceRemoteFunc.decode(hex("7f000001 00010000 000607b1 00000001 00000000")))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("hostPort is 65536");
    }

    @Test
    void srqHandleIsBoundedByForty() {
        byte[] handle = new byte[40];
        DeviceEnableSrqParms p = new DeviceEnableSrqParms(2, true, handle);
        assertThat(DeviceEnableSrqParms.decode(p.encode())).isEqualTo(p);
        assertThatThrownBy(() -> DeviceEnableSrqParms.decode(hex("00000002 00000001 00000029" + "00".repeat(44))))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("41 bytes long, more than its maximum 40");
        assertThat(DeviceSrqParms.decode(hex("00000003 414243 00"))).isEqualTo(new DeviceSrqParms(new byte[] {'A', 'B', 'C'}));
    }

    @Test
    void docmdAndTheSmallResults() {
        DeviceDocmdParms d = new DeviceDocmdParms(3, 0, 1000, 0, 0x020001, true, 2, new byte[] {0, 1});
        assertThat(d.encode()).isEqualTo(hex("00000003 00000000 000003e8 00000000 00020001 00000001 00000002"
                + "00000002 00010000"));
        assertThat(DeviceDocmdParms.decode(d.encode())).isEqualTo(d);
        assertThat(DeviceDocmdResp.decode(new XdrReader(hex("00000008 00000000"))))
                .isEqualTo(new DeviceDocmdResp(8, new byte[0]));
        assertThat(DeviceReadStbResp.decode(new XdrReader(hex("00000000 00000050"))).stb()).isEqualTo(0x50);
        assertThatThrownBy(() -> DeviceReadStbResp.decode(new XdrReader(hex("00000000 00000150"))))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("stb is 336, more than its maximum 255");
        assertThat(DeviceWriteResp.decode(new XdrReader(hex("00000000 ffffffff"))).size()).isEqualTo(0xFFFF_FFFFL);
        assertThat(Vxi11Calls.decodeLink(hex("00000017"))).isEqualTo(23);
        assertThatThrownBy(() -> Vxi11Calls.decodeLink(hex("00000017 00000000")))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("4 unexpected bytes");
    }

    @Test
    void procedureNamesAreTheSpecifications() {
        assertThat(Vxi11.procedureName(Vxi11.CORE_PROGRAM, 22)).isEqualTo("device_docmd");
        assertThat(Vxi11.procedureName(Vxi11.ABORT_PROGRAM, 1)).isEqualTo("device_abort");
        assertThat(Vxi11.procedureName(Vxi11.INTR_PROGRAM, 30)).isEqualTo("device_intr_srq");
        assertThat(Vxi11.procedureName(Vxi11.CORE_PROGRAM, 21)).isEqualTo("core procedure 21");
    }
}
