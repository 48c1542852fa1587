package dev.labwire.examples.channels;

import dev.labwire.core.Connection;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.Request;
import dev.labwire.core.SessionMachine;
import dev.labwire.core.State;
import dev.labwire.core.frame.Frame;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A session machine for driver tests of the channel contract (docs/CHANNELS.md), shaped like VXI-11's: before its
 * link it asks a "lookup" server on channel 1 where the link goes ({@code PORT?} → {@code PORT <n>}), then opens the
 * link there (a raw SCPI {@link Connection} does the link's work); once the link is ready it listens on channel 2 and
 * tells the lookup server the port ({@code CALL <port>}); whatever comes in on channel 2 is handed out as a pushed
 * frame ({@code ch2:<line>}). Every channel report is recorded in {@link #reports} for the test to check.
 */
final class ChannelProbeMachine implements SessionMachine {
    final List<String> reports = new CopyOnWriteArrayList<>();
    private final Connection link;
    private final ArrayDeque<Event> mine = new ArrayDeque<>();
    private final StringBuilder ch1In = new StringBuilder();
    private final StringBuilder ch2In = new StringBuilder();
    private final ArrayDeque<byte[]> ch1Out = new ArrayDeque<>();
    private int linkPort;
    private boolean listening;

    ChannelProbeMachine(ConnectionConfig config) {
        this.link = new Connection(config);
    }

    // ------------------------------------------------------------------ channels

    @Override
    public void open(long nowNanos) {
        mine.add(new Event.OpenChannel(1, lookupPort));
    }

    int lookupPort;

    @Override
    public int linkPort() {
        return linkPort;
    }

    @Override
    public void channelUp(int channel, long nowNanos) {
        reports.add("up " + channel);
        if (channel == 1) {
            ch1Out.add("PORT?\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    @Override
    public void channelFailed(int channel, Throwable cause, long nowNanos) {
        // Netty's AnnotatedConnectException is a ConnectException too
        reports.add("failed " + channel + " " + (cause instanceof java.net.ConnectException ? "ConnectException" : cause));
    }

    @Override
    public void channelListening(int channel, byte[] address, int port, long nowNanos) {
        reports.add("listening " + channel + " " + address.length);
        ch1Out.add(("CALL " + port + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public void channelDown(int channel, Throwable cause, long nowNanos) {
        reports.add("down " + channel + " " + cause.getClass().getSimpleName());
    }

    @Override
    public void receive(int channel, ByteBuffer data, long nowNanos) {
        StringBuilder in = channel == 1 ? ch1In : ch2In;
        while (data.hasRemaining()) {
            char c = (char) (data.get() & 0xff);
            if (c != '\n') {
                in.append(c);
                continue;
            }
            String line = in.toString();
            in.setLength(0);
            reports.add("line " + channel + " " + line);
            if (channel == 1 && line.startsWith("PORT ")) {
                linkPort = Integer.parseInt(line.substring(5).trim());
                link.open(nowNanos); // the link goes where the lookup said: OpenLink, then linkPort()
            } else if (channel == 2) {
                mine.add(new Event.Pushed(Frame.of("ch2:" + line)));
            }
        }
    }

    @Override
    public int pollTransmit(int channel, ByteBuffer dst) {
        if (channel != 1 || ch1Out.isEmpty()) {
            return 0;
        }
        byte[] b = ch1Out.poll();
        dst.put(b);
        return b.length;
    }

    // ------------------------------------------------------------------ the link: the Connection's

    @Override
    public Event nextEvent() {
        Event e = mine.poll();
        if (e != null) {
            return e;
        }
        e = link.nextEvent();
        if (e instanceof Event.StateChanged s && s.state() == State.READY && !listening) {
            listening = true;
            mine.add(new Event.ListenChannel(2));
        }
        return e;
    }

    @Override
    public void close(long nowNanos) {
        link.close(nowNanos);
    }

    @Override public ConnectionConfig config() { return link.config(); }
    @Override public long send(Request request, long nowNanos) { return link.send(request, nowNanos); }
    @Override public long sendHook(Request request, long nowNanos) { return link.sendHook(request, nowNanos); }
    @Override public void hookDone(long nowNanos) { link.hookDone(nowNanos); }
    @Override public void hookFailed(Throwable cause, long nowNanos) { link.hookFailed(cause, nowNanos); }
    @Override public State state() { return link.state(); }
    @Override public void linkUp(long nowNanos) { link.linkUp(nowNanos); }
    @Override public void linkFailed(Throwable cause, long nowNanos) { link.linkFailed(cause, nowNanos); }
    @Override public void linkDown(Throwable cause, long nowNanos) { link.linkDown(cause, nowNanos); }
    @Override public void receive(ByteBuffer data, long nowNanos) { link.receive(data, nowNanos); }
    @Override public void receiveEof(long nowNanos) { link.receiveEof(nowNanos); }
    @Override public void handleTimeout(long nowNanos) { link.handleTimeout(nowNanos); }
    @Override public ByteBuffer pollTransmit() { return link.pollTransmit(); }
    @Override public int pollTransmit(ByteBuffer dst) { return link.pollTransmit(dst); }
    @Override public OptionalLong pollTimeout() { return link.pollTimeout(); }
    @Override public boolean cancel(long id, long nowNanos) { return link.cancel(id, nowNanos); }
}
