package dev.labwire.netty.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The event loop group the library owns for clients built without one: NIO, daemon threads named
 * {@code labwire-netty-*}, as many as Netty's default ({@code io.netty.eventLoopThreads}, else twice the
 * processors). Reference-counted by open clients: made by the first client, shut down gracefully when
 * the last one's {@code close()} completes, made afresh by the next client.
 */
public final class DefaultGroup {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static EventLoopGroup group;
    private static int users;

    private DefaultGroup() {
    }

    /** The shared group, made if needed; every call must be matched by one {@link #release}. */
    public static EventLoopGroup acquire() {
        LOCK.lock();
        try {
            if (group == null) {
                group = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("labwire-netty", true), NioIoHandler.newFactory());
            }
            users++;
            return group;
        } finally {
            LOCK.unlock();
        }
    }

    /** One user is done with {@code g}; the last one shuts it down (without waiting). */
    public static void release(EventLoopGroup g) {
        LOCK.lock();
        try {
            if (g != group) {
                return;
            }
            if (--users == 0) {
                group = null;
                g.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            }
        } finally {
            LOCK.unlock();
        }
    }

    /** Open clients on the default group (for tests). */
    public static int users() {
        LOCK.lock();
        try {
            return users;
        } finally {
            LOCK.unlock();
        }
    }
}
