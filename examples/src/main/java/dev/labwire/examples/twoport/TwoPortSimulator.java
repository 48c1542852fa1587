package dev.labwire.examples.twoport;

import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A simulated two-port data logger: a control port ({@code GAIN n}, {@code GAIN?}, {@code LIST CHANNELS},
 * {@code START}, {@code STOP}; unknown commands get {@code ERR unknown command}) and a data port streaming a
 * length-prefixed frame of three 16-bit channels every 10 ms while started. Both on loopback TCP.
 */
public final class TwoPortSimulator implements AutoCloseable {
    private final MockInstrument control = MockInstrument.tcp();
    private final MockInstrument data = MockInstrument.tcp();
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "twoport-sim");
        t.setDaemon(true);
        return t;
    });
    private volatile int gain = 1;
    private long sequence;
    private ScheduledFuture<?> streaming;

    /** Starts both ports. */
    public TwoPortSimulator() {
        control.responder(this::answer);
    }

    private synchronized MockReply answer(String cmd) {
        if (cmd.startsWith("GAIN ")) {
            try {
                int g = Integer.parseInt(cmd.substring(5).trim());
                if (g < 1 || g > 64) {
                    return MockReply.line("ERR gain out of range 1..64: " + g);
                }
                gain = g;
                return MockReply.line("OK");
            } catch (NumberFormatException e) {
                return MockReply.line("ERR not a number: " + cmd.substring(5));
            }
        }
        switch (cmd) {
            case "GAIN?":
                return MockReply.line("OK =" + gain);
            case "LIST CHANNELS":
                return MockReply.bytes("!0 temperature mK\n!1 pressure mPa\n!2 flow uL/min\n.\n".getBytes(StandardCharsets.US_ASCII));
            case "START":
                if (streaming == null) {
                    streaming = clock.scheduleAtFixedRate(this::sendFrame, 0, 10, TimeUnit.MILLISECONDS);
                }
                return MockReply.line("OK");
            case "STOP":
                if (streaming != null) {
                    streaming.cancel(false);
                    streaming = null;
                }
                return MockReply.line("OK");
            default:
                return MockReply.line("ERR unknown command " + cmd);
        }
    }

    private void sendFrame() {
        long seq;
        synchronized (this) {
            seq = sequence++;
        }
        ByteBuffer b = ByteBuffer.allocate(2 + 4 + 6);
        b.putShort((short) 10).putInt((int) seq);
        for (int ch = 0; ch < 3; ch++) {
            b.putShort((short) (gain * (100 * ch + seq % 100)));
        }
        data.pushBytes(b.array());
    }

    /** The control port's endpoint. */
    public String controlEndpoint() {
        return control.endpoint();
    }

    /** The data port's endpoint. */
    public String dataEndpoint() {
        return data.endpoint();
    }

    @Override
    public void close() {
        clock.shutdownNow();
        control.close();
        data.close();
    }
}
