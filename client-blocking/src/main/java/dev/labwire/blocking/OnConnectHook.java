package dev.labwire.blocking;

/**
 * Code run on every new link before any user request: re-send configuration, check the identity,
 * clear the error queue. It may query the device through its {@link HookSession}. It runs on its own
 * thread; user requests wait (within their own timeouts) until it returns. If it throws, the link is
 * closed and reopened with backoff, and the hook runs again on the next link.
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
