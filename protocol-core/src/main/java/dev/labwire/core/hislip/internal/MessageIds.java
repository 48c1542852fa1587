package dev.labwire.core.hislip.internal;

import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.hislip.HislipMessage;
import dev.labwire.core.hislip.MessageType;

/**
 * The message-id bookkeeping of a HiSLIP client's synchronous channel (IVI-6.1 section 3.1.2, synchronized mode
 * client requirements). Pure state, no time.
 *
 * <p>Theory: every Data, DataEnd and Trigger the client sends carries a message id, 0xFFFFFF00 after Initialize
 * and after a device clear, then +2 per message (wrapping at 32 bits). The server answers a query with Data and
 * DataEnd carrying the id of the client's message that ended the query. So the client accepts a reply only when
 * its id is the id of the last message it sent (Data may also carry 0xFFFFFFFF, not bound to any message); a reply
 * with any other id belongs to an earlier, abandoned request and is discarded along with what was gathered of it.
 * A request that timed out is {@link #abandon() abandoned}: its late reply is discarded even before the next
 * message is sent. RMT-delivered (control code bit 0 of the next Data/DataEnd/Trigger/AsyncStatusQuery) tells the
 * server the client has received a whole response (a DataEnd) since it last sent.
 *
 * <p>Interrupted / AsyncInterrupted (rule 4): either one clears what was gathered; after AsyncInterrupted alone,
 * Data and DataEnd are discarded until Interrupted arrives; after Interrupted alone, nothing may be sent until
 * AsyncInterrupted arrives.
 */
public final class MessageIds {

    /** What to do with a Data or DataEnd from the server. */
    public enum Verdict {
        /** Part of the current response: keep it (a DataEnd ends the response). */
        ACCEPT,
        /** From an earlier or abandoned request, or while interrupted: drop it and what was gathered so far. */
        DISCARD
    }

    private int next = HislipMessage.INITIAL_MESSAGE_ID;
    private int lastSent = HislipMessage.INITIAL_MESSAGE_ID - 2;
    private boolean rmtDelivered;
    private boolean abandoned;
    private boolean awaitingInterrupted;      // AsyncInterrupted seen, Interrupted not yet
    private boolean awaitingAsyncInterrupted; // Interrupted seen, AsyncInterrupted not yet
    private long discarded;
    private int discardedEnds;                // DataEnds discarded since the last message sent
    private int lastDiscardedEnd;             // the message id of the last of them

    /** The id the next Data/DataEnd/Trigger will carry. */
    public int nextId() {
        return next;
    }

    /** The id of the most recent Data/DataEnd/Trigger sent (0xFFFFFEFE before any): AsyncLock release etc. */
    public int lastSentId() {
        return lastSent;
    }

    /** Whether a whole response (DataEnd) arrived since the last message was sent. */
    public boolean rmtDelivered() {
        return rmtDelivered;
    }

    /** Replies discarded so far (stale ids, abandoned request, interrupted). */
    public long discarded() {
        return discarded;
    }

    /** False between Interrupted and AsyncInterrupted, when the spec forbids sending. */
    public boolean maySend() {
        return !awaitingAsyncInterrupted;
    }

    /**
     * The next outgoing Data ({@code end} false), DataEnd ({@code end} true) with {@code payload}: takes the next id
     * and the RMT-delivered flag, then advances. {@link LocalProtocolException} while sending is forbidden.
     */
    public HislipMessage send(boolean end, byte[] payload) {
        checkMaySend();
        HislipMessage m = end ? HislipMessage.dataEnd(rmtDelivered, next, payload)
                : HislipMessage.data(rmtDelivered, next, payload);
        advance();
        return m;
    }

    /** The next Trigger, as {@link #send}. */
    public HislipMessage trigger() {
        checkMaySend();
        HislipMessage m = HislipMessage.trigger(rmtDelivered, next);
        advance();
        return m;
    }

    /** The AsyncStatusQuery for now: RMT-delivered and the last id sent. */
    public HislipMessage statusQuery() {
        return HislipMessage.asyncStatusQuery(rmtDelivered, lastSent);
    }

    private void checkMaySend() {
        if (awaitingAsyncInterrupted) {
            throw new LocalProtocolException("HiSLIP: Interrupted received, AsyncInterrupted not yet: IVI-6.1 3.1.2"
                    + " forbids sending until it arrives");
        }
    }

    private void advance() {
        lastSent = next;
        next += 2;
        rmtDelivered = false;
        abandoned = false;
        discardedEnds = 0;
    }

    /** DataEnds discarded since the last Data/DataEnd/Trigger was sent (a reply with another id, or a late one). */
    public int discardedEnds() {
        return discardedEnds;
    }

    /** The message id of the last DataEnd counted by {@link #discardedEnds()}. */
    public int lastDiscardedEnd() {
        return lastDiscardedEnd;
    }

    /** Whether a Data or DataEnd carrying {@code messageId} would be the awaited reply (not stale, not interrupted). */
    public boolean awaits(int messageId) {
        return messageId == lastSent && !abandoned && !awaitingInterrupted && !awaitingAsyncInterrupted;
    }

    /** The request whose id is {@link #lastSentId()} timed out: its reply, if it ever comes, is discarded. */
    public void abandon() {
        abandoned = true;
    }

    /** Judges a Data or DataEnd from the server; an {@link IllegalArgumentException} for any other type. */
    public Verdict onData(HislipMessage m) {
        MessageType t = m.type();
        if (t != MessageType.DATA && t != MessageType.DATA_END) {
            throw new IllegalArgumentException("not Data or DataEnd: " + m);
        }
        int id = m.messageId();
        boolean current = id == lastSent || (t == MessageType.DATA && id == HislipMessage.UNSOLICITED_MESSAGE_ID);
        if (!current || abandoned || awaitingInterrupted) {
            discarded++;
            if (t == MessageType.DATA_END) {
                discardedEnds++;
                lastDiscardedEnd = id;
            }
            return Verdict.DISCARD;
        }
        if (t == MessageType.DATA_END) {
            rmtDelivered = true;
        }
        return Verdict.ACCEPT;
    }

    /** Interrupted arrived on the synchronous channel. */
    public void onInterrupted() {
        if (awaitingInterrupted) {
            awaitingInterrupted = false;
        } else {
            awaitingAsyncInterrupted = true;
        }
    }

    /** AsyncInterrupted arrived on the asynchronous channel. */
    public void onAsyncInterrupted() {
        if (awaitingAsyncInterrupted) {
            awaitingAsyncInterrupted = false;
        } else {
            awaitingInterrupted = true;
        }
    }

    /** Initialize or a device clear completed: ids start again at 0xFFFFFF00, nothing is owed. */
    public void reset() {
        next = HislipMessage.INITIAL_MESSAGE_ID;
        lastSent = HislipMessage.INITIAL_MESSAGE_ID - 2;
        rmtDelivered = false;
        abandoned = false;
        awaitingInterrupted = false;
        awaitingAsyncInterrupted = false;
    }
}
