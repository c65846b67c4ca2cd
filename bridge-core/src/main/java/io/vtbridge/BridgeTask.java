package io.vtbridge;

import io.vtbridge.loop.LoopCounter;
import io.vtbridge.loop.ShardLoop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * A submitted task and its future. The task runs as the body of its own bridged virtual thread, so
 * its future completes on that thread (dependent stages run there, never on the loop thread), except
 * when the bridge shuts down and completes it from the closing thread.
 *
 * <p>Exactly once: completion goes through {@link CompletableFuture}'s single CAS, the first of value,
 * failure, cancellation or rejection wins, and {@code obtrude*} is refused.
 *
 * <p>Start or abort: a task in phase NEW is claimed exactly once, by its own thread starting it
 * ({@link #run}) or by the bridge giving up on it ({@link #claimUnstarted}: shutdown, or a start that
 * failed). Whoever claims it owns its slot and releases it, so a task the bridge reports as "never
 * started" never ran a line of its callable, and no slot is released twice.
 * <pre>
 *   NEW          -> RUNNING       run()/runSync(), CAS (the task's thread)
 *   NEW          -> ABORTED       claimUnstarted(), CAS (a closing thread, or the submitter backing out)
 *   RUNNING      -> FINISHED      the run's end, CAS (the task's thread)
 *   RUNNING      -> INTERRUPTING  cancel(true) during the run, CAS (the canceller, which then interrupts)
 *   INTERRUPTING -> INTERRUPTED   the canceller, once Thread.interrupt() returned (release store)
 * </pre>
 * A run that loses {@code RUNNING -> FINISHED} waits until INTERRUPTED before its thread moves on,
 * so a cancel's interrupt lands in this task or not at all: never in the next task of a
 * blocking-pool worker ({@link Mode#SYNC}), which clears the flag between tasks.
 *
 * <p><b>Threading:</b> {@link #run} on the task's own virtual thread, or {@link #runSync} on a
 * blocking-pool worker ({@link Mode#SYNC}, no shard); {@link #cancel} and the rest from any thread.
 */
final class BridgeTask<T> extends CompletableFuture<T> implements Runnable {

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int ABORTED = 2;
    private static final int FINISHED = 3;
    private static final int INTERRUPTING = 4;
    private static final int INTERRUPTED = 5;

    private static final VarHandle PHASE;

    static {
        try {
            PHASE = MethodHandles.lookup().findVarHandle(BridgeTask.class, "phase", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Bridge bridge;
    private final Shard shard;
    private final Callable<T> callable;
    private final boolean reportUncaught;
    int slot = -1;                   // written by the submitting thread before the thread start that publishes it
    private volatile int phase;      // NEW -> RUNNING | ABORTED, once, by CAS (see above)
    private volatile Thread runner;  // written by the task's thread (set when it starts, cleared when it ends); read by cancel()

    BridgeTask(Bridge bridge, Shard shard, Callable<T> callable, boolean reportUncaught) {
        this.bridge = bridge;
        this.shard = shard;
        this.callable = callable;
        this.reportUncaught = reportUncaught;
    }

    @Override
    public void run() {
        ShardLoop loop = shard.loop(); // we run on our shard's loop thread
        loop.services().threadStarts();
        try {
            if (PHASE.compareAndSet(this, NEW, RUNNING)) {
                runner = Thread.currentThread(); // at once: a cancel that won RUNNING -> INTERRUPTING waits for it
                loop.counters().increment(LoopCounter.TASKS_STARTED);
                runClaimed(loop);
            } // else aborted before it started: the aborter completed the future and freed the slot
        } finally {
            loop.services().threadEnds(); // possibly on a carrier that has lost the loop to a hand-off
        }
    }

    /**
     * Runs the task on the calling platform thread: a {@link Mode#SYNC} task on a blocking-pool
     * worker. Same phases and completion as {@link #run}; no loop counters (they belong to a loop).
     */
    void runSync() {
        if (PHASE.compareAndSet(this, NEW, RUNNING)) {
            runner = Thread.currentThread();
            runClaimed(null);
        }
    }

    private void runClaimed(ShardLoop loop) {
        try {
            if (bridge.admission().isStopping()) {
                completeExceptionally(new RejectedExecutionException("bridge shut down before the task started"));
                return;
            }
            // A cancel() before our RUNNING claim completed the future without interrupting; one
            // after it interrupts us. Either way we see isDone() or the interrupt.
            if (isDone()) {
                return;
            }
            complete(callable.call());
        } catch (Throwable failure) {
            if (completeExceptionally(failure) && reportUncaught) {
                Thread self = Thread.currentThread();
                self.getUncaughtExceptionHandler().uncaughtException(self, failure);
            }
        } finally {
            if (!PHASE.compareAndSet(this, RUNNING, FINISHED)) {
                while (phase == INTERRUPTING) {
                    Thread.onSpinWait(); // the canceller is inside Thread.interrupt(); INTERRUPTED comes next
                }
            }
            runner = null;
            if (loop != null) {
                loop.services().countFromCurrentThread(LoopCounter.TASKS_FINISHED);
            }
            bridge.admission().release(this); // last: a thread that sees inFlight() drop also sees the counters above
        }
    }

    /**
     * Claims a task that has not started, so that it never will.
     *
     * @return whether this call claimed it; if so the caller owns the slot and must release it
     */
    boolean claimUnstarted() {
        return PHASE.compareAndSet(this, NEW, ABORTED);
    }

    /**
     * Cancels the task: the future completes with a {@link java.util.concurrent.CancellationException}
     * and, if {@code mayInterruptIfRunning}, the task's virtual thread is interrupted.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && mayInterruptIfRunning && PHASE.compareAndSet(this, RUNNING, INTERRUPTING)) {
            try {
                Thread t;
                while ((t = runner) == null) {
                    Thread.onSpinWait(); // stored right after its RUNNING claim: a few instructions
                }
                t.interrupt();
            } finally {
                PHASE.setRelease(this, INTERRUPTED); // pairs with the volatile read of phase at the run's end
            }
        }
        return cancelled;
    }

    Shard shard() {
        return shard;
    }

    /** The thread running the task now, or null. */
    Thread runner() {
        return runner;
    }

    /**
     * Completes a task that has not started with a rejection (and frees its slot), or cancels a
     * running one (its thread frees the slot when it ends).
     */
    void abort(String notStartedReason) {
        if (claimUnstarted()) {
            completeExceptionally(new RejectedExecutionException(notStartedReason));
            bridge.admission().release(this);
        } else {
            cancel(true);
        }
    }

    /** Dependent stages are plain futures: cancelling one must not interrupt this task. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    /** Refused: a bridge future completes exactly once. */
    @Override
    public void obtrudeValue(T value) {
        throw new UnsupportedOperationException("a bridge future completes exactly once; obtrudeValue is not supported");
    }

    /** Refused: a bridge future completes exactly once. */
    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException("a bridge future completes exactly once; obtrudeException is not supported");
    }

    @Override
    public String toString() {
        return "BridgeTask[" + (shard == null ? "sync" : "shard " + shard.index()) + ", " + callable + "]" + super.toString();
    }
}
