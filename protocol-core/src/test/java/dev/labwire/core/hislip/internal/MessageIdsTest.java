package dev.labwire.core.hislip.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.hislip.HislipMessage;
import dev.labwire.core.hislip.internal.MessageIds.Verdict;
import org.junit.jupiter.api.Test;

/** IVI-6.1 3.1.2: ids from 0xFFFFFF00 by 2, replies matched by id, RMT-delivered, Interrupted, reset. */
class MessageIdsTest {

    private static HislipMessage reply(boolean end, int id) {
        return end ? HislipMessage.dataEnd(false, id, "1\n".getBytes()) : HislipMessage.data(false, id, "x".getBytes());
    }

    @Test
    void idsStartAtFFFFFF00AndGoUpByTwoAcrossDataDataEndAndTrigger() {
        MessageIds ids = new MessageIds();
        assertThat(ids.lastSentId()).isEqualTo(0xFFFFFEFE);
        assertThat(ids.send(false, new byte[1]).messageId()).isEqualTo(0xFFFFFF00);
        assertThat(ids.send(true, new byte[1]).messageId()).isEqualTo(0xFFFFFF02);
        assertThat(ids.trigger().messageId()).isEqualTo(0xFFFFFF04);
        assertThat(ids.lastSentId()).isEqualTo(0xFFFFFF04);
        assertThat(ids.nextId()).isEqualTo(0xFFFFFF06);
    }

    @Test
    void idsWrapAt32Bits() {
        MessageIds ids = new MessageIds();
        for (int i = 0; i < 128; i++) {
            ids.send(true, new byte[0]);
        }
        assertThat(ids.lastSentId()).isEqualTo(0xFFFFFFFE);
        assertThat(ids.send(true, new byte[0]).messageId()).isZero();
    }

    @Test
    void onlyTheLastSentIdIsAcceptedAndRmtDeliveredFollows() {
        MessageIds ids = new MessageIds();
        HislipMessage q = ids.send(true, "*IDN?\n".getBytes());
        assertThat(q.flag()).as("no response received before the first message").isFalse();
        assertThat(ids.onData(reply(false, 0xFFFFFEFE))).isEqualTo(Verdict.DISCARD);
        assertThat(ids.onData(reply(false, q.messageId()))).isEqualTo(Verdict.ACCEPT);
        assertThat(ids.rmtDelivered()).isFalse();
        assertThat(ids.onData(reply(true, q.messageId()))).isEqualTo(Verdict.ACCEPT);
        assertThat(ids.rmtDelivered()).isTrue();
        HislipMessage next = ids.send(true, "VOLT?\n".getBytes());
        assertThat(next.flag()).as("RMT-delivered on the message after a whole response").isTrue();
        assertThat(ids.statusQuery().flag()).isFalse();
        assertThat(ids.statusQuery().messageId()).isEqualTo(next.messageId());
        assertThat(ids.onData(reply(true, q.messageId()))).as("a repeat of the old reply").isEqualTo(Verdict.DISCARD);
        assertThat(ids.discarded()).isEqualTo(2);
    }

    @Test
    void unsolicitedDataIdIsAcceptedOnlyOnData() {
        MessageIds ids = new MessageIds();
        ids.send(true, new byte[0]);
        assertThat(ids.onData(reply(false, 0xFFFFFFFF))).isEqualTo(Verdict.ACCEPT);
        assertThat(ids.onData(reply(true, 0xFFFFFFFF))).isEqualTo(Verdict.DISCARD);
    }

    @Test
    void aTimedOutRequestsLateReplyIsDiscardedAndTheNextRequestsIsNot() {
        MessageIds ids = new MessageIds();
        HislipMessage slow = ids.send(true, "MEAS?\n".getBytes());
        ids.abandon();
        assertThat(ids.onData(reply(true, slow.messageId()))).isEqualTo(Verdict.DISCARD);
        HislipMessage fresh = ids.send(true, "*IDN?\n".getBytes());
        assertThat(ids.onData(reply(true, slow.messageId()))).isEqualTo(Verdict.DISCARD);
        assertThat(ids.onData(reply(true, fresh.messageId()))).isEqualTo(Verdict.ACCEPT);
    }

    @Test
    void resetAfterDeviceClearStartsAgainAtFFFFFF00() {
        MessageIds ids = new MessageIds();
        ids.send(true, new byte[0]);
        ids.send(true, new byte[0]);
        ids.reset();
        assertThat(ids.nextId()).isEqualTo(0xFFFFFF00);
        assertThat(ids.lastSentId()).isEqualTo(0xFFFFFEFE);
        assertThat(ids.rmtDelivered()).isFalse();
    }

    @Test
    void asyncInterruptedFirstDiscardsDataUntilInterrupted() {
        MessageIds ids = new MessageIds();
        HislipMessage q = ids.send(true, new byte[0]);
        ids.onAsyncInterrupted();
        assertThat(ids.onData(reply(true, q.messageId()))).isEqualTo(Verdict.DISCARD);
        ids.onInterrupted();
        assertThat(ids.onData(reply(true, q.messageId()))).isEqualTo(Verdict.ACCEPT);
        assertThat(ids.maySend()).isTrue();
    }

    @Test
    void interruptedFirstForbidsSendingUntilAsyncInterrupted() {
        MessageIds ids = new MessageIds();
        ids.send(true, new byte[0]);
        ids.onInterrupted();
        assertThat(ids.maySend()).isFalse();
        assertThatThrownBy(() -> ids.send(true, new byte[0])).isInstanceOf(LocalProtocolException.class)
                .hasMessageContaining("AsyncInterrupted");
        ids.onAsyncInterrupted();
        assertThat(ids.maySend()).isTrue();
        assertThat(ids.send(true, new byte[0]).messageId()).isEqualTo(0xFFFFFF02);
    }
}
