package dev.labwire.netty;

import java.util.concurrent.CompletionStage;

/**
 * Code run on every new link before any user request: re-send configuration, check the identity, clear
 * the error queue. It talks to the device through its {@link AsyncHookSession} and returns a stage that
 * completes when it is done. User requests wait (within their own timeouts) until the stage completes
 * normally; if it completes exceptionally, the hook throws (anything, an {@link AssertionError} included) or
 * returns null, or the stage does not complete within the client's {@code hookTimeout} (default 10 s), the link
 * is closed and reopened with the config's backoff and the hook runs again on the next link. Calls that time
 * out meanwhile fail with a {@link dev.labwire.core.LinkDownException} whose cause is the hook's failure.
 *
 * <pre>{@code
 * NettyClient psu = NettyClient.builder("tcp://10.0.0.7:5025")
 *         .onConnect(s -> s.query("*IDN?").thenCompose(idn -> {
 *             if (!idn.startsWith("ACME")) throw new IllegalStateException("wrong instrument: " + idn);
 *             return s.write("SYST:REM");
 *         }))
 *         .build();
 * }</pre>
 *
 * <p>The hook is called on the client's callback thread (the event loop by default): it must return
 * quickly and must not block: waiting there for one of its own unfinished futures ({@code join()},
 * {@code get()}) throws {@link io.netty.util.concurrent.BlockingOperationException} at once on the event loop (on a
 * callback executor: for a stage chained from a call, not for the call's own future, which holds the client's other
 * callbacks until it ends); chain the steps instead ({@code thenCompose}).
 */
@FunctionalInterface
public interface AsyncHook {
    /**
     * Prepares the device on a fresh link.
     *
     * @return a stage completing when the device is ready; exceptionally to reject the link. Never null.
     * @throws Exception to reject the link at once
     */
    CompletionStage<Void> onConnect(AsyncHookSession session) throws Exception;
}
