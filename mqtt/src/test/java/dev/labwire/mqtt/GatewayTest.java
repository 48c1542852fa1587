package dev.labwire.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.labwire.core.ConnectionConfig;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.RequestTimeoutException;
import dev.labwire.mock.MockInstrument;
import dev.labwire.mock.MockReply;
import dev.labwire.mqtt.internal.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway against a real mosquitto broker and a MockInstrument, checked by independent clients (mosquitto_sub,
 * mosquitto_pub, python3 paho-mqtt) and by RemoteInstrument.
 */
class GatewayTest {
    static Mosquitto broker;
    static MockInstrument psu;
    static MockInstrument silent;
    static MqttGateway gateway;
    static Mqtt5AsyncClient probe;
    static final BlockingQueue<Mqtt5Publish> probeReplies = new LinkedBlockingQueue<>();
    /** 300 bytes 0..255 and on: holds '\n', '\r' and '#', so a line framer would cut it. */
    static final byte[] CURVE = new byte[300];

    static {
        for (int i = 0; i < CURVE.length; i++) CURVE[i] = (byte) i;
    }

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Mosquitto.available(), "mosquitto not installed");
        broker = Mosquitto.start();
        psu = MockInstrument.tcp().scpi();
        java.util.concurrent.atomic.AtomicReference<String> volts = new java.util.concurrent.atomic.AtomicReference<>("0.000");
        psu.responder(cmd -> {
            if (cmd.startsWith("ECHO? ")) return MockReply.line(cmd.substring(6));
            if (cmd.equals("VOLT?")) return MockReply.line(volts.get());
            if (cmd.equals("CURV?")) return MockReply.block(CURVE);
            if (cmd.startsWith("VOLT ")) {
                volts.set(cmd.substring(5));
                return MockReply.none();
            }
            return null;
        });
        silent = MockInstrument.tcp().scpi();
        gateway = MqttGateway.builder(broker.broker()).gatewayId("gw-test")
                .instrument(InstrumentSpec.of("psu", psu.endpoint())
                        .withPoll(new Poll("idn", "*IDN?", Duration.ofMillis(200), null))
                        .withPoll(new Poll("voltage", "VOLT?", Duration.ofMillis(200), "V"))
                        .withStream(new Stream("temp", "TEMP:", Duration.ofMillis(100), "degC")))
                .instrument(InstrumentSpec.of("silent", silent.endpoint()).withConfig(ConnectionConfig.builder()
                        .defaultTimeout(Duration.ofSeconds(1)).build()))
                .maxPayloadBytes(1024)
                .start(Duration.ofSeconds(10));
        probe = MqttClient.builder().useMqttVersion5().identifier("probe").serverHost("127.0.0.1")
                .serverPort(broker.port).buildAsync();
        probe.connect().get(5, TimeUnit.SECONDS);
        probe.publishes(MqttGlobalPublishFilter.SUBSCRIBED, probeReplies::add);
        probe.subscribeWith().topicFilter("test/probe/#").qos(MqttQos.AT_LEAST_ONCE).send().get(5, TimeUnit.SECONDS);
        awaitStatus("psu", "online");
    }

    @AfterAll
    static void down() throws Exception {
        if (probe != null) probe.disconnect().get(5, TimeUnit.SECONDS);
        if (gateway != null) gateway.close();
        if (psu != null) psu.close();
        if (silent != null) silent.close();
        if (broker != null) broker.close();
    }

    static Map<String, Object> retained(String topic) throws Exception {
        List<String> lines = broker.sub(topic, 1, 5).stream().filter(l -> l.startsWith("{")).toList();
        assertThat(lines).as("retained message on " + topic).isNotEmpty();
        return Json.parseObject(lines.get(0));
    }

    static void awaitStatus(String instrument, String state) throws Exception {
        awaitStatus("labwire", instrument, state);
    }

    static void awaitStatus(String prefix, String instrument, String state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        Map<String, Object> last = null;
        while (System.nanoTime() < deadline) {
            last = retained(prefix + "/" + instrument + "/status");
            if (state.equals(last.get("state"))) return;
        }
        throw new AssertionError(instrument + " never became " + state + "; last status " + last);
    }

    @Test
    void pahoRequestReplyWithCorrelation() throws Exception {
        String out = Mosquitto.run(List.of("/usr/bin/python3", Path.of("src/test/resources/paho_request.py").toString(),
                String.valueOf(broker.port), "labwire/psu/req", "paho/replies/1", "corr-42",
                "{\"v\":1,\"op\":\"query\",\"cmd\":\"*IDN?\"}"), Duration.ofSeconds(20));
        List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
        assertThat(lines).as(out).hasSize(1);
        Map<String, Object> msg = Json.parseObject(lines.get(0));
        assertThat(msg.get("correlation")).isEqualTo("corr-42");
        assertThat(msg.get("topic")).isEqualTo("paho/replies/1");
        Map<String, Object> reply = Json.parseObject((String) msg.get("payload"));
        assertThat(reply).containsEntry("v", 1L).containsEntry("ok", true).containsEntry("op", "query");
        assertThat((String) reply.get("text")).startsWith("LABWIRE,MOCK");
        assertThat((String) reply.get("ts")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    }

    @Test
    void pahoSendsFiftyRequestsAtOnceAndEachReplyCarriesItsOwnCorrelationAndAnswer() throws Exception {
        String out = Mosquitto.run(List.of("/usr/bin/python3", Path.of("src/test/resources/paho_request.py").toString(),
                String.valueOf(broker.port), "labwire/psu/req", "paho/replies/many", "c-{i}",
                "{\"v\":1,\"op\":\"query\",\"cmd\":\"ECHO? paho-{i}\"}", "50", "30"), Duration.ofSeconds(40));
        List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
        assertThat(lines).as(out).hasSize(50);
        Set<String> correlations = new HashSet<>();
        for (String line : lines) {
            Map<String, Object> msg = Json.parseObject(line);
            String corr = (String) msg.get("correlation");
            assertThat(correlations.add(corr)).as("one reply per correlation").isTrue();
            Map<String, Object> reply = Json.parseObject((String) msg.get("payload"));
            assertThat(reply).containsEntry("ok", true);
            assertThat(reply.get("text")).isEqualTo("paho-" + corr.substring(2));
        }
    }

    @Test
    void mosquittoPubRequestReachesTheInstrumentAndTheReplyCarriesTheCorrelation() throws Exception {
        String out = Mosquitto.run(List.of("mosquitto_pub", "-V", "mqttv5", "-h", "127.0.0.1", "-p",
                String.valueOf(broker.port), "-q", "1", "-t", "labwire/psu/req",
                "-D", "publish", "response-topic", "test/probe/pub",
                "-D", "publish", "correlation-data", "from-mosquitto_pub",
                "-m", "{\"v\":1,\"op\":\"query\",\"cmd\":\"ECHO? via-pub\"}"), Duration.ofSeconds(10));
        assertThat(out).doesNotContain("#exit");
        Mqtt5Publish reply = probeReplies.poll(10, TimeUnit.SECONDS);
        assertThat(reply).isNotNull();
        assertThat(reply.getTopic().toString()).isEqualTo("test/probe/pub");
        assertThat(StandardCharsets.UTF_8.decode(reply.getCorrelationData().orElseThrow()).toString())
                .isEqualTo("from-mosquitto_pub");
        assertThat(Json.parseObject(new String(reply.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .containsEntry("text", "via-pub");
    }

    @Test
    void retainedStatusAndPolledValuesWithUnitsAndTimestamps() throws Exception {
        Map<String, Object> status = retained("labwire/psu/status");
        assertThat(status).containsEntry("v", 1L).containsEntry("instrument", "psu").containsEntry("state", "online")
                .containsEntry("endpoint", psu.endpoint());
        Map<String, Object> volt = retained("labwire/psu/value/voltage");
        assertThat(volt).containsEntry("name", "voltage").containsEntry("unit", "V").containsEntry("source", "VOLT?");
        assertThat(volt.get("value")).isInstanceOf(Number.class);
        assertThat((String) volt.get("ts")).endsWith("Z");
        Map<String, Object> idn = retained("labwire/psu/value/idn");
        assertThat((String) idn.get("text")).startsWith("LABWIRE,MOCK");
        assertThat(idn).doesNotContainKey("value").doesNotContainKey("unit");
    }

    @Test
    void pushedFramesArePublishedAsRetainedValuesAtMostOncePerMinInterval() throws Exception {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        try (AutoCloseable pushing = psu.pushEvery(Duration.ofMillis(5), () -> "TEMP:" + (20 + n.incrementAndGet() % 10))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Map<String, Object> v = null;
            while (System.nanoTime() < deadline && (v == null || !"temp".equals(v.get("name")))) {
                List<String> lines = broker.sub("labwire/psu/value/temp", 1, 3).stream().filter(l -> l.startsWith("{")).toList();
                if (!lines.isEmpty()) v = Json.parseObject(lines.get(0));
            }
            assertThat(v).isNotNull().containsEntry("unit", "degC").containsEntry("source", "stream:TEMP:");
            assertThat(((Number) v.get("value")).doubleValue()).isBetween(20.0, 29.0);
            // while frames arrive every 5 ms, replies still flow: the pushed frames never answer a query
            try (RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "psu").build()) {
                assertThat(r.query("ECHO? during-stream")).isEqualTo("during-stream");
            }
            // coalesced: fewer publications than frames (100 ms minInterval against a frame every 5 ms)
            long frames0 = gateway.streamFrames();
            long values0 = gateway.valuesPublished();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (gateway.streamFrames() - frames0 < 100 && System.nanoTime() < until) {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
            }
            long frames = gateway.streamFrames() - frames0;
            long values = gateway.valuesPublished() - values0;
            assertThat(frames).isGreaterThanOrEqualTo(100);
            // 100 frames take >= 500 ms: the polls publish ~2 values per 200 ms, the stream at most one per 100 ms
            assertThat(values).isLessThan(frames / 3);
        }
    }

    @Test
    void beyondMaxPendingRequestsGetBusy() throws Exception {
        MockInstrument slow = MockInstrument.tcp().scpi();
        slow.responder(cmd -> cmd.startsWith("WAIT?") ? MockReply.none() : null);
        Broker lab3 = broker.broker().withPrefix("lab3");
        try (MqttGateway gw = MqttGateway.builder(lab3).gatewayId("gw-busy").maxPendingPerInstrument(1)
                .instrument(InstrumentSpec.of("slow", slow.endpoint())).start(Duration.ofSeconds(10));
             RemoteInstrument r = RemoteInstrument.builder(lab3, "slow").build()) {
            awaitStatus("lab3", "slow", "online");
            CompletableFuture<String> first = r.queryAsync("WAIT? 1", Duration.ofSeconds(3));
            // the first is in the gateway's hands once the instrument has its command
            assertThat(slow.takeCommand(Duration.ofSeconds(5))).isEqualTo("WAIT? 1");
            assertThatThrownBy(() -> r.query("WAIT? 2", Duration.ofSeconds(3))).isInstanceOf(RemoteInstrumentException.class)
                    .satisfies(e -> assertThat(((RemoteInstrumentException) e).kind()).isEqualTo("busy"));
            assertThatThrownBy(first::join).hasCauseInstanceOf(RequestTimeoutException.class);
        } finally {
            slow.close();
        }
    }

    @Test
    void remoteInstrumentQueriesWritesAndReadsBlocks() throws Exception {
        try (RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "psu").build()) {
            assertThat(r.query("*IDN?")).startsWith("LABWIRE,MOCK");
            r.write("VOLT 7.5");
            assertThat(r.queryNumber("VOLT?")).isEqualTo(7.5);
            // answered by name, not queued: the gateway's 200 ms polls of psu would take a queued reply
            assertThat(r.queryBlock("CURV?")).isEqualTo(CURVE);
            // a write of a query is refused by labwire at the gateway, as it is locally
            assertThatThrownBy(() -> r.write("*IDN?")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("query");
        }
    }

    @Test
    void anInstrumentTimeoutComesBackAsATimeoutWithinTheCallersDeadline() {
        try (RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "silent").build()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> r.query("FOO:BAR?", Duration.ofSeconds(2)))
                    .isInstanceOf(RequestTimeoutException.class).hasMessageContaining("via gateway");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2_500));
        }
    }

    @Test
    void timeoutsBeyondTheGatewaysHourAreRefusedAtTheCallNamingTheBoundAndAnHourWorks() throws Exception {
        Duration forever = java.time.temporal.ChronoUnit.FOREVER.getDuration();
        try (RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "psu").build()) {
            long served = gateway.served();
            long rejected = gateway.rejected();
            for (Duration tooLong : List.of(forever, Duration.ofHours(2), Duration.ofMillis(3_600_001))) {
                assertThatThrownBy(() -> r.query("*IDN?", tooLong)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("timeout " + tooLong).hasMessageContaining("longer than PT1H");
                assertThatThrownBy(() -> r.queryAsync("*IDN?", tooLong)).isInstanceOf(IllegalArgumentException.class);
            }
            assertThatThrownBy(() -> RemoteInstrument.builder(broker.broker(), "psu").defaultTimeout(forever))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than PT1H");
            // nothing went to the gateway: refused where it was asked
            assertThat(gateway.rejected()).isEqualTo(rejected);
            assertThat(gateway.served()).isEqualTo(served);
            assertThat(r.query("*IDN?", RemoteInstrument.MAX_TIMEOUT)).startsWith("LABWIRE,MOCK");
        }
    }

    @Test
    void aGatewayStartedWithoutATimeBoundStarts() throws Exception {
        Broker lab4 = broker.broker().withPrefix("lab4");
        try (MqttGateway gw = MqttGateway.builder(lab4).gatewayId("gw-forever")
                .instrument(InstrumentSpec.of("psu", psu.endpoint()))
                .start(java.time.temporal.ChronoUnit.FOREVER.getDuration())) {
            awaitStatus("lab4", "psu", "online");
        }
        assertThatThrownBy(() -> MqttGateway.builder(lab4).instrument(InstrumentSpec.of("psu", psu.endpoint()))
                .start(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }

    @Test
    void unknownInstrumentIsAGatewayError() {
        try (RemoteInstrument r = RemoteInstrument.builder(broker.broker(), "nosuch").build()) {
            assertThatThrownBy(() -> r.query("*IDN?")).isInstanceOf(RemoteInstrumentException.class)
                    .satisfies(e -> assertThat(((RemoteInstrumentException) e).kind()).isEqualTo("unknown_instrument"))
                    .hasMessageContaining("psu");
        }
    }

    @Test
    void hundredConcurrentRemoteCallersNeverInterleaveAndNeverGetAnotherCallersReply() throws Exception {
        int callers = 100;
        List<RemoteInstrument> remotes = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) remotes.add(RemoteInstrument.builder(broker.broker(), "psu").build());
            long before = psu.commandCount();
            List<CompletableFuture<String>> replies = new ArrayList<>();
            List<String> tokens = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                String token = "tok-" + i + "-" + Long.toHexString(System.nanoTime());
                tokens.add(token);
                CompletableFuture<String> f = new CompletableFuture<>();
                replies.add(f);
                RemoteInstrument r = remotes.get(i % remotes.size());
                Thread t = new Thread(() -> {
                    try {
                        f.complete(r.query("ECHO? " + token, Duration.ofSeconds(20)));
                    } catch (Throwable e) {
                        f.completeExceptionally(e);
                    }
                });
                threads.add(t);
            }
            threads.forEach(Thread::start);
            for (int i = 0; i < callers; i++) {
                assertThat(replies.get(i).get(30, TimeUnit.SECONDS)).isEqualTo(tokens.get(i));
            }
            // each command reached the instrument whole, once: no interleaving on the wire
            List<String> echoes = psu.commands().stream().filter(c -> c.startsWith("ECHO? tok-")).toList();
            Set<String> seen = new HashSet<>();
            for (String c : echoes) assertThat(seen.add(c)).as("command twice: " + c).isTrue();
            for (String token : tokens) assertThat(seen).contains("ECHO? " + token);
            assertThat(psu.commandCount() - before).isGreaterThanOrEqualTo(callers);
            for (RemoteInstrument r : remotes) assertThat(r.strayReplies()).isZero();
        } finally {
            remotes.forEach(RemoteInstrument::close);
        }
    }

    // ---- bad input ----

    private static Mqtt5Publish send(String topic, byte[] payload, String responseTopic, String corr) throws Exception {
        var b = probe.publishWith().topic(topic).payload(payload).qos(MqttQos.AT_LEAST_ONCE);
        if (responseTopic != null) b = b.responseTopic(responseTopic);
        if (corr != null) b = b.correlationData(corr.getBytes(StandardCharsets.UTF_8));
        b.send().get(5, TimeUnit.SECONDS);
        if (responseTopic == null) return null;
        Mqtt5Publish reply = probeReplies.poll(10, TimeUnit.SECONDS);
        assertThat(reply).as("reply to " + new String(payload, StandardCharsets.UTF_8)).isNotNull();
        assertThat(StandardCharsets.UTF_8.decode(reply.getCorrelationData().orElseThrow()).toString()).isEqualTo(corr);
        return reply;
    }

    private static Map<String, Object> errorOf(Mqtt5Publish reply) {
        Map<String, Object> m = Json.parseObject(new String(reply.getPayloadAsBytes(), StandardCharsets.UTF_8));
        assertThat(m).containsEntry("ok", false);
        @SuppressWarnings("unchecked")
        Map<String, Object> err = (Map<String, Object>) m.get("error");
        return err;
    }

    @Test
    void malformedRequestsGetErrorRepliesAndNeverReachTheInstrument() throws Exception {
        String rt = "test/probe/bad";
        long before = psu.commandCount();
        Object[][] cases = {
            {"{\"v\":1,\"op\":\"query\",\"cmd\":\"*IDN?\"", "bad_request", "end of input"},
            {"{\"v\":1,\"op\":\"launch\",\"cmd\":\"*IDN?\"}", "bad_request", "unknown op"},
            {"{\"v\":1,\"op\":\"query\"}", "bad_request", "missing \"cmd\""},
            {"{\"v\":9,\"op\":\"query\",\"cmd\":\"*IDN?\"}", "bad_request", "version 9"},
            {"{\"v\":1,\"op\":\"write\",\"cmd\":\"VOLT 1\\nVOLT 30\"}", "bad_request", "control character"},
            {"{\"v\":1,\"op\":\"query\",\"cmd\":\"*IDN?\",\"deadline\":1000}", "expired", "deadline passed"},
            {"{\"v\":1,\"op\":\"query\",\"cmd\":\"" + "A".repeat(2000) + "\"}", "too_large", "more than 1024"},
            {"[1,2]", "bad_request", "object"},
        };
        int i = 0;
        for (Object[] c : cases) {
            Map<String, Object> err = errorOf(send("labwire/psu/req", ((String) c[0]).getBytes(StandardCharsets.UTF_8), rt,
                    "bad-" + i++));
            assertThat(err).as((String) c[0]).containsEntry("kind", c[1]);
            assertThat((String) err.get("message")).as((String) c[0]).contains((String) c[2]);
        }
        Map<String, Object> err = errorOf(send("labwire/psu/req", new byte[] {'{', (byte) 0xc3, '}'}, rt, "bad-utf8"));
        assertThat(err).containsEntry("kind", "bad_request");
        // no response topic: dropped and counted, no reply anywhere
        long dropped = gateway.dropped();
        send("labwire/psu/req", "{\"v\":1,\"op\":\"write\",\"cmd\":\"VOLT 29\"}".getBytes(StandardCharsets.UTF_8), null, null);
        // a good request after all of that is served (in order: the drop above happened before it)
        Map<String, Object> ok = Json.parseObject(new String(send("labwire/psu/req",
                "{\"v\":1,\"op\":\"query\",\"cmd\":\"ECHO? after-bad\"}".getBytes(StandardCharsets.UTF_8), rt, "good")
                .getPayloadAsBytes(), StandardCharsets.UTF_8));
        assertThat(ok).containsEntry("ok", true).containsEntry("text", "after-bad");
        assertThat(gateway.dropped()).isEqualTo(dropped + 1);
        List<String> reached = psu.commands().stream().skip(Math.max(0, psu.commands().size() - 200))
                .filter(cmd -> !cmd.equals("*IDN?") && !cmd.equals("VOLT?")).toList();
        assertThat(reached).contains("ECHO? after-bad").noneMatch(cmd -> cmd.startsWith("VOLT 29") || cmd.startsWith("VOLT 1")
                || cmd.startsWith("AAAA"));
        assertThat(psu.commandCount()).isGreaterThan(before);
    }

    @Test
    void linkLossTurnsStatusOfflineAndRequestsFailWithLinkDownNotTimeout() throws Exception {
        MockInstrument dmm = MockInstrument.tcp().scpi();
        // its own prefix: the main gateway answers unknown_instrument for every name under "labwire"
        Broker lab2 = broker.broker().withPrefix("lab2");
        try (MqttGateway gw = MqttGateway.builder(lab2).gatewayId("gw-link")
                .instrument(InstrumentSpec.of("dmm", dmm.endpoint()).withConfig(ConnectionConfig.builder()
                        .defaultTimeout(Duration.ofSeconds(1)).build()))
                .start(Duration.ofSeconds(10));
             RemoteInstrument r = RemoteInstrument.builder(lab2, "dmm").build()) {
            awaitStatus("lab2", "dmm", "online");
            assertThat(r.query("*IDN?")).startsWith("LABWIRE");
            dmm.stop(); // the instrument goes away: connections dropped, nothing listening
            awaitStatus("lab2", "dmm", "offline");
            assertThatThrownBy(() -> r.query("*IDN?", Duration.ofSeconds(2))).isInstanceOf(LinkDownException.class)
                    .hasMessageContaining("via gateway");
            dmm.restart();
            awaitStatus("lab2", "dmm", "online");
            assertThat(r.query("*IDN?", Duration.ofSeconds(5))).startsWith("LABWIRE");
        } finally {
            dmm.close();
        }
        // closing the gateway says so on the retained status
        assertThat(retained("lab2/dmm/status")).containsEntry("state", "offline").containsEntry("detail", "gateway stopped");
    }
}
