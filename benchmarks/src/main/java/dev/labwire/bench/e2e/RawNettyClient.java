package dev.labwire.bench.e2e;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hand-written Netty baseline: a {@link NioSocketChannel} with TCP_NODELAY, {@link LineBasedFrameDecoder}
 * and a handler that completes the oldest waiting future with each line, as a {@code String}. A call from
 * another thread hops onto the event loop (one task: queue the future, write and flush); a call made on the loop
 * while replies are being read (a pipelining callback) writes at once and flushes at the end of the read batch,
 * the usual Netty idiom. No
 * timeouts, no reconnects, no bounds.
 */
final class RawNettyClient {
    private final byte[] command;
    private final ArrayDeque<CompletableFuture<String>> waiting = new ArrayDeque<>(); // event loop only
    private final LongAdder unsolicited;
    private Channel channel;
    private boolean inRead;      // inside a read batch: channelReadComplete flushes
    private boolean flushNeeded;

    private RawNettyClient(String command, LongAdder unsolicited) {
        this.command = (command + "\n").getBytes(StandardCharsets.ISO_8859_1);
        this.unsolicited = unsolicited;
    }

    /** Starts connecting; the future completes when the channel is connected. */
    static CompletableFuture<RawNettyClient> connect(EventLoopGroup group, int port, String command) {
        return connect(group, port, command, new LongAdder());
    }

    /** As {@link #connect(EventLoopGroup, int, String)}, counting lines that came while no call waited in {@code unsolicited}. */
    static CompletableFuture<RawNettyClient> connect(EventLoopGroup group, int port, String command, LongAdder unsolicited) {
        RawNettyClient c = new RawNettyClient(command, unsolicited);
        CompletableFuture<RawNettyClient> done = new CompletableFuture<>();
        ChannelFuture f = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(4096), c.new Replies());
                    }
                })
                .connect("127.0.0.1", port);
        c.channel = f.channel();
        f.addListener(x -> {
            if (x.isSuccess()) {
                done.complete(c);
            } else {
                done.completeExceptionally(x.cause());
            }
        });
        return done;
    }

    CompletableFuture<String> query() {
        CompletableFuture<String> f = new CompletableFuture<>();
        if (channel.eventLoop().inEventLoop()) {
            waiting.addLast(f);
            if (inRead) {
                channel.write(message());
                flushNeeded = true;
            } else {
                channel.writeAndFlush(message());
            }
        } else {
            channel.eventLoop().execute(() -> {
                waiting.addLast(f);
                channel.writeAndFlush(message());
            });
        }
        return f;
    }

    /** Writes {@code line} and a {@code \n}, expecting nothing back. */
    void send(String line) {
        channel.writeAndFlush(channel.alloc().ioBuffer().writeBytes((line + "\n").getBytes(StandardCharsets.ISO_8859_1)));
    }

    private ByteBuf message() {
        return channel.alloc().ioBuffer(command.length).writeBytes(command);
    }

    CompletableFuture<Void> close() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        channel.close().addListener(x -> f.complete(null));
        return f;
    }

    private final class Replies extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            inRead = true;
            super.channelRead(ctx, msg);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf line) {
            CompletableFuture<String> f = waiting.pollFirst();
            if (f != null) {
                f.complete(line.toString(StandardCharsets.ISO_8859_1));
            } else {
                unsolicited.increment();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            inRead = false;
            if (flushNeeded) {
                flushNeeded = false;
                ctx.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            for (CompletableFuture<String> f; (f = waiting.pollFirst()) != null; ) {
                f.completeExceptionally(new IOException("connection closed"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
