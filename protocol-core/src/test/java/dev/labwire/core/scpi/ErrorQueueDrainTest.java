package dev.labwire.core.scpi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labwire.core.Expect;
import dev.labwire.core.RemoteProtocolException;
import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorQueueDrainTest {

    /** Runs the documented loop against scripted replies; returns the queries sent. */
    private static List<String> run(ErrorQueueDrain drain, String... replies) {
        List<String> sent = new ArrayList<>();
        int next = 0;
        while (!drain.isDone()) {
            Request r = drain.nextRequest();
            sent.add(r.text());
            drain.accept(Frame.of(replies[next++]));
        }
        return sent;
    }

    @Test
    void emptyQueueTakesOneRead() {
        ErrorQueueDrain drain = new ErrorQueueDrain();
        assertThat(run(drain, "+0,\"No error\"")).containsExactly("SYST:ERR?");
        assertThat(drain.errors()).isEmpty();
        assertThat(drain.hitLimit()).isFalse();
    }

    @Test
    void readsErrorsInOrderUntilNoError() {
        ErrorQueueDrain drain = new ErrorQueueDrain();
        List<String> sent = run(drain, "-113,\"Undefined header\"", "-222,\"Data out of range;VOLT 50\"",
                "0,\"No error\"", "never read");
        assertThat(sent).hasSize(3);
        assertThat(drain.errors()).containsExactly(new ScpiError(-113, "Undefined header"),
                new ScpiError(-222, "Data out of range;VOLT 50"));
        assertThat(drain.isDone()).isTrue();
        assertThat(drain.hitLimit()).isFalse();
    }

    @Test
    void requestIsAOneLineQuery() {
        Request r = new ErrorQueueDrain().nextRequest();
        assertThat(r).isEqualTo(Request.query("SYST:ERR?"));
        assertThat(r.expect()).isEqualTo(Expect.line());
    }

    @Test
    void customQueryGetsQuestionMark() {
        ErrorQueueDrain drain = new ErrorQueueDrain(":SYST:ERR:NEXT", 5);
        assertThat(run(drain, "0,\"No error\"")).containsExactly(":SYST:ERR:NEXT?");
    }

    @Test
    void stopsAtMaxReadsAndReportsIt() {
        ErrorQueueDrain drain = new ErrorQueueDrain("SYST:ERR?", 3);
        List<String> sent = run(drain, "-350,\"Queue overflow\"", "-350,\"Queue overflow\"", "1,\"x\"", "0,\"No error\"");
        assertThat(sent).hasSize(3);
        assertThat(drain.hitLimit()).isTrue();
        assertThat(drain.errors()).extracting(ScpiError::code).containsExactly(-350, -350, 1);
        assertThatThrownBy(drain::nextRequest).isInstanceOf(IllegalStateException.class)
                .hasMessage("nextRequest() in state DONE (after 3 of at most 3 reads)");
    }

    @Test
    void noErrorOnTheLastAllowedReadIsNotALimitHit() {
        ErrorQueueDrain drain = new ErrorQueueDrain("SYST:ERR?", 2);
        run(drain, "-100,\"x\"", "0,\"No error\"");
        assertThat(drain.hitLimit()).isFalse();
        assertThat(drain.errors()).hasSize(1);
    }

    @Test
    void defaultLimitIsOneHundred() {
        ErrorQueueDrain drain = new ErrorQueueDrain();
        String[] replies = new String[101];
        java.util.Arrays.fill(replies, "-350,\"Queue overflow\"");
        assertThat(run(drain, replies)).hasSize(100);
        assertThat(drain.hitLimit()).isTrue();
        assertThat(drain.errors()).hasSize(100);
    }

    @Test
    void doneDrainRefusesNextRequest() {
        ErrorQueueDrain drain = new ErrorQueueDrain();
        run(drain, "0,\"No error\"");
        assertThatThrownBy(drain::nextRequest).isInstanceOf(IllegalStateException.class)
                .hasMessage("nextRequest() in state DONE (after 1 of at most 100 reads)");
    }

    @Test
    void acceptWithoutOutstandingRequestIsRefused() {
        ErrorQueueDrain drain = new ErrorQueueDrain();
        assertThatThrownBy(() -> drain.accept(Frame.of("0,\"No error\""))).isInstanceOf(IllegalStateException.class)
                .hasMessage("accept() with no request outstanding, in state READY (after 0 of at most 100 reads)");
        drain.nextRequest();
        drain.accept(Frame.of("-100,\"x\""));
        assertThatThrownBy(() -> drain.accept(Frame.of("0,\"No error\""))).isInstanceOf(IllegalStateException.class);
        assertThat(drain.errors()).hasSize(1);
    }

    @Test
    void nullReplyIsRefusedWithoutFailingTheDrain() {
        ErrorQueueDrain drain = new ErrorQueueDrain();
        drain.nextRequest();
        assertThatThrownBy(() -> drain.accept(null)).isInstanceOf(NullPointerException.class).hasMessage("reply");
        drain.accept(Frame.of("0,\"No error\""));
        assertThat(drain.isDone()).isTrue();
    }

    @Test
    void secondNextRequestBeforeReplyIsRefused() {
        ErrorQueueDrain drain = new ErrorQueueDrain();
        drain.nextRequest();
        assertThatThrownBy(drain::nextRequest).isInstanceOf(IllegalStateException.class)
                .hasMessage("nextRequest() in state AWAITING_REPLY (after 0 of at most 100 reads)");
    }

    @Test
    void garbageReplyPropagatesAndTheDrainStaysFailed() {
        ErrorQueueDrain drain = new ErrorQueueDrain();
        drain.nextRequest();
        drain.accept(Frame.of("-113,\"Undefined header\""));
        drain.nextRequest();
        assertThatThrownBy(() -> drain.accept(Frame.of("KEYSIGHT,34465A")))
                .isInstanceOf(RemoteProtocolException.class)
                .hasMessageContaining("\"KEYSIGHT,34465A\"");
        assertThat(drain.isDone()).isFalse();
        assertThat(drain.errors()).containsExactly(new ScpiError(-113, "Undefined header"));
        assertThatThrownBy(drain::nextRequest).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FAILED");
        assertThatThrownBy(() -> drain.accept(Frame.of("0,\"No error\""))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FAILED");
    }

    @Test
    void errorsIsACopy() {
        ErrorQueueDrain drain = new ErrorQueueDrain();
        drain.nextRequest();
        drain.accept(Frame.of("-100,\"x\""));
        List<ScpiError> before = drain.errors();
        drain.nextRequest();
        drain.accept(Frame.of("-200,\"y\""));
        assertThat(before).hasSize(1);
        assertThatThrownBy(() -> before.add(new ScpiError(1, "z"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> new ErrorQueueDrain("SYST:ERR?", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxReads must be at least 1: 0");
        assertThatThrownBy(() -> new ErrorQueueDrain("SYST:ERR?;*CLS", 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("';' at index 9");
        assertThatThrownBy(() -> new ErrorQueueDrain("", 5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringShowsProgress() {
        ErrorQueueDrain drain = new ErrorQueueDrain("SYST:ERR?", 1);
        run(drain, "-100,\"x\"");
        assertThat(drain).hasToString("ErrorQueueDrain[SYST:ERR?, DONE, 1/1 reads, 1 errors, hit limit]");
        assertThat(new ErrorQueueDrain()).hasToString("ErrorQueueDrain[SYST:ERR?, READY, 0/100 reads, 0 errors]");
    }
}
