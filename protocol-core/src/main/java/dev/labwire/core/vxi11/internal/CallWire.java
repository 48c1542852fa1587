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
    private int offset;   // of the head's bytes already copied out

    CallWire(int maxRecord) {
        this.maxRecord = maxRecord;
        this.records = new RecordMarking(maxRecord);
    }

    void reset() {
        out.clear();
        offset = 0;
        records = new RecordMarking(maxRecord);
    }

    void send(RpcCall call) {
        out.add(RecordMarking.frame(call.encode()));
    }

    byte[] poll() {
        byte[] head = out.poll();
        if (head != null && offset > 0) {
            head = java.util.Arrays.copyOfRange(head, offset, head.length);
            offset = 0;
        }
        return head;
    }

    int copy(ByteBuffer dst) {
        int n = 0;
        while (!out.isEmpty() && dst.hasRemaining()) {
            byte[] head = out.peek();
            int k = Math.min(dst.remaining(), head.length - offset);
            dst.put(head, offset, k);
            offset += k;
            n += k;
            if (offset == head.length) {
                out.poll();
                offset = 0;
            }
        }
        return n;
    }
}
