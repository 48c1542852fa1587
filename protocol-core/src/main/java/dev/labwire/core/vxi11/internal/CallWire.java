package dev.labwire.core.vxi11.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * One TCP connection of a {@link Vxi11Session} (the link or a channel): the record-marked RPC calls waiting to be
 * written, handed out whole or copied piecewise (never reordered), and the reassembler of the records that come back.
 */
final class CallWire {
    private final int maxRecord;
    RecordMarking records;
    private final ArrayDeque<byte[]> out = new ArrayDeque<>();
    private final ArrayDeque<Long> ids = new ArrayDeque<>();   // the request id of each record in out (-1: none)
    private int offset;   // of the head's bytes already copied out
    long firstId = -1;    // of the latest poll/copy: the first and last request whose bytes it handed out
    long lastId = -1;

    CallWire(int maxRecord) {
        this.maxRecord = maxRecord;
        this.records = new RecordMarking(maxRecord);
    }

    void reset() {
        out.clear();
        ids.clear();
        offset = 0;
        records = new RecordMarking(maxRecord);
    }

    void send(RpcCall call) {
        send(call, -1);
    }

    /** Queues {@code call}, made for the request {@code id} (-1: for none, e.g. an internal call). */
    void send(RpcCall call, long id) {
        sendMessage(call.encode(), id);
    }

    /** Queues an RPC message (a reply on the interrupt channel), record-marked. */
    void sendMessage(byte[] message, long id) {
        out.add(RecordMarking.frame(message));
        ids.add(id);
    }

    /** How many records wait to be handed out. */
    int pending() {
        return out.size();
    }

    byte[] poll() {
        byte[] head = out.poll();
        Long id = ids.poll();
        firstId = id == null ? -1 : id;
        lastId = firstId;
        if (head != null && offset > 0) {
            head = java.util.Arrays.copyOfRange(head, offset, head.length);
            offset = 0;
        }
        return head;
    }

    int copy(ByteBuffer dst) {
        int n = 0;
        firstId = -1;
        lastId = -1;
        boolean first = true;
        while (!out.isEmpty() && dst.hasRemaining()) {
            byte[] head = out.peek();
            long id = ids.peek();
            if (first) {
                firstId = id;
                first = false;
            }
            lastId = id;
            int k = Math.min(dst.remaining(), head.length - offset);
            dst.put(head, offset, k);
            offset += k;
            n += k;
            if (offset == head.length) {
                out.poll();
                ids.poll();
                offset = 0;
            }
        }
        return n;
    }
}
