package io.vtbridge.pool;

import io.vtbridge.task.RunOnceFuture;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * A task queued in a {@link WorkPool}, and its future.
 *
 * <p>Its phases are {@link RunOnceFuture}'s: the body runs at most once, and never after the task
 * was cancelled or rejected before it started ({@code NEW -> ABORTED}). Cancelling a running task
 * with interruption: the canceller wins {@code RUNNING -> INTERRUPTING}, interrupts the worker, stores
 * {@code INTERRUPTED}, then cancels the future. The worker, when the body returns, fails its
 * {@code RUNNING -> FINISHED} CAS, leaves the completion to the canceller, and waits (briefly: one
 * {@code Thread.interrupt()}) until {@code INTERRUPTED} before it returns, so the interrupt lands in
 * this task and never in the next one; the worker clears it between tasks. If the worker wins
 * {@code RUNNING -> FINISHED} instead, the body has returned, nothing is interrupted, and the first
 * completion wins as usual.
 *
 * <p><b>Threading:</b> {@link #run} by a pool worker (any thread may call it, but only the first
 * call, from whichever thread, can run the body); {@link #cancel}, the getters and the stages from
 * any thread.
 */
public final class PoolTask<T> extends RunOnceFuture<T> implements Runnable {

    private final Callable<T> callable;
    private final PriorityTaskQueue queue;   // where a cancel before the start removes it from
    private final boolean reportUncaught;

    /**
     * A task in no pool's queue, run by whoever calls {@link #run()}: for direct use and for the
     * jcstress test of the cancel-versus-run hand-off.
     */
    public PoolTask(Callable<T> callable) {
        this(callable, null, false);
    }

    /**
     * @param callable       the body
     * @param queue          the queue the task is about to join; a cancel before the start removes it
     *                       from there
     * @param reportUncaught whether a failure of the body also goes to the worker's uncaught-exception
     *                       handler ({@link WorkPool#execute}: nobody holds the future)
     */
    PoolTask(Callable<T> callable, PriorityTaskQueue queue, boolean reportUncaught) {
        this.callable = Objects.requireNonNull(callable, "callable");
        this.queue = queue;
        this.reportUncaught = reportUncaught;
    }

    /** Runs the body, unless the task was cancelled or rejected first, or already ran. */
    @Override
    public void run() {
        runBody();
    }

    /**
     * Runs the body if this call claims the task.
     *
     * @return whether the body ran (normally or not); {@code false} if the task had been cancelled,
     *         rejected or claimed before, or its future was completed from outside before the start
     */
    boolean runBody() {
        if (!claimRun()) {
            return false;
        }
        if (isDone()) {
            // Completed from outside (complete(), completeExceptionally()) before the start.
            finishRun();
            return false;
        }
        T value = null;
        Throwable failure = null;
        try {
            value = callable.call();
        } catch (Throwable t) {
            failure = t;
        }
        if (finishRun()) {
            if (failure == null) {
                complete(value);
            } else if (completeExceptionally(failure) && reportUncaught) {
                reportUncaught(failure);
            }
        }
        return true;
    }

    private static void reportUncaught(Throwable failure) {
        Thread self = Thread.currentThread();
        try {
            self.getUncaughtExceptionHandler().uncaughtException(self, failure);
        } catch (Throwable ignored) {
            // A handler that throws must not kill the worker; the failure is in the future anyway.
        }
    }

    /**
     * Cancels the task. Before its start it is removed from the queue and its body never runs.
     * While it runs, {@code cancel(true)} interrupts the worker running it (that interrupt never
     * reaches the worker's next task) and {@code cancel(false)} lets the body finish unobserved.
     * Either way the future completes with a {@link java.util.concurrent.CancellationException},
     * unless it had completed already.
     *
     * @return whether the future is now cancelled ({@link CompletableFuture#cancel}'s contract: also
     *         {@code true} if an earlier call cancelled it)
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (claimAbort()) {
            if (queue != null) {
                queue.remove(this); // frees its capacity before any dependent stage runs
            }
            return super.cancel(false);
        }
        if (mayInterruptIfRunning && !isDone() && interruptRun()) {
            return super.cancel(true);
        }
        return super.cancel(mayInterruptIfRunning);
    }

    /**
     * Completes a task that has not started with a {@link RejectedExecutionException}, so that it
     * never will.
     *
     * @return whether this call rejected it; {@code false} if it had started, or was cancelled or
     *         rejected before
     */
    boolean reject(RejectedExecutionException reason) {
        if (!claimAbort()) {
            return false;
        }
        completeExceptionally(reason);
        return true;
    }

    @Override
    public String toString() {
        return "PoolTask[" + callable + "]" + super.toString();
    }
}
