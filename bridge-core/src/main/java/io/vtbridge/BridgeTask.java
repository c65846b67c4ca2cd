package io.vtbridge;

import io.vtbridge.loop.LoopCounter;
import io.vtbridge.loop.RunnerTask;
import io.vtbridge.loop.ShardLoop;
import io.vtbridge.task.RunOnceFuture;

import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;

/**
 * A submitted task and its future. The task runs on a bridged virtual thread: one of its shard's
 * runners, or a thread of its own. Its future completes on that thread (dependent stages run there,
 * never on the loop thread), except when the bridge shuts down and completes it from the closing
 * thread; a {@link Mode#SYNC} task runs on a blocking-pool worker instead.
 *
 * <p>Start or abort, and cancel: the phases of {@link RunOnceFuture}. The task's thread claims the
 * run ({@link #run}, {@link #runSync}); the bridge gives up on a task that has not started with
 * {@link #claimUnstarted} (shutdown, or a start that failed). Whoever claims it owns its in-flight
 * slot and releases it, so a task the bridge reports as "never started" never ran a line of its
 * body, and no slot is released twice. {@code cancel(true)} completes the future, then interrupts
 * the run if there is one; that interrupt never reaches a blocking-pool worker's next task.
 *
 * <p><b>Threading:</b> {@link #runOnRunner} on a runner of a shard's loop (a reused bridged thread),
 * {@link #run} on the task's own virtual thread (latency lane, or reuse off), or {@link #runSync} on
 * a blocking-pool worker ({@link Mode#SYNC}, no shard); {@link #cancel} and the rest from any thread.
 */
final class BridgeTask<T> extends RunOnceFuture<T> implements Runnable, RunnerTask {

    private final Bridge bridge;
    private final Shard shard;        // null for a Mode.SYNC task
    private final Object body;        // a Callable<T>; a Runnable for a task of execute() (executed)
    private final boolean executed;   // from execute(Runnable): no result; a failure also goes to the uncaught-exception handler
    private final boolean urgent;     // started through the shard's latency lane (Priority.HIGH)
    private final boolean movable;    // no key: may run on another shard than its own (the spill)
    int slot = -1;                    // written by the submitting thread before the table publishes the task (a closer's walk may abort it) and before its start
    private long queuedAt;            // written by the submitter (or a spilling loop) before the offer that publishes it
    private Shard runningOn;          // the shard whose loop runs it: written before claimRun, whose store of the runner publishes it

    private BridgeTask(Bridge bridge, Shard shard, Object body, boolean executed, boolean urgent, boolean movable) {
        this.bridge = bridge;
        this.shard = shard;
        this.body = body;
        this.executed = executed;
        this.urgent = urgent;
        this.movable = movable;
    }

    /** A task of {@code submit}: its future completes with what {@code callable} returns or throws. */
    static <T> BridgeTask<T> of(Bridge bridge, Shard shard, Callable<T> callable, boolean urgent, boolean movable) {
        return new BridgeTask<>(bridge, shard, callable, false, urgent, movable);
    }

    /**
     * A task of {@code execute}: {@code command} runs as it is (no adapter to a {@link Callable}: one
     * object and one frame less per task); a failure also goes to the thread's uncaught-exception
     * handler.
     */
    static BridgeTask<Object> ofExecuted(Bridge bridge, Shard shard, Runnable command) {
        return new BridgeTask<>(bridge, shard, command, true, false, true);
    }

    /** Whether the task starts through its shard's latency lane. */
    boolean urgent() {
        return urgent;
    }

    @Override
    public void run() {
        ShardLoop loop = shard.loop(); // we run on our shard's loop thread, or off it (a rescued latency-lane start)
        boolean onLoop = loop.services().threadStarts();
        try {
            runningOn = shard;
            if (claimRun()) {
                if (onLoop) {
                    loop.counters().increment(LoopCounter.TASKS_STARTED);
                } else {
                    loop.counters().incrementShared(LoopCounter.TASKS_STARTED);
                }
                runClaimed(loop);
            } // else aborted before it started: the aborter completed the future and freed the slot
        } finally {
            loop.services().threadEnds(); // possibly on a carrier that has lost the loop to a hand-off
        }
    }

    /**
     * Runs the task on a runner of {@code loop}: a reused bridged thread, on that loop's owner. Same
     * phases and completion as {@link #run}; the runner counts its own thread start and end, and
     * resets the thread after the task.
     */
    @Override
    public void runOnRunner(ShardLoop loop) {
        runningOn = (Shard) loop.owner(); // another shard's, for a task the spill moved
        if (claimRun()) {
            loop.counters().increment(LoopCounter.TASKS_STARTED);
            runClaimed(loop);
        }
    }

    @Override
    public boolean movable() {
        return movable;
    }

    @Override
    public long queuedAt() {
        return queuedAt;
    }

    @Override
    public void queuedAt(long stamp) {
        queuedAt = stamp;
    }

    /**
     * Runs the task on the calling platform thread: a {@link Mode#SYNC} task on a blocking-pool
     * worker. Same phases and completion as {@link #run}; no loop counters (they belong to a loop).
     */
    void runSync() {
        if (claimRun()) {
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
            complete(callBody());
        } catch (Throwable failure) {
            if (completeExceptionally(failure) && executed) {
                Thread self = Thread.currentThread();
                self.getUncaughtExceptionHandler().uncaughtException(self, failure);
            }
        } finally {
            finishRun(); // a cancel(true) that interrupted us is done with its interrupt when this returns
            if (loop != null) {
                loop.services().countFromCurrentThread(LoopCounter.TASKS_FINISHED);
            }
            // Last: a thread that sees inFlight() drop also sees the counters above. On the loop, the
            // slot is freed with the others of this turn (one batch: the table's line moves once).
            if (loop == null || !loop.deferSlotRelease(slot)) {
                bridge.admission().release(this);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private T callBody() throws Exception {
        if (executed) {
            ((Runnable) body).run();
            return null;
        }
        return ((Callable<T>) body).call();
    }

    /**
     * Claims a task that has not started, so that it never will.
     *
     * @return whether this call claimed it; if so the caller owns the slot and must release it
     */
    boolean claimUnstarted() {
        return claimAbort();
    }

    /**
     * Cancels the task: the future completes with a {@link java.util.concurrent.CancellationException}
     * and, if {@code mayInterruptIfRunning}, the task's thread is interrupted if it is running it.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && mayInterruptIfRunning) {
            interruptRun();
        }
        return cancelled;
    }

    Shard shard() {
        return shard;
    }

    /**
     * The shard whose loop runs the task: its own, or the one the spill moved it to; null before it
     * starts. Read it after a non-null {@link #runner()} (whose volatile store publishes it).
     */
    Shard runningOn() {
        return runningOn;
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

    @Override
    public String toString() {
        return "BridgeTask[" + (shard == null ? "sync" : "shard " + shard.index()) + ", " + body + "]" + super.toString();
    }
}
