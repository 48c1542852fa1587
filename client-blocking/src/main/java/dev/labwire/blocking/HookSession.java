package dev.labwire.blocking;

import dev.labwire.core.Event;
import dev.labwire.core.Request;

/**
 * What an {@link OnConnectHook} talks through: requests sent ahead of every user request, on the link
 * the hook was started for. Fails with {@link dev.labwire.core.LinkDownException} once that link is gone.
 */
public interface HookSession {
    /** Sends {@code command} and returns the one-line reply. */
    String query(String command);

    /** Sends {@code command}, expecting no reply. */
    void write(String command);

    /** Sends any request and returns its reply. */
    Event.Reply request(Request request);
}
