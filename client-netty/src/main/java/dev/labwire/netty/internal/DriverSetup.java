package dev.labwire.netty.internal;

import dev.labwire.core.Overflow;
import dev.labwire.core.State;
import dev.labwire.core.endpoint.Endpoint;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.nio.NioIoHandle;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Where a {@link NettyDriver} runs and who hears from it; the same for a client and a bus.
 *
 * @param loop             the event loop every touch of the core runs on
 * @param callbackExecutor where user code runs (serialised); null for the event loop
 * @param listeners        told of every state change
 * @param pushedHighWater  pushed frames a subscriber may have waiting before reading pauses
 * @param pushedCapacity   the most pushed frames one subscriber's queue holds ({@link #DEFAULT_PUSHED_CAPACITY})
 * @param pushedOverflow   what a full pushed-frame queue does ({@link Overflow#DROP_OLDEST} by default)
 * @param writeHighWater   outbound bytes a link may hold before the driver stops taking bytes from the core
 * @param onTerminated     run on the loop once the driver released everything (releases a default group)
 */
public record DriverSetup(EventLoop loop, Executor callbackExecutor, List<BiConsumer<State, Throwable>> listeners,
                          int pushedHighWater, int pushedCapacity, Overflow pushedOverflow, int writeHighWater,
                          Runnable onTerminated) {

    /** The default {@code writeHighWater}: 64 KiB (Netty's own default high-water mark). */
    public static final int DEFAULT_WRITE_HIGH_WATER = 64 * 1024;

    /**
     * The default {@code pushedCapacity}: 4096 frames. Reading pauses at the high-water mark (256 by default) and one
     * more read (up to 64 KiB) still comes in: room for that read when frames are 20 bytes or longer. (The blocking
     * client, which never pauses reading, keeps 1024.)
     */
    public static final int DEFAULT_PUSHED_CAPACITY = 4096;
    /** State changes one listener may have waiting on a callback executor; beyond it the oldest is dropped. */
    public static final int LISTENER_CAPACITY = 256;

    public DriverSetup {
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(pushedOverflow, "pushedOverflow");
    }

    /**
     * Picks an event loop of {@code group} (the library's default group when null), makes the driver with
     * {@code make} and starts it. When that fails the default group is released again.
     *
     * @throws IllegalArgumentException when a TCP endpoint is given a group that is not NIO
     * @throws IllegalStateException    when the group is shut down, or for a serial endpoint without
     *                                  labwire-serial-transport on the class path
     */
    public static NettyDriver start(Endpoint endpoint, EventLoopGroup group, Executor callbackExecutor,
                                    List<BiConsumer<State, Throwable>> listeners, int pushedHighWater, int pushedCapacity,
                                    Overflow pushedOverflow, int writeHighWater, Function<DriverSetup, NettyDriver> make) {
        // serial-transport is optional: a serial endpoint without it fails here, clearly
        dev.labwire.core.internal.SerialGate.check(endpoint, DriverSetup.class);
        EventLoopGroup g = group != null ? group : DefaultGroup.acquire();
        Runnable release = group != null ? () -> { } : () -> DefaultGroup.release(g);
        try {
            EventLoop loop = g.next();
            if (!(endpoint instanceof Endpoint.Serial) && !(loop instanceof IoEventLoop io && io.isCompatible(NioIoHandle.class))) {
                throw new IllegalArgumentException("TCP endpoint " + endpoint + " needs an NIO event loop group "
                        + "(MultiThreadIoEventLoopGroup with NioIoHandler), got " + loop.getClass().getName());
            }
            NettyDriver d = make.apply(new DriverSetup(loop, callbackExecutor, listeners, pushedHighWater, pushedCapacity, pushedOverflow,
                    writeHighWater, release));
            d.start();
            return d;
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }
}
