package dev.labwire.mqtt.internal;

import dev.labwire.core.LinkDownException;
import dev.labwire.core.LocalProtocolException;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.RequestTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Maps labwire's exceptions to the schema's error kinds and back (docs/MQTT.md, "Errors"). */
public final class ErrorKinds {
    public static final String TIMEOUT = "timeout";
    public static final String LINK_DOWN = "link_down";
    public static final String INSTRUMENT = "instrument";
    public static final String REFUSED = "refused";
    public static final String BAD_REQUEST = "bad_request";
    public static final String UNKNOWN_INSTRUMENT = "unknown_instrument";
    public static final String TOO_LARGE = "too_large";
    public static final String EXPIRED = "expired";
    public static final String BUSY = "busy";
    public static final String INTERNAL = "internal";

    private ErrorKinds() {
    }

    /** The exception inside CompletionException/ExecutionException wrappers. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The error kind of a labwire call's failure. */
    public static String kindOf(Throwable t) {
        t = unwrap(t);
        if (t instanceof RequestTimeoutException) return TIMEOUT;
        if (t instanceof LinkDownException) return LINK_DOWN;
        if (t instanceof RemoteProtocolException) return INSTRUMENT;
        if (t instanceof LocalProtocolException) return REFUSED;
        if (t instanceof IllegalArgumentException) return BAD_REQUEST;
        return INTERNAL;
    }
}
