package io.vtbridge;

import io.vtbridge.internal.Checks;
import io.vtbridge.internal.Failures;
import io.vtbridge.internal.StressHook;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.monitor.EventKind;
import io.vtbridge.pool.PoolTask;
import io.vtbridge.pool.WorkPool;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * The calls bridged code makes: {@link Bridge#sleep}, {@link Bridge#await}, and the offloads
 * ({@link Bridge#compute}, {@link Bridge#blocking}, {@link BridgeFiles}), each a REQUEST, then,
 * unless it was served at once, a SUSPEND and a RESUME of its kind. Outside bridged code each one
 * falls back to what a plain thread would do: {@code Thread.sleep}, a blocking wait, or running the
 * callable on the calling thread.
 *
 * <p><b>Threading:</b> any thread; in bridged code the current thread's shard and bridge are used.
 */
final class BridgedCalls {

    private BridgedCalls() {
    }

    /** {@link Bridge#sleep}: a loop timer in bridged code, {@code Thread.sleep} elsewhere. */
    static void sleep(Duration duration) throws InterruptedException {
        Objects.requireNonNull(duration, "duration");
        ShardLoop loop = ShardLoop.current();
        if (loop == null) {
            StressHook stress = StressHook.current();
            if (stress != null) {
                stress.sleep(Checks.saturatedNanos(duration)); // a stress run's virtual clock
            } else {
                Thread.sleep(duration);
            }
            return;
        }
        loop.services().sleep(Checks.saturatedNanos(duration));
    }

    /** {@link Bridge#await}: the stage's value, or its failure as {@code join()} would unwrap it. */
    static <T> T await(CompletionStage<T> stage) throws InterruptedException {
        Objects.requireNonNull(stage, "stage");
        CompletableFuture<T> future = toFuture(stage);
        ShardLoop loop = ShardLoop.current();
        if (loop != null) {
            loop = loop.services().request(EventKind.AWAIT, true); // after a yield: the loop that carries it now, or null
        }
        if (!future.isDone()) {
            // In bridged code CompletableFuture.get() parks the virtual thread, which unmounts:
            // the loop runs others, and the completion, on whatever thread, resumes it. An
            // interrupted get() removes its waiter node, so nothing is left on a long-lived stage.
            long token = loop != null ? loop.services().beginWait(EventKind.AWAIT) : 0L;
            try {
                future.get();
            } catch (ExecutionException | CancellationException reportedBelow) {
                // the outcome is reported by join() below
            } finally {
                if (loop != null) {
                    loop.services().endWait(EventKind.AWAIT, token);
                }
            }
        } else if (loop != null) {
            loop.events().fastPath();
        }
        try {
            return future.join();
        } catch (CompletionException wrapped) {
            Failures.throwIfUnchecked(wrapped.getCause());
            throw wrapped; // a checked failure stays wrapped, as join() has it
        }
    }

    private static <T> CompletableFuture<T> toFuture(CompletionStage<T> stage) {
        if (stage instanceof CompletableFuture<T> future) {
            return future;
        }
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException notSupported) {
            CompletableFuture<T> future = new CompletableFuture<>();
            stage.whenComplete((value, failure) -> {
                if (failure != null) {
                    future.completeExceptionally(failure);
                } else {
                    future.complete(value);
                }
            });
            return future;
        }
    }

    /**
     * Hands {@code task} to one of the current bridge's pools (CPU for kind CPU, blocking for
     * BLOCKING and FILE) while the calling bridged virtual thread waits, unmounted, and returns its
     * value or throws what it threw. An interrupt while waiting cancels the task (removed if queued,
     * interrupted if running) and throws {@link InterruptedException}.
     */
    static <T> T offload(Priority priority, Callable<T> task, EventKind kind) throws Exception {
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(task, "task");
        ShardLoop loop = ShardLoop.current();
        if (loop == null) {
            return task.call(); // not bridged code: there is no loop to keep free
        }
        Bridge bridge = ((Shard) loop.owner()).bridge();
        WorkPool pool = kind == EventKind.CPU ? bridge.cpuPool() : bridge.blockingPool();
        loop.services().request(kind, true);
        PoolTask<T> future = pool.submit(priority, task);
        if (future.isCompletedExceptionally() && !future.isCancelled()) {
            return outcome(future); // refused at once: a full queue (BridgeOverloadedException) or a closed pool
        }
        long token = loop.services().beginWait(kind);
        try {
            future.get(); // parks: the virtual thread unmounts until a pool thread completes the task
        } catch (InterruptedException e) {
            future.cancel(true); // never runs if still queued; its worker is interrupted if running
            throw e;
        } catch (ExecutionException | CancellationException reportedBelow) {
            // rethrown below, unwrapped
        } finally {
            loop.services().endWait(kind, token);
        }
        return outcome(future);
    }

    /** The value of a completed future, or its failure as the callable threw it. */
    private static <T> T outcome(PoolTask<T> done) throws Exception {
        try {
            return done.get();
        } catch (ExecutionException wrapped) {
            Failures.throwIfUncheckedOr(wrapped.getCause(), Exception.class);
            throw wrapped;
        }
    }
}
