package io.vtbridge.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * A task queued in a {@link WorkPool}, and its future.
 *
 * <p>Exactly once: the future completes through {@link CompletableFuture}'s single CAS (the first of
 * value, failure, cancellation or rejection wins) and {@code obtrude*} is refused. The body runs at
 * most once, and never after the task was cancelled or rejected before it started: who gets to act
 * is decided by one CAS on {@code state}, not by the future.
 *
 * <pre>
 *   NEW          -> RUNNING       run(): a worker claims the task                      (CAS, worker)
 *   NEW          -> CANCELLED     cancel() before the start: the body never runs       (CAS, canceller)
 *   NEW          -> REJECTED      reject(): the pool gave up on it (shutdownNow)       (CAS, pool)
 *   RUNNING      -> DONE          run(), after the body: it completes the future       (CAS, worker)
 *   RUNNING      -> INTERRUPTING  cancel(true) during the run: it will interrupt       (CAS, canceller)
 *   INTERRUPTING -> INTERRUPTED   cancel(true), once Thread.interrupt() has returned   (release store, canceller)
 * </pre>
 *
 * Cancelling a running task with interruption: the canceller wins {@code RUNNING -> INTERRUPTING},
 * interrupts the worker, stores {@code INTERRUPTED}, then cancels the future. The worker, when the
 * body returns, fails its {@code RUNNING -> DONE} CAS, leaves the completion to the canceller, and
 * waits (briefly: one {@code Thread.interrupt()}) until {@code INTERRUPTED} before it returns, so the
 * interrupt lands in this task and never in the next one; the worker clears it between tasks. If the
 * worker wins {@code RUNNING -> DONE} instead, the body has returned, nothing is interrupted, and
 * the first completion wins as usual.
 *
 * <p><b>Threading:</b> {@link #run} by a pool worker (any thread may call it, but only the first
 * call, from whichever thread, can run the body); {@link #cancel}, the getters and the stages from
 * any thread.
 */
public final class PoolTask<T> extends CompletableFuture<T> implements Runnable {

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int CANCELLED = 2;
    private static final int REJECTED = 3;
    private static final int DONE = 4;
    private static final int INTERRUPTING = 5;
    private static final int INTERRUPTED = 6;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PoolTask.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Callable<T> callable;
    private final PriorityTaskQueue queue;   // where a cancel before the start removes it from
    private final boolean reportUncaught;
    private volatile int state;               // see the table above; changes only through the CAS helpers
    private volatile Thread runner;           // written by the worker right after it wins NEW -> RUNNING, cleared when the run ends; read by the canceller that wins RUNNING -> INTERRUPTING

    /**
     * @param callable       the body
     * @param queue          the queue the task is about to join; a cancel before the start removes it
     *                       from there
     * @param reportUncaught whether a failure of the body also goes to the worker's uncaught-exception
     *                       handler ({@link WorkPool#execute}: nobody holds the future)
     */
    /**
     * A task in no pool's queue, run by whoever calls {@link #run()}: for direct use and for the
     * jcstress test of the cancel-versus-run hand-off.
     */
    public PoolTask(Callable<T> callable) {
        this(callable, null, false);
    }

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
        if (!claim(NEW, RUNNING)) {
            return false;
        }
        runner = Thread.currentThread(); // after the claim: a losing caller of run() must not overwrite it
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

    /**
     * Ends a run: claims the completion, or else waits for the cancel(true) that claimed the task
     * to finish its interrupt, so that the interrupt cannot land in the worker's next task.
     *
     * @return whether this run completes the future
     */
    private boolean finishRun() {
        boolean completes = claim(RUNNING, DONE);
        if (!completes) {
            while (state == INTERRUPTING) {
                Thread.yield(); // the canceller is inside Thread.interrupt(); it stores INTERRUPTED next
            }
        }
        runner = null;
        return completes;
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
        if (claim(NEW, CANCELLED)) {
            if (queue != null) {
                queue.remove(this); // frees its capacity before any dependent stage runs
            }
            return super.cancel(false);
        }
        if (mayInterruptIfRunning && !isDone() && claim(RUNNING, INTERRUPTING)) {
            try {
                awaitRunner().interrupt();
            } finally {
                STATE.setRelease(this, INTERRUPTED); // pairs with the volatile read of state in finishRun()
            }
            return super.cancel(true);
        }
        return super.cancel(mayInterruptIfRunning);
    }

    /**
     * The worker that won {@code NEW -> RUNNING}. It stores itself right after that CAS and clears
     * the field only once the run has seen {@code INTERRUPTED}, so after our {@code RUNNING ->
     * INTERRUPTING} the wait is at most those few instructions.
     */
    private Thread awaitRunner() {
        Thread t;
        while ((t = runner) == null) {
            Thread.yield();
        }
        return t;
    }

    /**
     * Completes a task that has not started with a {@link RejectedExecutionException}, so that it
     * never will.
     *
     * @return whether this call rejected it; {@code false} if it had started, or was cancelled or
     *         rejected before
     */
    boolean reject(RejectedExecutionException reason) {
        if (!claim(NEW, REJECTED)) {
            return false;
        }
        completeExceptionally(reason);
        return true;
    }

    private boolean claim(int expected, int next) {
        return STATE.compareAndSet(this, expected, next);
    }

    /** Dependent stages are plain futures: cancelling one must not interrupt this task. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    /** Refused: a pool future completes exactly once. */
    @Override
    public void obtrudeValue(T value) {
        throw new UnsupportedOperationException("a pool future completes exactly once; obtrudeValue is not supported");
    }

    /** Refused: a pool future completes exactly once. */
    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException("a pool future completes exactly once; obtrudeException is not supported");
    }

    @Override
    public String toString() {
        return "PoolTask[" + callable + "]" + super.toString();
    }
}
