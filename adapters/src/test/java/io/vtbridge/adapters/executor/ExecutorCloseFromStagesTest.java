package io.vtbridge.adapters.executor;

import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code close()} and {@code awaitTermination} from a dependent stage of a future that another
 * thread completes before the task started: the caller of {@code cancel}, of {@code shutdownNow}, or
 * the thread on which a closing bridge ends the task. The stage runs before the task counts as
 * ended, so a wait there would wait for itself: it must throw {@link IllegalStateException} and
 * change nothing, as from the task's own thread. And a stage that a {@code cancel} of a task
 * already running runs is not the task's: its {@code close()} waits for the task's end and returns.
 */
@Timeout(60)
class ExecutorCloseFromStagesTest {

    @TestBridge(shards = 1, name = "exec-stages")
    Bridge bridge;

    /** A stage that tries both waits and reports what each did, and whether the service was shut down meanwhile. */
    private static CompletableFuture<String> waitsFromAStageOf(CompletableFuture<?> future, BridgeExecutorService executor) {
        CompletableFuture<String> report = new CompletableFuture<>();
        future.whenComplete((value, failure) -> {
            List<String> seen = new ArrayList<>();
            try {
                executor.close();
                seen.add("close returned");
            } catch (IllegalStateException e) {
                seen.add(e.getMessage().contains("it would wait for itself") ? "close: ISE" : "close: " + e);
            }
            try {
                executor.awaitTermination(1, TimeUnit.DAYS);
                seen.add("awaitTermination returned");
            } catch (IllegalStateException e) {
                seen.add("awaitTermination: ISE");
            } catch (InterruptedException e) {
                seen.add("awaitTermination: interrupted");
            }
            seen.add("shutdown=" + executor.isShutdown());
            report.complete(String.join("; ", seen));
        });
        return report;
    }

    /** Starts {@code action} on a daemon platform thread (a hang must not keep the test JVM alive). */
    private static Thread start(String name, Runnable action) {
        return Thread.ofPlatform().name(name).daemon().start(action);
    }

    @Test
    void aStageRunByACancelBeforeTheStartCannotWaitForTermination() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<String> report;
        AtomicReference<Boolean> cancelled = new AtomicReference<>();
        try (HeldShard held = HeldShard.hold(bridge, 0)) {
            CompletableFuture<Integer> f = executor.submit(runs::incrementAndGet);
            report = waitsFromAStageOf(f, executor);
            Thread canceller = start("canceller", () -> cancelled.set(f.cancel(false)));
            Await.join("cancel() returns (its stage must not wait for the task it cancelled)", canceller);
            assertThat(Await.result(report)).isEqualTo("close: ISE; awaitTermination: ISE; shutdown=false");
            assertThat(cancelled.get()).isTrue();
            assertThat(f.isCancelled()).isTrue();
            assertThat(executor.toString()).as("the cancelled task ended").endsWith("running, active=0]");
        }
        executor.close();
        assertThat(executor.isTerminated()).isTrue();
        assertThat(runs).as("cancelled before its start: never runs").hasValue(0);
    }

    @Test
    void aStageRunByShutdownNowCannotWaitForTermination() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<List<Runnable>> drained = new AtomicReference<>();
        try (HeldShard held = HeldShard.hold(bridge, 0)) {
            CompletableFuture<Integer> f = executor.submit(runs::incrementAndGet);
            CompletableFuture<String> report = waitsFromAStageOf(f, executor);
            Thread stopper = start("stopper", () -> drained.set(executor.shutdownNow()));
            Await.join("shutdownNow() returns (a drained task's stage must not wait for that task)", stopper);
            // shutdownNow() had shut the service down before it drained the task, hence shutdown=true
            assertThat(Await.result(report)).isEqualTo("close: ISE; awaitTermination: ISE; shutdown=true");
            assertThat(drained.get()).singleElement().isSameAs(f);
            assertThat(f.isCancelled()).isTrue();
            assertThat(executor.isTerminated()).as("the drained task ended after its stage").isTrue();
        }
        assertThat(runs).hasValue(0);
    }

    @Test
    void aStageRunByAClosingBridgeCannotWaitForTermination() throws Exception {
        Bridge one = Bridge.builder().shards(1).name("exec-stages-closing").closeTimeout(Duration.ofSeconds(2)).build();
        try {
            BridgeExecutorService executor = BridgeExecutorService.of(one);
            AtomicInteger runs = new AtomicInteger();
            HeldShard held = HeldShard.hold(one, 0);
            CompletableFuture<Integer> f = executor.submit(runs::incrementAndGet);
            CompletableFuture<String> report = waitsFromAStageOf(f, executor);
            Thread stopper = start("bridge-stopper", one::shutdownNow); // ends the unstarted bridge task: the service abandons it
            assertThat(Await.result("the stage's report", report)).isEqualTo("close: ISE; awaitTermination: ISE; shutdown=false");
            Await.join("the bridge's shutdownNow() returns", stopper);
            held.close();
            assertThat(f.isCompletedExceptionally()).isTrue();
            executor.shutdown();
            assertThat(executor.isTerminated()).as("the abandoned task ended after its stage").isTrue();
            assertThat(runs).hasValue(0);
        } finally {
            one.close();
        }
    }

    @Test
    void aStageRunByACancelOfARunningTaskIsNotTheTasksAndMayClose() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<CompletableFuture<String>> self = new CompletableFuture<>();
        CompletableFuture<String> f = executor.submit(() -> {
            running.countDown();
            try {
                new CountDownLatch(1).await(); // until cancel(true) interrupts it
            } catch (InterruptedException expected) {
                // Ends only once the canceller has completed the future, so that the stage below
                // runs on the canceller's thread, never on this one.
                Await.until("the canceller completed the future", () -> self.join().isDone());
            }
            return "interrupted";
        });
        self.complete(f);
        Await.latch("the task runs", running);
        CompletableFuture<String> report = waitsFromAStageOf(f, executor);
        Thread canceller = start("canceller", () -> f.cancel(true));
        // The stage runs on the canceller's thread: not the task's, so close() waits for the task,
        // interrupted before the completion, to end, and returns.
        assertThat(Await.result(report)).isEqualTo("close returned; awaitTermination returned; shutdown=true");
        Await.join("cancel(true) returns", canceller);
        assertThat(f.isCancelled()).isTrue();
        assertThat(executor.isTerminated()).isTrue();
    }
}
