package io.vtbridge.adapters.executor;

import io.vtbridge.Bridge;
import io.vtbridge.testing.Await;
import io.vtbridge.testing.TestBridge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The lifecycle half of the contract, in the style of the JSR-166 TCK: shutdown, shutdownNow
 * (interrupting running tasks, returning unstarted ones), isShutdown/isTerminated transitions,
 * awaitTermination true, false and interrupted, close() waiting and its interrupt rule, calls from
 * the service's own tasks, several services on one bridge, and no thread left behind.
 */
@Timeout(60)
class ExecutorLifecycleTest {

    @TestBridge(shards = 2, name = "exec-life")
    Bridge bridge;

    @Test
    void aNewServiceIsNeitherShutDownNorTerminatedAndShutdownWithNothingActiveTerminatesAtOnce() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        assertThat(executor.isShutdown()).isFalse();
        assertThat(executor.isTerminated()).isFalse();
        assertThat(executor.awaitTermination(0, TimeUnit.SECONDS)).isFalse();
        assertThat(executor.awaitTermination(10, TimeUnit.MILLISECONDS)).as("a short wait that times out").isFalse();
        executor.shutdown();
        assertThat(executor.isShutdown()).isTrue();
        assertThat(executor.isTerminated()).isTrue();
        assertThat(executor.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
        executor.shutdown(); // idempotent
        assertThat(executor.shutdownNow()).isEmpty();
        assertThat(executor.isTerminated()).isTrue();
        assertThat(bridge.isClosed()).as("the bridge is not the service's to close").isFalse();
    }

    @Test
    void tasksRunningAtShutdownRunToTheirEndAndThenTheServiceTerminates() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> f = executor.submit(() -> {
            started.countDown();
            release.await();
            return "finished after shutdown";
        });
        Await.latch("the task started", started);
        executor.shutdown();
        assertThat(executor.isShutdown()).isTrue();
        assertThat(executor.isTerminated()).as("a task still runs").isFalse();
        assertThat(executor.awaitTermination(50, TimeUnit.MILLISECONDS)).isFalse();
        assertThatThrownBy(() -> executor.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);

        release.countDown();
        assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.isTerminated()).isTrue();
        assertThat(f.getNow("not done")).as("done before the service reported terminated").isEqualTo("finished after shutdown");
    }

    @Test
    @SuppressWarnings("try") // the held shard is the resource's whole point; the body never names it
    void shutdownNowInterruptsRunningTasksAndReturnsTheUnstartedOnesWhichNeverRun() throws Exception {
        try (Bridge one = Bridge.builder().shards(1).name("exec-now").closeTimeout(Duration.ofSeconds(2)).build()) {
            BridgeExecutorService executor = BridgeExecutorService.of(one);
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<String> running = executor.submit(() -> {
                started.countDown();
                new CountDownLatch(1).await(); // until interrupted
                return "never";
            });
            Await.latch("the running task started", started);
            AtomicInteger unstartedRuns = new AtomicInteger();
            Runnable command = unstartedRuns::incrementAndGet;
            CompletableFuture<Integer> submitted;
            List<Runnable> returned;
            try (HeldShard held = HeldShard.hold(one, 0)) {
                submitted = executor.submit(unstartedRuns::incrementAndGet);
                executor.execute(command);
                returned = executor.shutdownNow();
                assertThat(executor.isShutdown()).isTrue();
            }
            assertThat(returned).as("the two tasks that never started: the command itself and the future").hasSize(2).contains(command);
            assertThat(returned.contains(submitted)).as("the future submit returned is in the list").isTrue();
            assertThat(submitted.isCancelled()).as("a returned future is cancelled, so no get() waits forever").isTrue();
            assertThatThrownBy(() -> running.get(Await.WAIT_SECONDS, TimeUnit.SECONDS))
                    .as("the running task was interrupted and its own InterruptedException is the outcome")
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InterruptedException.class);
            assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(unstartedRuns).as("returned tasks never ran").hasValue(0);
            for (Runnable r : returned) {
                r.run(); // the future does nothing; the command runs here, on our thread
            }
            assertThat(unstartedRuns).hasValue(1);
        }
    }

    @Test
    void everyAcceptedTaskEitherRunsOrIsReturnedByShutdownNowUnderConcurrentSubmission() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        AtomicInteger ran = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> submitters = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            submitters.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < 2_000; i++) {
                        try {
                            executor.execute(ran::incrementAndGet);
                            accepted.incrementAndGet();
                        } catch (RejectedExecutionException e) {
                            refused.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        go.countDown();
        Await.until("some tasks accepted", () -> accepted.get() > 500);
        List<Runnable> drained = executor.shutdownNow();
        for (Thread t : submitters) {
            Await.join("a submitter", t);
        }
        assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(accepted.get() + refused.get()).isEqualTo(8_000);
        assertThat(ran.get() + drained.size()).as("ran %d + drained %d vs accepted %d", ran.get(), drained.size(), accepted.get())
                .isEqualTo(accepted.get());
    }

    @Test
    void awaitTerminationOfAnInterruptedCallerThrowsUnlessTheAnswerIsImmediate() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        executor.shutdown();
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).as("the interrupt was consumed").isFalse();

        Thread.currentThread().interrupt();
        assertThat(executor.awaitTermination(0, TimeUnit.SECONDS)).as("a zero timeout answers at once, as ThreadPoolExecutor").isFalse();
        assertThat(Thread.interrupted()).as("and leaves the interrupt alone").isTrue();

        CompletableFuture<Throwable> waiter = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                executor.awaitTermination(1, TimeUnit.DAYS);
                waiter.complete(null);
            } catch (Throwable e) {
                waiter.complete(e);
            }
        });
        Await.state(t, Thread.State.TIMED_WAITING);
        t.interrupt();
        assertThat(Await.result(waiter)).as("interrupted while waiting").isInstanceOf(InterruptedException.class);

        release.countDown();
        assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        Thread.currentThread().interrupt();
        assertThat(executor.awaitTermination(1, TimeUnit.SECONDS)).as("terminated: true, interrupt or not").isTrue();
        assertThat(Thread.interrupted()).isTrue();
    }

    @Test
    void closeShutsDownAndWaitsForTheRunningTasks() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> task = executor.submit(() -> {
            started.countDown();
            release.await();
            return "done";
        });
        Await.latch("the task started", started);
        CompletableFuture<String> taskStateAfterClose = new CompletableFuture<>();
        Thread closer = Thread.ofPlatform().start(() -> {
            executor.close();
            taskStateAfterClose.complete(task.getNow("not done") + ", interrupted=" + Thread.currentThread().isInterrupted());
        });
        Await.state(closer, Thread.State.WAITING);
        assertThat(executor.isShutdown()).isTrue();
        assertThat(taskStateAfterClose).isNotDone();
        release.countDown();
        assertThat(Await.result(taskStateAfterClose)).isEqualTo("done, interrupted=false");
        assertThat(executor.isTerminated()).isTrue();
        executor.close(); // terminated: no effect
    }

    @Test
    void closeInterruptedWhileWaitingStopsTheTasksKeepsWaitingAndRestoresTheInterrupt() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch sawInterrupt = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        executor.execute(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                sawInterrupt.countDown();
                boolean done = false;
                while (!done) { // cleans up for a while after its interrupt: close() must wait for that
                    try {
                        done = finish.await(1, TimeUnit.DAYS);
                    } catch (InterruptedException again) {
                        throw new AssertionError("interrupted twice", again);
                    }
                }
            }
        });
        Await.latch("the task started", started);
        CompletableFuture<Boolean> interruptAfterClose = new CompletableFuture<>();
        Thread closer = Thread.ofPlatform().start(() -> {
            executor.close();
            interruptAfterClose.complete(Thread.currentThread().isInterrupted());
        });
        Await.state(closer, Thread.State.WAITING);
        closer.interrupt();
        Await.latch("shutdownNow() interrupted the task", sawInterrupt);
        Await.state(closer, Thread.State.WAITING); // still waiting for the task to end
        assertThat(executor.isTerminated()).isFalse();
        finish.countDown();
        assertThat(Await.result(interruptAfterClose)).as("the interrupt status, re-asserted").isTrue();
        assertThat(executor.isTerminated()).isTrue();
    }

    @Test
    void closeAndAwaitTerminationFromTheServicesOwnTaskThrowAndChangeNothing() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        CompletableFuture<String> fromTask = executor.submit(() -> {
            List<String> seen = new ArrayList<>();
            try {
                executor.close();
                seen.add("close returned");
            } catch (IllegalStateException e) {
                seen.add("close: " + e.getMessage());
            }
            try {
                executor.awaitTermination(1, TimeUnit.SECONDS);
                seen.add("awaitTermination returned");
            } catch (IllegalStateException e) {
                seen.add("awaitTermination: ISE");
            }
            seen.add("shutdown=" + executor.isShutdown());
            return String.join("; ", seen);
        });
        assertThat(Await.result(fromTask)).startsWith("close: close() called from a task of executor exec-life-executor-")
                .contains("it would wait for itself").endsWith("; awaitTermination: ISE; shutdown=false");

        CountDownLatch attached = new CountDownLatch(1);
        CompletableFuture<String> source = executor.submit(() -> {
            attached.await();
            return "x";
        });
        CompletableFuture<String> fromDependent = source.thenApply(x -> {
            try {
                executor.close();
                return "close returned";
            } catch (IllegalStateException e) {
                return "refused, bridged=" + Bridge.current().isPresent();
            }
        });
        attached.countDown(); // the stage was attached before the task completed: it runs on the task's thread
        assertThat(Await.result(fromDependent)).isEqualTo("refused, bridged=true");
        assertThat(executor.isShutdown()).isFalse();
        executor.close();
    }

    @Test
    void shutdownAndShutdownNowFromTheServicesOwnTaskAreFine() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        CompletableFuture<String> f = executor.submit(() -> {
            executor.shutdown();
            return "shut down from inside, shutdown=" + executor.isShutdown();
        });
        assertThat(Await.result(f)).isEqualTo("shut down from inside, shutdown=true");
        assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

        BridgeExecutorService second = BridgeExecutorService.of(bridge);
        CompletableFuture<Boolean> selfInterrupted = second.submit(() -> {
            second.shutdownNow();
            return Thread.currentThread().isInterrupted();
        });
        assertThat(Await.result(selfInterrupted)).as("shutdownNow interrupts the calling task too").isTrue();
        assertThat(second.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aTaskOfAnotherServiceOnTheSameBridgeMayCloseThisOne() throws Exception {
        BridgeExecutorService target = BridgeExecutorService.of(bridge);
        BridgeExecutorService other = BridgeExecutorService.of(bridge);
        CountDownLatch release = new CountDownLatch(1);
        target.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<Boolean> closedBy = other.submit(() -> {
            target.close(); // waits, unmounted, for target's task
            return target.isTerminated();
        });
        Await.until("target is shut down", target::isShutdown);
        assertThat(closedBy).isNotDone();
        release.countDown();
        assertThat(Await.result(closedBy)).isTrue();
        other.close();
    }

    @Test
    void servicesSharingABridgeStopOnlyTheirOwnTasksAndNeverCloseTheBridge() throws Exception {
        BridgeExecutorService a = BridgeExecutorService.of(bridge);
        BridgeExecutorService b = BridgeExecutorService.of(bridge);
        CountDownLatch bStarted = new CountDownLatch(1);
        CountDownLatch bRelease = new CountDownLatch(1);
        CompletableFuture<String> bTask = b.submit(() -> {
            bStarted.countDown();
            bRelease.await(); // would throw if a's shutdownNow interrupted it
            return "b untouched";
        });
        CountDownLatch aStarted = new CountDownLatch(1);
        CompletableFuture<String> aTask = a.submit(() -> {
            aStarted.countDown();
            new CountDownLatch(1).await();
            return "never";
        });
        Await.latch("b's task started", bStarted);
        Await.latch("a's task started", aStarted);
        a.shutdownNow();
        a.close();
        assertThat(a.isTerminated()).isTrue();
        assertThat(aTask.isCompletedExceptionally()).isTrue();
        assertThat(b.isShutdown()).isFalse();
        assertThat(bTask).isNotDone();
        assertThat(Await.result(b.submit(() -> "b still accepts"))).isEqualTo("b still accepts");
        bRelease.countDown();
        assertThat(Await.result(bTask)).isEqualTo("b untouched");
        b.close();
        assertThat(bridge.isClosed()).isFalse();
        assertThat(Await.result(bridge.submit(() -> "bridge still open"))).isEqualTo("bridge still open");
    }

    @Test
    void afterTheServiceAndThenTheBridgeAreClosedNoThreadOfTheBridgeIsLeft() throws Exception {
        try (Bridge leaky = Bridge.builder().shards(2).name("exec-leak").build()) {
            BridgeExecutorService executor = BridgeExecutorService.of(leaky);
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                tasks.add(() -> {
                    Bridge.sleep(Duration.ofMillis(1));
                    return n;
                });
            }
            for (Future<Integer> f : executor.invokeAll(tasks)) {
                assertThat(f.get()).isBetween(0, 49);
            }
            assertThat(executor.invokeAny(tasks)).isBetween(0, 49);
            for (int i = 0; i < 100; i++) {
                executor.execute(() -> { });
            }
            executor.close();
            assertThat(executor.isTerminated()).isTrue();
            // A loop frees the slots of its turn's ended tasks at the end of the turn: a moment after the futures.
            Await.until("the tasks' bridge slots released (in flight: " + leaky.inFlight() + ")", () -> leaky.inFlight() == 0);
        }
        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith("exec-leak")))
                .as("threads of the closed exec-leak bridge").isEmpty();
    }

    @Test
    void toStringNamesTheServiceItsBridgeItsStateAndItsActiveTasks() throws Exception {
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        executor.execute(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Await.latch("the task started", started);
        assertThat(executor.toString()).matches("BridgeExecutorService\\[exec-life-executor-\\d+, running, active=1]");
        executor.shutdown();
        assertThat(executor.toString()).endsWith(", shutdown, active=1]");
        release.countDown();
        assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(executor.toString()).endsWith(", terminated, active=0]");
        assertThat(executor.bridge()).isSameAs(bridge);
    }

    @Test
    void aTaskTheBridgeAbandonsAtItsStopStillCompletesItsFutureAndTheServiceTerminates() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).stopGrace(Duration.ZERO).build();
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
        Future<Integer> ignoring = submitInterruptIgnoring(executor, release);
        bridge.shutdownNow(); // no grace: the running task's thread is abandoned
        assertThat(bridge.isTerminated()).isTrue();
        assertThatThrownBy(() -> ignoring.get(Await.WAIT_SECONDS, TimeUnit.SECONDS))
                .as("the future of the abandoned task completes").isInstanceOf(java.util.concurrent.CancellationException.class);
        executor.shutdown();
        assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).as("the service terminates").isTrue();
        release.set(true);
    }

    @Test
    void aStageOfAnAbandonedTasksFutureThatClosesTheServiceIsRefusedInsteadOfWaitingForItself() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).stopGrace(Duration.ZERO).build();
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        java.util.concurrent.atomic.AtomicBoolean release = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<Integer> ignoring = (CompletableFuture<Integer>) submitInterruptIgnoring(executor, release);
        CompletableFuture<Throwable> fromStage = ignoring.handle((v, e) -> catchThrowable(executor::close));
        Thread closer = Thread.ofPlatform().start(bridge::shutdownNow); // the stage runs on this thread, at the bridge's termination
        Await.join("shutdownNow() returns", closer);
        assertThat(fromStage).isCompletedWithValueMatching(t -> t instanceof IllegalStateException, "close() refused");
        executor.shutdown(); // the refused close() shut nothing down
        assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        release.set(true);
    }

    @Test
    void aTaskThatEndsAtTheBridgesStopKeepsItsOwnOutcome() throws Exception {
        Bridge bridge = Bridge.builder().shards(1).stopGrace(Duration.ofSeconds(Await.WAIT_SECONDS)).build();
        BridgeExecutorService executor = BridgeExecutorService.of(bridge);
        CountDownLatch started = new CountDownLatch(1);
        Future<String> answering = executor.submit(() -> {
            started.countDown();
            try {
                Thread.sleep(TimeUnit.HOURS.toMillis(1));
                return "slept";
            } catch (InterruptedException e) {
                return "interrupted"; // ends at the interrupt, within the grace
            }
        });
        Await.latch("the task runs", started);
        bridge.shutdownNow();
        assertThat(answering.get(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("interrupted");
        executor.shutdown();
        assertThat(executor.awaitTermination(Await.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * Submits a task that ignores interrupts: it parks until {@code release} is set, and parks again
     * after an interrupt (a stopped shard never resumes it). Returns once it runs.
     */
    private static Future<Integer> submitInterruptIgnoring(BridgeExecutorService executor,
                                                           java.util.concurrent.atomic.AtomicBoolean release) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Future<Integer> future = executor.submit(() -> {
            started.countDown();
            while (!release.get()) {
                Thread.interrupted();
                java.util.concurrent.locks.LockSupport.park();
            }
            return 1;
        });
        Await.latch("the task runs", started);
        return future;
    }
}
