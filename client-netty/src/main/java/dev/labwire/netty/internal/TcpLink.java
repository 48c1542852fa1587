package dev.labwire.netty.internal;

import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkMachine;
import dev.labwire.core.endpoint.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.EOFException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A TCP link on a Netty {@link NioSocketChannel} registered with the driver's own event loop, with the
 * socket options of {@link ConnectionConfig} ({@code CONNECT_TIMEOUT_MILLIS}, {@code TCP_NODELAY},
 * {@code SO_KEEPALIVE}, {@code IP_TOS} 0x10). Inbound bytes are handed to the driver and the buffer is
 * released at once (the core copies what it keeps). Host names are resolved on a small shared resolver
 * pool, never on the event loop, so one slow DNS lookup does not stall a thousand other instruments.
 * Backpressure is Netty's auto-read switch inbound, and its write buffer water mark outbound: bytes are taken
 * from the core only while the channel is writable (below the high-water mark; writable again at half of it).
 *
 * <p>Writes cost no allocation of their own: the core copies its bytes straight into a pooled direct buffer
 * ({@link LinkMachine#pollTransmit(java.nio.ByteBuffer)} into a view of it), which is written with the channel's
 * void promise; a write that fails reaches {@link Inbound#exceptionCaught} like a read that fails, and closes the
 * channel, which the driver sees as the link lost with that cause. A drain with nothing to write takes no buffer:
 * each loop thread keeps one spare first buffer ({@link #takeSpare}).
 */
final class TcpLink implements Link {
    private static final int IPTOS_LOWDELAY = 0x10;
    /** The first buffer of a batch of writes: a pipelined batch of short commands fits. */
    private static final int FIRST_BUFFER = 1024;
    /** Later buffers of one batch (a long command, a big binary upload) double up to this. */
    private static final int MAX_BUFFER = 64 * 1024;
    /** Up to 4 blocking lookups at once; idle threads end after 10 s. */
    private static final ExecutorService RESOLVER = newResolver();
    /** Each event loop thread's spare first write buffer ({@link #takeSpare}), released when the thread ends. */
    private static final FastThreadLocal<ByteBuf> SPARE = new FastThreadLocal<>() {
        @Override
        protected void onRemoval(ByteBuf spare) {
            if (spare != null) {
                spare.release();
            }
        }
    };

    private final NettyDriver driver;
    private final EventLoop loop;
    private final Endpoint.Tcp endpoint;
    private final ConnectionConfig config;
    private final int highWater;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private Channel channel;
    private Throwable error;
    private boolean closed;

    TcpLink(NettyDriver driver, EventLoop loop, Endpoint.Tcp endpoint, ConnectionConfig config, int highWater) {
        this.driver = driver;
        this.highWater = highWater;
        this.loop = loop;
        this.endpoint = endpoint;
        this.config = config;
    }

    private static ExecutorService newResolver() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory("labwire-resolver", true));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    @Override
    public void start() {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(endpoint.host());
        if (literal != null) {
            try {
                connect(new InetSocketAddress(InetAddress.getByAddress(endpoint.host(), literal), endpoint.port()));
            } catch (UnknownHostException e) {
                openFailed(e); // only for a bad address length, which NetUtil never gives
            }
            return;
        }
        resolve(endpoint.host(), endpoint.port(), addr -> {
            if (closed) {
                terminated.complete(null);
            } else if (addr.isUnresolved()) {
                openFailed(new UnknownHostException(dev.labwire.core.internal.UnknownHosts.message(endpoint.host(),
                        endpoint.port(), endpoint.toString())));
            } else {
                connect(addr);
            }
        }, loop);
    }

    /**
     * Resolves {@code host} on the shared resolver pool, never on the event loop, and hands the address (unresolved
     * when the lookup failed) to {@code then} on {@code loop}; a loop already shut down gets nothing.
     */
    static void resolve(String host, int port, java.util.function.Consumer<InetSocketAddress> then, EventLoop loop) {
        RESOLVER.execute(() -> {
            InetSocketAddress addr = new InetSocketAddress(host, port);
            try {
                loop.execute(() -> then.accept(addr));
            } catch (RejectedExecutionException e) {
                // the loop is gone, and with it whoever waited
            }
        });
    }

    private void connect(InetSocketAddress addr) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        dev.labwire.core.internal.Durations.millis(config.connectTimeout())))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(highWater / 2, highWater))
                .option(ChannelOption.TCP_NODELAY, config.tcpNoDelay())
                .option(ChannelOption.SO_KEEPALIVE, config.tcpKeepAlive())
                .option(ChannelOption.AUTO_READ, false) // the driver turns reading on once the link is up
                .handler(new Inbound());
        if (config.lowDelayTrafficClass()) {
            b.option(ChannelOption.IP_TOS, IPTOS_LOWDELAY);
        }
        ChannelFuture f = b.connect(addr);
        channel = f.channel();
        channel.closeFuture().addListener(c -> terminated.complete(null));
        f.addListener((ChannelFutureListener) done -> {
            if (done.isSuccess() && !closed) {
                driver.linkOpened(this);
            } else if (!done.isSuccess() && !closed) { // a connect ended by close() is no failure to report
                openFailed(done.cause());
            }
        });
    }

    private void openFailed(Throwable cause) {
        if (channel == null) {
            terminated.complete(null);
        }
        if (!closed) {
            driver.linkOpenFailed(this, cause);
        }
    }

    private void onLoop(Runnable r) {
        try {
            loop.execute(r);
        } catch (RejectedExecutionException e) {
            terminated.complete(null);
        }
    }

    private void failed(Throwable cause) {
        if (error == null) {
            error = cause;
        }
    }

    @Override
    public boolean writeFrom(LinkMachine machine) {
        boolean wrote = false;
        for (int size = FIRST_BUFFER; channel.isWritable(); size = Math.min(2 * size, MAX_BUFFER)) {
            ByteBuf buf = size == FIRST_BUFFER ? takeSpare(channel) : null;
            if (buf == null) {
                buf = channel.alloc().ioBuffer(size);
            }
            int room = buf.writableBytes();
            int n;
            try {
                // an allocator's ioBuffer is one contiguous region, so its internal NIO view is the buffer itself
                n = machine.pollTransmit(buf.internalNioBuffer(buf.writerIndex(), room));
            } catch (RuntimeException e) {
                buf.release();
                throw e;
            }
            if (n == 0) {
                if (size == FIRST_BUFFER) {
                    keepSpare(buf);
                } else {
                    buf.release();
                }
                return wrote;
            }
            if (driver.wire.isTraceEnabled()) {
                driver.traceSent(machine, buf.nioBuffer(buf.writerIndex(), n));
            }
            buf.writerIndex(buf.writerIndex() + n);
            channel.write(buf, channel.voidPromise()); // a failure goes to exceptionCaught
            wrote = true;
            if (n < room) {
                return true; // the machine had no more than this
            }
        }
        return wrote; // the channel holds its high-water mark: the rest waits in the core
    }

    /**
     * The event loop thread's spare first buffer, if it has one from {@code ch}'s allocator: most drains have nothing to
     * write (a reply or a pushed frame came in), and a pooled buffer taken and released for nothing on every one of them
     * cost more than the rest of a pushed frame's trip through the driver. One per loop thread, whatever its links.
     */
    private static ByteBuf takeSpare(Channel ch) {
        ByteBuf spare = SPARE.getIfExists();
        if (spare == null) {
            return null;
        }
        SPARE.set(null);
        if (spare.alloc() != ch.alloc()) {
            spare.release();
            return null;
        }
        return spare;
    }

    /** Keeps an unused first buffer as the loop thread's spare (releasing the one it replaces, if any). */
    private static void keepSpare(ByteBuf buf) {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            buf.release(); // a plain thread would never release it
            return;
        }
        ByteBuf old = SPARE.getIfExists();
        SPARE.set(buf);
        if (old != null) {
            old.release();
        }
    }

    @Override
    public InetSocketAddress remote() {
        return channel == null ? null : (InetSocketAddress) channel.remoteAddress();
    }

    @Override
    public InetSocketAddress local() {
        return channel == null ? null : (InetSocketAddress) channel.localAddress();
    }

    @Override
    public boolean writable() {
        return channel != null && channel.isWritable();
    }

    @Override
    public long unsentBytes() {
        if (channel == null) {
            return 0;
        }
        // public views of the channel's outbound buffer: bytes until it turns (un)writable at high and low water
        return channel.isWritable() ? Math.max(0, highWater - channel.bytesBeforeUnwritable())
                : highWater / 2 + channel.bytesBeforeWritable();
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void setReading(boolean on) {
        channel.config().setAutoRead(on); // turning it on also issues a read
    }

    @Override
    public boolean reading() {
        return channel != null && channel.config().isAutoRead();
    }

    @Override
    public CompletableFuture<Void> close() {
        if (!closed) {
            closed = true;
            if (channel != null) {
                channel.close();
            }
        }
        return terminated;
    }

    @Override
    public String toString() {
        return "TcpLink[" + endpoint + (channel == null ? "" : ", " + channel) + "]";
    }

    /** Runs on the event loop, like the driver. */
    private final class Inbound extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!closed) {
                    ByteBuf in = (ByteBuf) msg;
                    // the core copies what it keeps before this returns, so the buffer's own NIO view will do
                    driver.linkReceived(TcpLink.this, in.nioBufferCount() == 1
                            ? in.internalNioBuffer(in.readerIndex(), in.readableBytes()) : in.nioBuffer());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closed) {
                boolean eof = error == null;
                driver.linkLost(TcpLink.this, eof ? new EOFException("end of stream: " + endpoint + " closed the connection") : error, eof);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (!closed && ctx.channel().isWritable()) {
                driver.linkWritable(TcpLink.this);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed(cause);
            ctx.close();
        }
    }
}
