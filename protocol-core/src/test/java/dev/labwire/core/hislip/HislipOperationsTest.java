package dev.labwire.core.hislip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.Operation;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.State;
import dev.labwire.core.internal.Operations;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The HiSLIP session's operations (status byte, trigger, device clear, lock, unlock, remote/local), service requests,
 * the external on-connect hook, link-loss policies and the restore on a new link, against a server played by hand on a
 * fake clock. Server messages are fed byte by byte where their arrival order matters (the decoder's splits are covered
 * by the codec tests).
 */
class HislipOperationsTest {

    private static final long MS = 1_000_000L;
    private static final int FIRST = 0xFFFFFF00;
    private long now = 1_000 * MS;
    private HislipSession s;

    private HislipSession session(ConnectionConfig.Builder b) {
        s = new HislipSession(b.defaultTimeout(Duration.ofMillis(500)).connectTimeout(Duration.ofSeconds(2))
                .backoff(dev.labwire.core.Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(10))).build(),
                new HislipSession.Endpoint(4880, "hislip0"));
        return s;
    }

    private List<Event> events() {
        List<Event> out = new ArrayList<>();
        for (Event e = s.nextEvent(); e != Event.NeedData.INSTANCE; e = s.nextEvent()) {
            out.add(e);
        }
        return out;
    }

    private List<HislipMessage> sent(int channel) {
        ByteBuffer dst = ByteBuffer.allocate(5);
        ByteBuffer all = ByteBuffer.allocate(1 << 16);
        while (true) {
            int n = channel == 0 ? s.pollTransmit(dst) : s.pollTransmit(channel, dst);
            if (n == 0) {
                break;
            }
            dst.flip();
            all.put(dst);
            dst.clear();
        }
        all.flip();
        HislipDecoder d = new HislipDecoder("peer");
        d.receive(all);
        List<HislipMessage> out = new ArrayList<>();
        for (Decoded r = d.next(); r instanceof Decoded.Message m; r = d.next()) {
            out.add(m.message());
        }
        return out;
    }

    private void sync(HislipMessage m) {
        for (byte b : m.encode()) {
            s.receive(ByteBuffer.wrap(new byte[] {b}), now);
        }
    }

    private void async(HislipMessage m) {
        for (byte b : m.encode()) {
            s.receive(1, ByteBuffer.wrap(new byte[] {b}), now);
        }
    }

    /** Link up and the handshake, session id {@code id}; ends with the async channel's traffic unread. */
    private void handshake(int id) {
        s.linkUp(now);
        assertThat(sent(0)).containsExactly(HislipMessage.initialize(0x0100, "LW", "hislip0"));
        sync(HislipMessage.initializeResponse(false, 0x0100, id));
        s.channelUp(1, now);
        assertThat(sent(1)).containsExactly(HislipMessage.asyncInitialize(id));
        async(HislipMessage.asyncInitializeResponse("XY"));
        assertThat(sent(1)).hasSize(1);
        async(HislipMessage.asyncMaximumMessageSizeResponse(1 << 20));
    }

    private void ready(ConnectionConfig.Builder b) {
        session(b);
        s.open(now);
        events();
        handshake(7);
        assertThat(events()).contains(new Event.StateChanged(State.READY, null));
    }

    private static Event.Reply reply(List<Event> ev, long id) {
        return ev.stream().filter(e -> e instanceof Event.Reply r && r.id() == id).map(e -> (Event.Reply) e)
                .findFirst().orElseThrow(() -> new AssertionError("no reply for " + id + " in " + ev));
    }

    @Test
    void readStatusByteIsAsyncStatusQueryAndItsControlCodeInDecimal() {
        ready(ConnectionConfig.builder());
        s.send(Request.write("*ESE 1;*SRE 32;*OPC"), now);
        assertThat(sent(0)).extracting(HislipMessage::messageId).containsExactly(FIRST);
        events();
        long id = s.send(Request.operation(Operation.READ_STATUS_BYTE), now);
        assertThat(sent(0)).as("nothing on the sync channel").isEmpty();
        assertThat(sent(1)).containsExactly(HislipMessage.asyncStatusQuery(false, FIRST));
        async(HislipMessage.asyncStatusResponse(96));
        Event.Reply r = reply(events(), id);
        assertThat(Operations.statusByte(r)).isEqualTo(96);
        assertThat(r.text()).isEqualTo("96");
    }

    @Test
    void serviceRequestIsAnEventWithTheStatusByte() {
        ready(ConnectionConfig.builder());
        async(HislipMessage.asyncServiceRequest(0x60));
        assertThat(events()).containsExactly(new Event.ServiceRequest(0x60));
    }

    @Test
    void triggerIsATriggerMessageWithTheNextMessageIdAndEndsWhenWritten() {
        ready(ConnectionConfig.builder());
        long t = s.send(Request.operation(Operation.TRIGGER), now);
        ByteBuffer wire = s.pollTransmit();
        assertThat(s.transmittedFirstId()).isEqualTo(t);
        assertThat(s.transmittedLastId()).isEqualTo(t);
        assertThat(wire.array()).isEqualTo(HislipMessage.trigger(false, FIRST).encode());
        assertThat(s.pollTransmit()).isNull();
        assertThat(s.transmittedFirstId()).isEqualTo(-1);
        reply(events(), t);
        s.send(Request.query("X?"), now);
        assertThat(sent(0).get(0).messageId()).as("ids go on after the trigger").isEqualTo(FIRST + 2);
    }

    @Test
    void clearEndsTheHangingQueryDropsItsReplyAndTheQueuedQueryGetsItsOwnAnswer() {
        ready(ConnectionConfig.builder().defaultTimeout(Duration.ofSeconds(5)));
        long hanging = s.send(Request.query("MEAS?"), now);
        assertThat(sent(0)).hasSize(1);
        assertThat(s.awaitedId()).isEqualTo(hanging);
        long queued = s.send(Request.query("*IDN?"), now);
        long clr = s.send(Request.operation(Operation.CLEAR), now);
        List<Event> ev = events();
        assertThat(ev).hasSize(1);
        Event.Failed f = (Event.Failed) ev.get(0);
        assertThat(f.id()).isEqualTo(hanging);
        assertThat(f.cause()).isInstanceOf(LocalProtocolException.class).hasMessageContaining("device clear");
        assertThat(sent(1)).containsExactly(HislipMessage.asyncDeviceClear());
        assertThat(sent(0)).as("nothing waits behind the clear on the wire yet").isEmpty();
        sync(HislipMessage.dataEnd(false, FIRST, "1.5\n".getBytes()));   // the hanging query's reply, late
        async(HislipMessage.asyncDeviceClearAcknowledge(false));
        assertThat(sent(0)).containsExactly(HislipMessage.deviceClearComplete(false));
        sync(HislipMessage.data(false, FIRST, "stale".getBytes()));      // still before the acknowledgement
        assertThat(events()).as("a stale reply reaches nobody").isEmpty();
        sync(HislipMessage.deviceClearAcknowledge(false));
        ev = events();
        assertThat(reply(ev, clr).frames()).isEmpty();
        List<HislipMessage> q = sent(0);
        assertThat(q).containsExactly(HislipMessage.dataEnd(false, FIRST, "*IDN?\n".getBytes()));
        sync(HislipMessage.dataEnd(false, FIRST, "LW,MOCK\n".getBytes()));
        assertThat(reply(events(), queued).text()).isEqualTo("LW,MOCK");
    }

    @Test
    void aClearThatDoesNotCompleteTimesOutAndTheSessionStartsAgain() {
        ready(ConnectionConfig.builder());
        long clr = s.send(Request.operation(Operation.CLEAR).withTimeout(Duration.ofMillis(300)), now);
        sent(1);
        now += 300 * MS;
        s.handleTimeout(now);
        List<Event> ev = events();
        assertThat(ev).anyMatch(e -> e instanceof Event.Timeout t && t.id() == clr);
        assertThat(ev).anyMatch(e -> e instanceof Event.CloseLink);
        assertThat(s.state()).isEqualTo(State.DOWN);
    }

    @Test
    void aClearWhoseSynchronousAcknowledgeNeverComesSaysWhichOneWasMissing() {
        ready(ConnectionConfig.builder());
        long clr = s.send(Request.operation(Operation.CLEAR).withTimeout(Duration.ofMillis(300)), now);
        sent(1);
        async(HislipMessage.asyncDeviceClearAcknowledge(false));
        assertThat(sent(0)).containsExactly(HislipMessage.deviceClearComplete(false));
        now += 300 * MS;
        s.handleTimeout(now);
        Event.Timeout t = (Event.Timeout) events().stream().filter(e -> e instanceof Event.Timeout x && x.id() == clr)
                .findFirst().orElseThrow();
        // it blamed the asynchronous channel, which had answered
        assertThat(t.detail()).contains("DeviceClearAcknowledge (synchronous channel) did not");
        assertThat(s.state()).isEqualTo(State.DOWN);
    }

    @Test
    void lockWaitIsTheTimeLeftLessATenthBetween20And500Ms() {
        assertThat(HislipSession.lockWaitMillis(Duration.ofSeconds(10).toNanos())).isEqualTo(9500);
        assertThat(HislipSession.lockWaitMillis(Duration.ofSeconds(1).toNanos())).isEqualTo(900);
        assertThat(HislipSession.lockWaitMillis(Duration.ofMillis(100).toNanos())).isEqualTo(80);
        assertThat(HislipSession.lockWaitMillis(Duration.ofMillis(10).toNanos())).isZero();
        assertThat(HislipSession.lockWaitMillis(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void lockIsAnExclusiveAsyncLockWithTheTimeLeftAndUnlockReleasesAfterTheLastMessage() {
        ready(ConnectionConfig.builder());
        s.send(Request.write("A"), now);
        sent(0);
        now += 5 * MS;
        long lock = s.send(Request.operation(Operation.LOCK).withTimeout(Duration.ofSeconds(2)), now);
        assertThat(sent(1)).containsExactly(HislipMessage.asyncLockRequest(1800, ""));
        long q = s.send(Request.query("X?"), now);
        assertThat(sent(0)).as("requests after the lock wait for it").isEmpty();
        async(HislipMessage.asyncLockResponse(LockResult.SUCCESS));
        reply(events(), lock);
        assertThat(s.holdsLock()).isTrue();
        assertThat(sent(0)).extracting(HislipMessage::messageId).containsExactly(FIRST + 2);
        sync(HislipMessage.dataEnd(false, FIRST + 2, "1\n".getBytes()));
        reply(events(), q);
        long un = s.send(Request.operation(Operation.UNLOCK), now);
        assertThat(sent(1)).containsExactly(HislipMessage.asyncLockRelease(FIRST + 2));
        async(HislipMessage.asyncLockResponse(LockResult.SUCCESS));
        reply(events(), un);
        assertThat(s.holdsLock()).isFalse();
    }

    @Test
    void aLockNotGrantedInTimeIsATimeoutAndALateGrantIsReleasedAtOnce() {
        ready(ConnectionConfig.builder());
        long refused = s.send(Request.operation(Operation.LOCK).withTimeout(Duration.ofMillis(200)), now);
        sent(1);
        async(HislipMessage.asyncLockResponse(LockResult.FAILURE));
        List<Event> ev = events();
        assertThat(ev).singleElement().matches(e -> e instanceof Event.Timeout t && t.id() == refused && t.written());
        long late = s.send(Request.operation(Operation.LOCK).withTimeout(Duration.ofMillis(200)), now);
        sent(1);
        now += 200 * MS;
        s.handleTimeout(now);
        assertThat(events()).singleElement().matches(e -> e instanceof Event.Timeout t && t.id() == late);
        async(HislipMessage.asyncLockResponse(LockResult.SUCCESS));   // granted after we gave up
        assertThat(sent(1)).as("released at once").containsExactly(HislipMessage.asyncLockRelease(FIRST - 2));
        assertThat(s.holdsLock()).isFalse();
        async(HislipMessage.asyncLockResponse(LockResult.SUCCESS));   // the release's answer
        assertThat(events()).isEmpty();
    }

    @Test
    void remoteAndLocalAreAsyncRemoteLocalControlThreeAndTwo() {
        ready(ConnectionConfig.builder());
        long r = s.send(Request.operation(Operation.REMOTE), now);
        assertThat(sent(1)).containsExactly(HislipMessage.asyncRemoteLocalControl(
                RemoteLocal.ENABLE_REMOTE_GO_TO_REMOTE, FIRST - 2));
        async(HislipMessage.asyncRemoteLocalResponse());
        reply(events(), r);
        long l = s.send(Request.operation(Operation.LOCAL), now);
        assertThat(sent(1)).containsExactly(HislipMessage.asyncRemoteLocalControl(
                RemoteLocal.DISABLE_REMOTE_GO_TO_LOCAL, FIRST - 2));
        async(HislipMessage.asyncRemoteLocalResponse());
        reply(events(), l);
    }

    @Test
    void anAsyncErrorFailsTheOperationNamingTheCode() {
        ready(ConnectionConfig.builder());
        long r = s.send(Request.operation(Operation.REMOTE), now);
        sent(1);
        async(HislipMessage.error(ErrorCode.UNRECOGNIZED_CONTROL_CODE));
        List<Event> ev = events();
        assertThat(ev).singleElement().isInstanceOf(Event.Failed.class);
        Event.Failed f = (Event.Failed) ev.get(0);
        assertThat(f.id()).isEqualTo(r);
        assertThat(f.cause()).isInstanceOf(RemoteProtocolException.class).hasMessageContaining("Error 2");
    }

    @Test
    void anOperationWithNoAnswerEndsByItsDeadline() {
        ready(ConnectionConfig.builder());
        long r = s.send(Request.operation(Operation.READ_STATUS_BYTE), now);
        sent(1);
        assertThat(s.pollTimeout()).hasValue(now + 500 * MS);
        now += 500 * MS;
        s.handleTimeout(now);
        assertThat(events()).singleElement().matches(e -> e instanceof Event.Timeout t && t.id() == r);
        long next = s.send(Request.operation(Operation.READ_STATUS_BYTE), now);
        sent(1);
        async(HislipMessage.asyncStatusResponse(1));   // the first one's, late
        assertThat(events()).isEmpty();
        async(HislipMessage.asyncStatusResponse(2));
        assertThat(reply(events(), next).text()).isEqualTo("2");
    }

    @Test
    void externalHookRunsAfterTheHandshakeAndUserRequestsWaitForHookDone() {
        session(ConnectionConfig.builder().externalHook(true));
        s.open(now);
        events();
        assertThatThrownBy(() -> s.sendHook(Request.query("A?"), now)).isInstanceOf(LocalProtocolException.class);
        handshake(3);
        assertThat(events()).contains(new Event.StateChanged(State.ON_CONNECT, null))
                .doesNotContain(new Event.StateChanged(State.READY, null));
        long user = s.send(Request.query("U?"), now);
        long hook = s.sendHook(Request.query("H?"), now);
        assertThat(sent(0)).containsExactly(HislipMessage.dataEnd(false, FIRST, "H?\n".getBytes()));
        sync(HislipMessage.dataEnd(false, FIRST, "h\n".getBytes()));
        assertThat(reply(events(), hook).text()).isEqualTo("h");
        assertThat(sent(0)).as("user requests wait for hookDone").isEmpty();
        s.hookDone(now);
        assertThat(events()).contains(new Event.StateChanged(State.READY, null));
        assertThat(sent(0)).extracting(HislipMessage::payload).containsExactly("U?\n".getBytes());
        sync(HislipMessage.dataEnd(true, FIRST + 2, "u\n".getBytes()));
        assertThat(reply(events(), user).text()).isEqualTo("u");
    }

    @Test
    void aFailedExternalHookClosesTheLinkAndTheNextLinkRunsItAgain() {
        session(ConnectionConfig.builder().externalHook(true));
        s.open(now);
        handshake(3);
        events();
        s.hookFailed(new IllegalStateException("no"), now);
        List<Event> ev = events();
        assertThat(ev).anyMatch(e -> e instanceof Event.CloseLink c && c.reason().contains("no"));
        assertThat(ev).anyMatch(e -> e instanceof Event.CloseChannel c && c.channel() == 1);
        assertThat(s.state()).isEqualTo(State.DOWN);
        s.linkDown(new IOException("closed"), now);   // the driver confirms: nothing changes
        now = s.pollTimeout().getAsLong();
        s.handleTimeout(now);
        assertThat(events()).contains(new Event.OpenLink(2));
        handshake(4);
        assertThat(events()).contains(new Event.StateChanged(State.ON_CONNECT, null))
                .doesNotContain(new Event.StateChanged(State.READY, null));
    }

    @Test
    void aNewLinkRetakesTheLockBeforeTheHookAndUserRequests() {
        ready(ConnectionConfig.builder().onConnect(Request.write("SYST:REM")));
        long lock = s.send(Request.operation(Operation.LOCK), now);
        sent(1);
        async(HislipMessage.asyncLockResponse(LockResult.SUCCESS));
        reply(events(), lock);
        s.linkDown(new IOException("reset"), now);
        long user = s.send(Request.query("U?"), now);
        events();
        now = s.pollTimeout().getAsLong();
        s.handleTimeout(now);
        handshake(8);
        assertThat(s.state()).as("restoring is part of the set-up").isEqualTo(State.CONNECTING);
        assertThat(sent(1)).containsExactly(HislipMessage.asyncLockRequest(1800, ""));   // connectTimeout 2 s
        assertThat(sent(0)).as("nothing before the lock").isEmpty();
        async(HislipMessage.asyncLockResponse(LockResult.SUCCESS));
        List<Event> ev = events();
        assertThat(ev).contains(new Event.StateChanged(State.ON_CONNECT, null), new Event.StateChanged(State.READY, null));
        assertThat(sent(0)).extracting(HislipMessage::payload)
                .containsExactly("SYST:REM\n".getBytes(), "U?\n".getBytes());
        sync(HislipMessage.dataEnd(false, FIRST + 2, "u\n".getBytes()));
        assertThat(reply(events(), user).text()).isEqualTo("u");
        assertThat(s.holdsLock()).isTrue();
    }

    @Test
    void aNewLinkPutsTheInstrumentBackInRemoteAfterTheLock() {
        ready(ConnectionConfig.builder());
        s.send(Request.operation(Operation.LOCK), now);
        sent(1);
        async(HislipMessage.asyncLockResponse(LockResult.SUCCESS));
        s.send(Request.operation(Operation.REMOTE), now);
        sent(1);
        async(HislipMessage.asyncRemoteLocalResponse());
        events();
        s.linkDown(new IOException("reset"), now);
        now = s.pollTimeout().getAsLong();
        s.handleTimeout(now);
        handshake(8);
        assertThat(sent(1)).containsExactly(HislipMessage.asyncLockRequest(1800, ""));
        async(HislipMessage.asyncLockResponse(LockResult.SUCCESS));
        assertThat(s.state()).isEqualTo(State.CONNECTING);
        assertThat(sent(1)).containsExactly(HislipMessage.asyncRemoteLocalControl(
                RemoteLocal.ENABLE_REMOTE_GO_TO_REMOTE, FIRST - 2));
        async(HislipMessage.asyncRemoteLocalResponse());
        assertThat(events()).contains(new Event.StateChanged(State.READY, null))
                .noneMatch(e -> e instanceof Event.Reply);   // the restore's own endings stay inside
    }

    @Test
    void aLockThatCannotBeRetakenFailsTheLinkAndUserRequestsNeverRunWithoutIt() {
        ready(ConnectionConfig.builder());
        s.send(Request.operation(Operation.LOCK), now);
        sent(1);
        async(HislipMessage.asyncLockResponse(LockResult.SUCCESS));
        s.linkDown(new IOException("reset"), now);
        s.send(Request.query("U?").withTimeout(Duration.ofSeconds(30)), now);
        events();
        now = s.pollTimeout().getAsLong();
        s.handleTimeout(now);
        handshake(8);
        sent(1);
        async(HislipMessage.asyncLockResponse(LockResult.FAILURE));   // another client took it meanwhile
        List<Event> ev = events();
        assertThat(ev).anyMatch(e -> e instanceof Event.CloseLink c && c.reason().contains("lock"));
        assertThat(ev).noneMatch(e -> e instanceof Event.Failed || e instanceof Event.Timeout);
        assertThat(sent(0)).isEmpty();
        assertThat(s.state()).isEqualTo(State.DOWN);
        assertThat(s.holdsLock()).as("it is tried again on the next link").isTrue();
    }

    @Test
    void anUnlockQueuedWhileDownEndsTheLockInsteadOfRetakingIt() {
        ready(ConnectionConfig.builder());
        s.send(Request.operation(Operation.LOCK), now);
        sent(1);
        async(HislipMessage.asyncLockResponse(LockResult.SUCCESS));
        s.linkDown(new IOException("reset"), now);
        long un = s.send(Request.operation(Operation.UNLOCK), now);
        events();
        now = s.pollTimeout().getAsLong();
        s.handleTimeout(now);
        handshake(8);
        assertThat(sent(1)).isEmpty();
        assertThat(reply(events(), un).frames()).isEmpty();
        assertThat(s.holdsLock()).isFalse();
    }

    @Test
    void aQueryOnTheWireIsSentAgainAfterALinkDropWhenQueriesRetry() {
        ready(ConnectionConfig.builder().retryQueriesOnLinkDown(true));
        long q = s.send(Request.query("X?"), now);
        long w = s.send(Request.write("Y"), now);
        sent(0);
        s.linkDown(new IOException("reset"), now);
        assertThat(events()).noneMatch(e -> e instanceof Event.Failed);
        now = s.pollTimeout().getAsLong();
        s.handleTimeout(now);
        handshake(9);
        events();
        assertThat(sent(0)).extracting(HislipMessage::payload).containsExactly("X?\n".getBytes());
        sync(HislipMessage.dataEnd(false, FIRST, "x\n".getBytes()));
        List<Event> ev = events();
        assertThat(reply(ev, q).text()).isEqualTo("x");
        assertThat(sent(0)).extracting(HislipMessage::payload).containsExactly("Y\n".getBytes());
        reply(ev, w);
    }

    @Test
    void withoutRetryTheQueryOnTheWireFailsAndQueuedOnLinkDownFailFailsTheQueue() {
        ready(ConnectionConfig.builder().queuedOnLinkDown(ConnectionConfig.QueuedOnLinkDown.FAIL));
        long q = s.send(Request.query("X?"), now);
        long w = s.send(Request.query("Y?"), now);
        sent(0);
        s.linkDown(new IOException("reset"), now);
        List<Event> ev = events();
        assertThat(ev).filteredOn(e -> e instanceof Event.Failed).extracting(e -> ((Event.Failed) e).id())
                .containsExactly(q, w);
        assertThat(ev).filteredOn(e -> e instanceof Event.Failed)
                .allMatch(e -> ((Event.Failed) e).cause() instanceof LinkDownException);
    }

    @Test
    void aResendNeverQueryIsNotRetriedEvenWhenQueriesRetry() {
        ready(ConnectionConfig.builder().retryQueriesOnLinkDown(true));
        long q = s.send(Request.query("SYST:ERR?").withResend(Request.Resend.NEVER), now);
        sent(0);
        s.linkDown(new IOException("reset"), now);
        assertThat(events()).anyMatch(e -> e instanceof Event.Failed f && f.id() == q);
    }
}
