package dev.labwire.mock;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link MockInstrument} answers to a command: the next scripted reply, else (on a bus) the addressed
 * device's, else the responder's, else the SCPI dictionary's when it is on, else nothing.
 */
final class Answers {

    private static final Logger log = LoggerFactory.getLogger(Answers.class);

    private final ConcurrentLinkedDeque<MockReply> scripted = new ConcurrentLinkedDeque<>();
    private final ScpiDictionary dictionary = new ScpiDictionary();
    private final Map<String, MockBusDevice> busDevices = new ConcurrentHashMap<>();
    private volatile boolean scpi;
    private volatile Function<String, MockReply> responder;
    private volatile String terminator = "\n";

    void scpi() {
        scpi = true;
    }

    ScpiDictionary dictionary() {
        return dictionary;
    }

    MockBusDevice busDevice(String address) {
        synchronized (busDevices) { // with replyTerminator: a new device gets the current terminator
            return busDevices.computeIfAbsent(address, a -> {
                MockBusDevice d = new MockBusDevice(a);
                d.dictionary().replyTerminator(terminator);
                return d;
            });
        }
    }

    void replyTerminator(String terminator) {
        MockReply.checkTerminator(terminator);
        synchronized (busDevices) {
            this.terminator = terminator;
            dictionary.replyTerminator(terminator);
            for (MockBusDevice d : busDevices.values()) {
                d.dictionary().replyTerminator(terminator);
            }
        }
    }

    String terminator() {
        return terminator;
    }

    void enqueue(MockReply reply) {
        scripted.add(Objects.requireNonNull(reply, "reply"));
    }

    void responder(Function<String, MockReply> responder) {
        this.responder = responder;
    }

    MockReply replyFor(String command) {
        MockReply r = scripted.poll();
        if (r != null) {
            return r;
        }
        if (!busDevices.isEmpty()) {
            MockBusDevice target = null;
            for (MockBusDevice d : busDevices.values()) {
                if (command.startsWith(d.address())
                        && (target == null || d.address().length() > target.address().length())) {
                    target = d;
                }
            }
            return target == null ? MockReply.none() : target.answer(command.substring(target.address().length()));
        }
        Function<String, MockReply> f = responder;
        if (f != null) {
            try {
                r = f.apply(command);
            } catch (RuntimeException e) {
                log.warn("mock responder failed on {}: {}", command, e.toString());
                return MockReply.none();
            }
            if (r != null) {
                return r;
            }
        }
        if (scpi) {
            r = dictionary.answer(command);
        }
        return r == null ? MockReply.none() : r;
    }
}
