package dev.labwire.bench.e2e;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The fast instrument every end-to-end benchmark talks to: a Netty NIO server on loopback that answers each
 * {@code \n}-terminated line at once with {@code +1.234567E+00\n}. The replies to all lines of one read go out in
 * one buffer, flushed when the read is done (so a pipelined burst costs one write).
 *
 * <p>A line starting with {@code !} is a control command and gets no reply: {@code !STREAM <hz>} makes the
 * server push {@code STAT:+1.234567E+00\n} on that connection {@code hz} times a second (a streaming device),
 * starting at a random phase, until the connection closes. {@code !BLOCK <n>} is the one control command with a reply:
 * an IEEE 488.2 definite block of {@code n} bytes followed by {@code \n} (an oscilloscope's {@code CURV?}), the same
 * bytes every time, written without a copy.
 *
 * <p>{@code java -cp benchmarks.jar dev.labwire.bench.e2e.ReplyServer [threads]} runs it alone: it prints
 * {@code PORT <n>} and serves until its standard input closes.
 */
public final class ReplyServer implements AutoCloseable {
    public static final byte[] REPLY = "+1.234567E+00\n".getBytes(StandardCharsets.US_ASCII);
    public static final String REPLY_TEXT = "+1.234567E+00";
    static final byte[] PUSH = "STAT:+1.234567E+00\n".getBytes(StandardCharsets.US_ASCII);

    private final EventLoopGroup group;
    private final Channel server;

    private ReplyServer(EventLoopGroup group, Channel server) {
        this.group = group;
        this.server = server;
    }

    /** Starts on 127.0.0.1, an ephemeral port, {@code threads} event loop threads named {@code server-*}. */
    public static ReplyServer start(int threads) throws InterruptedException {
        EventLoopGroup g = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("server", true),
                NioIoHandler.newFactory());
        Channel ch = new ServerBootstrap()
                .group(g)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 16384)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new Answerer());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return new ReplyServer(g, ch);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final java.util.Map<Integer, ByteBuf> BLOCKS = new java.util.concurrent.ConcurrentHashMap<>();

    /** {@code #<d><n><n bytes>\n}, made once per size; never released. */
    static ByteBuf block(int n) {
        return BLOCKS.computeIfAbsent(n, size -> {
            byte[] header = ("#" + Integer.toString(size).length() + size).getBytes(StandardCharsets.US_ASCII);
            byte[] all = new byte[header.length + size + 1];
            System.arraycopy(header, 0, all, 0, header.length);
            for (int i = 0; i < size; i++) {
                all[header.length + i] = (byte) (i * 31 + 7);
            }
            all[all.length - 1] = '\n';
            return io.netty.buffer.Unpooled.unreleasableBuffer(io.netty.buffer.Unpooled.wrappedBuffer(all));
        });
    }

    /** One per connection: counts line ends, answers them, runs control lines. */
    private static final class Answerer extends ChannelInboundHandlerAdapter {
        private boolean lineStart = true;
        private StringBuilder control; // non-null inside a '!' line
        private int pending;
        private ScheduledFuture<?> stream;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                for (int i = in.readerIndex(), end = in.writerIndex(); i < end; i++) {
                    byte b = in.getByte(i);
                    if (lineStart && b == '!') {
                        control = new StringBuilder();
                    }
                    lineStart = b == '\n';
                    if (control != null) {
                        if (b == '\n') {
                            control(ctx, control.toString());
                            control = null;
                        } else {
                            control.append((char) b);
                        }
                    } else if (b == '\n') {
                        pending++;
                    }
                }
            } finally {
                ReferenceCountUtil.release(in);
            }
            if (pending > 0) {
                ByteBuf out = ctx.alloc().ioBuffer(pending * REPLY.length);
                for (int i = 0; i < pending; i++) {
                    out.writeBytes(REPLY);
                }
                pending = 0;
                ctx.write(out);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        private void control(ChannelHandlerContext ctx, String line) {
            if (line.startsWith("!BLOCK ")) {
                ctx.write(block(Integer.parseInt(line.substring(7).trim())).duplicate());
                return;
            }
            if (line.startsWith("!STREAM ") && stream == null) {
                long periodNanos = TimeUnit.SECONDS.toNanos(1) / Integer.parseInt(line.substring(8).trim());
                stream = ctx.executor().scheduleAtFixedRate(
                        () -> ctx.writeAndFlush(ctx.alloc().ioBuffer(PUSH.length).writeBytes(PUSH)),
                        ThreadLocalRandom.current().nextLong(periodNanos), periodNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (stream != null) {
                stream.cancel(false);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Runs the server alone (a child process of the harness): prints {@code PORT <n>}, serves until stdin closes. */
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        try (ReplyServer s = start(threads)) {
            System.out.println("PORT " + s.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to go
            }
        }
    }
}
