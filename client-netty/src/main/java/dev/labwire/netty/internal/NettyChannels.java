package dev.labwire.netty.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.Event;
import dev.labwire.core.LinkMachine;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.EOFException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extra TCP connections a session machine orders ({@link Event.OpenChannel}, {@link Event.ListenChannel},
 * {@link Event.CloseChannel}; docs/CHANNELS.md), as plain Netty channels on the driver's own event loop. Channel
 * traffic is small control messages: no backpressure, one flush per transmit. Reports reach the machine only while
 * the Netty channel is still the channel's (a closed or replaced one's late bytes and errors are dropped). Event
 * loop only.
 */
final class NettyChannels {
    private static final Logger LOG = LoggerFactory.getLogger(NettyChannels.class);

    private final NettyDriver driver;
    private final LinkMachine machine;
    private final EventLoop loop;
    private final ConnectionConfig config;
    private final String name;
    private final String hostName;
    private final Map<Integer, Chan> open = new HashMap<>();
    private final ByteBuffer out = ByteBuffer.allocate(8 * 1024);
    private boolean closed;

    NettyChannels(NettyDriver driver, LinkMachine machine, EventLoop loop, ConnectionConfig config, String name,
            String hostName) {
        this.driver = driver;
        this.machine = machine;
        this.loop = loop;
        this.config = config;
        this.name = name;
        this.hostName = hostName;
    }

    /** Obeys a channel order; false when {@code e} is not one. */
    boolean order(Event e, Links links) {
        if (e instanceof Event.OpenChannel o) {
            connect(replace(o.channel()), o.port(), links.remoteAddress());
        } else if (e instanceof Event.ListenChannel l) {
            listen(replace(l.channel()), links.localAddress());
        } else if (e instanceof Event.CloseChannel c) {
            Chan ch = open.remove(c.channel());
            if (ch != null) {
                LOG.debug("{}: closing channel {}: {}", name, c.channel(), c.reason());
                ch.close();
            }
        } else {
            return false;
        }
        return true;
    }

    /** Writes every connected channel's pending bytes. */
    void transmit() {
        if (open.isEmpty()) {
            return;
        }
        for (Chan ch : open.values()) {
            if (ch.channel == null || !ch.up) {
                continue;
            }
            boolean wrote = false;
            for (int n; (n = machine.pollTransmit(ch.number, out.clear())) > 0; ) {
                ByteBuf buf = Unpooled.buffer(n);
                buf.writeBytes(out.flip());
                ch.channel.write(buf, ch.channel.voidPromise());
                wrote = true;
            }
            if (wrote) {
                ch.channel.flush();
            }
        }
    }

    /** The client closes: every channel closes. */
    void closeAll() {
        closed = true;
        open.values().forEach(Chan::close);
        open.clear();
    }

    private Chan replace(int number) {
        Chan old = open.remove(number);
        if (old != null) {
            old.close(); // reused without a close: the old one is not the channel any more
        }
        Chan ch = new Chan(number);
        if (!closed) {
            open.put(number, ch);
        }
        return ch;
    }

    private boolean current(Chan ch) {
        return !closed && open.get(ch.number) == ch;
    }

    private void report(Chan ch, Runnable r) {
        if (current(ch)) {
            r.run();
            driver.drain();
        }
    }

    private void gone(Chan ch, Runnable report) {
        if (current(ch)) {
            open.remove(ch.number);
            ch.close();
            report.run();
            driver.drain();
        }
    }

    private void connect(Chan ch, int port, InetAddress linkRemote) {
        if (!current(ch)) {
            return;
        }
        if (linkRemote != null) {
            connect(ch, new InetSocketAddress(linkRemote, port));
            return;
        }
        TcpLink.resolve(hostName, port, addr -> {
            if (addr.isUnresolved()) {
                gone(ch, () -> machine.channelFailed(ch.number, new UnknownHostException(
                        dev.labwire.core.internal.UnknownHosts.message(hostName, port, "channel " + ch.number + " of "
                        + name)), System.nanoTime()));
            } else {
                connect(ch, addr);
            }
        }, loop);
    }

    private void connect(Chan ch, InetSocketAddress addr) {
        if (!current(ch)) {
            return;
        }
        ChannelFuture f = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        dev.labwire.core.internal.Durations.millis(config.connectTimeout())))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new Inbound(ch))
                .connect(addr);
        ch.channel = f.channel();
        f.addListener(done -> {
            if (done.isSuccess()) {
                report(ch, () -> {
                    ch.up = true;
                    machine.channelUp(ch.number, System.nanoTime());
                });
            } else {
                gone(ch, () -> machine.channelFailed(ch.number, done.cause(), System.nanoTime()));
            }
        });
    }

    private void listen(Chan ch, InetAddress local) {
        if (!current(ch)) {
            return;
        }
        if (local == null) {
            gone(ch, () -> machine.channelFailed(ch.number, new java.io.IOException("channel " + ch.number
                    + ": no link, so no local address to listen on"), System.nanoTime()));
            return;
        }
        ChannelFuture f = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        if (!current(ch) || ch.channel != null) {
                            c.close(); // one connection per order
                            return;
                        }
                        ch.channel = c;
                        c.pipeline().addLast(new Inbound(ch));
                        Channel server = ch.server;
                        ch.server = null;
                        server.close();
                        report(ch, () -> {
                            ch.up = true;
                            machine.channelUp(ch.number, System.nanoTime());
                        });
                    }
                })
                .bind(new InetSocketAddress(local, 0));
        ch.server = f.channel();
        f.addListener(done -> {
            if (done.isSuccess()) {
                InetSocketAddress at = (InetSocketAddress) f.channel().localAddress();
                report(ch, () -> machine.channelListening(ch.number, local.getAddress(), at.getPort(), System.nanoTime()));
            } else {
                gone(ch, () -> machine.channelFailed(ch.number, done.cause(), System.nanoTime()));
            }
        });
    }

    /** One channel: its Netty channel (or the listening one before it). */
    private static final class Chan {
        final int number;
        Channel channel;
        Channel server;
        boolean up;

        Chan(int number) {
            this.number = number;
        }

        void close() {
            if (channel != null) {
                channel.close();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    private final class Inbound extends ChannelInboundHandlerAdapter {
        private final Chan ch;
        private Throwable error;

        Inbound(Chan ch) {
            this.ch = ch;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf in = (ByteBuf) msg;
                ByteBuffer data = in.nioBuffer();
                report(ch, () -> machine.receive(ch.number, data, System.nanoTime()));
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ch.up) {
                Throwable cause = error != null ? error
                        : new EOFException("channel " + ch.number + " of " + name + ": end of stream");
                gone(ch, () -> machine.channelDown(ch.number, cause, System.nanoTime()));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (error == null) {
                error = cause;
            }
            ctx.close();
        }
    }
}
