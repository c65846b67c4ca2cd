package io.vtbridge.pool;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.LockSupport;

/**
 * Where a {@link WorkPool} starts its worker threads when the task that needs one was submitted from
 * a virtual thread: on a platform thread of the bridge's own that never carries virtual threads (the
 * stall watchdog's), not on the submitter. {@code Thread.start} waits until the new thread has run,
 * and a virtual thread that calls it holds its carrier meanwhile; for bridged code that carrier is a
 * shard's loop, which on a busy machine was held 105 ms by one such start.
 *
 * <p>The runner {@linkplain #bind binds} itself, then calls {@link #runPending(int)} each time it wakes;
 * {@link #execute} queues a start and unparks the runner. After {@link #close()} (the runner has
 * stopped), a start runs on the thread that queues it, as it would without a starter.
 *
 * <p>No start is lost: {@code execute} queues, then reads {@code closed}; {@code close} writes
 * {@code closed}, then drains. Each side writes before it reads the other's location (both
 * volatile: the queue's CAS, the flag), so either the queuing thread sees the starter closed and
 * drains itself, or the closing thread's drain finds the start. The queue takes several consumers,
 * so both may drain at once; each start runs once, on whichever thread polled it.
 * jcstress: {@code WorkerStarterCloseTest}.
 *
 * <p><b>Threading:</b> every method from any thread.
 */
public final class WorkerStarter implements Executor {

    private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private volatile Thread runner;   // unparked by execute(); null until bind()
    private volatile boolean closed;  // set by close(): starts then run on the thread that queues them

    /** Makes {@code thread} the one that {@link #execute} wakes. Call once, before it first parks. */
    public void bind(Thread thread) {
        this.runner = Objects.requireNonNull(thread, "thread");
    }

    /**
     * Queues {@code start} for the runner and wakes it; runs it on the caller once the starter is
     * closed. A start must not throw: a failure to start is the start's own to handle.
     */
    @Override
    public void execute(Runnable start) {
        pending.add(Objects.requireNonNull(start, "start"));
        if (closed) {
            runPending();
        } else {
            LockSupport.unpark(runner); // no-op while unbound; the runner drains when it first runs
        }
    }

    /** Runs every queued start. {@link #close()} and callers after it. */
    public void runPending() {
        while (runPending(Integer.MAX_VALUE)) {
            // until the queue is empty
        }
    }

    /**
     * Runs up to {@code max} queued starts: the runner, each time it wakes, one at a time, so that a
     * burst of starts (each a {@code Thread.start}, which can take long on a busy machine) does not
     * hold back the runner's own work.
     *
     * @return whether starts are still queued
     */
    public boolean runPending(int max) {
        Runnable start;
        for (int i = 0; i < max && (start = pending.poll()) != null; i++) {
            try {
                start.run();
            } catch (RuntimeException unexpected) {
                // A start handles its own failure (it rejects its task); nothing else may stop the drain.
            }
        }
        return !pending.isEmpty();
    }

    /** From now on starts run on the thread that queues them; runs those still queued. Idempotent. */
    public void close() {
        closed = true;
        runPending();
    }

    /** Starts queued and not yet run. Any thread. */
    public int pending() {
        return pending.size();
    }
}
