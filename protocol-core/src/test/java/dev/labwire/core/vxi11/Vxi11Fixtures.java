package dev.labwire.core.vxi11;

import java.io.ByteArrayOutputStream;

/**
 * Byte fixtures written by hand from the specifications (RFC 5531 message layout and record marking, RFC 1833
 * portmapper, VXI-11 rev 1.0 appendix C), not produced by the code under test. Each is one record-marked record
 * as it travels on TCP.
 */
final class Vxi11Fixtures {

    private Vxi11Fixtures() {
    }

    static byte[] hex(String s) {
        String h = s.replaceAll("\\s+", "");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < h.length(); i += 2) {
            out.write(Integer.parseInt(h.substring(i, i + 2), 16));
        }
        return out.toByteArray();
    }

    /** create_link(clientId 0x1234, lockDevice false, lock_timeout 10000, "inst0"), xid 1, AUTH_NONE. */
    static final byte[] CREATE_LINK_CALL = hex(
            "80000040"                      // last fragment, 64 bytes
            + "00000001 00000000 00000002"  // xid 1, CALL, rpcvers 2
            + "000607af 00000001 0000000a"  // DEVICE_CORE v1, create_link
            + "00000000 00000000"           // cred AUTH_NONE, empty
            + "00000000 00000000"           // verf AUTH_NONE, empty
            + "00001234 00000000 00002710"  // clientId, lockDevice false, lock_timeout 10000 ms
            + "00000005 696e7374 30000000"); // "inst0" + 3 bytes padding

    /** Reply to xid 1: SUCCESS, Create_LinkResp(error 0, lid 7, abortPort 1024, maxRecvSize 1 MiB). */
    static final byte[] CREATE_LINK_REPLY = hex(
            "80000028"
            + "00000001 00000001 00000000"  // xid 1, REPLY, MSG_ACCEPTED
            + "00000000 00000000 00000000"  // verf AUTH_NONE empty, SUCCESS
            + "00000000 00000007 00000400 00100000");

    /** device_write(lid 7, io_timeout 1000, lock_timeout 0, flags END, "*IDN?\n"), xid 2. */
    static final byte[] DEVICE_WRITE_CALL = hex(
            "80000044"
            + "00000002 00000000 00000002 000607af 00000001 0000000b"
            + "00000000 00000000 00000000 00000000"
            + "00000007 000003e8 00000000 00000008"
            + "00000006 2a49444e 3f0a0000");

    /** Reply to xid 3: SUCCESS, Device_ReadResp(error 0, reason END, "ACME,X\n"). */
    static final byte[] DEVICE_READ_REPLY = hex(
            "8000002c"
            + "00000003 00000001 00000000 00000000 00000000 00000000"
            + "00000000 00000004 00000007 41434d45 2c580a00");

    /** Portmapper GETPORT(DEVICE_CORE, 1, TCP), xid 0x10. */
    static final byte[] GETPORT_CALL = hex(
            "80000038"
            + "00000010 00000000 00000002 000186a0 00000002 00000003"
            + "00000000 00000000 00000000 00000000"
            + "000607af 00000001 00000006 00000000");

    /** Reply to xid 0x10: port 755. */
    static final byte[] GETPORT_REPLY = hex(
            "8000001c"
            + "00000010 00000001 00000000 00000000 00000000 00000000"
            + "000002f3");

    /** The same GETPORT call as a UDP datagram: no record marking. */
    static byte[] unmarked(byte[] marked) {
        return java.util.Arrays.copyOfRange(marked, 4, marked.length);
    }
}
