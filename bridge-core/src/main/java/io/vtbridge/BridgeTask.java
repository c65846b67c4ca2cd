package io.vtbridge;

import io.vtbridge.loop.LoopCounter;
import io.vtbridge.loop.LoopCounters;

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
 * <p><b>Threading:</b> {@link #run} on the task's own virtual thread; {@link #cancel} and the rest
 * from any thread.
 */
final class BridgeTask<T> extends CompletableFuture<T> implements Runnable {

    private final Bridge bridge;
    private final Shard shard;
    private final Callable<T> callable;
    private final boolean reportUncaught;
    int slot = -1;                   // written by the submitting thread before the thread start that publishes it
    private volatile Thread runner;  // written by the task's thread (set when it starts, cleared when it ends); read by cancel()

    BridgeTask(Bridge bridge, Shard shard, Callable<T> callable, boolean reportUncaught) {
        this.bridge = bridge;
        this.shard = shard;
        this.callable = callable;
        this.reportUncaught = reportUncaught;
    }

    @Override
    public void run() {
        LoopCounters counters = shard.loop().counters(); // we run on our shard's loop thread
        counters.increment(LoopCounter.THREADS_STARTED);
        counters.increment(LoopCounter.TASKS_STARTED);
        try {
            if (bridge.isStopping()) {
                completeExceptionally(new RejectedExecutionException("bridge shut down before the task started"));
                return;
            }
            runner = Thread.currentThread();
            // A cancel() that read runner == null before the store above has completed the future;
            // one that reads it after interrupts us. Either way we see isDone() or the interrupt.
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
            runner = null;
            counters.increment(LoopCounter.TASKS_FINISHED);
            counters.increment(LoopCounter.THREADS_ENDED);
            bridge.release(this); // last: a thread that sees inFlight() drop also sees the counters above
        }
    }

    /**
     * Cancels the task: the future completes with a {@link java.util.concurrent.CancellationException}
     * and, if {@code mayInterruptIfRunning}, the task's virtual thread is interrupted.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled && mayInterruptIfRunning) {
            Thread t = runner;
            if (t != null) {
                t.interrupt();
            }
        }
        return cancelled;
    }

    Shard shard() {
        return shard;
    }

    /** Completes a task that has not started with a rejection, or cancels a running one. */
    void abort(String why) {
        if (runner == null) {
            completeExceptionally(new RejectedExecutionException(why));
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
        return "BridgeTask[shard " + shard.index() + ", " + callable + "]" + super.toString();
    }
}
