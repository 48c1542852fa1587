package dev.labwire.core.hislip.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.hislip.FatalErrorCode;
import dev.labwire.core.hislip.HislipMessage;
import dev.labwire.core.hislip.LockResult;
import dev.labwire.core.hislip.MessageType;
import dev.labwire.core.hislip.internal.AsyncExchanges.Outcome;
import org.junit.jupiter.api.Test;

/** Handshake, async exchanges and device clear against a scripted server, on a fake clock (nanos as longs). */
class SessionSetUpTest {

    private static final long MS = 1_000_000L;

    @Test
    void handshakeUsesTheSessionIdFromInitializeResponseAndNegotiatesTheSize() {
        ClientHandshake h = new ClientHandshake("LW", "hislip0", 65_536, 1000 * MS);
        long now = 5_000 * MS;
        h.start(now);
        HislipMessage init = h.pollSync();
        assertThat(init.encode()).startsWith(0x48, 0x53, 0x00, 0x00, 0x01, 0x00, 'L', 'W');
        assertThat(init.text()).isEqualTo("hislip0");
        assertThat(h.pollTimeout()).hasValue(now + 1000 * MS);
        h.onSync(HislipMessage.initializeResponse(false, 0x0100, 0x1234));
        assertThat(h.state()).isEqualTo(ClientHandshake.State.AWAIT_ASYNC_CHANNEL);
        assertThat(h.pollAsync()).isNull();
        h.asyncChannelUp(now + MS);
        HislipMessage ai = h.pollAsync();
        assertThat(ai.type()).isEqualTo(MessageType.ASYNC_INITIALIZE);
        assertThat(ai.parameter()).isEqualTo(0x1234);
        h.onAsync(HislipMessage.asyncInitializeResponse("XY"));
        HislipMessage size = h.pollAsync();
        assertThat(size.maximumMessageSize()).isEqualTo(65_536);
        h.handleTimeout(now + 999 * MS); // early: nothing
        assertThat(h.state()).isEqualTo(ClientHandshake.State.AWAIT_MAXIMUM_MESSAGE_SIZE_RESPONSE);
        h.onAsync(HislipMessage.asyncMaximumMessageSizeResponse(4096));
        assertThat(h.state()).isEqualTo(ClientHandshake.State.READY);
        assertThat(h.serverMaxMessageSize()).isEqualTo(4096);
        assertThat(h.serverVendor()).isEqualTo("XY");
        assertThat(h.sessionId()).isEqualTo(0x1234);
        assertThat(h.overlapped()).isFalse();
        assertThat(h.pollTimeout()).isEmpty();
    }

    @Test
    void handshakeTimesOutOnTheFakeClock() {
        ClientHandshake h = new ClientHandshake("LW", "hislip0", 65_536, 100 * MS);
        h.start(0);
        h.handleTimeout(99 * MS);
        assertThat(h.state()).isEqualTo(ClientHandshake.State.AWAIT_INITIALIZE_RESPONSE);
        h.handleTimeout(100 * MS);
        assertThat(h.state()).isEqualTo(ClientHandshake.State.FAILED);
        assertThat(h.failure()).hasMessageContaining("100 ms").hasMessageContaining("AWAIT_INITIALIZE_RESPONSE");
    }

    @Test
    void fatalErrorDuringHandshakeNamesTheCode() {
        ClientHandshake h = new ClientHandshake("LW", "hislip0", 65_536, 100 * MS);
        h.start(0);
        h.onSync(HislipMessage.fatalError(FatalErrorCode.MAXIMUM_CLIENTS_EXCEEDED));
        assertThat(h.state()).isEqualTo(ClientHandshake.State.FAILED);
        assertThat(h.failure()).hasMessageContaining("FatalError 4")
                .hasMessageContaining("maximum number of clients exceeded");
    }

    @Test
    void asyncResponsesMatchInOrderAndServiceRequestsArriveUnasked() {
        AsyncExchanges a = new AsyncExchanges();
        long lock = a.send(HislipMessage.asyncLockRequest(2000, ""), 2500 * MS);
        long stb = a.send(HislipMessage.asyncStatusQuery(true, 0xFFFFFF00), 100 * MS);
        assertThat(a.pollTransmit().type()).isEqualTo(MessageType.ASYNC_LOCK);
        assertThat(a.pollTransmit().type()).isEqualTo(MessageType.ASYNC_STATUS_QUERY);
        assertThat(a.pollTimeout()).hasValue(100 * MS);
        a.onAsync(HislipMessage.asyncServiceRequest(0x41));
        a.onAsync(HislipMessage.asyncLockResponse(LockResult.SUCCESS));
        a.onAsync(HislipMessage.asyncStatusResponse(0x10));
        assertThat(a.nextOutcome()).isEqualTo(new Outcome.ServiceRequest(0x41));
        Outcome.Answered l = (Outcome.Answered) a.nextOutcome();
        assertThat(l.ticket()).isEqualTo(lock);
        assertThat(AsyncExchanges.lockResult(l.response())).isEqualTo(LockResult.SUCCESS);
        Outcome.Answered s = (Outcome.Answered) a.nextOutcome();
        assertThat(s.ticket()).isEqualTo(stb);
        assertThat(s.response().controlCode()).isEqualTo(0x10);
        assertThat(a.nextOutcome()).isNull();
    }

    @Test
    void aTimedOutAsyncRequestsLateAnswerIsDroppedNotGivenToTheNext() {
        AsyncExchanges a = new AsyncExchanges();
        long first = a.send(HislipMessage.asyncStatusQuery(false, 0), 100 * MS);
        a.handleTimeout(50 * MS);
        assertThat(a.nextOutcome()).isNull();
        a.handleTimeout(100 * MS);
        assertThat(a.nextOutcome()).isEqualTo(new Outcome.TimedOut(first, HislipMessage.asyncStatusQuery(false, 0)));
        a.handleTimeout(200 * MS);
        assertThat(a.nextOutcome()).as("reported once").isNull();
        long second = a.send(HislipMessage.asyncStatusQuery(false, 0), 300 * MS);
        a.onAsync(HislipMessage.asyncStatusResponse(0x01)); // late answer to the first
        a.onAsync(HislipMessage.asyncStatusResponse(0x02));
        assertThat(a.nextOutcome()).as("the late answer is told apart, never as the second's")
                .isEqualTo(new Outcome.Late(HislipMessage.asyncStatusQuery(false, 0), HislipMessage.asyncStatusResponse(0x01)));
        Outcome.Answered o = (Outcome.Answered) a.nextOutcome();
        assertThat(o.ticket()).isEqualTo(second);
        assertThat(o.response().controlCode()).isEqualTo(0x02);
    }

    @Test
    void aWrongResponseTypeBreaksTheChannel() {
        AsyncExchanges a = new AsyncExchanges();
        a.send(HislipMessage.asyncLockInfo(), 100 * MS);
        a.onAsync(HislipMessage.asyncStatusResponse(0));
        Outcome o = a.nextOutcome();
        assertThat(o).isInstanceOf(Outcome.Broken.class);
        assertThat(((Outcome.Broken) o).reason()).hasMessageContaining("AsyncLockInfoResponse was owed");
        assertThatThrownBy(() -> a.send(HislipMessage.asyncLockInfo(), 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void errorRefusesTheOldestRequest() {
        AsyncExchanges a = new AsyncExchanges();
        long t = a.send(HislipMessage.asyncRemoteLocalControl(dev.labwire.core.hislip.RemoteLocal.GO_TO_LOCAL, 0), MS);
        a.onAsync(HislipMessage.error(2, "Unrecognized control code"));
        Outcome.Refused r = (Outcome.Refused) a.nextOutcome();
        assertThat(r.ticket()).isEqualTo(t);
        assertThat(r.errorCode()).isEqualTo(2);
    }

    @Test
    void deviceClearDropsEveryReplyBeforeTheAcknowledgeAndResetsIds() {
        MessageIds ids = new MessageIds();
        HislipMessage q = ids.send(true, "MEAS?\n".getBytes());
        ids.send(true, "MEAS?\n".getBytes());
        DeviceClearSequence c = new DeviceClearSequence(ids, false);
        assertThat(c.start().type()).isEqualTo(MessageType.ASYNC_DEVICE_CLEAR);
        assertThat(c.onSync(HislipMessage.dataEnd(false, q.messageId(), "1\n".getBytes()))).isTrue();
        HislipMessage complete = c.onAsyncAcknowledge(HislipMessage.asyncDeviceClearAcknowledge(true));
        assertThat(complete.encode()).startsWith(0x48, 0x53, 0x08, 0x00);
        assertThat(c.serverPrefersOverlap()).isTrue();
        assertThat(c.onSync(HislipMessage.data(false, 0xFFFFFF02, "2".getBytes()))).isTrue();
        assertThat(c.onSync(HislipMessage.deviceClearAcknowledge(false))).isTrue();
        assertThat(c.state()).isEqualTo(DeviceClearSequence.State.DONE);
        assertThat(c.dropped()).isEqualTo(2);
        assertThat(ids.nextId()).isEqualTo(0xFFFFFF00);
        assertThat(c.onSync(HislipMessage.dataEnd(false, 0xFFFFFF00, new byte[0]))).as("not clearing").isFalse();
        assertThatThrownBy(() -> new DeviceClearSequence(ids, false).onAsyncAcknowledge(
                HislipMessage.asyncDeviceClearAcknowledge(false))).isInstanceOf(RemoteProtocolException.class);
    }
}
