package dev.labwire.core.vxi11.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Expect;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceReadResp;
import dev.labwire.core.vxi11.internal.Vxi11Results.DeviceWriteResp;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A device that caps each device_read sends a large IEEE 488.2 block in many parts (reason 0, END on the last). The
 * gathered reply is cut into frames once the block's header says it can be whole, not after every part.
 */
class RequestRunGatherTest {

    private static final long NOW = 0;

    private static RequestRun started(Expect expect) {
        RequestRun run = new RequestRun(1, Request.of("CURV?", expect), Long.MAX_VALUE, false);
        run.start(7, 4096, ConnectionConfig.DEFAULT, NOW);
        RequestRun.Step s = run.result(Vxi11.DEVICE_WRITE, new XdrReader(new DeviceWriteResp(0, 6).encode()), NOW);
        assertThat(s).isInstanceOf(RequestRun.Call.class);
        return run;
    }

    private static RequestRun.Step part(RequestRun run, byte[] bytes, boolean end) {
        return run.result(Vxi11.DEVICE_READ, new XdrReader(new DeviceReadResp(0, end ? 4 : 0, bytes).encode()), NOW);
    }

    private static byte[] block(int length) {
        byte[] data = new byte[length];
        Arrays.fill(data, (byte) '\n');   // line feeds inside: only the header tells where the block ends
        byte[] head = ("#7" + String.format("%07d", length)).getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + length + 1);
        System.arraycopy(data, 0, all, head.length, length);
        all[all.length - 1] = '\n';
        return all;
    }

    @Test
    void aBlockInManyPartsIsCutOnceItsHeaderSaysItIsWhole() {
        byte[] all = block(1_000_000);
        RequestRun run = started(Expect.block(2_000_000));
        RequestRun.Step s = null;
        for (int at = 0; at < all.length; at += 1000) {
            int n = Math.min(1000, all.length - at);
            s = part(run, Arrays.copyOfRange(all, at, at + n), at + n == all.length);
        }
        Event.Reply r = (Event.Reply) ((RequestRun.End) s).event();
        assertThat(r.frames().get(0).length()).isEqualTo(1_000_000);
        // 1001 parts: cut after each one, the gathered reply was copied 1001 times (quadratic)
        assertThat(run.parses()).as("times the gathered reply was cut into frames").isLessThanOrEqualTo(2);
    }

    @Test
    void aBlockWithoutEndOnItsLastPartIsStillWholeAtItsLength() {
        byte[] all = block(10_000);
        RequestRun run = started(Expect.block(20_000));
        RequestRun.Step s = null;
        for (int at = 0; at < all.length; at += 100) {
            s = part(run, Arrays.copyOfRange(all, at, Math.min(all.length, at + 100)), false);
        }
        assertThat(((RequestRun.End) s).event()).isInstanceOf(Event.Reply.class);
    }

    @Test
    void aBlockLongerThanAllowedFailsAtItsHeaderAsBefore() {
        RequestRun run = started(Expect.block(1000));
        RequestRun.Step s = part(run, "#42000abc".getBytes(StandardCharsets.US_ASCII), false);
        assertThat(((Event.Failed) ((RequestRun.End) s).event()).cause()).isInstanceOf(RemoteProtocolException.class);
    }

    @Test
    void aMalformedHeaderFailsAtOnceAsBefore() {
        RequestRun run = started(Expect.block(1000));
        RequestRun.Step s = part(run, "#4x0".getBytes(StandardCharsets.US_ASCII), false);
        assertThat(((RequestRun.End) s).event()).isInstanceOf(Event.Failed.class);
    }
}
