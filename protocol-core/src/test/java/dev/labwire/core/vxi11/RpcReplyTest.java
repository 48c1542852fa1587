package dev.labwire.core.vxi11;

import static dev.labwire.core.vxi11.Vxi11Fixtures.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.vxi11.internal.RpcException;
import dev.labwire.core.vxi11.internal.RpcReply;
import dev.labwire.core.vxi11.internal.RpcReply.Status;
import dev.labwire.core.vxi11.internal.Vxi11Results;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every RFC 5531 reply outcome, from hand-written bytes, decodes to a clear result or exception. */
class RpcReplyTest {

    @ParameterizedTest
    @CsvSource({
        // accept_stat outcomes: xid 5, REPLY, MSG_ACCEPTED, verf AUTH_NONE, accept_stat [, low high]
        "'00000005 00000001 00000000 00000000 00000000 00000001', PROG_UNAVAIL, PROG_UNAVAIL (program not served)",
        "'00000005 00000001 00000000 00000000 00000000 00000002 00000002 00000003', PROG_MISMATCH, "
                + "PROG_MISMATCH (server has versions 2..3)",
        "'00000005 00000001 00000000 00000000 00000000 00000003', PROC_UNAVAIL, PROC_UNAVAIL (no such procedure)",
        "'00000005 00000001 00000000 00000000 00000000 00000004', GARBAGE_ARGS, GARBAGE_ARGS",
        "'00000005 00000001 00000000 00000000 00000000 00000005', SYSTEM_ERR, SYSTEM_ERR (server failed)",
        // reject_stat outcomes: xid 5, REPLY, MSG_DENIED, reject_stat, ...
        "'00000005 00000001 00000001 00000000 00000002 00000002', RPC_MISMATCH, RPC_MISMATCH (server speaks RPC 2..2)",
        "'00000005 00000001 00000001 00000001 00000001', AUTH_ERROR, AUTH_ERROR AUTH_BADCRED",
    })
    void everyRefusalIsNamed(String bytes, Status status, String text) {
        RpcReply r = RpcReply.decode(hex(bytes));
        assertThat(r.status()).isEqualTo(status);
        assertThatThrownBy(() -> r.results(5)).isInstanceOf(RpcException.class).hasMessageContaining(text)
                .hasMessageContaining("xid 0x5");
        assertThat(r.encode()).isEqualTo(hex(bytes));
    }

    @Test
    void verifierOfAnotherFlavorIsSkipped() {
        // MSG_ACCEPTED with an AUTH_SYS-like verifier of 8 bytes, then SUCCESS and Device_Error(11)
        RpcReply r = RpcReply.decode(hex("00000009 00000001 00000000 00000001 00000008 01020304 05060708"
                + "00000000 0000000b"));
        DeviceError e = DeviceError.decode(r.results(9));
        assertThatThrownBy(() -> Vxi11Results.check("device_lock", e.error()))
                .isInstanceOf(Vxi11Exception.class)
                .hasMessage("device_lock: VXI-11 error 11 (device locked by another link)");
    }

    @Test
    void malformedRepliesFailClearly() {
        assertThatThrownBy(() -> RpcReply.decode(hex("00000005 00000000 00000002")))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("got msg_type 0 (CALL)");
        assertThatThrownBy(() -> RpcReply.decode(hex("00000005 00000001 00000007")))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("reply_stat 7");
        assertThatThrownBy(() -> RpcReply.decode(hex("00000005 00000001 00000000 00000000 00000000 00000009")))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("unknown accept_stat 9");
        assertThatThrownBy(() -> RpcReply.decode(hex("00000005 00000001 00000000 00000000 00000191")))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("401 bytes long, more than its maximum 400");
        assertThatThrownBy(() -> RpcReply.decode(hex("00000005 00000001 00000000 00000000 00000010 0000")))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("says 16 bytes, the message has 2 left");
        assertThatThrownBy(() -> RpcReply.decode(hex("00000005 00000001 00000000 00000000 00000000 00000001 00")))
                .isInstanceOf(RemoteProtocolException.class).hasMessageContaining("1 unexpected bytes");
    }

    @Test
    void errorCodesHaveTheirSpecificationNames() {
        assertThat(Vxi11Error.forCode(29)).isEqualTo(Vxi11Error.CHANNEL_ALREADY_ESTABLISHED);
        assertThat(Vxi11Error.forCode(2)).isNull();
        assertThat(new Vxi11Exception("device_read", 15).getMessage()).isEqualTo("device_read: VXI-11 error 15 (I/O timeout)");
        assertThat(new Vxi11Exception("device_read", 99).getMessage()).contains("99 (not a VXI-11 error code)");
        int[] codes = {0, 1, 3, 4, 5, 6, 8, 9, 11, 12, 15, 17, 21, 23, 29};
        assertThat(Vxi11Error.values()).extracting(Vxi11Error::code).containsExactly(
                java.util.Arrays.stream(codes).boxed().toArray(Integer[]::new));
    }
}
