package dev.labwire.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Immutable settings of a {@link Connection}, built with {@link #builder()}. Shareable between
 * connections: stateful parts (framers, jitter) are made per connection from factories.
 *
 * <table>
 *   <caption>Settings, defaults and limits</caption>
 *   <tr><th>setting</th><th>default</th><th>at the limit</th></tr>
 *   <tr><td>{@code framing}</td><td>{@link Framing#lines()}</td><td>-</td></tr>
 *   <tr><td>{@code writeTerminator}</td><td>{@code "\n"}</td><td>a request containing it is refused (it would split)</td></tr>
 *   <tr><td>{@code maxFrameLength}</td><td>65,536 bytes</td><td>a longer frame fails its request
 *       ({@link RemoteProtocolException}, both lengths named) and is discarded to the next boundary</td></tr>
 *   <tr><td>{@code maxInFlight}</td><td>1 (strict)</td><td>further requests wait in the queue</td></tr>
 *   <tr><td>{@code pipelining}</td><td>{@link Pipelining#CONFIRM_BY_WINDOW}</td><td>with {@code maxInFlight > 1}: how a
 *       reply is known to answer its request when replies carry no tag</td></tr>
 *   <tr><td>{@code maxQueued}</td><td>10,000</td><td>{@code send} throws {@link LocalProtocolException}</td></tr>
 *   <tr><td>{@code defaultTimeout}</td><td>5 s</td><td>whole exchange, from {@code send} to the last reply byte;
 *       the request ends with {@link Event.Timeout}</td></tr>
 *   <tr><td>{@code staleReplyPolicy}</td><td>{@link StaleReplyPolicy#discardLateReply discardLateReply(1 s)}</td><td>-</td></tr>
 *   <tr><td>{@code classifier}</td><td>{@link FrameClassifier#ALL_REPLIES}</td><td>-</td></tr>
 *   <tr><td>{@code onConnect}</td><td>no requests</td><td>a failing hook request closes the link (reconnect with backoff)</td></tr>
 *   <tr><td>{@code externalHook}</td><td>false</td><td>when true the driver runs its own hook and calls {@code hookDone}</td></tr>
 *   <tr><td>{@code autoReconnect}</td><td>true</td><td>when false a lost link stays down and queued requests fail</td></tr>
 *   <tr><td>{@code backoff}</td><td>{@link Backoff#DEFAULT}</td><td>-</td></tr>
 *   <tr><td>{@code queuedOnLinkDown}</td><td>{@link QueuedOnLinkDown#KEEP}</td><td>kept requests still end by their own timeout</td></tr>
 *   <tr><td>{@code retryQueriesOnLinkDown}</td><td>false</td><td>when true a request that expects a reply and was on the wire
 *       when the link dropped is sent again on the next link, by its own deadline ({@link Request.Resend})</td></tr>
 *   <tr><td>{@code serviceRequestPolling}</td><td>off (null)</td><td>when set, a raw SCPI link reads the status byte
 *       ({@code *STB?}) that often while it is ready and reports each rise of MSS (bit 6) as an
 *       {@link Event.ServiceRequest}; a poll that fails or times out is dropped (the stale-reply policy handles a late
 *       answer) and the next comes a period later</td></tr>
 *   <tr><td>{@code serviceRequestChannel}</td><td>false</td><td>when true a VXI-11 link opens its interrupt channel
 *       (create_intr_chan, device_enable_srq) and reports each device_intr_srq as an {@link Event.ServiceRequest}; an
 *       instrument that cannot call back (NAT, firewall, IPv6) is said once as an {@link Event.ProtocolError} and the
 *       link works without it</td></tr>
 *   <tr><td>{@code echo}</td><td>{@link Echo#NONE}</td><td>with {@link Echo#CHECK_AND_DROP} a wrong echo fails its request
 *       ({@link RemoteProtocolException}, "echo mismatch") and the stale-reply policy takes over</td></tr>
 *   <tr><td>{@code quietAfterConnect}</td><td>0 (write at once)</td><td>up to 60 s: on each new link nothing is written,
 *       the on-connect hook included, until the line has been quiet this long; a frame that comes meanwhile (a banner, a
 *       prompt) is discarded ({@link Event.DiscardReason#UNEXPECTED}) or pushed, and starts the quiet again</td></tr>
 *   <tr><td>{@code connectTimeout}</td><td>3 s</td><td>for drivers: one link attempt fails after it ({@code linkFailed}, then backoff)</td></tr>
 *   <tr><td>{@code writeAcknowledgement}</td><td>off (null)</td><td>when set, every write awaits one frame that must
 *       match it; another answer fails the write ({@link RemoteProtocolException}), none fails it by its deadline</td></tr>
 *   <tr><td>{@code tcpNoDelay}, {@code tcpKeepAlive}, {@code lowDelayTrafficClass}</td><td>all on</td><td>for drivers: TCP_NODELAY, SO_KEEPALIVE, IP_TOS low delay (0x10)</td></tr>
 * </table>
 * The last two rows are read by the drivers, not by the core, so that both clients share one config.
 */
public final class ConnectionConfig {

    /** What happens to requests not yet written when the link goes down. */
    public enum QueuedOnLinkDown {
        /** They wait for the next link, within their own timeout. */
        KEEP,
        /** They fail at once with the link-loss cause. */
        FAIL
    }

    /**
     * Whether the link hands back every byte written, before the device's reply: 2-wire RS485 adapters
     * without echo suppression, K-line, some USB-RS485 dongles.
     *
     * <pre>
     *   written:   A F L O W ? \r
     *   received:  A F L O W ? \r A + 1 4 . 7 0 \r     (echo, then the reply)
     *              \_ checked, dropped _/ \_ framed and matched _/
     * </pre>
     * With {@link #CHECK_AND_DROP}, after each write of X the first |X| bytes received are compared with X
     * and dropped before framing; the echo may arrive in any split. At the first byte that differs, the
     * request fails with a {@link RemoteProtocolException} ("echo mismatch", sent and received bytes
     * escaped, the index and both byte values in hex); the rest of the |X| bytes are still dropped (they
     * are the damaged echo), and the request's reply, if it comes, is dealt with by the
     * {@link StaleReplyPolicy} exactly as after a timeout. A request expecting nothing ends when its echo
     * is whole (and times out if it never is), so the caller knows the bytes were on the wire.
     */
    public enum Echo {
        /**
         * The link does not echo (the default: full duplex, RS232, TCP). With line framing, a reply whose first line
         * is the text of its own command (or of a recent one) is taken for the echo of a device with echo on: the call
         * fails with a {@link RemoteProtocolException} saying so and the link is renewed, so no call gets an echo or the
         * reply of the call before it.
         */
        NONE,
        /** Every written byte comes back first; check it and drop it. */
        CHECK_AND_DROP
    }

    /**
     * With {@code maxInFlight > 1}, how the connection knows which request a reply answers. Replies carry no tag and
     * are matched by position, which is only right if the device answered every request before it. A SCPI instrument
     * sends nothing back for a query with an error ({@code FOO:BAR?}), so the next reply would reach that query.
     *
     * <pre>
     *   written:  MEAS? 1 | FOO:BAR? | MEAS? 3          received:  "1.5" | "3.5"
     *   by position alone:  MEAS? 1 = 1.5, FOO:BAR? = 3.5 (wrong), MEAS? 3 times out
     * </pre>
     */
    public enum Pipelining {
        /**
         * The default: requests written together form a window; once the window's first reply arrives nothing more
         * is written until every request of the window has its whole reply, and only then are the replies handed
         * out, in order. If any request of the window ends without its reply (a timeout, a bad reply), every other
         * request of the window fails with {@link AmbiguousReplyException}, because a missing reply shifts all the
         * others; the replies still owed can then not be counted either, so the stream is put in step by the
         * {@link StaleReplyPolicy.Resync} probe, or else by a new link at once. Sound whatever the device leaves
         * unanswered; a caller waits for its window's last reply.
         */
        CONFIRM_BY_WINDOW,
        /**
         * The device answers every request, always (most binary and non-SCPI line protocols; never a SCPI instrument
         * that may meet a query with an error): each reply is handed out as soon as it is whole and the pipeline never
         * pauses. A request the device leaves unanswered gives the next reply to the wrong request.
         */
        EVERY_REQUEST_ANSWERED
    }

    /** The defaults, as the table says. */
    public static final ConnectionConfig DEFAULT = builder().build();

    private final Framing framing;
    private final byte[] writeTerminator;
    private final int maxFrameLength;
    private final int maxInFlight;
    private final Pipelining pipelining;
    private final int maxQueued;
    private final Duration defaultTimeout;
    private final StaleReplyPolicy staleReplyPolicy;
    private final FrameClassifier classifier;
    private final List<Request> onConnect;
    private final boolean externalHook;
    private final boolean autoReconnect;
    private final boolean retryQueriesOnLinkDown;
    private final Duration serviceRequestPolling;
    private final boolean serviceRequestChannel;
    private final Backoff backoff;
    private final QueuedOnLinkDown queuedOnLinkDown;
    private final Supplier<JitterSource> jitter;
    private final Echo echo;
    private final Duration connectTimeout;
    private final Duration quietAfterConnect;
    private final boolean tcpNoDelay;
    private final boolean tcpKeepAlive;
    private final boolean lowDelayTrafficClass;
    private final java.util.regex.Pattern writeAcknowledgement;

    private ConnectionConfig(Builder b) {
        framing = b.framing;
        writeTerminator = b.writeTerminator.clone();
        maxFrameLength = b.maxFrameLength;
        maxInFlight = b.maxInFlight;
        pipelining = b.pipelining;
        maxQueued = b.maxQueued;
        defaultTimeout = b.defaultTimeout;
        staleReplyPolicy = b.staleReplyPolicy;
        classifier = b.classifier;
        onConnect = List.copyOf(b.onConnect);
        externalHook = b.externalHook;
        autoReconnect = b.autoReconnect;
        retryQueriesOnLinkDown = b.retryQueriesOnLinkDown;
        serviceRequestPolling = b.serviceRequestPolling;
        serviceRequestChannel = b.serviceRequestChannel;
        backoff = b.backoff;
        queuedOnLinkDown = b.queuedOnLinkDown;
        jitter = b.jitter;
        echo = b.echo;
        connectTimeout = b.connectTimeout;
        quietAfterConnect = b.quietAfterConnect;
        tcpNoDelay = b.tcpNoDelay;
        tcpKeepAlive = b.tcpKeepAlive;
        lowDelayTrafficClass = b.lowDelayTrafficClass;
        writeAcknowledgement = b.writeAcknowledgement;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.framing = framing;
        b.writeTerminator = writeTerminator.clone();
        b.maxFrameLength = maxFrameLength;
        b.maxInFlight = maxInFlight;
        b.pipelining = pipelining;
        b.maxQueued = maxQueued;
        b.defaultTimeout = defaultTimeout;
        b.staleReplyPolicy = staleReplyPolicy;
        b.classifier = classifier;
        b.onConnect = onConnect;
        b.externalHook = externalHook;
        b.autoReconnect = autoReconnect;
        b.retryQueriesOnLinkDown = retryQueriesOnLinkDown;
        b.serviceRequestPolling = serviceRequestPolling;
        b.serviceRequestChannel = serviceRequestChannel;
        b.backoff = backoff;
        b.queuedOnLinkDown = queuedOnLinkDown;
        b.jitter = jitter;
        b.echo = echo;
        b.connectTimeout = connectTimeout;
        b.quietAfterConnect = quietAfterConnect;
        b.tcpNoDelay = tcpNoDelay;
        b.tcpKeepAlive = tcpKeepAlive;
        b.lowDelayTrafficClass = lowDelayTrafficClass;
        b.writeAcknowledgement = writeAcknowledgement;
        return b;
    }

    public Framing framing() {
        return framing;
    }

    /** A copy of the bytes appended to every request. */
    public byte[] writeTerminator() {
        return writeTerminator.clone();
    }

    byte[] writeTerminatorNoCopy() {
        return writeTerminator;
    }

    public int maxFrameLength() {
        return maxFrameLength;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    /** How pipelined replies are matched (with {@code maxInFlight > 1}); see {@link Pipelining}. */
    public Pipelining pipelining() {
        return pipelining;
    }

    public int maxQueued() {
        return maxQueued;
    }

    public Duration defaultTimeout() {
        return defaultTimeout;
    }

    public StaleReplyPolicy staleReplyPolicy() {
        return staleReplyPolicy;
    }

    public FrameClassifier classifier() {
        return classifier;
    }

    /** The on-connect hook's requests, sent in order on every link before any user request. */
    public List<Request> onConnect() {
        return onConnect;
    }

    public boolean externalHook() {
        return externalHook;
    }

    public boolean autoReconnect() {
        return autoReconnect;
    }

    /**
     * Whether requests with {@link Request.Resend#AS_CONFIGURED} (every factory's default) that expect a reply are sent
     * again when the link drops while they are on the wire. Default false.
     */
    public boolean retryQueriesOnLinkDown() {
        return retryQueriesOnLinkDown;
    }

    /**
     * How often a raw SCPI link polls the status byte to emulate service requests ({@link Event.ServiceRequest}), or
     * null when it does not (the default). VXI-11 and HiSLIP report service requests themselves and ignore it.
     */
    public Duration serviceRequestPolling() {
        return serviceRequestPolling;
    }

    /**
     * Whether a protocol whose instrument calls the host back to request service sets that channel up on every link:
     * VXI-11's interrupt channel. Default false; see {@link Builder#serviceRequestChannel(boolean)}.
     */
    public boolean serviceRequestChannel() {
        return serviceRequestChannel;
    }

    /**
     * Whether {@code request}, written when the link dropped, is sent again on the next link: its own
     * {@link Request.Resend}, and for {@link Request.Resend#AS_CONFIGURED} {@link #retryQueriesOnLinkDown()} for a
     * request that expects a reply. Every session machine asks here, so the rule is the same on every transport.
     */
    public boolean resends(Request request) {
        return switch (request.resend()) {
            case ON_RECONNECT -> true;
            case NEVER -> false;
            case AS_CONFIGURED -> retryQueriesOnLinkDown && request.expect() != Expect.nothing();
        };
    }

    public Backoff backoff() {
        return backoff;
    }

    public QueuedOnLinkDown queuedOnLinkDown() {
        return queuedOnLinkDown;
    }

    /** Whether written bytes come back before the reply (half-duplex echo). */
    public Echo echo() {
        return echo;
    }

    /** For drivers: how long one link attempt may take. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long the line must be quiet on each new link before anything is written; zero (the default): no wait. */
    public Duration quietAfterConnect() {
        return quietAfterConnect;
    }

    /** For drivers: TCP_NODELAY on TCP links. */
    public boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    /** For drivers: SO_KEEPALIVE on TCP links. */
    public boolean tcpKeepAlive() {
        return tcpKeepAlive;
    }

    /** For drivers: IP_TOS low delay (0x10) on TCP links; ignored where the OS refuses it. */
    public boolean lowDelayTrafficClass() {
        return lowDelayTrafficClass;
    }

    /**
     * The pattern a device's answer to each write must match, for a device that acknowledges every command (an
     * {@code OK}, an ACK byte, a prompt line); null (the default) for a device that answers queries only. See
     * {@link Builder#writeAcknowledgement(java.util.regex.Pattern)}.
     */
    public java.util.regex.Pattern writeAcknowledgement() {
        return writeAcknowledgement;
    }

    /**
     * Whether {@code request} awaits the device's acknowledgement: a {@link #writeAcknowledgement()} is set and the
     * request expects nothing ({@link Request#write}, also in the on-connect hook). For drivers, which must wait for
     * (and read) that answer as for a query's.
     */
    public boolean acknowledges(Request request) {
        return writeAcknowledgement != null && request.expect() == Expect.nothing();
    }

    /**
     * Refuses a request whose payload holds this config's write terminator: it would reach the device as two
     * commands. The data of an IEEE 488.2 definite-length block ({@code #<n><len><data>}, e.g. from
     * {@link dev.labwire.core.scpi.IeeeBlock#command}) may hold any byte, the terminator included: it is skipped.
     * {@link Connection#send} calls it; a client that hands requests to another thread calls it first so that the
     * caller gets the exception at the call.
     *
     * @throws IllegalArgumentException naming the request and the index of the terminator
     */
    public void checkPayload(Request request) {
        ConfigChecks.payload(request, writeTerminator);
    }

    /**
     * Refuses a raw byte count ({@link Expect#bytes}) when this config's {@link #classifier()} pushes frames. A count
     * takes whatever bytes come next, and a push that arrives between the write and the reply would be counted as
     * the reply's first bytes, with the reply's rest reaching the next call: mixed data, silently. Before the count
     * starts the framing could still cut a whole pushed line, but once a push's first bytes are counted nothing tells
     * them from the record, so the count is refused outright rather than right only when the push comes whole.
     * {@link Connection#send} and {@link Connection#sendHook} call it (not a bus, whose addressed replies are counted
     * for it); a client that hands requests to another thread calls it first, so the caller gets it at the call.
     *
     * @throws IllegalArgumentException naming the count, the request and what to use instead
     */
    public void checkRawByteCount(Request request) {
        ConfigChecks.rawByteCount(request, classifier);
    }

    JitterSource newJitterSource() {
        return jitter.get();
    }

    /** Builds a {@link ConnectionConfig}; every setter validates its argument and names a bad value. */
    public static final class Builder {
        private Framing framing = Framing.lines();
        private byte[] writeTerminator = {'\n'};
        private int maxFrameLength = 65_536;
        private int maxInFlight = 1;
        private Pipelining pipelining = Pipelining.CONFIRM_BY_WINDOW;
        private int maxQueued = 10_000;
        private Duration defaultTimeout = Duration.ofSeconds(5);
        private StaleReplyPolicy staleReplyPolicy = StaleReplyPolicy.discardLateReply(Duration.ofSeconds(1));
        private FrameClassifier classifier = FrameClassifier.ALL_REPLIES;
        private List<Request> onConnect = List.of();
        private boolean externalHook;
        private boolean autoReconnect = true;
        private boolean retryQueriesOnLinkDown;
        private Duration serviceRequestPolling;
        private boolean serviceRequestChannel;
        private Backoff backoff = Backoff.DEFAULT;
        private QueuedOnLinkDown queuedOnLinkDown = QueuedOnLinkDown.KEEP;
        private Supplier<JitterSource> jitter = () -> new SplittableRandom()::nextDouble;
        private Echo echo = Echo.NONE;
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration quietAfterConnect = Duration.ZERO;
        private boolean tcpNoDelay = true;
        private boolean tcpKeepAlive = true;
        private boolean lowDelayTrafficClass = true;
        private java.util.regex.Pattern writeAcknowledgement;

        private Builder() {
        }

        public Builder framing(Framing framing) {
            this.framing = Objects.requireNonNull(framing, "framing");
            return this;
        }

        /** Bytes appended to every request, ISO-8859-1; may be empty for binary protocols. */
        public Builder writeTerminator(String terminator) {
            return writeTerminator(Objects.requireNonNull(terminator, "terminator").getBytes(StandardCharsets.ISO_8859_1));
        }

        /** Bytes appended to every request; may be empty for binary protocols. */
        public Builder writeTerminator(byte[] terminator) {
            this.writeTerminator = Objects.requireNonNull(terminator, "terminator").clone();
            return this;
        }

        public Builder maxFrameLength(int maxFrameLength) {
            this.maxFrameLength = dev.labwire.core.internal.Counts.atLeast(1, maxFrameLength, "maxFrameLength must be positive");
            return this;
        }

        /** Requests on the wire at once: 1 for strict instruments, more for pipelining. */
        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = dev.labwire.core.internal.Counts.atLeast(1, maxInFlight, "maxInFlight must be at least 1");
            return this;
        }

        /** How pipelined replies are matched (with {@code maxInFlight > 1}); see {@link Pipelining}. */
        public Builder pipelining(Pipelining pipelining) {
            this.pipelining = Objects.requireNonNull(pipelining, "pipelining");
            return this;
        }

        public Builder maxQueued(int maxQueued) {
            this.maxQueued = dev.labwire.core.internal.Counts.atLeast(1, maxQueued, "maxQueued must be at least 1");
            return this;
        }

        /** Whole-exchange timeout for requests that carry none. */
        public Builder defaultTimeout(Duration timeout) {
            this.defaultTimeout = dev.labwire.core.internal.Durations.positive("defaultTimeout", timeout);
            return this;
        }

        public Builder staleReplyPolicy(StaleReplyPolicy policy) {
            this.staleReplyPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        public Builder classifier(FrameClassifier classifier) {
            this.classifier = Objects.requireNonNull(classifier, "classifier");
            return this;
        }

        /** Requests sent on every new link before any user request (re-send configuration). */
        public Builder onConnect(List<Request> requests) {
            this.onConnect = List.copyOf(requests);
            return this;
        }

        /** Same as {@link #onConnect(List)}. */
        public Builder onConnect(Request... requests) {
            return onConnect(List.of(requests));
        }

        /**
         * When true, the driver runs a hook of its own on each link (it may query the device with
         * {@link Connection#sendHook}) and ends it with {@link Connection#hookDone} or
         * {@link Connection#hookFailed}; the {@code onConnect} requests still go first.
         */
        public Builder externalHook(boolean externalHook) {
            this.externalHook = externalHook;
            return this;
        }

        public Builder autoReconnect(boolean autoReconnect) {
            this.autoReconnect = autoReconnect;
            return this;
        }

        /**
         * Retry queries after a link drop (default false): a request that expects a reply, was written and had not
         * ended when the link dropped is sent again on the next link, after the on-connect hook, before the requests
         * that waited; it still ends by its own deadline, counted from when it was sent first. Only link drops retry,
         * never timeouts or bad replies; requests that expect nothing are never retried. Turn it on when every query
         * of the program may run twice; keep one query from being retried with
         * {@code Request.withResend(Request.Resend.NEVER)} (e.g. {@code SYST:ERR?}, which takes the error it reports
         * off the device's queue), or retry one query on a connection without this with
         * {@code withResend(Request.Resend.ON_RECONNECT)}. Retrying needs {@code autoReconnect} and
         * {@link QueuedOnLinkDown#KEEP} (both defaults): with {@code FAIL} the request fails like the queued ones.
         */
        public Builder retryQueriesOnLinkDown(boolean retry) {
            this.retryQueriesOnLinkDown = retry;
            return this;
        }

        /**
         * Emulates service requests on a raw SCPI link (default off): while the link is ready, {@code *STB?} is sent
         * every {@code period} (each poll with {@code period} as its timeout, never retried after a link drop), and
         * each time the status byte's MSS bit (6) is found set after it was clear (or on a new link) an
         * {@link Event.ServiceRequest} reports the status byte. A poll waits its turn like any request, so with
         * {@code maxInFlight} 1 a call may wait for one poll's round trip. Enable the events that should request
         * service on the instrument as usual ({@code *ESE}, {@code *SRE}). {@code null} turns it off.
         *
         * @throws IllegalArgumentException when {@code period} is zero, negative or under 1 ms
         */
        public Builder serviceRequestPolling(Duration period) {
            this.serviceRequestPolling = ConfigChecks.serviceRequestPolling(period);
            return this;
        }

        /**
         * Service requests over VXI-11's interrupt channel (default false). When true, each new VXI-11 link (before its
         * on-connect hook) listens on the link's local address, calls create_intr_chan with that address and port
         * (program 0x0607B1 v1, TCP) and device_enable_srq; each device_intr_srq the instrument then calls is answered,
         * followed by a device_readstb, and reported as an {@link Event.ServiceRequest} with that status byte.
         * Off by default, as VISA opens the channel only when service-request events are enabled: the instrument must
         * reach this host by its own connection, which NAT and firewalls often prevent, and the set-up costs a round
         * trip per link. When the instrument refuses or cannot call back (or the link is IPv6, which VXI-11's
         * {@code hostAddr} cannot carry) the link works on without service requests, says so once as an
         * {@link Event.ProtocolError}, and later links of the same client do not try again. Raw SCPI links ignore it
         * (see {@link #serviceRequestPolling}); HiSLIP always reports service requests.
         */
        public Builder serviceRequestChannel(boolean open) {
            this.serviceRequestChannel = open;
            return this;
        }

        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        public Builder queuedOnLinkDown(QueuedOnLinkDown policy) {
            this.queuedOnLinkDown = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Where reconnect jitter comes from; one source is made per connection. */
        public Builder jitter(Supplier<JitterSource> jitter) {
            this.jitter = Objects.requireNonNull(jitter, "jitter");
            return this;
        }

        /** Whether the link echoes written bytes; see {@link Echo}. */
        public Builder echo(Echo echo) {
            this.echo = Objects.requireNonNull(echo, "echo");
            return this;
        }

        /** For drivers: how long one link attempt may take. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = dev.labwire.core.internal.Durations.positive("connectTimeout", timeout);
            return this;
        }

        /**
         * For a device that greets each new connection (a banner, a login prompt, a status line): on each new link,
         * nothing is written (the on-connect hook included) until the line has been quiet for {@code quiet}, and what
         * comes meanwhile is discarded as {@link Event.DiscardReason#UNEXPECTED} (or pushed, by the classifier), each
         * frame starting the quiet again; a frame under way when it ends is waited for. Without it, the greeting is
         * taken as the reply to the first request, and with no tag on replies every later reply would go to the request
         * after its own. Calls wait for it within their own timeout. Default zero: write at once.
         *
         * @throws IllegalArgumentException for a negative duration or one above 60 s
         */
        public Builder quietAfterConnect(Duration quiet) {
            this.quietAfterConnect = ConfigChecks.quietAfterConnect(quiet);
            return this;
        }

        /**
         * For a device that answers every command, settings too ({@code OK}, an ACK byte {@code \x06}, a prompt): each
         * write ({@link Request#write}, a write in the on-connect hook) then awaits one frame of the connection's
         * framing, as a query does, and ends when it came. A frame that matches {@code accepted} as a whole
         * ({@link java.util.regex.Matcher#matches()}, on its ISO-8859-1 text without the line end) ends the write; any
         * other fails it with a {@link RemoteProtocolException} that names the write, the answer and the pattern (an
         * {@code ERR 3}, a NAK): the answer was the write's own, so the next call is not affected. No answer by the
         * write's deadline fails it with {@link Event.Timeout} as a query's, and the stale-reply policy keeps a late
         * acknowledgement from reaching a later call. Without it (the default, null), such answers come with nothing
         * awaiting them, and one that comes after the next query was written is taken as that query's reply: replies
         * carry no tag. Writes are still not sent again after a lost link ({@link #retryQueriesOnLinkDown}). For raw
         * byte links (TCP sockets, serial ports); VXI-11 and HiSLIP confirm each write in their protocol and ignore it,
         * and a bus refuses it ({@link dev.labwire.core.bus.BusConfig.Builder#connection}).
         *
         * @param accepted what an acknowledgement looks like, e.g. {@code Pattern.compile("OK")}; null for none
         */
        public Builder writeAcknowledgement(java.util.regex.Pattern accepted) {
            this.writeAcknowledgement = accepted;
            return this;
        }

        /**
         * {@link #writeAcknowledgement(java.util.regex.Pattern)} with {@code Pattern.compile(acceptedRegex)}.
         *
         * @throws java.util.regex.PatternSyntaxException for a bad regular expression, naming it
         */
        public Builder writeAcknowledgement(String acceptedRegex) {
            return writeAcknowledgement(java.util.regex.Pattern.compile(Objects.requireNonNull(acceptedRegex, "acceptedRegex")));
        }

        /** For drivers: TCP_NODELAY (default on; off batches small writes, adding latency). */
        public Builder tcpNoDelay(boolean on) {
            this.tcpNoDelay = on;
            return this;
        }

        /** For drivers: SO_KEEPALIVE (default on). */
        public Builder tcpKeepAlive(boolean on) {
            this.tcpKeepAlive = on;
            return this;
        }

        /** For drivers: IP_TOS low delay (default on). */
        public Builder lowDelayTrafficClass(boolean on) {
            this.lowDelayTrafficClass = on;
            return this;
        }

        /**
         * The config.
         *
         * @throws IllegalArgumentException when the stale-reply policy is {@link StaleReplyPolicy.ReleaseAfter}
         *         and {@code maxInFlight} is not 1
         */
        public ConnectionConfig build() {
            ConfigChecks.staleReplyPolicy(staleReplyPolicy, maxInFlight);
            return new ConnectionConfig(this);
        }
    }
}
