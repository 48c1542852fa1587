package dev.labwire.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labwire.mock.MockInstrument;
import dev.labwire.testsupport.clients.Await;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * With a callback executor the client's futures complete on its event loop, and what users chain on them runs on the
 * executor: every kind of dependent, registered before or after completion, one at a time in completion order.
 */
class CallbackExecutorDependentsTest {

    /**
     * User code registered on a call still runs on the callback executor's thread, never on the loop nor on a thread
     * waiting in {@code get()}, one at a time in the order the loop completed the calls, whether registered before
     * the call completed or after.
     */
    @Test
    void dependentsRunOnTheExecutorInTheOrderTheCallsCompleted() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "user-callbacks"));
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            mock.dictionary().delay(Pattern.compile("\\*ESR\\?"), Duration.ofMillis(200));
            NettyClient c = NettyClient.builder(mock.endpoint()).config(Configs.fast().build()).callbackExecutor(executor).build();
            try {
                c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
                List<String> ran = new CopyOnWriteArrayList<>();
                CompletableFuture<String> first = c.query("*ESR?"); // answered after 200 ms
                CompletableFuture<String> second = c.query("*IDN?"); // sent after the first is answered
                assertThat(first.isDone() || second.isDone()).as("both pending when their callbacks are attached").isFalse();
                second.whenComplete((v, e) -> ran.add("second (attached before) on " + Thread.currentThread().getName()));
                first.whenComplete((v, e) -> ran.add("first (attached before) on " + Thread.currentThread().getName()));
                // this thread waits in get(): the JDK lets a waiting thread fire dependents, which must still run there
                assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo(NettyClientContract.IDN);
                second.whenComplete((v, e) -> ran.add("second (attached after) on " + Thread.currentThread().getName()));
                first.thenApply(String::length).whenComplete((v, e) -> ran.add("first's thenApply (attached after) on "
                        + Thread.currentThread().getName()));
                Await.until(Configs.WAIT, () -> ran.size() == 4, () -> "4 callbacks ran: " + ran);
                assertThat(ran).containsExactly(
                        "first (attached before) on user-callbacks",
                        "second (attached before) on user-callbacks",
                        "second (attached after) on user-callbacks",
                        "first's thenApply (attached after) on user-callbacks");
            } finally {
                c.close().get(10, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
    }

    /** Each non-async dependent method of {@code CompletableFuture} (and a minimal stage's) runs its function on the executor. */
    @Test
    void everyKindOfDependentRunsOnTheExecutor() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "user-callbacks"));
        try (MockInstrument mock = MockInstrument.tcp().scpi()) {
            mock.dictionary().delay(Pattern.compile("\\*ESR\\?"), Duration.ofMillis(300));
            NettyClient c = NettyClient.builder(mock.endpoint()).config(Configs.fast().build()).callbackExecutor(executor).build();
            Map<String, String> ranOn = new ConcurrentHashMap<>();
            try {
                c.ready(Configs.WAIT).get(10, TimeUnit.SECONDS);
                CompletableFuture<String> done = CompletableFuture.completedFuture("x");
                CompletableFuture<String> never = new CompletableFuture<>();
                Map<String, Function<CompletableFuture<String>, CompletionStage<?>>> kinds = new LinkedHashMap<>();
                kinds.put("thenApply", f -> f.thenApply(v -> note(ranOn, "thenApply")));
                kinds.put("thenAccept", f -> f.thenAccept(v -> note(ranOn, "thenAccept")));
                kinds.put("thenRun", f -> f.thenRun(() -> note(ranOn, "thenRun")));
                kinds.put("thenCombine", f -> f.thenCombine(done, (a, b) -> note(ranOn, "thenCombine")));
                kinds.put("thenAcceptBoth", f -> f.thenAcceptBoth(done, (a, b) -> note(ranOn, "thenAcceptBoth")));
                kinds.put("runAfterBoth", f -> f.runAfterBoth(done, () -> note(ranOn, "runAfterBoth")));
                kinds.put("applyToEither", f -> f.applyToEither(never, v -> note(ranOn, "applyToEither")));
                kinds.put("acceptEither", f -> f.acceptEither(never, v -> note(ranOn, "acceptEither")));
                kinds.put("runAfterEither", f -> f.runAfterEither(never, () -> note(ranOn, "runAfterEither")));
                kinds.put("thenCompose", f -> f.thenCompose(v -> CompletableFuture.completedFuture(note(ranOn, "thenCompose"))));
                kinds.put("whenComplete", f -> f.whenComplete((v, e) -> note(ranOn, "whenComplete")));
                kinds.put("handle", f -> f.handle((v, e) -> note(ranOn, "handle")));
                kinds.put("minimalCompletionStage().thenAccept", f -> f.minimalCompletionStage()
                        .thenAccept(v -> note(ranOn, "minimalCompletionStage().thenAccept")));
                kinds.put("thenApply.thenApply", f -> f.thenApply(v -> v).thenApply(v -> note(ranOn, "thenApply.thenApply")));
                Map<String, Function<CompletableFuture<String>, CompletionStage<?>>> onFailure = new LinkedHashMap<>();
                onFailure.put("exceptionally", f -> f.exceptionally(e -> note(ranOn, "exceptionally")));
                onFailure.put("exceptionallyCompose", f -> f.exceptionallyCompose(
                        e -> CompletableFuture.completedFuture(note(ranOn, "exceptionallyCompose"))));

                for (String when : List.of("before", "after")) {
                    CompletableFuture<String> ok = c.query("*ESR?"); // answered after 300 ms
                    CompletableFuture<String> failing = c.query("*ESR?", Duration.ofMillis(150)); // times out queued behind it
                    if (when.equals("after")) {
                        Await.until(Configs.WAIT, () -> ok.isDone() && failing.isDone(), "both calls ended");
                    } else {
                        assertThat(ok.isDone() || failing.isDone()).as("pending when the dependents are attached").isFalse();
                    }
                    CompletableFuture<?>[] stages = new CompletableFuture<?>[kinds.size() + onFailure.size()];
                    int i = 0;
                    for (var k : kinds.entrySet()) {
                        stages[i++] = k.getValue().apply(ok).toCompletableFuture();
                    }
                    for (var k : onFailure.entrySet()) {
                        stages[i++] = k.getValue().apply(failing).toCompletableFuture();
                    }
                    CompletableFuture.allOf(stages).get(10, TimeUnit.SECONDS);
                    assertThat(ranOn).as("dependents attached %s completion", when).hasSize(kinds.size() + onFailure.size());
                    assertThat(ranOn).as("dependents attached %s completion", when).allSatisfy((kind, thread) ->
                            assertThat(thread).as(kind).isEqualTo("user-callbacks"));
                    ranOn.clear();
                    // a minimal stage stays minimal: only its CompletionStage methods, and toCompletableFuture()
                    CompletionStage<String> minimal = ok.minimalCompletionStage();
                    assertThat(minimal.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(ok.get());
                    org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                            () -> ((CompletableFuture<String>) minimal).complete("1"));
                }
            } finally {
                c.close().get(10, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
    }

    private static String note(Map<String, String> ranOn, String kind) {
        ranOn.put(kind, Thread.currentThread().getName());
        return kind;
    }
}
