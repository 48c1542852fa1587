package dev.labwire.examples.furnace;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

/**
 * Netty {@code ByteBuf}s to and from plain bytes, for a module that does not read {@code io.netty.buffer}.
 *
 * <p>Why this exists: the examples module requires {@code dev.labwire.netty}, which passes on
 * {@code io.netty.transport} and {@code io.netty.common} but not {@code io.netty.buffer}, so this code may not
 * name {@code ByteBuf}. In your own server add {@code requires io.netty.buffer;} to your module-info (or run on
 * the class path) and write {@code ((ByteBuf) msg).nioBuffer()} and {@code Unpooled.wrappedBuffer(bytes)}
 * directly; these two method handles do exactly that.
 */
final class NettyBuffers {
    private static final MethodHandle NIO_BUFFER;
    private static final MethodHandle WRAP;

    static {
        try {
            ClassLoader loader = NettyBuffers.class.getClassLoader();
            Class<?> byteBuf = Class.forName("io.netty.buffer.ByteBuf", false, loader);
            Class<?> unpooled = Class.forName("io.netty.buffer.Unpooled", false, loader);
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            NIO_BUFFER = lookup.findVirtual(byteBuf, "nioBuffer", MethodType.methodType(ByteBuffer.class))
                    .asType(MethodType.methodType(ByteBuffer.class, Object.class));
            WRAP = lookup.findStatic(unpooled, "wrappedBuffer", MethodType.methodType(byteBuf, byte[].class))
                    .asType(MethodType.methodType(Object.class, byte[].class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NettyBuffers() {
    }

    /** The readable bytes of the {@code ByteBuf} {@code msg}, as a view (valid until {@code msg} is released). */
    static ByteBuffer readable(Object msg) {
        try {
            return (ByteBuffer) NIO_BUFFER.invokeExact(msg);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A {@code ByteBuf} over {@code bytes} (not copied), to write to a channel. */
    static Object wrap(byte[] bytes) {
        try {
            return WRAP.invokeExact(bytes);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
