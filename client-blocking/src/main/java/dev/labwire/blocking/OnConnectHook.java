package dev.labwire.blocking;

/**
 * Code run on every new link before any user request: re-send configuration, check the identity,
 * clear the error queue. It may query the device through its {@link HookSession} (not through the client
 * itself: a call on the client from inside the hook throws {@link IllegalStateException} at once, since it
 * would wait for the hook to end). It runs on its own thread; user requests wait (within their own timeouts)
 * until it returns. If it throws anything ({@link Error}s such as {@link AssertionError} included) or runs
 * longer than the client's {@link BlockingClient.Builder#hookTimeout hookTimeout} (default 10 s; its thread
 * is then interrupted), the link is closed and reopened with backoff, the hook runs again on the next link,
 * and calls that time out meanwhile fail with a {@link dev.labwire.core.LinkDownException} whose cause is the
 * hook's failure. The state never stays {@link dev.labwire.core.State#ON_CONNECT}.
 *
 * <pre>{@code
 * BlockingClient psu = BlockingClient.builder("tcp://10.0.0.7:5025")
 *         .onConnect(s -> {
 *             if (!s.query("*IDN?").startsWith("ACME")) throw new IllegalStateException("wrong instrument");
 *             s.write("SYST:REM");
 *             s.write("VOLT:PROT 30");
 *         })
 *         .build();
 * }</pre>
 */
@FunctionalInterface
public interface OnConnectHook {
    /** Prepares the device on a fresh link; throw to reject the link. */
    void onConnect(HookSession session) throws Exception;
}
