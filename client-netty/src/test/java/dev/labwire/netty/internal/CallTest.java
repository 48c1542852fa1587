package dev.labwire.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.labwire.core.Event;
import dev.labwire.core.LinkDownException;
import dev.labwire.core.Request;
import dev.labwire.core.frame.Frame;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link Call}: one stage that behaves as the {@code thenApply} stage it replaces, failures included. */
class CallTest {
    private static final Event.Reply REPLY = new Event.Reply(1, Request.query("*IDN?"), List.of(Frame.of("ACME".getBytes())));

    /** What a caller observes of a future: its value, or how get(), join() and whenComplete report its failure. */
    private static String observe(CompletableFuture<?> f) {
        Throwable[] seen = new Throwable[1];
        f.whenComplete((v, e) -> seen[0] = e);
        if (seen[0] == null) {
            return "value " + f.join();
        }
        Throwable get = catchThrowable(f::get);
        Throwable join = catchThrowable(f::join);
        return "whenComplete " + shape(seen[0]) + "; get " + shape(get) + "; join " + shape(join);
    }

    private static String shape(Throwable t) {
        return t.getClass().getSimpleName() + (t.getCause() == null ? "" : "(" + shape(t.getCause()) + ")");
    }

    /** The old way: a reply future and a thenApply stage on it. */
    private static <T> CompletableFuture<T> staged(Function<Event.Reply, T> convert, Throwable failure) {
        CompletableFuture<Event.Reply> f = new CompletableFuture<>();
        CompletableFuture<T> stage = f.thenApply(convert);
        if (failure == null) {
            f.complete(REPLY);
        } else {
            f.completeExceptionally(failure);
        }
        return stage;
    }

    @Test
    void aConvertingCallSucceedsAndFailsExactlyAsAThenApplyStage() {
        Call<String> ok = Call.of(Event.Reply::text);
        ok.succeed(REPLY);
        assertThat(observe(ok)).isEqualTo(observe(staged(Event.Reply::text, null))).isEqualTo("value ACME");

        LinkDownException down = new LinkDownException("link to x lost", null);
        Call<String> failed = Call.of(Event.Reply::text);
        failed.fail(down);
        assertThat(observe(failed)).isEqualTo(observe(staged(Event.Reply::text, down)))
                .isEqualTo("whenComplete CompletionException(LinkDownException); get ExecutionException(LinkDownException); "
                        + "join CompletionException(LinkDownException)");

        Function<Event.Reply, Integer> broken = r -> Integer.parseInt(r.text());
        Call<Integer> throwing = Call.of(broken);
        throwing.succeed(REPLY);
        assertThat(observe(throwing)).isEqualTo(observe(staged(broken, null)));
    }

    @Test
    void aReplyCallFailsWithTheFailureItselfAsItAlwaysDid() {
        Call<Event.Reply> call = Call.of(Call.REPLY);
        LinkDownException down = new LinkDownException("link to x lost", null);
        Call.fail(call, down);
        CompletableFuture<Event.Reply> plain = new CompletableFuture<>();
        plain.completeExceptionally(down);
        assertThat(observe(call)).isEqualTo(observe(plain));
        Call<Event.Reply> ok = Call.of(Call.REPLY);
        ok.succeed(REPLY);
        assertThat(ok.join()).isSameAs(REPLY);
    }

    @Test
    void failingAnyFutureGoesThroughTheCallsOwnWrapping() throws Exception {
        Call<String> call = Call.of(Event.Reply::text);
        CompletableFuture<?> asPlain = call;
        Call.fail(asPlain, new IllegalStateException("x"));
        assertThat(catchThrowable(call::join)).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(catchThrowable(call::get)).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
    }
}
